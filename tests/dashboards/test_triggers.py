"""The figures stay exact: each change of a tranche, a đề án, a plan or an activity shows
on the dashboard at once (database triggers keep dashboards_proposalfigures), and the
stored rows always equal a recomputation from the source tables."""

import datetime
import threading
import uuid

import pytest
from django.db import connection, transaction

from dashboards import selectors
from dashboards.models import ProposalFigures
from dashboards.services import figures_rebuild
from disbursement import services
from disbursement.models import Tranche
from programs.models import Activity
from projects.models import FUNDED_STATES, Proposal
from reference.models import Province
from tests.disbursement.factories import approved, centre, contracted, pay
from tests.projects.factories import force_status

M = 1_000_000


def _sonla(user) -> selectors.Row:
    data = selectors.national_dashboard(user=user, filters={})
    return next(r for r in data["provinces"] if r.extra["province"].code == 14), data


@pytest.mark.django_db
def test_the_funded_flag_of_the_figures_follows_funded_states(world):
    """The trigger's status list behaves as projects.models.FUNDED_STATES for every status
    (tests/test_sql_definitions.py compares the installed SQL text with it)."""
    proposal = approved(14)
    seen = {}
    for status in Proposal.Status:
        force_status(proposal, status)
        seen[status.value] = ProposalFigures.objects.get(proposal=proposal).funded
    assert {s for s, funded in seen.items() if funded} == {s.value for s in FUNDED_STATES}


@pytest.mark.django_db
def test_a_tranche_paid_changes_the_dashboard(world, users):
    ministry = users["ministry"]
    proposal = approved(14)
    row, data = _sonla(ministry)
    # Khuyến công funds only (KCĐP 300 million); the counterpart is beside them.
    assert (row.m.funded, row.m.approved, row.m.paid) == (1, 300 * M, 0)
    assert row.m.counterpart == 700 * M
    contracted(proposal)
    pay(proposal, 100 * M, kind="advance")
    tranche = pay(proposal, 50 * M)
    row, data = _sonla(ministry)
    assert row.m.paid == 150 * M and data["total"].paid == 150 * M
    assert row.m.rate == 50
    kcdp = next(r for r in data["by_source"]["rows"] if r["source"] == "kcdp")
    assert (kcdp["approved"], kcdp["paid"]) == (300 * M, 150 * M)

    # A reversal (a new negative row, the original marked reversed) takes it back.
    services.tranche_reverse(
        tranche=tranche, actor=users["sct-sonla"], reason="Chi trùng", idempotency_key="rev-1"
    )
    row, _data = _sonla(ministry)
    assert row.m.paid == 100 * M
    # A requested tranche is not paid money; once paid it is.
    request = services.tranche_request(
        proposal=proposal,
        actor=centre(14),
        kind="payment",
        source="counterpart",
        amount=200 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    assert _sonla(ministry)[0].m.paid == 100 * M
    request = services.tranche_approve(tranche=request, actor=users["sct-sonla"])
    services.tranche_pay(
        tranche=request,
        actor=centre(14),
        paid_on=datetime.date(2026, 11, 22),
        voucher_number="PC-9",
    )
    # Counterpart money paid is shown with its source, never in the khuyến công figures.
    row, data = _sonla(ministry)
    assert row.m.paid == 100 * M
    counterpart = next(r for r in data["by_source"]["rows"] if r["source"] == "counterpart")
    assert counterpart["paid"] == 200 * M
    assert selectors.figures_mismatches() == []
    assert selectors.rollup_mismatches() == {}


@pytest.mark.django_db
def test_any_writer_keeps_the_figures_exact(world, users):
    """Bulk updates, deletions and raw SQL (not only the services) move the figures."""
    ministry = users["ministry"]
    proposal = approved(14)
    contracted(proposal)
    first, second = pay(proposal, 10 * M), pay(proposal, 20 * M)
    # One statement changing two rows: moved to another source.
    Tranche.objects.filter(pk__in=[first.pk, second.pk]).update(source="counterpart")
    figures = ProposalFigures.objects.get(pk=proposal.pk)
    assert (figures.paid_kcdp, figures.paid_counterpart) == (0, 30 * M)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM disbursement_tranche WHERE id = %s", [first.pk])
    row, data = _sonla(ministry)
    assert row.m.paid == 0  # counterpart money: not khuyến công funds
    counterpart = next(r for r in data["by_source"]["rows"] if r["source"] == "counterpart")
    assert counterpart["paid"] == 20 * M
    # The đề án's own changes: cancelled, its approval no longer counts.
    Proposal.objects.filter(pk=proposal.pk).update(status="rejected", compliance="compliant")
    row, _data = _sonla(ministry)
    assert (row.m.count, row.m.funded, row.m.approved) == (1, 0, 0)
    assert (row.m.inspected, row.m.compliant) == (1, 1)
    # A plan moved to another year, an activity moved to another group.
    proposal.plan.__class__.objects.filter(pk=proposal.plan_id).update(year=2025)
    assert ProposalFigures.objects.get(pk=proposal.pk).year == 2025
    activity = proposal.activity
    other = Activity.objects.get(code="05")
    Activity.objects.filter(pk=activity.pk).update(parent=other)
    assert ProposalFigures.objects.get(pk=proposal.pk).activity_group_id == other.pk
    assert selectors.figures_mismatches() == []
    assert selectors.rollup_mismatches() == {}
    # A đề án deleted with raw SQL (after what hangs on it) takes its row with it.
    Tranche.objects.filter(proposal=proposal).delete()
    for relation in Proposal._meta.related_objects:
        if relation.related_model is not ProposalFigures and not relation.many_to_many:
            relation.related_model.objects.filter(**{relation.field.name: proposal.pk}).delete()
    proposal.communes.clear()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_proposal WHERE id = %s", [proposal.pk])
    assert not ProposalFigures.objects.filter(pk=proposal.pk).exists()


@pytest.mark.django_db
def test_rebuild_after_a_load_without_triggers(scale_data):
    """seed_scale loads with triggers off and rebuilds; a rebuild gives the same rows."""
    assert selectors.figures_mismatches() == []
    assert selectors.rollup_mismatches() == {}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dashboards_proposalfigures SET paid_kcdp = paid_kcdp + 1")
    assert len(selectors.figures_mismatches(limit=5)) == 5
    assert figures_rebuild() == Proposal.objects.count()
    assert selectors.figures_mismatches() == []
    assert selectors.rollup_mismatches() == {}


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_of_one_proposal_both_count(world, users):
    """Two transactions mark two tranches of the same đề án paid at the same time (raw
    updates, no lock on the đề án): the second waits for the first's row of figures and
    adds its own change to it — neither payment is lost."""
    proposal = approved(14)
    contracted(proposal)
    tranches = []
    for amount in (40 * M, 60 * M):
        t = services.tranche_request(
            proposal=proposal,
            actor=centre(14),
            kind="payment",
            source="kcdp",
            amount=amount,
            idempotency_key=uuid.uuid4().hex,
        )
        tranches.append(services.tranche_approve(tranche=t, actor=users["sct-sonla"]))
    first_updated = threading.Event()
    errors = []

    def mark_paid(tranche, wait_for=None, signal=None):
        try:
            with transaction.atomic():
                if wait_for:
                    wait_for.wait(10)
                Tranche.objects.filter(pk=tranche.pk).update(
                    status="paid", paid_on=datetime.date(2026, 11, 22)
                )
                if signal:
                    signal.set()
                    threading.Event().wait(0.5)  # hold the row lock while the other waits
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    a = threading.Thread(target=mark_paid, args=(tranches[0],), kwargs={"signal": first_updated})
    b = threading.Thread(target=mark_paid, args=(tranches[1],), kwargs={"wait_for": first_updated})
    a.start()
    b.start()
    a.join(30)
    b.join(30)
    assert not errors
    assert ProposalFigures.objects.get(pk=proposal.pk).paid_kcdp == 100 * M
    assert selectors.figures_mismatches() == []
    assert selectors.rollup_mismatches() == {}
    assert Province.objects.get(code=14)
