"""Deadlines as data and the e-mail reminders before them: on the days of
``rules.REMINDER_DAYS`` before a provincial report's deadline, the Sở of every province that
has not sent it is reminded once; run through the real worker on a chosen day (the task
takes the day, as the clock of a separate process cannot be frozen from the test)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from periodic import rules, services, tasks
from periodic.models import DeadlineReminder, ReportingDeadline
from reference.models import Province
from tests.periodic.test_flow import send
from tests.reports.test_tasks import wait_for

D = datetime.date


def test_the_deadlines_are_rows_seeded_from_the_rules_and_marked_unverified(db):
    rows = {(d.kind, d.level): d for d in ReportingDeadline.objects.all()}
    assert len(rows) == len(rules.DEFAULT_DEADLINES)
    for default in rules.DEFAULT_DEADLINES:
        row = rows[(default.kind, default.level)]
        assert (row.month, row.day, row.year_offset) == (
            default.month,
            default.day,
            default.year_offset,
        )
        assert not row.verified and row.basis
    assert services.due_date("six_month", "province", 2026) == D(2026, 7, 15)
    assert services.due_date("annual", "province", 2026) == D(2027, 1, 15)


@pytest.mark.django_db
def test_the_ministry_edits_a_deadline_and_the_reminders_follow(world, users):
    deadline = ReportingDeadline.objects.get(kind="six_month", level="province")
    with pytest.raises(PermissionDenied):  # a province may not
        services.deadline_update(deadline=deadline, actor=users["sct-sonla"], day=20)
    services.deadline_update(deadline=deadline, actor=users["ministry"], day=20, month=7)
    assert services.due_date("six_month", "province", 2026) == D(2026, 7, 20)
    with pytest.raises(services.ValidationError):
        services.deadline_update(deadline=deadline, actor=users["ministry"], day=31, month=6)
    assert services.deadline_remind(today=D(2026, 7, 8)) == 0  # 12 days before: no reminder
    assert services.deadline_remind(today=D(2026, 7, 13)) > 0  # 7 days before the new day


@pytest.mark.django_db
def test_a_reminder_goes_once_to_each_province_that_has_not_sent(world, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sct = users["sct-sonla"]
    send(
        services.report_start(actor=sct, kind="six_month", province=sct.agency.province, year=2026),
        sct,
    )
    mail.outbox.clear()
    sent = services.deadline_remind(today=D(2026, 7, 8))  # 7 days before 15/07/2026
    # Every province but Sơn La is reminded; e-mails go where the Sở has users with e-mail.
    rows = DeadlineReminder.objects.filter(kind="six_month", year=2026, days_left=7)
    assert rows.count() == Province.objects.count() - 1
    assert not rows.filter(province=sct.agency.province).exists()
    hanoi = rows.get(province__code=1)
    assert hanoi.recipients == ["sct-hanoi@khuyencong.example"] and hanoi.due_on == D(2026, 7, 15)
    assert sent == len(mail.outbox) == rows.exclude(recipients=[]).count() >= 2
    message = next(m for m in mail.outbox if m.to == ["sct-hanoi@khuyencong.example"])
    assert "15/07/2026" in message.body and "6 tháng đầu năm 2026" in message.subject
    # The job running twice on a day sends nothing more; other days are not reminder days.
    assert services.deadline_remind(today=D(2026, 7, 8)) == 0
    assert services.deadline_remind(today=D(2026, 7, 9)) == 0
    assert services.deadline_remind(today=D(2026, 7, 14)) == sent  # the day before


def test_the_reminder_runs_daily_from_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["periodic-reminders"]
    assert entry["task"] == "periodic.tasks.deadline_remind_task"
    assert entry["schedule"].hour == {7}


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_the_reminders_on_the_day(world, celery_worker_process):
    result = tasks.deadline_remind_task.delay("2027-01-14")  # 1 day before 15/01/2027
    rows = wait_for(
        lambda: (
            DeadlineReminder.objects.filter(kind="annual", year=2026).count()
            == Province.objects.count()
        ),
        timeout=60,
        what="the worker to record the reminders",
    )
    assert rows and result.id
    assert set(
        DeadlineReminder.objects.filter(kind="annual", year=2026).values_list("days_left", "due_on")
    ) == {(1, D(2027, 1, 15))}
