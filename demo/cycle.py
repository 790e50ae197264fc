"""The demo's annual cycle for the demo year: the national call and one local call per demo
province, the registration of every demo đề án that was submitted, Sơn La's registration
batch as sent, and the Minister's decision that approved Sơn La's national đề án.

The demo đề án were built through the workflow before this step (demo.projects), so what
is added here is the record of how they came: entered as history (``entered_as_history``),
dated in 2025 — before every demo decision of 2026 and before the plans' decisions of
December 2025 — so the dates make sense (projects.decision_dates). Seeding twice adds
nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cycle import selectors, services
from cycle.models import BatchItem, Call, PlanDecision, PlanDecisionItem, Registration
from cycle.models import RegistrationBatch as Batch
from demo.projects import YEAR, _local_plan, _national_plan
from demo.seeding import DEMO_PROVINCES
from projects import services as proposal_services
from projects.models import FUNDED_STATES, Appraisal, Proposal
from reference.models import Province

LOCAL_DEADLINE = datetime.date(YEAR - 1, 9, 30)
BATCH_PROVINCE = 14  # Sơn La


def _call(plan, actor, *, title, opens_on, deadline=None) -> Call:
    found = Call.objects.filter(plan=plan, title=title).first()
    if found:
        return found
    call = services.call_create(
        actor=actor,
        plan=plan,
        title=title,
        orientation=(
            "Ưu tiên đề án điểm, mô hình trình diễn kỹ thuật, sản xuất sạch hơn và chuyển đổi "
            "số tại các cơ sở công nghiệp nông thôn."
        ),
        opens_on=opens_on,
        deadline=deadline,
        late_policy=Call.LatePolicy.REFUSE,
    )
    call = services.call_transition(call=call, actor=actor, action="open")
    return services.call_transition(call=call, actor=actor, action="close")


def _register(proposal: Proposal, call: Call) -> bool:
    submit = proposal.events.filter(action="submit").order_by("created_at", "id").first()
    if submit is None or hasattr(proposal, "registration"):
        return False
    days_before = 3 + proposal.sequence % 10
    Registration.objects.create(
        proposal=proposal,
        call=call,
        registered_on=call.deadline - datetime.timedelta(days=days_before),
        registered_by=submit.actor,
        entered_as_history=True,
    )
    return True


@transaction.atomic
def seed_cycle(*, seed: int) -> str:
    ministry = User.objects.get(username="ministry")
    national_plan = _national_plan()
    national_call = _call(
        national_plan,
        ministry,
        title=f"Thông báo đăng ký kế hoạch khuyến công quốc gia năm {YEAR}",
        opens_on=datetime.date(YEAR - 1, 3, 1),
    )
    registered = 0
    for proposal in Proposal.objects.filter(plan=national_plan).order_by("id"):
        registered += _register(proposal, national_call)
    for code in DEMO_PROVINCES:
        province = Province.objects.get(code=code)
        plan = _local_plan(province)
        if plan is None:
            continue
        sct = User.objects.get(agency__province=province, role="province_staff")
        call = _call(
            plan,
            sct,
            title=f"Thông báo đăng ký đề án khuyến công địa phương năm {YEAR}",
            opens_on=datetime.date(YEAR - 1, 6, 1),
            deadline=LOCAL_DEADLINE,
        )
        for proposal in Proposal.objects.filter(plan=plan).order_by("id"):
            registered += _register(proposal, call)
    batch = _sent_batch(national_call)
    decision = _plan_decision(national_plan, ministry)
    return (
        f"Annual cycle: {Call.objects.count()} calls, {registered} registrations added, "
        f"batch {batch}, plan decision {decision}."
    )


def _sent_batch(call: Call) -> str:
    province = Province.objects.get(code=BATCH_PROVINCE)
    reference = f"215/BC-SCT ngày 05/06/{YEAR - 1}"
    found = Batch.objects.filter(call=call, province=province, reference=reference).first()
    if found:
        return str(found)
    sct = User.objects.get(agency__province=province, role="province_staff")
    batch = Batch.objects.create(
        call=call,
        province=province,
        reference=reference,
        previous_year_results=(
            f"Năm {YEAR - 2} tỉnh thực hiện 6 đề án khuyến công quốc gia, giải ngân 96 % kinh "
            "phí được giao."
        ),
        current_year_progress=(
            f"Năm {YEAR - 1} đang triển khai 5 đề án, trong đó 2 mô hình trình diễn kỹ thuật."
        ),
        next_year_direction=(
            "Tập trung mô hình trình diễn chế biến nông sản, chè Shan tuyết và sản xuất sạch "
            "hơn tại vùng đồng bào dân tộc thiểu số."
        ),
        ubnd_copy_reference=f"215/BC-SCT (gửi UBND tỉnh Sơn La) ngày 05/06/{YEAR - 1}",
        ubnd_copy_date=datetime.date(YEAR - 1, 6, 5),
        status=Batch.Status.SENT,
        sent_at=timezone.make_aware(datetime.datetime(YEAR - 1, 6, 5, 9, 0)),
        sent_by=sct,
        created_by=sct,
    )
    sent = Proposal.objects.filter(
        plan=call.plan, province=province, registration__isnull=False
    ).exclude(status__in=["draft", "submitted", "returned", "appraised", "cancelled"])
    for proposal in sent.order_by("sequence"):
        score, recommendation = selectors.stage_result(proposal, Appraisal.Stage.PROVINCE)
        BatchItem.objects.create(
            batch=batch, proposal=proposal, score=score, recommendation=recommendation
        )
    return str(batch)


def _plan_decision(plan, ministry: User) -> str:
    """The Minister's decision that approved Sơn La's national đề án (its number and date),
    listing it; the national đề án still forwarded are shown as left out of it."""
    approved = (
        Proposal.objects.filter(
            plan=plan, province__code=BATCH_PROVINCE, status__in=FUNDED_STATES, level="national"
        )
        .order_by("sequence")
        .first()
    )
    if approved is None:
        return "—"
    found = PlanDecision.objects.filter(plan=plan, number=approved.decision_number).first()
    if found:
        return str(found)
    decision = PlanDecision.objects.create(
        plan=plan,
        kind=PlanDecision.Kind.INITIAL,
        status=PlanDecision.Status.RECORDED,
        number=approved.decision_number,
        date=approved.decision_date,
        signer="Bộ trưởng Bộ Công Thương",
        entered_as_history=True,
        created_by=ministry,
        recorded_by=ministry,
        recorded_at=timezone.now(),
    )
    PlanDecisionItem.objects.create(
        decision=decision,
        proposal=approved,
        included=True,
        **{f"approved_{s}": v for s, v in approved.approved_by_source().items()},
    )
    for proposal in Proposal.objects.filter(plan=plan, status="forwarded").order_by("id"):
        PlanDecisionItem.objects.create(decision=decision, proposal=proposal, included=False)
        proposal_services.proposal_event(
            proposal=proposal,
            actor=ministry,
            action="plan_left_out",
            comment=f"Không có trong danh mục Quyết định {decision.number}",
            decision_number=decision.number,
            decision_date=decision.date,
            changes={"entered_as_history": True},
        )
    return str(decision)
