"""seed_scale: a national dataset, the same for the same seed, obeying the portal's rules
(checked in one query after a load that runs with triggers off)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dashboards.selectors import figures_mismatches, rollup_mismatches
from demo import scale
from disbursement.models import Tranche
from inspections.services import compliance_of
from projects.models import Proposal
from reference.models import Province

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_same_seed_same_data(world):
    first = scale.seed_scale(seed=5, scale=0.005)
    counts = first["counts"]
    assert counts["proposals"] == 300 and counts["beneficiaries"] == 1000
    assert counts["tranches"] > 3_000 and counts["inspections"] > 300
    assert not any(first["validation"].values())
    again = scale.seed_scale(seed=5, scale=0.005, replace=True)
    assert again["counts"] == counts  # the fingerprint included
    other = scale.seed_scale(seed=6, scale=0.005, replace=True)
    assert other["counts"]["fingerprint"] != counts["fingerprint"]
    # Every province has đề án, establishments of its own, and the dashboards' figures.
    assert Province.objects.filter(proposals__isnull=False).distinct().count() == 34
    assert figures_mismatches() == []
    assert rollup_mismatches() == {}


def test_the_data_obeys_the_rules(world):
    scale.seed_scale(seed=9, scale=0.005)
    assert not any(scale.validate().values())
    # The compliance of each đề án is what inspections.services derives from its
    # inspections and recommendations.
    for proposal in Proposal.objects.all():
        assert proposal.compliance == compliance_of(proposal), proposal.code
    assert Proposal.objects.exclude(compliance="not_inspected").count() > 50
    # Paid money comes from paid tranches and reversals (negative rows pointing back).
    reversal = Tranche.objects.filter(kind="reversal").select_related("reverses").first()
    assert reversal.amount < 0 and reversal.reverses.status == "reversed"
    # The check in one query catches a row that breaks a money rule (the deferred
    # trigger would refuse it at commit; the test never commits).
    where = "WHERE id = (SELECT MIN(id) FROM disbursement_contract WHERE kcdp > 0)"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE disbursement_contract SET kcdp = kcdp + 1000000000000 {where}")
        assert scale.validate()["contracted_above_approved"] == 1
        cursor.execute(f"UPDATE disbursement_contract SET kcdp = kcdp - 1000000000000 {where}")
    assert not any(scale.validate().values())


def test_the_command(world, settings):
    out = io.StringIO()
    call_command("seed_scale", "--scale", "0.003", "--seed", "4", stdout=out)
    text = out.getvalue()
    assert "Rules checked in one query after the load: all hold." in text
    assert "Fingerprint: " in text and "proposals: 180" in text
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_scale", "--scale", "0.003", stdout=io.StringIO())
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="refused"):
        call_command("seed_scale", "--scale", "0.003", "--replace", stdout=io.StringIO())
