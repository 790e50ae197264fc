"""Each rule of the inspection services, at its boundary, and who may act."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role, User
from inspections import services
from inspections.catalogue import CHECKLIST, load_catalogue
from inspections.models import ChecklistItem, Inspection, InspectionAnswer, Recommendation, Result
from programs.models import Activity
from projects.models import Proposal, ProposalEvent
from projects.services import ConcurrentEditError
from tests.disbursement.factories import pay
from tests.inspections.factories import (
    DAY,
    conclude,
    in_implementation,
    inspector,
    plan,
    record_all,
)
from tests.projects.factories import in_state, make_proposal, user_with

pytestmark = pytest.mark.django_db
C = Proposal.Compliance


def messages(caught) -> str:
    return " ".join(caught.value.messages)


def events(proposal) -> list[str]:
    return list(
        ProposalEvent.objects.filter(proposal=proposal)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- The checklist catalogue ------------------------------------------------------------------


def test_the_catalogue_is_loaded_once_and_keeps_the_administrators_changes(world):
    count = ChecklistItem.objects.count()
    assert count == len(CHECKLIST)
    generic = ChecklistItem.objects.get(activity__isnull=True, code="dung-doi-tuong")
    generic.text = "Đúng đối tượng (sửa bởi quản trị)"
    generic.save()
    load_catalogue(django_apps)
    assert ChecklistItem.objects.count() == count
    generic.refresh_from_db()
    assert generic.text == "Đúng đối tượng (sửa bởi quản trị)"
    ChecklistItem.objects.all().delete()
    load_catalogue(django_apps)  # what seed_all does after a flush
    assert ChecklistItem.objects.count() == count


def test_the_checklist_is_generic_items_then_the_group_then_the_activity(world):
    activity = Activity.objects.get(code="03.1")
    items = services.checklist_for(activity)
    codes = [i.code for i in items]
    generic = [code for a, code, *_ in CHECKLIST if a is None]
    assert codes[: len(generic)] == generic
    assert codes[len(generic) :] == [
        "may-moc-khop-hop-dong",
        "may-moc-hoat-dong",
        "mo-hinh-nhan-rong",
    ]
    training = [i.code for i in services.checklist_for(Activity.objects.get(code="01"))]
    assert "danh-sach-hoc-vien" in training and "may-moc-khop-hop-dong" not in training
    ChecklistItem.objects.filter(code="mo-hinh-nhan-rong").update(active=False)
    assert "mo-hinh-nhan-rong" not in [i.code for i in services.checklist_for(activity)]


# --- Plan -------------------------------------------------------------------------------------


def test_plan_copies_the_checklist_and_writes_the_timeline(world):
    proposal = in_implementation(14)
    contract = proposal.contracts.get(active=True)
    tranche = pay(proposal, 50_000_000)
    inspection = plan(proposal, contract=contract, tranches=[tranche], place="Xã Mường Bú")
    assert inspection.status == Inspection.Status.PLANNED
    assert inspection.contract == contract and list(inspection.tranches.all()) == [tranche]
    answers = list(inspection.answers.order_by("order"))
    expected = services.checklist_for(proposal.activity)
    assert [a.item_id for a in answers] == [i.pk for i in expected]
    assert [a.text for a in answers] == [i.text for i in expected]
    assert all(a.result == "" for a in answers)
    # A later change of the catalogue does not rewrite the inspection.
    ChecklistItem.objects.filter(pk=expected[0].pk).update(text="Nội dung mới")
    assert InspectionAnswer.objects.get(pk=answers[0].pk).text == expected[0].text
    event = ProposalEvent.objects.filter(proposal=proposal).latest("id")
    assert event.action == "inspection_planned" and event.comment == "Xã Mường Bú"
    assert event.changes == {"inspection_kind": "periodic", "planned_on": DAY.isoformat()}
    assert Proposal.objects.get(pk=proposal.pk).compliance == C.NOT_INSPECTED


@pytest.mark.parametrize(
    "status,allowed",
    [
        ("draft", []),
        ("submitted", ["appraisal"]),
        ("appraised", ["appraisal"]),
        ("returned", []),
        ("approved", ["periodic", "unannounced"]),
        ("in_implementation", ["periodic", "unannounced", "acceptance"]),
        ("accepted", ["periodic", "unannounced", "acceptance"]),
        ("cancelled", []),
    ],
)
def test_which_kind_of_inspection_fits_which_status(world, status, allowed):
    proposal = in_state(status, province_code=14)
    assert sorted(services.inspectable_kinds(proposal)) == sorted(allowed)
    for kind in Inspection.Kind.values:
        if kind in allowed:
            assert plan(proposal, kind=kind).kind == kind
        else:
            with pytest.raises(ValidationError) as caught:
                plan(proposal, kind=kind)
            assert "kind" in caught.value.message_dict


def test_plan_needs_a_team_and_a_scope_of_the_same_proposal(world):
    proposal = in_implementation(14)
    other = in_implementation(14)
    with pytest.raises(ValidationError) as caught:
        plan(proposal, team="  ")
    assert "team" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        plan(proposal, contract=other.contracts.get())
    assert "contract" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        plan(proposal, tranches=[pay(other, 10_000_000)])
    assert "tranches" in caught.value.message_dict
    assert not Inspection.objects.filter(proposal=proposal).exists()


def test_plan_is_refused_when_no_checklist_item_applies(world):
    proposal = in_implementation(14)
    ChecklistItem.objects.update(active=False)
    with pytest.raises(ValidationError) as caught:
        plan(proposal)
    assert "quản trị" in messages(caught).lower()


# --- Who acts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username,allowed",
    [
        ("inspector-hanoi", True),
        ("sct-hanoi", True),
        ("ttkc-hanoi", True),
        ("admin", True),  # superuser
        ("ministry", False),  # reads every province, records none
        ("sct-sonla", False),  # another province
        ("ttkc-sonla", False),
    ],
)
def test_the_staff_and_inspectors_of_the_province_record(world, username, allowed):
    proposal = in_implementation(1)
    actor = User.objects.get(username=username)
    if allowed:
        inspection = plan(proposal, actor)
        inspection = record_all(inspection, actor)
        assert conclude(inspection, actor=actor).status == Inspection.Status.CONCLUDED
        return
    with pytest.raises(PermissionDenied):
        plan(proposal, actor)
    inspection = plan(proposal, inspector(1))
    with pytest.raises(PermissionDenied):
        record_all(inspection, actor)
    with pytest.raises(PermissionDenied):
        services.inspection_cancel(inspection=inspection, actor=actor, reason="x")
    with pytest.raises(PermissionDenied):
        services.recommendation_add(inspection=inspection, actor=actor, text="x", deadline=DAY)


def test_a_read_only_viewer_of_the_province_cannot_record(world):
    proposal = in_implementation(1)
    viewer = user_with(Role.VIEWER, 1)
    with pytest.raises(PermissionDenied):
        plan(proposal, viewer)


# --- Record -----------------------------------------------------------------------------------


def test_record_saves_answers_date_and_people_and_moves_to_recorded(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    first, second = inspection.answers.order_by("order")[:2]
    recorded = services.inspection_record(
        inspection=inspection,
        actor=inspector(14),
        expected_version=inspection.version,
        answers={first.pk: ("compliant", "  đủ hồ sơ "), second.pk: ("partly", "thiếu 1 hóa đơn")},
        inspected_on=DAY,
        inspected_party="Bà Lò Thị C, chủ nhiệm HTX",
    )
    assert recorded.status == Inspection.Status.RECORDED
    assert recorded.version == inspection.version + 1
    assert recorded.inspected_on == DAY and "Lò Thị C" in recorded.inspected_party
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.result, first.note) == ("compliant", "đủ hồ sơ")
    assert (second.result, second.note) == ("partly", "thiếu 1 hóa đơn")
    event = ProposalEvent.objects.filter(proposal=proposal).latest("id")
    assert event.action == "inspection_recorded"
    total = inspection.answers.count()
    assert event.changes == {"answered": f"2/{total}"}
    # The same values again: nothing new (no version, no event).
    again = services.inspection_record(
        inspection=recorded,
        actor=inspector(14),
        expected_version=recorded.version,
        answers={first.pk: ("compliant", "đủ hồ sơ")},
    )
    assert again.version == recorded.version
    assert events(proposal).count("inspection_recorded") == 1


def test_a_form_opened_before_someone_else_saved_is_refused(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    answer = inspection.answers.first()
    opened = inspection.version
    services.inspection_record(
        inspection=inspection,
        actor=inspector(14),
        expected_version=opened,
        answers={answer.pk: ("compliant", "ghi chú của người thứ nhất")},
    )
    with pytest.raises(ConcurrentEditError):
        services.inspection_record(
            inspection=inspection,
            actor=user_with(Role.PROVINCE_STAFF, 14),
            expected_version=opened,
            answers={answer.pk: ("not_compliant", "ghi đè")},
        )
    answer.refresh_from_db()
    assert answer.note == "ghi chú của người thứ nhất"


def test_the_date_of_the_inspection_is_not_in_the_future(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.inspection_record(
            inspection=inspection,
            actor=inspector(14),
            expected_version=inspection.version,
            inspected_on=today + datetime.timedelta(days=1),
        )
    assert "inspected_on" in caught.value.message_dict
    done = services.inspection_record(
        inspection=inspection,
        actor=inspector(14),
        expected_version=inspection.version,
        inspected_on=today,
    )
    assert done.inspected_on == today and done.status == Inspection.Status.RECORDED


def test_answers_must_belong_to_the_inspection_and_results_be_known(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    other = plan(proposal, kind="unannounced")
    foreign = other.answers.first()
    with pytest.raises(ValidationError):
        services.inspection_record(
            inspection=inspection,
            actor=inspector(14),
            expected_version=inspection.version,
            answers={foreign.pk: ("compliant", "")},
        )
    own = inspection.answers.first()
    with pytest.raises(ValidationError) as caught:
        services.inspection_record(
            inspection=inspection,
            actor=inspector(14),
            expected_version=inspection.version,
            answers={own.pk: ("maybe", "")},
        )
    assert f"result_{own.pk}" in caught.value.message_dict


# --- Conclude ---------------------------------------------------------------------------------


def test_conclusion_needs_the_date_and_every_item_answered(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    answers = list(inspection.answers.order_by("order"))
    inspection = services.inspection_record(
        inspection=inspection,
        actor=inspector(14),
        expected_version=inspection.version,
        answers={a.pk: ("compliant", "") for a in answers[:-1]},
    )
    with pytest.raises(ValidationError) as caught:
        conclude(inspection)
    errors = caught.value.message_dict
    assert "inspected_on" in errors
    assert f"result_{answers[-1].pk}" in errors
    assert not any(f"result_{a.pk}" in errors for a in answers[:-1])
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.RECORDED
    record_all(inspection)
    assert conclude(inspection).status == Inspection.Status.CONCLUDED


def test_an_item_not_or_partly_compliant_needs_its_findings(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal))
    answer = inspection.answers.order_by("order").first()
    inspection = services.inspection_record(
        inspection=inspection,
        actor=inspector(14),
        expected_version=inspection.version,
        answers={answer.pk: ("partly", "")},
    )
    with pytest.raises(ValidationError) as caught:
        conclude(inspection, Result.PARTLY)
    assert f"note_{answer.pk}" in caught.value.message_dict


def test_compliant_is_refused_while_an_item_is_not_compliant_partly_is_allowed(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal), overrides={0: Result.NOT_COMPLIANT})
    with pytest.raises(ValidationError) as caught:
        conclude(inspection, Result.COMPLIANT)
    assert "conclusion" in caught.value.message_dict
    assert conclude(inspection, Result.NOT_COMPLIANT).conclusion == Result.NOT_COMPLIANT

    other = record_all(plan(in_implementation(14)), overrides={0: Result.PARTLY})
    assert conclude(other, Result.COMPLIANT).conclusion == Result.COMPLIANT


def test_conclusion_needs_a_known_result_and_a_text(world):
    inspection = record_all(plan(in_implementation(14)))
    with pytest.raises(ValidationError) as caught:
        conclude(inspection, "")
    assert "conclusion" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        conclude(inspection, Result.COMPLIANT, conclusion_text="  ")
    assert "conclusion_text" in caught.value.message_dict


def test_conclusion_is_refused_on_a_stale_form_and_once_concluded_nothing_changes(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal))
    with pytest.raises(ConcurrentEditError):
        services.inspection_conclude(
            inspection=inspection,
            actor=inspector(14),
            expected_version=inspection.version - 1,
            conclusion=Result.COMPLIANT,
            conclusion_text="Đạt",
        )
    done = conclude(inspection, number="12/BB-SCT")
    assert done.concluded_by == inspector(14) and done.concluded_at is not None
    assert done.number == "12/BB-SCT"
    with pytest.raises(ValidationError):
        conclude(done)
    with pytest.raises(ValidationError):
        record_all(done)
    with pytest.raises(ValidationError):
        services.inspection_cancel(inspection=done, actor=inspector(14), reason="nhầm")
    with pytest.raises(ValidationError):
        services.recommendation_add(inspection=done, actor=inspector(14), text="Muộn", deadline=DAY)
    event = ProposalEvent.objects.filter(proposal=proposal).latest("id")
    assert event.action == "inspection_concluded"
    assert event.changes == {
        "conclusion": "compliant",
        "compliance": {"before": "not_inspected", "after": "compliant"},
    }
    assert event.comment == "Đề án thực hiện đúng quy định."


def test_cancel_needs_a_reason_and_leaves_the_compliance(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    with pytest.raises(ValidationError):
        services.inspection_cancel(inspection=inspection, actor=inspector(14), reason=" ")
    done = services.inspection_cancel(inspection=inspection, actor=inspector(14), reason="Hoãn")
    assert done.status == Inspection.Status.CANCELLED
    assert events(proposal)[-1] == "inspection_cancelled"
    with pytest.raises(ValidationError):
        record_all(done)


# --- Recommendations --------------------------------------------------------------------------


def test_recommendation_deadline_not_before_the_inspection(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal))  # inspected on DAY
    with pytest.raises(ValidationError) as caught:
        services.recommendation_add(
            inspection=inspection,
            actor=inspector(14),
            text="Bổ sung",
            deadline=DAY - datetime.timedelta(days=1),
        )
    assert "deadline" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.recommendation_add(
            inspection=inspection, actor=inspector(14), text=" ", deadline=DAY
        )
    assert "text" in caught.value.message_dict
    rec = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Bổ sung", deadline=DAY
    )
    assert rec.status == Recommendation.Status.OPEN and rec.deadline == DAY


def test_follow_up_and_remedy_come_after_the_conclusion(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal))
    rec = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Bổ sung hóa đơn", deadline=DAY
    )
    with pytest.raises(ValidationError):
        services.recommendation_follow_up(recommendation=rec, actor=inspector(14), note="x")
    with pytest.raises(ValidationError):
        services.recommendation_remedy(recommendation=rec, actor=inspector(14), remedied_on=DAY)
    conclude(inspection, Result.COMPLIANT)
    with pytest.raises(ValidationError) as caught:
        services.recommendation_follow_up(recommendation=rec, actor=inspector(14), note=" ")
    assert "note" in caught.value.message_dict
    services.recommendation_follow_up(recommendation=rec, actor=inspector(14), note="Đã liên hệ")
    services.recommendation_follow_up(
        recommendation=rec, actor=user_with(Role.PROVINCE_STAFF, 14), note="Đã nhận 1 hóa đơn"
    )
    rec.refresh_from_db()
    lines = rec.follow_up.splitlines()
    assert len(lines) == 2 and lines[0].endswith("Đã liên hệ") and "Đã nhận 1 hóa đơn" in lines[1]
    assert lines[0].startswith(timezone.localdate().strftime("%d/%m/%Y"))
    with pytest.raises(ValidationError) as caught:
        services.recommendation_remedy(
            recommendation=rec,
            actor=inspector(14),
            remedied_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "remedied_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.recommendation_remedy(
            recommendation=rec, actor=inspector(14), remedied_on=DAY - datetime.timedelta(days=1)
        )
    assert "remedied_on" in caught.value.message_dict
    done = services.recommendation_remedy(
        recommendation=rec, actor=inspector(14), remedied_on=DAY, note="Đủ hóa đơn"
    )
    assert done.status == Recommendation.Status.REMEDIED and done.remedied_on == DAY
    assert done.follow_up.splitlines()[-1].endswith("Đủ hóa đơn")
    with pytest.raises(ValidationError):
        services.recommendation_remedy(recommendation=done, actor=inspector(14), remedied_on=DAY)
    assert events(proposal)[-4:] == [
        "inspection_concluded",
        "recommendation_follow_up",
        "recommendation_follow_up",
        "recommendation_remedied",
    ]


def test_a_recommendation_is_withdrawn_only_before_the_conclusion(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal))
    rec = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Nhầm", deadline=DAY
    )
    services.recommendation_remove(recommendation=rec, actor=inspector(14))
    assert not Recommendation.objects.filter(pk=rec.pk).exists()
    kept = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Giữ", deadline=DAY
    )
    conclude(inspection, Result.COMPLIANT)
    with pytest.raises(ValidationError):
        services.recommendation_remove(recommendation=kept, actor=inspector(14))


# --- Compliance, in every case ----------------------------------------------------------------


def compliance(proposal) -> str:
    stored = Proposal.objects.get(pk=proposal.pk).compliance
    assert stored == services.compliance_of(proposal)  # stored = derived, always
    return stored


def test_no_concluded_inspection_means_not_inspected(world):
    proposal = in_implementation(14)
    assert compliance(proposal) == C.NOT_INSPECTED
    planned = plan(proposal)
    recorded = record_all(plan(proposal, kind="unannounced"), result=Result.NOT_COMPLIANT)
    services.recommendation_add(
        inspection=recorded, actor=inspector(14), text="Chưa kết luận", deadline=DAY
    )
    assert compliance(proposal) == C.NOT_INSPECTED  # findings count once concluded
    services.inspection_cancel(inspection=planned, actor=inspector(14), reason="Hoãn")
    assert compliance(proposal) == C.NOT_INSPECTED


@pytest.mark.parametrize(
    "conclusion,expected",
    [
        (Result.COMPLIANT, C.COMPLIANT),
        (Result.PARTLY, C.REMEDY_PENDING),
        (Result.NOT_COMPLIANT, C.NOT_COMPLIANT),
    ],
)
def test_the_conclusion_decides(world, conclusion, expected):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal), result=conclusion)
    conclude(inspection, conclusion)
    assert compliance(proposal) == expected


def test_an_open_recommendation_keeps_remedy_pending_until_remedied(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal))
    rec = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Bổ sung", deadline=DAY
    )
    assert compliance(proposal) == C.NOT_INSPECTED
    conclude(inspection, Result.COMPLIANT)
    assert compliance(proposal) == C.REMEDY_PENDING
    services.recommendation_remedy(recommendation=rec, actor=inspector(14), remedied_on=DAY)
    assert compliance(proposal) == C.COMPLIANT
    event = ProposalEvent.objects.filter(proposal=proposal).latest("id")
    assert event.changes["compliance"] == {"before": "remedy_pending", "after": "compliant"}


def test_partly_stays_pending_after_the_remedy_until_a_new_inspection(world):
    proposal = in_implementation(14)
    inspection = record_all(plan(proposal), result=Result.PARTLY)
    rec = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Khắc phục", deadline=DAY
    )
    conclude(inspection, Result.PARTLY)
    services.recommendation_remedy(recommendation=rec, actor=inspector(14), remedied_on=DAY)
    assert compliance(proposal) == C.REMEDY_PENDING
    follow = record_all(plan(proposal), inspected_on=DAY + datetime.timedelta(days=1))
    conclude(follow, Result.COMPLIANT)
    assert compliance(proposal) == C.COMPLIANT


def test_the_latest_by_date_of_the_inspection_decides_not_the_latest_concluded(world):
    proposal = in_implementation(14)
    recent = record_all(plan(proposal), inspected_on=DAY)
    conclude(recent, Result.COMPLIANT)
    earlier = record_all(
        plan(proposal, kind="unannounced"),
        result=Result.NOT_COMPLIANT,
        inspected_on=DAY - datetime.timedelta(days=5),
    )
    conclude(earlier, Result.NOT_COMPLIANT)  # concluded later, but inspected earlier
    assert compliance(proposal) == C.COMPLIANT
    same_day = record_all(plan(proposal), result=Result.NOT_COMPLIANT, inspected_on=DAY)
    conclude(same_day, Result.NOT_COMPLIANT)  # same date: the later one (id) decides
    assert compliance(proposal) == C.NOT_COMPLIANT


def test_not_compliant_wins_over_open_recommendations_and_any_open_one_counts(world):
    proposal = in_implementation(14)
    old = record_all(plan(proposal), inspected_on=DAY - datetime.timedelta(days=3))
    services.recommendation_add(inspection=old, actor=inspector(14), text="Cũ", deadline=DAY)
    conclude(old, Result.COMPLIANT)
    assert compliance(proposal) == C.REMEDY_PENDING
    latest = record_all(plan(proposal), inspected_on=DAY)
    conclude(latest, Result.COMPLIANT)
    # The latest is compliant, but a recommendation of the older one is still open.
    assert compliance(proposal) == C.REMEDY_PENDING
    worst = record_all(plan(proposal), result=Result.NOT_COMPLIANT, inspected_on=DAY)
    conclude(worst, Result.NOT_COMPLIANT)
    assert compliance(proposal) == C.NOT_COMPLIANT


def test_compliance_cannot_be_set_directly(world):
    proposal = make_proposal(14)
    assert Proposal._meta.get_field("compliance").editable is False
    assert proposal.compliance == C.NOT_INSPECTED


def test_every_service_writes_an_event(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    inspection = record_all(inspection)
    rec = services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Bổ sung", deadline=DAY
    )
    conclude(inspection)
    services.recommendation_follow_up(recommendation=rec, actor=inspector(14), note="Đang làm")
    services.recommendation_remedy(recommendation=rec, actor=inspector(14), remedied_on=DAY)
    cancelled = plan(proposal, kind="unannounced")
    services.inspection_cancel(inspection=cancelled, actor=inspector(14), reason="Hoãn")
    assert events(proposal)[-8:] == [
        "inspection_planned",
        "inspection_recorded",
        "recommendation_added",
        "inspection_concluded",
        "recommendation_follow_up",
        "recommendation_remedied",
        "inspection_planned",
        "inspection_cancelled",
    ]
    assert all(
        e.from_status == e.to_status == "in_implementation"
        for e in ProposalEvent.objects.filter(proposal=proposal, action__startswith="inspection")
    )


def test_an_appraisal_before_approval_does_not_make_the_payments_compliant(world):
    """The on-site appraisal looks at the proposal; only inspections of the work done
    with the money decide the compliance that a gated tranche waits for."""
    from tests.projects.factories import advance

    proposal = advance(make_proposal(14, year=2029), "submitted")
    appraisal = plan(proposal, kind="appraisal")
    conclude(record_all(appraisal, result=Result.COMPLIANT), Result.COMPLIANT)
    proposal.refresh_from_db()
    assert proposal.compliance == Proposal.Compliance.NOT_INSPECTED
    assert services.compliance_of(proposal) == Proposal.Compliance.NOT_INSPECTED


def test_cancelling_an_inspection_withdraws_its_drafted_recommendations(world):
    proposal = in_implementation(14)
    inspection = plan(proposal)
    services.recommendation_add(
        inspection=inspection, actor=inspector(14), text="Bổ sung hóa đơn", deadline=DAY
    )
    services.inspection_cancel(inspection=inspection, actor=inspector(14), reason="Trùng lịch")
    assert not Recommendation.objects.filter(inspection=inspection).exists()
    assert Proposal.objects.get(pk=proposal.pk).compliance == Proposal.Compliance.NOT_INSPECTED
