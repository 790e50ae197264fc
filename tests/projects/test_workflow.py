"""The workflow of a đề án: every state × every action × every role, for a local and a
national đề án, generated from ``workflow.TRANSITIONS`` and ``Proposal.Status`` (a new
transition or state is covered without editing this file)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Role, User
from projects import services, workflow
from projects.models import ApprovedVersion, Proposal, ProposalEvent
from tests.projects.factories import (
    DECIDED,
    S,
    appraise,
    in_state,
    make_proposal,
    ministry,
    staff,
    transition,
    user_with,
)

PROVINCE = 14  # Sơn La


@dataclass(frozen=True)
class Actor:
    key: str
    role: str
    province: int | None  # None: the ministry department
    superuser: bool = False


# Who acts, described independently of the code under test.
ACTORS = [
    Actor("so_staff", Role.PROVINCE_STAFF, PROVINCE),
    Actor("province_admin", Role.PROVINCE_ADMIN, PROVINCE),
    Actor("centre_staff", Role.CENTRE_STAFF, PROVINCE),
    Actor("so_staff_other_province", Role.PROVINCE_STAFF, 66),
    Actor("ministry_official", Role.MINISTRY_OFFICIAL, None),
    Actor("ministry_admin", Role.MINISTRY_ADMIN, None),
    Actor("inspector", Role.INSPECTOR, PROVINCE),
    Actor("viewer", Role.VIEWER, PROVINCE),
    Actor("superuser", Role.MINISTRY_ADMIN, None, superuser=True),
    # Misconfigured accounts: a ministry role in a provincial agency, a provincial role in
    # the ministry department. Neither may act for the other level.
    Actor("ministry_role_in_province", Role.MINISTRY_OFFICIAL, PROVINCE),
    Actor("province_role_in_ministry", Role.PROVINCE_STAFF, None),
]


def user_for(actor: Actor) -> User:
    if actor.superuser:
        return User.objects.get(username="admin")
    if actor.key == "so_staff":
        return staff(PROVINCE)
    if actor.key == "centre_staff":
        return staff(PROVINCE, role=Role.CENTRE_STAFF)
    if actor.key == "so_staff_other_province":
        return staff(66)
    if actor.key == "ministry_official":
        return ministry()
    return user_with(actor.role, actor.province)


def expected(t: workflow.Transition, actor: Actor, proposal: Proposal) -> str:
    """What the declared table says must happen: "ok", "state" or "denied"."""
    if proposal.status not in t.sources:
        return "state"
    if proposal.level not in t.levels:
        return "denied"
    if actor.superuser:
        return "ok"
    if actor.role not in t.roles:
        return "denied"
    if t.national_actor:
        return "ok" if actor.province is None else "denied"
    return "ok" if actor.province == proposal.province.code else "denied"


def footprint(proposal: Proposal):
    row = Proposal.objects.values().get(pk=proposal.pk)
    row.pop("updated_at")
    return (
        row,
        ProposalEvent.objects.filter(proposal=proposal).count(),
        ApprovedVersion.objects.filter(proposal=proposal).count(),
    )


def attempt(proposal: Proposal, user: User, action: str):
    fresh = Proposal.objects.get(pk=proposal.pk)
    try:
        result = services.proposal_transition(
            proposal=fresh,
            actor=user,
            action=action,
            comment="Ý kiến của người xử lý",
            decision_number=" 77/QĐ-UBND ",
            decision_date=DECIDED,
        )
    except PermissionDenied:
        return "denied", None
    except ValidationError as exc:
        return "state", exc
    return "ok", result


def prepare(status: str, level: str) -> Proposal:
    proposal = in_state(status, national=level == "national", province_code=PROVINCE)
    # The appraisals that the concluding actions need, recorded in this state.
    if proposal.status == S.SUBMITTED:
        appraise(proposal, staff(PROVINCE))
    if proposal.status == S.FORWARDED and proposal.level == "national":
        appraise(proposal, ministry())
    return proposal


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["local", "national"])
@pytest.mark.parametrize("status", list(Proposal.Status))
def test_every_action_by_every_role_in_every_state(world, status, level):
    proposal = prepare(status, level)
    assert proposal.status == status
    users = {a.key: user_for(a) for a in ACTORS}
    wrong = []
    outcomes = set()
    for t in workflow.TRANSITIONS:
        for actor in ACTORS:
            want = expected(t, actor, proposal)
            before = footprint(proposal)
            sid = transaction.savepoint()
            try:
                got, result = attempt(proposal, users[actor.key], t.action)
                outcomes.add(got)
                if got != want:
                    wrong.append(f"{t.action} by {actor.key}: expected {want}, got {got} {result}")
                elif got == "ok":
                    event = ProposalEvent.objects.filter(proposal=proposal).first()
                    row = Proposal.objects.get(pk=proposal.pk)
                    if row.status != t.target or (event.from_status, event.to_status) != (
                        status,
                        t.target,
                    ):
                        wrong.append(f"{t.action} by {actor.key}: landed in {row.status}")
                    if event.action != t.action or event.actor_id != users[actor.key].pk:
                        wrong.append(f"{t.action} by {actor.key}: event {event.action}")
                    decision = (event.decision_number, event.decision_date)
                    if decision != (("77/QĐ-UBND", DECIDED) if t.asks_decision else ("", None)):
                        wrong.append(f"{t.action} by {actor.key}: event decision {decision}")
                    if row.version != before[0]["version"] + 1:
                        wrong.append(f"{t.action} by {actor.key}: version not increased")
                elif footprint(proposal) != before:
                    wrong.append(f"{t.action} by {actor.key}: refused but changed something")
            finally:
                transaction.savepoint_rollback(sid)
    assert not wrong, "\n".join(wrong)
    # The matrix is not vacuous: every state has refused actions, most have allowed ones.
    assert "state" in outcomes


def test_the_matrix_covers_every_declared_transition_and_state():
    """The table is well formed: every target and source is a Proposal status, every
    action is unique, and every status is built by the matrix above."""
    statuses = set(Proposal.Status)
    actions = [t.action for t in workflow.TRANSITIONS]
    assert len(actions) == len(set(actions))
    for t in workflow.TRANSITIONS:
        assert t.target in statuses and t.sources <= statuses
        assert t.roles, t.action
        assert t.levels <= {"local", "national"}


# States that end a đề án's life: nothing follows them.
TERMINAL = {S.REJECTED, S.CANCELLED, S.CLOSED}


def test_no_status_is_a_dead_end():
    """Every status is reached — by a transition of the table or a money step of
    disbursement.policies.STATUS_STEPS (contract, acceptance, liquidation, settlement) —
    and every status but the terminal ones can be left."""
    from disbursement.policies import STATUS_STEPS

    moves = [(t.sources, t.target) for t in workflow.TRANSITIONS]
    moves += [(frozenset(sources), target) for sources, target in STATUS_STEPS.values()]
    reached = {S.DRAFT} | {target for _sources, target in moves}
    left = set().union(*(sources for sources, _target in moves))
    assert reached == set(Proposal.Status), set(Proposal.Status) - reached
    assert left == set(Proposal.Status) - TERMINAL, (set(Proposal.Status) - TERMINAL) ^ left
    assert "settled" not in Proposal.Status.values  # removed: no step reached it


@pytest.mark.django_db
def test_who_does_what_in_the_domain_words(world, users):
    """Anchors of the table in the domain (Thông tư 46/2012, amended by 20/2017): the Sở
    appraises and records the province's approval of a local đề án; it forwards a
    national one, which only the ministry approves; the centre enters but does not
    appraise; the ministry does not act on local đề án; nobody acts in another province."""
    local = in_state(S.APPRAISED)
    national = in_state(S.APPRAISED, national=True)
    sct, ttkc = users["sct-sonla"], users["ttkc-sonla"]
    ministry_user, sct_daklak = users["ministry"], users["sct-daklak"]

    def actions(user, proposal):
        return {t.action for t in workflow.available_transitions(user, proposal)}

    assert actions(sct, local) == {"approve", "reject", "cancel"}
    assert actions(sct, national) == {"forward", "reject", "cancel"}
    assert actions(ttkc, local) == set() and actions(ministry_user, local) == set()
    assert actions(sct_daklak, local) == set()
    with pytest.raises(PermissionDenied):
        transition(local, ministry_user, "approve", decision_number="1/QĐ", decision_date=DECIDED)
    with pytest.raises(PermissionDenied):
        transition(national, sct, "approve", decision_number="1/QĐ", decision_date=DECIDED)
    forwarded = transition(national, sct, "forward")
    assert actions(ministry_user, forwarded) == {
        "ministry_return",
        "ministry_approve",
        "ministry_reject",
    }
    assert actions(sct, forwarded) == set()
    draft = make_proposal(14)
    assert actions(ttkc, draft) == {"submit"}
    assert actions(sct, draft) == {"submit", "cancel"}
    assert actions(users["inspector-hanoi"], draft) == set()
    # A đề án under way is stopped by whoever approved it.
    local_running = in_state(S.IN_IMPLEMENTATION)
    national_running = in_state(S.IN_IMPLEMENTATION, national=True)
    assert "stop" in actions(sct, local_running)
    assert "stop" not in actions(ttkc, local_running)
    assert actions(ministry_user, local_running) == set()
    assert actions(ministry_user, national_running) == {"ministry_stop"}
    assert "ministry_stop" not in actions(sct, national_running)


@pytest.mark.django_db
def test_a_refused_action_for_lack_of_a_reason_or_decision_changes_nothing(world, users):
    sct = users["sct-sonla"]
    submitted = in_state(S.SUBMITTED)
    before = footprint(submitted)
    with pytest.raises(ValidationError) as exc:
        services.proposal_transition(proposal=submitted, actor=sct, action="return", comment=" ")
    assert "comment" in exc.value.message_dict
    assert footprint(submitted) == before
    appraised = in_state(S.APPRAISED)
    with pytest.raises(ValidationError) as exc:
        services.proposal_transition(proposal=appraised, actor=sct, action="approve")
    assert {"decision_number", "decision_date"} <= set(exc.value.message_dict)
    import datetime

    with pytest.raises(ValidationError) as exc:
        services.proposal_transition(
            proposal=appraised,
            actor=sct,
            action="approve",
            decision_number="5/QĐ-UBND",
            decision_date=datetime.date(2026, 11, 26) + datetime.timedelta(days=400),
        )
    assert "decision_date" in exc.value.message_dict
    assert Proposal.objects.get(pk=appraised.pk).status == S.APPRAISED


@pytest.mark.django_db
def test_approval_needs_an_approved_annual_plan(world, users):
    """A đề án is approved against the approved plan: the Sơn La 2027 plan is reopened in
    the database (as if returned), and the approval is refused until it is approved."""
    from programs.models import AnnualPlan

    proposal = in_state(S.APPRAISED)
    AnnualPlan.objects.filter(pk=proposal.plan_id).update(status=AnnualPlan.Status.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        transition(
            proposal, users["sct-sonla"], "approve", decision_number="5/QĐ", decision_date=DECIDED
        )
    assert "decision_number" in exc.value.message_dict
    assert Proposal.objects.get(pk=proposal.pk).status == S.APPRAISED
    AnnualPlan.objects.filter(pk=proposal.plan_id).update(status=AnnualPlan.Status.APPROVED)
    approved = transition(
        proposal, users["sct-sonla"], "approve", decision_number="5/QĐ", decision_date=DECIDED
    )
    assert approved.status == S.APPROVED


@pytest.mark.django_db
def test_only_the_owning_province_edits_and_only_in_editable_states(world, users):
    draft = make_proposal(14)
    assert workflow.may_edit(users["sct-sonla"], draft)
    assert workflow.may_edit(users["ttkc-sonla"], draft)
    assert not workflow.may_edit(users["sct-daklak"], draft)
    assert not workflow.may_edit(users["ministry"], draft)
    assert not workflow.may_edit(user_with(Role.VIEWER, 14), draft)
    submitted = advance_to_submitted(draft)
    assert not workflow.may_edit(users["sct-sonla"], submitted)
    with pytest.raises(PermissionDenied):
        services.proposal_save(
            proposal=submitted,
            actor=users["sct-sonla"],
            expected_version=submitted.version,
            fields={"title": "Sửa sau khi nộp"},
        )
    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def advance_to_submitted(proposal):
    return transition(proposal, staff(proposal.province.code), "submit")


@pytest.mark.django_db
def test_every_funded_status_needs_the_approval_decision(world):
    """The database refuses a funded đề án (projects.models.FUNDED_STATES, amendment in
    preparation included) without its decision, and accepts the other statuses without one."""
    from django.db import IntegrityError

    from projects.models import FUNDED_STATES
    from tests.projects.factories import make_proposal

    proposal = make_proposal(14)
    undecided = Proposal.objects.filter(pk=proposal.pk)
    for status in Proposal.Status:
        if status in FUNDED_STATES:
            with pytest.raises(IntegrityError, match="approved_proposal_has_decision"):
                with transaction.atomic():
                    undecided.update(status=status, decision_number="", decision_date=None)
        else:
            undecided.update(status=status, decision_number="", decision_date=None)
    assert Proposal.Status.AMENDING in FUNDED_STATES  # the amended decision stays in force
