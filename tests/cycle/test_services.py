"""The rules of the annual cycle at their boundaries: the deadline day, the late policies,
the registration batch sent all or nothing, the plan decision approving its list and
telling the left-out, and the dates of decisions (projects.decision_dates)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from cycle import rules, selectors, services
from cycle.models import Call, CallReminder, PlanDecision, Registration, RegistrationBatch
from programs.catalogue import SOURCES
from projects.models import Appraisal, ApprovedVersion, Proposal, ProposalEvent
from tests.cycle.factories import (
    appraised_national,
    batch_with,
    draft_decision,
    forwarded_national,
    open_call,
    registered,
    today,
)
from tests.projects.factories import (
    S,
    advance,
    appraise,
    make_proposal,
    ministry,
    plan_for,
    staff_of,
    transition,
)

DAY = datetime.timedelta(days=1)


# --- Calls -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_national_call_defaults_to_20_may_of_the_year_before_with_its_citation(world):
    plan = plan_for(14, national=True, year=2027)
    call = services.call_create(
        actor=ministry(), plan=plan, title="Đăng ký KCQG 2027", opens_on=datetime.date(2026, 3, 1)
    )
    assert call.level == "national" and call.province_id is None
    assert call.deadline == datetime.date(2026, 5, 20)
    assert call.dossier_sets == rules.DOSSIER_SETS.value == 3
    assert "36/2013/TT-BCT" in call.deadline_basis
    assert rules.NATIONAL_DEADLINE.document == "36/2013/TT-BCT"
    # The deadline is the one the legal catalogue's source for the circular gives (LawNet);
    # the number of sets is not confirmed in a published text: said so, not invented.
    assert rules.NATIONAL_DEADLINE.verified and "20/5" in SOURCES["36/2013/TT-BCT"].note
    assert call.deadline_basis == "Thông tư 36/2013/TT-BCT"
    assert not rules.DOSSIER_SETS.verified


@pytest.mark.django_db
def test_the_ministry_opens_national_calls_and_the_so_its_province_calls(world):
    national = plan_for(14, national=True)
    local = plan_for(14)
    sct = staff_of(14)
    with pytest.raises(PermissionDenied):
        services.call_create(actor=sct, plan=national, title="x", opens_on=today())
    with pytest.raises(PermissionDenied):
        services.call_create(actor=ministry(), plan=local, title="x", opens_on=today())
    with pytest.raises(PermissionDenied):
        services.call_create(actor=staff_of(66), plan=local, title="x", opens_on=today())
    call = services.call_create(
        actor=sct, plan=local, title="KCĐP", opens_on=today(), deadline=today()
    )
    assert call.level == "local" and call.province.code == 14


@pytest.mark.django_db
def test_a_deadline_before_the_opening_is_refused_next_to_the_field(world):
    with pytest.raises(ValidationError) as exc:
        services.call_create(
            actor=staff_of(14),
            plan=plan_for(14),
            title="KCĐP",
            opens_on=today(),
            deadline=today() - DAY,
        )
    assert "deadline" in str(exc.value.message_dict) or "__all__" in exc.value.message_dict


# --- Registration at submission ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_deadline_day_itself_is_on_time(world):
    call = open_call(plan_for(14), deadline=today())
    proposal = registered(make_proposal(14), call)
    assert proposal.status == S.SUBMITTED
    registration = Registration.objects.get(proposal=proposal)
    assert registration.registered_on == today() and not registration.late
    assert selectors.days_left(call) == 0
    event = ProposalEvent.objects.filter(proposal=proposal, action="register").get()
    assert event.changes == {"deadline": today().isoformat(), "late": False}


@pytest.mark.django_db
def test_the_day_after_the_deadline_is_refused_when_the_call_refuses(world):
    call = open_call(plan_for(14), deadline=today() - DAY)
    proposal = make_proposal(14)
    with pytest.raises(ValidationError) as exc:
        registered(proposal, call)
    assert "call" in exc.value.message_dict
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT
    assert not Registration.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_a_late_registration_is_accepted_and_flagged_when_the_call_says_so(world):
    call = open_call(plan_for(14), deadline=today() - DAY, late_policy=Call.LatePolicy.FLAG)
    proposal = registered(make_proposal(14), call)
    assert proposal.status == S.SUBMITTED
    assert Registration.objects.get(proposal=proposal).late is True


@pytest.mark.django_db
def test_the_deadline_is_a_date_in_viet_nam(world):
    """17:30 UTC on the deadline day is already the next day in Asia/Ho_Chi_Minh."""
    with freeze_time("2026-11-25 16:59:00"):  # 23:59 on 25/11 in Hà Nội
        call = open_call(plan_for(14), deadline=datetime.date(2026, 11, 25))
        assert selectors.days_left(call) == 0
        on_time = registered(make_proposal(14), call)
    with freeze_time("2026-11-25 17:30:00"):  # 00:30 on 26/11 in Hà Nội
        late = make_proposal(14)
        with pytest.raises(ValidationError):
            registered(late, call)
    assert Registration.objects.get(proposal=on_time).registered_on == datetime.date(2026, 11, 25)
    assert Proposal.objects.get(pk=late.pk).status == S.DRAFT


@pytest.mark.django_db
def test_with_an_open_call_the_call_must_be_chosen_and_be_of_the_plan(world):
    call = open_call(plan_for(14))
    proposal = make_proposal(14)
    with pytest.raises(ValidationError) as exc:
        services.registration_submit(proposal=proposal, actor=staff_of(14), call=None)
    assert "call" in exc.value.message_dict
    other = open_call(plan_for(14, national=True))
    with pytest.raises(ValidationError):
        registered(proposal, other)
    closed = services.call_transition(call=call, actor=staff_of(14), action="close")
    assert closed.status == Call.Status.CLOSED
    # No open call left for the plan: the đề án is submitted as before, unregistered.
    submitted = services.registration_submit(proposal=proposal, actor=staff_of(14), call=None)
    assert submitted.status == S.SUBMITTED
    assert not Registration.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_a_returned_proposal_submitted_again_keeps_its_registration(world):
    call = open_call(plan_for(14), deadline=today())
    proposal = registered(make_proposal(14), call)
    transition(proposal, staff_of(14), "return")
    again = services.registration_submit(proposal=proposal, actor=staff_of(14), call=None)
    assert again.status == S.SUBMITTED
    assert Registration.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db
def test_while_a_call_is_open_the_plain_submit_is_refused(world):
    """The deadline cannot be bypassed by posting the workflow's "submit" directly."""
    call = open_call(plan_for(14), deadline=today() - DAY)
    proposal = make_proposal(14)
    with pytest.raises(ValidationError) as exc:
        transition(proposal, staff_of(14), "submit")
    assert "call" in exc.value.message_dict
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT
    services.call_transition(call=call, actor=staff_of(14), action="close")
    assert transition(proposal, staff_of(14), "submit").status == S.SUBMITTED


@pytest.mark.django_db
def test_the_page_lists_the_documents_missing_for_the_call(world):
    call = open_call(plan_for(14))
    complete = make_proposal(14)
    bare = make_proposal(14, attach=False)
    assert selectors.missing_documents(complete, call) == []
    assert len(selectors.missing_documents(bare, call)) >= 1


@pytest.mark.django_db
def test_a_reminder_goes_once_to_the_province_with_drafts_before_the_deadline(world):
    call = open_call(plan_for(14), deadline=today() + datetime.timedelta(days=7))
    make_proposal(14)  # a draft not registered yet
    mail.outbox.clear()
    assert services.registration_remind(today=today()) == 1
    (message,) = mail.outbox
    assert call.title in message.subject
    assert all(r.endswith("@khuyencong.example") for r in message.to)
    assert CallReminder.objects.filter(call=call, days_left=7).count() == 1
    # The daily job running twice sends nothing more; other days are not reminder days.
    assert services.registration_remind(today=today()) == 0
    assert services.registration_remind(today=today() + DAY) == 0
    assert len(mail.outbox) == 1


# --- Registration batch ------------------------------------------------------------------


def _batch_ready(batch):
    return dict(
        reference="215/BC-SCT",
        previous_year_results="Năm trước thực hiện 5 đề án.",
        current_year_progress="Đang triển khai 4 đề án.",
        next_year_direction="Tập trung mô hình trình diễn.",
        ubnd_copy_reference="215/BC-SCT (bản sao)",
        ubnd_copy_date=today(),
    )


@pytest.mark.django_db
def test_sending_the_batch_forwards_every_proposal_with_its_reference(world):
    call = open_call(plan_for(14, national=True))
    first, second = (appraised_national(14, call=call) for _ in range(2))
    batch = batch_with([first, second], call)
    assert batch.items.count() == 2
    score, recommendation = selectors.stage_result(first, Appraisal.Stage.PROVINCE)
    assert score == batch.items.get(proposal=first).score and recommendation == "approve"
    sent = services.batch_send(batch=batch, actor=staff_of(14), **_batch_ready(batch))
    assert sent.status == RegistrationBatch.Status.SENT and sent.sent_by == staff_of(14)
    for proposal in (first, second):
        assert Proposal.objects.get(pk=proposal.pk).status == S.FORWARDED
        event = ProposalEvent.objects.filter(proposal=proposal, action="forward").get()
        assert "215/BC-SCT" in event.comment
    with pytest.raises(ValidationError):
        services.batch_send(batch=sent, actor=staff_of(14), **_batch_ready(batch))


@pytest.mark.django_db
def test_one_proposal_that_cannot_be_forwarded_and_nothing_is_sent(world):
    call = open_call(plan_for(14, national=True))
    good, bad = (appraised_national(14, call=call) for _ in range(2))
    batch = batch_with([good, bad], call)
    transition(bad, staff_of(14), "cancel")
    with pytest.raises(ValidationError) as exc:
        services.batch_send(batch=batch, actor=staff_of(14), **_batch_ready(batch))
    assert bad.code in str(exc.value)
    assert Proposal.objects.get(pk=good.pk).status == S.APPRAISED
    assert not ProposalEvent.objects.filter(proposal=good, action="forward").exists()
    assert RegistrationBatch.objects.get(pk=batch.pk).status == RegistrationBatch.Status.DRAFT


@pytest.mark.django_db
def test_the_batch_needs_its_report_number_and_the_copy_to_the_ubnd(world):
    call = open_call(plan_for(14, national=True))
    batch = batch_with([appraised_national(14, call=call)], call)
    with pytest.raises(ValidationError) as exc:
        services.batch_send(batch=batch, actor=staff_of(14))
    assert {"reference", "ubnd_copy_reference", "ubnd_copy_date"} <= set(exc.value.message_dict)
    # The centre prepares đề án but does not send the province's registration.
    from accounts.models import Role
    from tests.projects.factories import staff

    with pytest.raises(PermissionDenied):
        services.batch_send(
            batch=batch, actor=staff(14, role=Role.CENTRE_STAFF), **_batch_ready(batch)
        )


# --- The plan decision -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ministers_decision_approves_the_listed_and_tells_the_left_out(world):
    plan = plan_for(14, national=True)
    call = open_call(plan)
    listed = [forwarded_national(14, call=call, score=s) for s in (9, 7)]
    left_out = forwarded_national(66, call=call, score=8)  # left out by choice
    decision = draft_decision(plan, include=listed)
    assert decision.items.count() == 3
    mail.outbox.clear()
    recorded = services.decision_record(
        decision=decision, actor=ministry(), number="1234/QĐ-BCT", date=today(), signer="Bộ trưởng"
    )
    assert recorded.status == PlanDecision.Status.RECORDED
    for proposal in listed:
        row = Proposal.objects.get(pk=proposal.pk)
        assert row.status == S.APPROVED and row.decision_number == "1234/QĐ-BCT"
        assert row.approved_kcqg == 300_000_000
        assert ApprovedVersion.objects.filter(proposal=row).count() == 1
        assert recorded.items.get(proposal=row).approved_kcqg == row.approved_kcqg
    still = Proposal.objects.get(pk=left_out.pk)
    assert still.status == S.FORWARDED
    event = ProposalEvent.objects.filter(proposal=still, action="plan_left_out").get()
    assert event.decision_number == "1234/QĐ-BCT"
    assert services.plan_left_out_notify(decision_id=recorded.pk) == 1
    assert left_out.code in mail.outbox[-1].body
    # A supplementary decision can still list it.
    supplementary = draft_decision(plan, include=[still])
    assert supplementary.items.get(proposal=still).included


@pytest.mark.django_db
def test_the_plan_decision_is_all_or_nothing(world):
    plan = plan_for(14, national=True)
    good, bad = forwarded_national(14), forwarded_national(14)
    decision = draft_decision(plan, include=[good, bad])
    transition(bad, ministry(), "ministry_return")
    with pytest.raises(ValidationError) as exc:
        services.decision_record(
            decision=decision, actor=ministry(), number="9/QĐ-BCT", date=today(), signer="Bộ trưởng"
        )
    assert bad.code in str(exc.value)
    assert Proposal.objects.get(pk=good.pk).status == S.FORWARDED
    assert PlanDecision.objects.get(pk=decision.pk).status == PlanDecision.Status.DRAFT


@pytest.mark.django_db
def test_the_ubnd_decision_approves_the_provinces_appraised_local_proposals(world):
    plan = plan_for(14)
    first, second = (advance(make_proposal(14), S.APPRAISED) for _ in range(2))
    decision = draft_decision(plan, include=[first])
    with pytest.raises(PermissionDenied):
        services.decision_record(
            decision=decision, actor=ministry(), number="5/QĐ-UBND", date=today(), signer="x"
        )
    with pytest.raises(PermissionDenied):
        services.decision_record(
            decision=decision, actor=staff_of(66), number="5/QĐ-UBND", date=today(), signer="x"
        )
    services.decision_record(
        decision=decision, actor=staff_of(14), number="5/QĐ-UBND", date=today(), signer="Chủ tịch"
    )
    assert Proposal.objects.get(pk=first.pk).status == S.APPROVED
    assert Proposal.objects.get(pk=second.pk).status == S.APPRAISED
    assert ProposalEvent.objects.filter(proposal=second, action="plan_left_out").exists()


@pytest.mark.django_db
def test_the_plan_decision_needs_its_number_signer_date_and_one_listed(world):
    plan = plan_for(14)
    advance(make_proposal(14), S.APPRAISED)
    decision = draft_decision(plan, include=[])
    with pytest.raises(ValidationError) as exc:
        services.decision_record(decision=decision, actor=staff_of(14))
    assert {"number", "signer", "date"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(
            decision=decision, actor=staff_of(14), number="1", date=today() + DAY, signer="x"
        )
    assert "date" in exc.value.message_dict


# --- Dates that make sense ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_decision_cannot_predate_a_listed_registration(world):
    plan = plan_for(14)
    call = open_call(plan)
    proposal = advance(registered(make_proposal(14), call), S.APPRAISED)
    decision = draft_decision(plan, include=[proposal])
    with pytest.raises(ValidationError) as exc:
        services.decision_record(
            decision=decision, actor=staff_of(14), number="7/QĐ", date=today() - DAY, signer="x"
        )
    assert "date" in exc.value.message_dict
    assert Proposal.objects.get(pk=proposal.pk).status == S.APPRAISED
    # The same day is fine.
    services.decision_record(
        decision=decision, actor=staff_of(14), number="7/QĐ", date=today(), signer="x"
    )
    assert Proposal.objects.get(pk=proposal.pk).status == S.APPROVED


@pytest.mark.django_db
def test_the_individual_approval_cannot_predate_the_registration_or_the_plan(world):
    plan = plan_for(14)  # approved on 01/11/2026
    call = open_call(plan)
    registered_one = advance(registered(make_proposal(14), call), S.APPRAISED)
    with pytest.raises(ValidationError) as exc:
        transition(
            registered_one,
            staff_of(14),
            "approve",
            decision_number="1",
            decision_date=today() - DAY,
        )
    assert "decision_date" in exc.value.message_dict
    services.call_transition(call=call, actor=staff_of(14), action="close")
    unregistered = advance(make_proposal(14), S.APPRAISED)
    with pytest.raises(ValidationError) as exc:
        transition(
            unregistered,
            staff_of(14),
            "approve",
            decision_number="1",
            decision_date=datetime.date(2026, 10, 31),
        )
    assert "01/11/2026" in exc.value.message_dict["decision_date"][0]
    approved = transition(
        unregistered, staff_of(14), "approve", decision_number="1", decision_date=plan.decision_date
    )
    assert approved.status == S.APPROVED


@pytest.mark.django_db
def test_a_record_entered_as_history_may_bypass_the_dates_and_says_so(world):
    plan = plan_for(14)
    call = open_call(plan)
    proposal = advance(registered(make_proposal(14), call), S.APPRAISED)
    old = datetime.date(2026, 10, 1)
    approved = services_transition_history(proposal, old)
    assert approved.decision_date == old
    event = ProposalEvent.objects.filter(proposal=proposal, action="approve").get()
    assert event.changes["entered_as_history"] is True
    other = advance(registered(make_proposal(14), call), S.APPRAISED)
    decision = draft_decision(plan, include=[other])
    recorded = services.decision_record(
        decision=decision,
        actor=staff_of(14),
        number="3/QĐ",
        date=old,
        signer="x",
        entered_as_history=True,
    )
    assert recorded.entered_as_history
    assert ProposalEvent.objects.get(proposal=other, action="approve").changes["entered_as_history"]


def services_transition_history(proposal, day):
    from projects import services as proposal_services

    return proposal_services.proposal_transition(
        proposal=proposal,
        actor=staff_of(14),
        action="approve",
        decision_number="2/QĐ",
        decision_date=day,
        entered_as_history=True,
    )


@pytest.mark.django_db
def test_stage_result_is_the_latest_council_conclusion(world):
    proposal = advance(make_proposal(14), S.SUBMITTED)
    appraise(proposal, staff_of(14), score=10)
    appraise(proposal, staff_of(14), recommendation="return", score=6)
    score, recommendation = selectors.stage_result(proposal, Appraisal.Stage.PROVINCE)
    assert score == 60 and recommendation == "return"
    assert selectors.stage_result(proposal, Appraisal.Stage.MINISTRY) == (None, "")


def test_the_reminder_runs_daily_from_the_beat_schedule(settings):
    from khuyencong.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["cycle-reminders"]
    app.loader.import_default_modules()
    assert entry["task"] == "cycle.tasks.registration_remind_task"
    assert entry["task"] in app.tasks
