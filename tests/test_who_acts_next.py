"""Who acts next: the note a page shows where a user has nothing to do names the people a
policy's ``Actors`` describes. For every state of each workflow table, the kinds of users it
names (role and agency) are exactly those the services' own checks accept, over a user of
every role in the ministry, in the Sở and in the centre of the province (misconfigured ones
too: a ministry role in a province) and the demo accounts."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from accounts.models import PROVINCIAL_EDITORS, Agency, Role, User
from accounts.policies import allows, may_act
from cycle import workflow as cycle_workflow
from disbursement import policies, services
from disbursement.models import Tranche
from inspections import services as inspection_services
from periodic import services as periodic_services
from periodic import workflow as periodic_workflow
from programs import services as plan_services
from projects import workflow
from projects.models import Proposal
from tests.cycle.factories import forwarded_national, today
from tests.cycle.test_workflow import READY, STATUSES
from tests.cycle.test_workflow import build as build_cycle
from tests.disbursement.factories import D, centre, contracted
from tests.disbursement.test_page_agrees_with_services import done, tranche_service
from tests.inspections.factories import in_implementation
from tests.inspections.factories import plan as plan_inspection
from tests.programs.factories import draft_plan
from tests.projects.factories import DECIDED, ministry, staff_of, transition, user_with
from tests.projects.test_workflow import PROVINCE, attempt, prepare

pytestmark = pytest.mark.django_db


def people() -> list[User]:
    """Every active user but superusers, after adding a user of each role missing in the
    ministry department, the Sở and the centre of the province."""
    for role in Role:
        for province, kind in (
            (None, "department"),
            (PROVINCE, "department"),
            (PROVINCE, "promotion_centre"),
        ):
            agency = (
                Agency.objects.get(kind="ministry_department")
                if province is None
                else Agency.objects.get(kind=kind, province__code=province)
            )
            if not User.objects.filter(agency=agency, role=role).exists():
                user_with(role, province, kind=kind)
    return list(User.objects.filter(is_active=True, is_superuser=False).select_related("agency"))


def kinds(users) -> set:
    return {(u.role, u.agency_id) for u in users}


def one_of_each(users) -> list[User]:
    """One user per role and agency: the rules look at nothing else (but whoever requested
    a tranche, tested on its own below)."""
    seen = {}
    for user in users:
        seen.setdefault((user.role, user.agency_id), user)
    return list(seen.values())


def service_accepts(proposal, user, action) -> bool:
    """Would the service take ``action`` by ``user``? (Tried, then rolled back.)"""
    sid = transaction.savepoint()
    try:
        return attempt(proposal, user, action)[0] == "ok"
    finally:
        transaction.savepoint_rollback(sid)


def check(actors, users, accepts) -> str:
    named = kinds(actors.users())
    accepted = kinds(u for u in one_of_each(users) if accepts(u))
    if named != accepted:
        return f"named only {sorted(named - accepted)}; accepted only {sorted(accepted - named)}"
    return ""


@pytest.mark.parametrize("level", ["local", "national"])
def test_proposal_steps_name_exactly_whom_the_service_accepts(world, level):
    wrong = []
    for status in Proposal.Status:
        proposal = prepare(status, level)
        users = people()
        for t in workflow.TRANSITIONS:
            if status not in t.sources or level not in t.levels:
                continue
            problem = check(
                workflow.actors(t, proposal),
                users,
                lambda u, t=t, p=proposal: service_accepts(p, u, t.action),
            )
            if problem:
                wrong.append(f"{status} {t.action}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_the_proposal_page_says_who_acts_next(world):
    proposal = prepare(Proposal.Status.SUBMITTED, "local")
    viewer = user_with(Role.VIEWER, PROVINCE)
    lines = workflow.waiting_for(viewer, proposal)
    # One line per set of people: the Sở returns the đề án or concludes its appraisal.
    assert len(lines) == 1
    assert "Kết thúc thẩm định" in lines[0] and "Trả lại để bổ sung" in lines[0]
    assert "Sở Công Thương tỉnh Sơn La" in lines[0]
    # Whoever takes the step is not told to wait for someone else.
    assert workflow.waiting_for(User.objects.get(username="sct-sonla"), proposal) == []


def requested_and_approved():
    """A requested and an approved tranche of a contracted local Sơn La đề án, both
    requested by the centre."""
    proposal = contracted().proposal
    tranches = [
        services.tranche_request(
            proposal=proposal,
            actor=centre(),
            kind="payment",
            source="kcdp",
            amount=10_000_000,
            idempotency_key=uuid.uuid4().hex,
        )
        for _ in range(2)
    ]
    services.tranche_approve(tranche=tranches[1], actor=User.objects.get(username="sct-sonla"))
    return Proposal.objects.get(pk=proposal.pk), [Tranche.objects.get(pk=t.pk) for t in tranches]


def test_tranche_steps_name_exactly_whom_the_service_accepts(world):
    proposal, tranches = requested_and_approved()
    users = people()
    wrong = []
    for tranche in tranches:
        action = policies.TRANCHE_NEXT[tranche.status]
        # By person, not kind: the requester is left out of the approval.
        named = set(
            policies.tranche_actors(action, tranche, proposal).users().values_list("pk", flat=True)
        )
        accepted = {u.pk for u in users if done(tranche_service(action, tranche, u))}
        if named != accepted:
            wrong.append(f"{tranche.status} {action}: {sorted(named ^ accepted)}")
    assert not wrong, "\n".join(wrong)


def test_the_requester_reads_who_approves(world):
    proposal, (requested, _approved) = requested_and_approved()
    user_with(Role.CENTRE_STAFF, PROVINCE, kind="promotion_centre")  # a colleague
    note = policies.tranche_waiting(centre(), requested, proposal)
    assert "Phê duyệt" in note
    assert "Trung tâm Khuyến công tỉnh Sơn La" in note and "Sở Công Thương tỉnh Sơn La" in note
    assert "không phải" in note and str(centre().get_full_name()) in note
    # The one who may approve sees the button, not a note.
    so = User.objects.get(username="sct-sonla")
    assert policies.tranche_waiting(so, requested, proposal) == ""
    # The request form names who approves (another user of the centre or the Sở).
    who = policies.request_approvers(centre(), proposal)
    assert "Trung tâm Khuyến công tỉnh Sơn La" in who and "không phải" in who


def test_a_national_proposals_money_names_the_ministry_then_the_signing_agency(world):
    proposal = transition(
        forwarded_national(PROVINCE),
        ministry(),
        "ministry_approve",
        decision_number="5/QĐ-BCT",
        decision_date=DECIDED,
    )
    users = people()
    assert (
        check(policies.recorders(proposal), users, lambda u: policies.may_record(u, proposal)) == ""
    )
    assert {a for _r, a in kinds(policies.recorders(proposal).users())} == {
        Agency.objects.get(kind="ministry_department").pk
    }
    so = Agency.objects.get(kind="department", province__code=PROVINCE)
    services.contract_sign(
        proposal=proposal,
        actor=ministry(),
        number="09/2026/HĐ",
        signed_on=D,
        parties="Sở Công Thương",
        amounts=proposal.approved_by_source(),
        signing_agency=so,
    )
    proposal = Proposal.objects.get(pk=proposal.pk)
    recorders = policies.recorders(proposal)
    assert check(recorders, users, lambda u: policies.may_record(u, proposal)) == ""
    assert kinds(recorders.users()) == {
        (u.role, u.agency_id)
        for u in users
        if u.agency_id == so.pk and u.role in PROVINCIAL_EDITORS
    }


@pytest.mark.parametrize("level", ["local", "national"])
@pytest.mark.parametrize("kind", ["call", "batch", "decision"])
def test_cycle_steps_name_exactly_whom_the_services_check_accepts(world, kind, level):
    if kind == "batch" and level == "local":
        pytest.skip("a batch is always national")
    READY["ubnd_copy_date"] = today()
    wrong = []
    for status in STATUSES[kind]:
        sid = transaction.savepoint()  # one object of the plan at a time
        obj = build_cycle(kind, status, level)
        users = people()
        for step in cycle_workflow.STEPS:
            if step.kind != kind or level not in step.levels or status not in step.sources:
                continue
            actors = cycle_workflow.step_actors(step, level, cycle_workflow.province_of(obj))
            problem = check(
                actors,
                users,
                lambda u, s=step, o=obj: allows(cycle_workflow.require, u, s.action, o),
            )
            if problem:
                wrong.append(f"{status} {step.action}: {problem}")
        transaction.savepoint_rollback(sid)
    assert not wrong, "\n".join(wrong)


def test_periodic_steps_name_exactly_whom_the_services_check_accepts(world):
    author = staff_of(PROVINCE)
    report = periodic_services.report_start(
        actor=author, kind="six_month", province=author.agency.province, year=2026
    )
    draft = report.versions.get()
    reviewed = periodic_services.version_review(version=draft, actor=author)
    users = people()
    wrong = []
    for version in (report.versions.get(), reviewed):
        for step in periodic_workflow.STEPS:
            if version.status not in step.sources:
                continue
            actors = periodic_workflow.step_actors(step, report)
            problem = check(
                actors,
                users,
                lambda u, s=step, v=version: allows(periodic_workflow.require, u, s.action, v),
            )
            if problem:
                wrong.append(f"{version.status} {step.action}: {problem}")
    assert not wrong, "\n".join(wrong)
    viewer = user_with(Role.VIEWER, PROVINCE)
    assert any(
        "Sở Công Thương tỉnh Sơn La" in line
        for line in periodic_workflow.waiting_for(viewer, reviewed)
    )


def test_plan_steps_name_exactly_whom_the_service_check_accepts(world):
    plan = draft_plan(staff_of(PROVINCE).agency.province)
    users = people()
    wrong = []
    for round_ in range(2):
        if round_:
            plan = plan_services.plan_transition(
                plan=plan, actor=staff_of(PROVINCE), action="submit"
            )
        for t in plan_services.PLAN_TRANSITIONS:
            if t.source != plan.status:
                continue
            actors = plan_services.plan_transition_actors(t, plan)
            problem = check(actors, users, lambda u, t=t, p=plan: may_act(u, t.permission, p))
            if problem:
                wrong.append(f"{plan.status} {t.action}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_inspection_conclusion_names_exactly_whom_the_service_check_accepts(world):
    inspection = plan_inspection(in_implementation())
    users = people()
    actors = inspection_services.inspection_actors(inspection)
    assert (
        check(
            actors,
            users,
            lambda u: allows(inspection_services.inspection_change_check, u, inspection),
        )
        == ""
    )
    viewer = user_with(Role.VIEWER, PROVINCE)
    assert "Lưu và kết luận" in inspection_services.inspection_waiting(viewer, inspection)
