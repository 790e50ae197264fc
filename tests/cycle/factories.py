"""Calls, registrations, batches and plan decisions for the tests of the annual cycle."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cycle import services
from cycle.models import Call, PlanDecision, RegistrationBatch
from projects.models import Proposal
from reference.models import Province
from tests.programs.factories import draft_plan
from tests.projects.factories import (
    S,
    advance,
    appraise,
    make_proposal,
    ministry,
    pdf_upload,
    staff_of,
    transition,
)


def today() -> datetime.date:
    return timezone.localdate()


def open_call(plan, *, deadline=None, late_policy=Call.LatePolicy.REFUSE, opened=True) -> Call:
    """A call feeding ``plan``, opened by whoever opens it (the ministry or the Sở)."""
    actor = ministry() if plan.province_id is None else staff_of(plan.province.code)
    call = services.call_create(
        actor=actor,
        plan=plan,
        title=f"Thông báo đăng ký đề án năm {plan.year}",
        orientation="Ưu tiên mô hình trình diễn, sản xuất sạch hơn.",
        opens_on=today() - datetime.timedelta(days=30),
        deadline=deadline or today() + datetime.timedelta(days=10),
        late_policy=late_policy,
    )
    if opened:
        call = services.call_transition(call=call, actor=actor, action="open")
    return call


def registered(proposal: Proposal, call: Call) -> Proposal:
    return services.registration_submit(
        proposal=proposal, actor=staff_of(proposal.province.code), call=call
    )


def appraised_national(province_code=14, *, call=None, **kwargs) -> Proposal:
    """A national đề án appraised by the Sở, registered against ``call`` (or the open call of
    its plan, while there is one: it cannot be submitted otherwise)."""
    proposal = make_proposal(province_code, national=True, **kwargs)
    call = call or Call.objects.filter(plan=proposal.plan, status=Call.Status.OPEN).first()
    if call is not None:
        proposal = registered(proposal, call)
    return advance(proposal, S.APPRAISED)


def forwarded_national(province_code=14, *, call=None, score=8, **kwargs) -> Proposal:
    """A forwarded national đề án whose ministry appraisal recommends approval."""
    proposal = appraised_national(province_code, call=call, **kwargs)
    proposal = transition(proposal, staff_of(province_code), "forward")
    appraise(proposal, ministry(), score=score)
    return Proposal.objects.get(pk=proposal.pk)


def batch_with(proposals, call) -> RegistrationBatch:
    batch = None
    for proposal in proposals:
        batch = services.batch_add(proposal=proposal, actor=staff_of(proposal.province.code))
    return batch


def draft_decision(plan, *, include=None) -> PlanDecision:
    actor = ministry() if plan.province_id is None else staff_of(plan.province.code)
    decision = services.decision_create(plan=plan, actor=actor)
    if include is not None:
        decision = services.decision_set_included(
            decision=decision, actor=actor, included_ids=[p.pk for p in include]
        )
    return decision


def local_call_in(province: Province) -> Call:
    """A draft local call of the province (for the isolation test)."""
    plan = draft_plan(province)
    return Call.objects.filter(plan=plan).first() or open_call(plan, opened=False)


def batch_in(province: Province) -> RegistrationBatch:
    """A draft registration batch of the province with one appraised national đề án."""
    from tests.projects.factories import plan_for

    found = RegistrationBatch.objects.filter(province=province).first()
    if found:
        return found
    call = Call.objects.filter(level="national", status=Call.Status.OPEN).first() or open_call(
        plan_for(province.code, national=True)
    )
    return batch_with([appraised_national(province.code)], call)


def decision_in(province: Province) -> PlanDecision:
    """A draft plan decision of the province's local plan."""
    plan = draft_plan(province)
    found = PlanDecision.objects.filter(plan=plan, status=PlanDecision.Status.DRAFT).first()
    if found:
        return found
    decision = draft_decision(plan)
    # With its scan, so that the scan's download is exercised too.
    decision.scan.save("quyet-dinh.pdf", pdf_upload(), save=True)
    return decision
