"""Real threads on PostgreSQL: two approvals at the same moment cannot commit more than
the plan allocated, and two saves of the same version cannot overwrite each other."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from core.formatting import format_vnd
from programs.models import PlanAllocation
from projects import checks, services
from projects.models import FUNDED_STATES, Proposal, ProposalEvent
from tests.projects.factories import (
    DECIDED,
    S,
    advance,
    make_proposal,
    plan_with,
    staff,
    tmp_media,  # noqa: F401
)

M = 1_000_000
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tmp_media")]


@pytest.fixture(autouse=True)
def no_mail_queue(monkeypatch):
    """The committed transitions would enqueue e-mails on the broker; not this test's
    subject (tests/projects/test_services.py covers them)."""
    monkeypatch.setattr(services, "task_send", lambda task, *, args: True)


def run_together(*jobs):
    """Start the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        from django.db import connection as thread_connection

        try:
            thread_connection.ensure_connection()  # connect first: start level at the barrier
            barrier.wait(timeout=10)
            results[index] = ("ok", job())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = (type(exc).__name__, exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_approvals_beyond_the_allocation_one_wins_the_other_is_told(world, monkeypatch):
    """500 million allocated to demonstration models; two đề án of 300 million each are
    approved at the same instant. The plan row is locked first, so the second sees the
    first's commitment: exactly one is approved, the other is told what is left.

    Reading what is committed is slowed down, so that without the lock both approvals
    would surely read before either commits."""
    read = checks.allocation_remaining

    def slow_read(proposal):
        result = read(proposal)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(checks, "allocation_remaining", slow_read)
    plan = plan_with(14, {"03.1": 500 * M})
    first, second = (
        advance(make_proposal(14, plan=plan, support=300 * M, counterpart=700 * M), S.APPRAISED)
        for _ in range(2)
    )
    sct = staff(14)

    def approve(proposal):
        return lambda: services.proposal_transition(
            proposal=proposal,
            actor=sct,
            action="approve",
            decision_number=f"{proposal.sequence}/QĐ-UBND",
            decision_date=DECIDED,
        )

    results = run_together(approve(first), approve(second))
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["ValidationError", "ok"], results
    error = next(exc for kind, exc in results if kind == "ValidationError")
    assert isinstance(error, ValidationError)
    assert any(format_vnd(200 * M) in m for m in error.messages)  # what was left
    statuses = sorted(Proposal.objects.filter(plan=plan).values_list("status", flat=True))
    assert statuses == [S.APPRAISED, S.APPROVED]
    committed = Proposal.objects.filter(plan=plan, status__in=FUNDED_STATES).aggregate(
        total=Sum("approved_kcdp")
    )["total"]
    allocated = PlanAllocation.objects.filter(plan=plan, source="kcdp").aggregate(
        total=Sum("amount")
    )["total"]
    assert committed == 300 * M <= allocated
    refused = Proposal.objects.get(status=S.APPRAISED, plan=plan)
    assert refused.approved_kcdp == 0 and not refused.approved_versions.exists()


def test_two_saves_of_the_same_version_at_the_same_moment(world):
    proposal = make_proposal(14)
    opened = proposal.version

    def save(title, actor):
        return lambda: services.proposal_save(
            proposal=proposal, actor=actor, expected_version=opened, fields={"title": title}
        )

    results = run_together(
        save("Bản của Sở", staff(14)), save("Bản của trung tâm", staff(14, "centre_staff"))
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["ConcurrentEditError", "ok"], results
    winner = next(value for kind, value in results if kind == "ok")
    row = Proposal.objects.get(pk=proposal.pk)
    assert row.title == winner.title and row.version == opened + 1
    assert ProposalEvent.objects.filter(proposal=proposal, action="edit").count() == 2
