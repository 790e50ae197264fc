"""The dashboards' rollups (dashboards/sql/rollups.sql) equal their definitions — views
computed from the source tables — after any sequence of changes by any writer, including
concurrent ones; and the pages that read them show what the per-đề án rows give."""

from __future__ import annotations

import datetime
import random
import threading
import uuid

import pytest
from django.db import connection, transaction

from beneficiaries.models import Beneficiary
from core.funding import KC_SOURCES
from dashboards import selectors
from dashboards.forms import DashboardFilterForm
from dashboards.models import (
    ROLLUP_SOURCES,
    FiguresRollup,
    FindingsRollup,
    ProposalFigures,
    ReachProvince,
    ReachTotal,
)
from disbursement import services as money
from disbursement.models import DisbursementFlag, Tranche
from inspections.models import Inspection, Recommendation
from programs.models import Indicator
from projects.models import Proposal, ProposalBeneficiary, ProposalOutput
from reference.models import Province
from tests.disbursement.factories import approved, contracted, pay
from tests.inspections.factories import concluded
from tests.projects.factories import force_status

M = 1_000_000
DAY = datetime.date(2026, 11, 25)  # after the factories' inspection day (22/11/2026)


def exact() -> None:
    assert selectors.figures_mismatches() == []
    assert selectors.rollup_mismatches() == {}


def _beneficiaries_of(n: int, province_code: int = 14) -> list[Beneficiary]:
    return list(
        Beneficiary.objects.filter(province__code=province_code).order_by("pk")[:n]
    ) or pytest.fail("the demo establishments are missing")


@pytest.mark.django_db
def test_the_source_filter_has_a_column_in_the_rollups(world, users):
    """Each source the dashboards' filter offers has its with_<source> column."""
    names = {f.name for f in FiguresRollup._meta.get_fields()}
    assert set(ROLLUP_SOURCES) == set(KC_SOURCES)
    assert {f"with_{s}" for s in ROLLUP_SOURCES} <= names
    form = DashboardFilterForm(user=users["ministry"], national=True)
    offered = {value for value, _label in form.fields["source"].choices}
    assert offered - {""} <= set(ROLLUP_SOURCES)


# --- Random sequences -----------------------------------------------------------------------


class Sequence:
    """Random changes to a few đề án of Sơn La and Hà Nội: payments, reversals, status and
    compliance changes, establishments and outputs added and removed, inspections with
    open or remedied recommendations, flags raised and resolved. Each through the service
    where one is cheap, otherwise a bulk ORM statement (the triggers serve any writer)."""

    def __init__(self, rng: random.Random, users):
        self.rng = rng
        self.users = users
        self.proposals = []
        for code in (14, 14, 1):
            proposal = approved(code)
            contracted(proposal)
            self.proposals.append(proposal)
        self.beneficiaries = {
            code: _beneficiaries_of(12, code) for code in {p.province.code for p in self.proposals}
        }
        self.indicators = list(Indicator.objects.order_by("pk")[:3])
        self.done: list[str] = []

    def step(self) -> None:
        name = self.rng.choice(
            [
                "pay",
                "pay",
                "reverse",
                "status",
                "compliance",
                "link",
                "unlink",
                "output",
                "inspection",
                "remedy",
                "flag",
                "resolve",
            ]
        )
        proposal = Proposal.objects.get(pk=self.rng.choice(self.proposals).pk)
        getattr(self, name)(proposal)
        self.done.append(f"{name} {proposal.pk}")

    def pay(self, proposal):
        if proposal.status != "in_implementation":
            force_status(proposal, "in_implementation")
        pay(proposal, self.rng.randint(1, 5) * M, source=self.rng.choice(["kcdp", "counterpart"]))

    def reverse(self, proposal):
        paid = (
            Tranche.objects.filter(proposal=proposal, status="paid", amount__gt=0)
            .order_by("pk")
            .first()
        )
        if paid is not None:
            money.tranche_reverse(
                tranche=paid,
                actor=self.users["sct-sonla" if proposal.province.code == 14 else "sct-hanoi"],
                reason="Chi nhầm",
                idempotency_key=uuid.uuid4().hex,
            )

    def status(self, proposal):
        force_status(
            proposal, self.rng.choice(["approved", "in_implementation", "accepted", "cancelled"])
        )

    def compliance(self, proposal):
        Proposal.objects.filter(pk=proposal.pk).update(
            compliance=self.rng.choice([c.value for c in Proposal.Compliance])
        )

    def link(self, proposal):
        beneficiary = self.rng.choice(self.beneficiaries[proposal.province.code])
        ProposalBeneficiary.objects.get_or_create(
            proposal=proposal, beneficiary=beneficiary, defaults={"support_amount": 0}
        )

    def unlink(self, proposal):
        ProposalBeneficiary.objects.filter(
            pk__in=proposal.beneficiary_links.order_by("?").values("pk")[:1]
        ).delete()

    def output(self, proposal):
        indicator = self.rng.choice(self.indicators)
        output, created = ProposalOutput.objects.get_or_create(
            proposal=proposal, indicator=indicator, defaults={"target_value": 5}
        )
        if not created:
            if self.rng.random() < 0.3:
                output.delete()
            else:
                ProposalOutput.objects.filter(pk=output.pk).update(
                    achieved_value=self.rng.randint(0, 9)
                )

    def inspection(self, proposal):
        if proposal.status != "in_implementation":
            force_status(proposal, "in_implementation")
        if not Inspection.objects.filter(proposal=proposal, status="planned").exists():
            concluded(
                proposal, recommendation_deadline=DAY + datetime.timedelta(self.rng.randint(2, 30))
            )

    def remedy(self, proposal):
        recommendation = Recommendation.objects.filter(inspection__proposal=proposal).first()
        if recommendation is None:
            return
        if recommendation.status == "open":
            Recommendation.objects.filter(pk=recommendation.pk).update(
                status="remedied", remedied_on=DAY
            )
        else:
            Recommendation.objects.filter(pk=recommendation.pk).update(
                status="open", remedied_on=None, deadline=DAY - datetime.timedelta(3)
            )

    def flag(self, proposal):
        kind = self.rng.choice([k.value for k in DisbursementFlag.Kind])
        if not DisbursementFlag.objects.filter(
            proposal=proposal, kind=kind, resolved_on__isnull=True
        ).exists():
            DisbursementFlag.objects.create(
                proposal=proposal, kind=kind, message="Cảnh báo", raised_on=DAY
            )

    def resolve(self, proposal):
        DisbursementFlag.objects.filter(proposal=proposal, resolved_on__isnull=True).update(
            resolved_on=DAY
        )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_sequences_keep_every_rollup_exact(demo_beneficiaries, users, seed):
    sequence = Sequence(random.Random(seed), users)
    exact()
    for _ in range(30):
        sequence.step()
        assert selectors.rollup_mismatches() == {}, sequence.done
    exact()
    # The sequence went through (nearly) every kind of change.
    assert len({step.split()[0] for step in sequence.done}) >= 10, sequence.done


@pytest.mark.django_db
def test_the_pages_show_what_the_per_proposal_rows_give(demo_data, users):
    """The national dashboard read from the rollups, with and without filters, gives the
    sums, distinct counts, findings and outputs computed from the per-đề án rows and the
    source tables (an independent computation in Python)."""
    ministry = users["ministry"]
    today = datetime.date.today()
    for filters in ({}, {"year_from": 2025, "year_to": 2026}, {"source": "kcdp"}):
        data = selectors.national_dashboard(user=ministry, filters=filters)
        first, last = filters.get("year_from", 0), filters.get("year_to", 9999)
        rows = [
            f
            for f in ProposalFigures.objects.all()
            if first <= f.year <= last
            and (not filters.get("source") or (f.funded and f.approved_kcdp > 0))
        ]
        funded = [f for f in rows if f.funded]
        total = data["total"]
        assert total.count == len(rows)
        assert total.funded == len(funded)
        if filters.get("source"):
            assert total.approved == sum(f.approved_kcdp for f in funded)
            assert total.paid == sum(f.paid_kcdp for f in rows)
        else:
            assert total.approved == sum(f.approved_kcqg + f.approved_kcdp for f in funded)
            assert total.paid == sum(f.paid_kcqg + f.paid_kcdp for f in rows)
        ids = {f.proposal_id for f in rows}
        funded_ids = {f.proposal_id for f in funded}
        links = ProposalBeneficiary.objects.filter(proposal_id__in=funded_ids)
        assert total.beneficiaries == links.values("beneficiary").distinct().count()
        for row in data["provinces"]:
            if row.key is not None:
                assert row.m.beneficiaries == (
                    links.filter(proposal__province_id=row.key)
                    .values("beneficiary")
                    .distinct()
                    .count()
                )
        open_findings = Recommendation.objects.filter(
            status="open", inspection__status="concluded", inspection__proposal_id__in=ids
        )
        assert total.findings == open_findings.count()
        assert total.overdue == open_findings.filter(deadline__lt=today).count()
        assert (
            total.flags
            == DisbursementFlag.objects.filter(
                resolved_on__isnull=True, proposal_id__in=ids
            ).count()
        )
        for output in data["outputs"]:
            planned = ProposalOutput.objects.filter(
                indicator=output["indicator"], proposal_id__in=funded_ids
            )
            assert output["planned"] == sum(o.target_value for o in planned)
            assert output["achieved"] == sum(o.achieved_value or 0 for o in planned)
    assert ReachTotal.objects.count() == (
        ProposalBeneficiary.objects.filter(
            proposal_id__in=ProposalFigures.objects.filter(funded=True).values("proposal_id")
        )
        .values("beneficiary")
        .distinct()
        .count()
    )
    assert ReachProvince.objects.exists() and FindingsRollup.objects.exists()


# --- Concurrent writers ---------------------------------------------------------------------


def _in_thread(target, errors):
    def run():
        try:
            target()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_a_beneficiary_added_while_the_proposal_is_approved_is_counted(demo_beneficiaries, users):
    """One transaction adds an beneficiary to a đề án while another approves it. Without
    the lock the link trigger takes on the figures row, each would read the other's
    state from before it: the link would be left out of the distinct count."""
    proposal = approved(14)
    force_status(proposal, "appraised")
    beneficiary = _beneficiaries_of(1)[0]
    linked, errors = threading.Event(), []

    def add_link():
        with transaction.atomic():
            ProposalBeneficiary.objects.create(
                proposal_id=proposal.pk, beneficiary=beneficiary, support_amount=0
            )
            linked.set()
            threading.Event().wait(0.5)  # hold the transaction while the other waits

    def approve():
        linked.wait(10)
        with transaction.atomic():
            Proposal.objects.filter(pk=proposal.pk).update(status="approved")

    threads = [_in_thread(add_link, errors), _in_thread(approve, errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    exact()
    assert ReachTotal.objects.filter(beneficiary=beneficiary).exists()


@pytest.mark.django_db(transaction=True)
def test_a_recommendation_remedied_while_its_inspection_changes_counts_once(world, users):
    """One transaction remedies a recommendation while another reopens its inspection
    (concluded → recorded): the findings count follows both, in whichever order."""
    proposal = approved(14)
    inspection = concluded(proposal, recommendation_deadline=DAY)
    recommendation = Recommendation.objects.get(inspection=inspection)
    exact()
    started, errors = threading.Event(), []

    def remedy():
        with transaction.atomic():
            Recommendation.objects.filter(pk=recommendation.pk).update(
                status="remedied", remedied_on=DAY
            )
            started.set()
            threading.Event().wait(0.5)

    def reopen():
        started.wait(10)
        with transaction.atomic():
            Inspection.objects.filter(pk=inspection.pk).update(
                status="recorded", conclusion="", concluded_at=None
            )

    threads = [_in_thread(remedy, errors), _in_thread(reopen, errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    exact()
    assert not FindingsRollup.objects.filter(what="finding").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_in_one_cell_both_count(world, users):
    """Payments of two đề án of the same cell, in two transactions at once: the second
    waits for the cell's row and adds its own change."""
    first, second = approved(14), approved(14)
    for proposal in (first, second):
        contracted(proposal)
    cells = FiguresRollup.objects.filter(province__code=14)

    def paid() -> int:
        return sum(cells.values_list("paid_kcdp", flat=True))

    before = paid()
    barrier, errors = threading.Barrier(2), []

    def paying(proposal):
        def run():
            barrier.wait(10)
            pay(proposal, 7 * M)

        return run

    threads = [_in_thread(paying(first), errors), _in_thread(paying(second), errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert paid() == before + 14 * M
    exact()
    assert Province.objects.filter(code=14).exists()
