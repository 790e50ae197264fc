"""The daily job: each warning just before and just after its threshold, resolved when its
condition ends, and e-mailed once however often the job runs."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from freezegun import freeze_time

from disbursement import services, tasks
from disbursement.flags import flags_evaluate
from disbursement.models import DisbursementFlag
from tests.disbursement.factories import M, approved, centre, contracted, pay
from tests.projects.factories import DECIDED, staff

pytestmark = pytest.mark.django_db


def run_job_on(day: str) -> None:
    """What beat runs every morning, on a given day (the task reads today's date)."""
    with freeze_time(f"{day} 06:00:00+07:00"):
        tasks.flags_evaluate_task()


def open_kinds(proposal) -> set[str]:
    return set(
        DisbursementFlag.objects.filter(proposal=proposal, resolved_on__isnull=True).values_list(
            "kind", flat=True
        )
    )


def test_no_contract_after_thirty_days(world):
    proposal = approved()  # decision on 20/11/2026
    assert proposal.decision_date == DECIDED
    run_job_on("2026-12-20")  # 30 days: not yet
    assert open_kinds(proposal) == set() and mail.outbox == []
    run_job_on("2026-12-21")
    assert open_kinds(proposal) == {"no_contract"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert proposal.code in message.subject
    assert set(message.to) >= {centre().email, staff(14).email}
    assert all("sonla" in to or "-14-" in to for to in message.to), message.to
    flag = DisbursementFlag.objects.get(proposal=proposal)
    assert flag.notified and flag.raised_on == datetime.date(2026, 12, 21)
    assert "20/11/2026" in flag.message

    run_job_on("2026-12-22")  # the job again: same flag, no new mail
    assert DisbursementFlag.objects.filter(proposal=proposal).count() == 1
    assert len(mail.outbox) == 1

    with freeze_time("2026-12-22"):
        contracted(proposal, signed_on=datetime.date(2026, 12, 22))
    run_job_on("2026-12-23")
    flag.refresh_from_db()
    assert flag.resolved_on == datetime.date(2026, 12, 23)
    assert len(mail.outbox) == 1


def test_no_contract_days_come_from_the_settings(world, settings):
    settings.DISBURSEMENT_NO_CONTRACT_DAYS = 10
    proposal = approved()
    run_job_on("2026-11-30")
    assert open_kinds(proposal) == set()
    run_job_on("2026-12-01")
    assert open_kinds(proposal) == {"no_contract"}


def test_money_undisbursed_near_the_year_end(world):
    proposal = contracted().proposal  # plan 2027: deadline 31/12/2027, warned 45 days before
    run_job_on("2027-11-15")
    assert "year_end" not in open_kinds(proposal)
    run_job_on("2027-11-16")
    assert "year_end" in open_kinds(proposal)
    assert len(mail.outbox) == 1
    flag = DisbursementFlag.objects.get(proposal=proposal, kind="year_end")
    assert "1.000.000.000" in flag.message and "31/12/2027" in flag.message
    run_job_on("2027-11-16")
    assert len(mail.outbox) == 1
    with freeze_time("2027-11-17"):
        pay(proposal, 300 * M, paid_on=datetime.date(2027, 11, 17))
        pay(proposal, 700 * M, source="counterpart", paid_on=datetime.date(2027, 11, 17))
    run_job_on("2027-11-17")
    assert "year_end" not in open_kinds(proposal)


def test_advance_not_settled_after_ninety_days(world):
    proposal = contracted().proposal
    pay(proposal, 100 * M, kind="advance")  # paid on 21/11/2026
    pay(proposal, 100 * M, kind="advance", source="counterpart")
    pay(proposal, 50 * M, source="counterpart")  # settles the counterpart advance only
    run_job_on("2027-02-19")  # 90 days
    assert "advance_unsettled" not in open_kinds(proposal)
    run_job_on("2027-02-20")
    assert "advance_unsettled" in open_kinds(proposal)
    assert "KCĐP" not in DisbursementFlag.objects.get(kind="advance_unsettled").message
    mails = len(mail.outbox)
    run_job_on("2027-02-20")
    assert len(mail.outbox) == mails
    with freeze_time("2027-02-21"):
        pay(proposal, 100 * M, paid_on=datetime.date(2027, 2, 21))
    run_job_on("2027-02-21")
    assert "advance_unsettled" not in open_kinds(proposal)


def test_acceptance_overdue_after_the_grace_period(world):
    proposal = contracted().proposal  # ends on 30/11/2027, 30 days of grace
    run_job_on("2027-12-30")
    assert "acceptance_overdue" not in open_kinds(proposal)
    run_job_on("2027-12-31")
    assert "acceptance_overdue" in open_kinds(proposal)
    mails = len(mail.outbox)
    run_job_on("2027-12-31")
    assert len(mail.outbox) == mails
    with freeze_time("2028-01-02"):
        services.acceptance_record(
            proposal=proposal,
            actor=centre(),
            accepted_on=datetime.date(2028, 1, 2),
            council="Hội đồng nghiệm thu",
            result="passed",
            amounts={"kcdp": 300 * M},
        )
    run_job_on("2028-01-02")
    assert "acceptance_overdue" not in open_kinds(proposal)


def test_a_flag_raised_again_after_resolution_is_notified_again(world):
    proposal = approved()
    assert flags_evaluate(today=datetime.date(2026, 12, 21))["raised"] == 1
    with freeze_time("2026-12-22"):
        contract = contracted(proposal, signed_on=datetime.date(2026, 12, 22))
    assert flags_evaluate(today=datetime.date(2026, 12, 22))["resolved"] == 1
    assert flags_evaluate(today=datetime.date(2026, 12, 22))["raised"] == 0
    assert contract.active
    assert len(mail.outbox) == 1


def test_the_job_is_scheduled_every_morning(settings):
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "disbursement.tasks.flags_evaluate_task"
    )
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
