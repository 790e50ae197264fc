"""The life of a đề án as one declared table (Thông tư 46/2012/TT-BCT, amended by Thông
tư 20/2017/TT-BCT): the Sở appraises the đề án of its province; local đề án are approved
by the province (a Sở user records the UBND decision); national ones are forwarded to the
ministry, which appraises and approves them. The same table drives the buttons on the
page, the permission check in the services, the to-do lists and the tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import DEPARTMENT_ROLES, MINISTRY_ROLES, PROVINCIAL_EDITORS, Role
from accounts.policies import Actors, is_national, next_step_note
from projects.appraisal import stage_result
from projects.models import Appraisal, AppraisalCouncil, CouncilMember, Proposal

S = Proposal.Status
STAGE = Appraisal.Stage
BOTH_LEVELS = frozenset({"national", "local"})


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    action: str
    target: str
    roles: frozenset
    label: str
    levels: frozenset = BOTH_LEVELS
    national_actor: bool = False  # the ministry acts (on a proposal of any province)
    needs_comment: bool = False
    needs_decision: bool = False  # the approval decision (number, date) of the đề án
    # A decision recorded on the event only (number, date), e.g. the decision to stop.
    records_decision: bool = False
    # Concludes this stage of the appraisal: an appraisal of the stage recommending
    # approval is recorded first, and whoever may take this step appraises at that stage.
    concludes_appraisal: str = ""
    style: str = "primary"
    # What taking it does that cannot be undone by whoever takes it: the page asks to
    # confirm with this sentence before acting (core.confirm).
    consequence: object = ""

    @property
    def asks_decision(self) -> bool:
        """The form asks for a decision's number and date."""
        return self.needs_decision or self.records_decision


REJECTED = _(
    "The proposal is rejected for good: it cannot be submitted again and nothing more is done "
    "on it."
)
CANCELLED = _("The proposal is cancelled for good: nothing more can be done on it.")
STOPPED = _(
    "The proposal is stopped by this decision: no payment follows, and its contract is then "
    "liquidated, which closes it."
)

TRANSITIONS = [
    Transition(
        frozenset({S.DRAFT, S.RETURNED, S.AMENDING}),
        "submit",
        S.SUBMITTED,
        PROVINCIAL_EDITORS,
        _("Submit"),
        consequence=_(
            "The proposal goes to the Sở Công Thương for appraisal; once it is submitted you can "
            "no longer edit its content."
        ),
    ),
    Transition(
        frozenset({S.SUBMITTED}),
        "return",
        S.RETURNED,
        DEPARTMENT_ROLES,
        _("Return for more information"),
        needs_comment=True,
        style="outline-secondary",
        consequence=_(
            "The proposal goes back to those who prepared it, with your reason; they may "
            "correct it and submit it again."
        ),
    ),
    Transition(
        frozenset({S.SUBMITTED}),
        "appraise",
        S.APPRAISED,
        DEPARTMENT_ROLES,
        _("Conclude the appraisal"),
        concludes_appraisal=STAGE.PROVINCE,
        consequence=_(
            "The appraisal is concluded: the proposal waits for the approval decision (or to be "
            "forwarded to the ministry) and its content can no longer be edited."
        ),
    ),
    Transition(
        frozenset({S.SUBMITTED, S.APPRAISED}),
        "reject",
        S.REJECTED,
        DEPARTMENT_ROLES,
        _("Reject"),
        needs_comment=True,
        style="outline-danger",
        consequence=REJECTED,
    ),
    Transition(
        frozenset({S.APPRAISED}),
        "approve",
        S.APPROVED,
        DEPARTMENT_ROLES,
        # An individual (or supplementary) decision; the usual way is the UBND's plan
        # decision listing the đề án (cycle.services.decision_record).
        _("Record an individual approval decision (province)"),
        levels=frozenset({"local"}),
        needs_decision=True,
        style="success",
        consequence=_(
            "The proposal is approved by this decision: its approved amounts count in the plan and "
            "a contract may be signed; afterwards it changes only through an amendment."
        ),
    ),
    Transition(
        frozenset({S.APPRAISED}),
        "forward",
        S.FORWARDED,
        DEPARTMENT_ROLES,
        _("Forward to the ministry"),
        levels=frozenset({"national"}),
        consequence=_(
            "The proposal goes to the ministry for appraisal and approval; the province can no "
            "longer change it."
        ),
    ),
    Transition(
        frozenset({S.FORWARDED}),
        "ministry_return",
        S.RETURNED,
        MINISTRY_ROLES,
        _("Return to the province"),
        levels=frozenset({"national"}),
        national_actor=True,
        needs_comment=True,
        style="outline-secondary",
        consequence=_(
            "The proposal goes back to the province with your reason; the province corrects it and "
            "it is appraised again."
        ),
    ),
    Transition(
        frozenset({S.FORWARDED}),
        "ministry_approve",
        S.APPROVED,
        MINISTRY_ROLES,
        # An individual (or supplementary) decision; the usual way is the Minister's plan
        # decision listing the đề án (cycle.services.decision_record).
        _("Approve by an individual decision (ministry)"),
        levels=frozenset({"national"}),
        national_actor=True,
        needs_decision=True,
        concludes_appraisal=STAGE.MINISTRY,
        style="success",
        consequence=_(
            "The proposal is approved by this decision: its approved amounts count in the plan and "
            "a contract may be signed; afterwards it changes only through an amendment."
        ),
    ),
    Transition(
        frozenset({S.FORWARDED}),
        "ministry_reject",
        S.REJECTED,
        MINISTRY_ROLES,
        _("Reject (ministry)"),
        levels=frozenset({"national"}),
        national_actor=True,
        needs_comment=True,
        style="outline-danger",
        consequence=REJECTED,
    ),
    Transition(
        frozenset({S.APPROVED, S.IN_IMPLEMENTATION}),
        "amend",
        S.AMENDING,
        DEPARTMENT_ROLES,
        _("Prepare an amendment"),
        needs_comment=True,
        style="outline-primary",
        consequence=_(
            "The approved proposal is reopened for an amendment: the province edits it, and the "
            "amendment is appraised and approved again."
        ),
    ),
    Transition(
        frozenset({S.DRAFT, S.RETURNED, S.SUBMITTED, S.APPRAISED}),
        "cancel",
        S.CANCELLED,
        DEPARTMENT_ROLES,
        _("Cancel the proposal"),
        needs_comment=True,
        style="outline-danger",
        consequence=CANCELLED,
    ),
    # An approved đề án is cancelled by whoever approved it: the province for a local one,
    # the ministry for a national one.
    Transition(
        frozenset({S.APPROVED}),
        "cancel_approved",
        S.CANCELLED,
        DEPARTMENT_ROLES,
        _("Cancel the proposal"),
        levels=frozenset({"local"}),
        needs_comment=True,
        style="outline-danger",
        consequence=CANCELLED,
    ),
    Transition(
        frozenset({S.APPROVED}),
        "ministry_cancel",
        S.CANCELLED,
        MINISTRY_ROLES,
        _("Cancel the proposal"),
        levels=frozenset({"national"}),
        national_actor=True,
        needs_comment=True,
        style="outline-danger",
        consequence=CANCELLED,
    ),
]

# A đề án under way is stopped by whoever approved it, with a decision (number, date,
# reason): no payment follows; its contract is then liquidated (thanh lý), which closes it
# (disbursement.services.liquidation_record). An approved đề án without a contract is
# cancelled instead (above).
TRANSITIONS += [
    Transition(
        frozenset({S.IN_IMPLEMENTATION}),
        "stop",
        S.STOPPED,
        DEPARTMENT_ROLES,
        _("Stop the proposal"),
        levels=frozenset({"local"}),
        needs_comment=True,
        records_decision=True,
        style="outline-danger",
        consequence=STOPPED,
    ),
    Transition(
        frozenset({S.IN_IMPLEMENTATION}),
        "ministry_stop",
        S.STOPPED,
        MINISTRY_ROLES,
        _("Stop the proposal"),
        levels=frozenset({"national"}),
        national_actor=True,
        needs_comment=True,
        records_decision=True,
        style="outline-danger",
        consequence=STOPPED,
    ),
]

ACTIONS = {t.action: t for t in TRANSITIONS}
# Actions someone may take but nobody is waiting for: they don't make a to-do item.
NOT_TODO = frozenset(
    {
        "cancel",
        "cancel_approved",
        "ministry_cancel",
        "amend",
        "reject",
        "ministry_reject",
        "stop",
        "ministry_stop",
    }
)
EDITABLE = frozenset({S.DRAFT, S.RETURNED, S.AMENDING})
# Before the approval decision can be taken: while edited and while the Sở appraises.
BEFORE_DECISION = EDITABLE | {S.SUBMITTED}


def _role_ok(user, roles) -> bool:
    return user.is_superuser or user.role in roles


def actors(transition: Transition, proposal: Proposal) -> Actors:
    """Who takes ``transition`` on ``proposal`` (whatever its state): the transition's roles,
    at the ministry for a national actor, otherwise in the đề án's province."""
    return Actors(
        roles=transition.roles,
        province_id=None if transition.national_actor else proposal.province_id,
    )


def may_perform(user, transition: Transition, proposal: Proposal) -> bool:
    """The one permission check for a transition, from the table above."""
    if proposal.status not in transition.sources or proposal.level not in transition.levels:
        return False
    return actors(transition, proposal).includes(user)


def available_transitions(user, proposal: Proposal) -> list[Transition]:
    return [t for t in TRANSITIONS if may_perform(user, t, proposal)]


def next_transitions(proposal: Proposal) -> list[Transition]:
    """The steps the đề án waits for in its state (those of the to-do lists: not the
    cancellations, rejections and amendments someone may take but nobody waits for)."""
    return [
        t
        for t in TRANSITIONS
        if t.action not in NOT_TODO and proposal.status in t.sources and proposal.level in t.levels
    ]


def waiting_for(user, proposal: Proposal) -> list[str]:
    """For a user with nothing to do on the đề án: the steps it waits for and who takes
    them (the people ``may_perform`` lets act), one line each."""
    steps = next_transitions(proposal)
    mine = [t for t in steps if may_perform(user, t, proposal)]
    if mine:
        # Theirs, but waiting for the appraisal council (the button is not shown).
        return [
            str(APPRAISAL_FIRST[t.concludes_appraisal])
            for t in mine
            if appraisal_missing(t, proposal)
        ]
    # One line per set of people (the Sở returns or concludes a submitted đề án).
    by_actors: dict[Actors, list[str]] = {}
    for t in steps:
        by_actors.setdefault(actors(t, proposal), []).append(str(t.label))
    return [next_step_note(" / ".join(labels), who) for who, labels in by_actors.items()]


def transitions_to_show(user, proposal: Proposal) -> list[Transition]:
    """The buttons of a page: the transitions ``user`` may take, less the conclusion of an
    appraisal stage while no appraisal of that stage recommends approval (the service
    refuses it: the button would only lead to the refusal)."""
    return [t for t in available_transitions(user, proposal) if not appraisal_missing(t, proposal)]


def may_edit(user, proposal: Proposal) -> bool:
    """Draft, returned and amending đề án are edited by the province that owns them."""
    return (
        proposal.status in EDITABLE
        and getattr(user, "is_authenticated", False)
        and (
            user.is_superuser
            or (
                user.role in PROVINCIAL_EDITORS
                and not is_national(user)
                and user.province_id == proposal.province_id
            )
        )
    )


def may_attach(user, proposal: Proposal) -> bool:
    """Who adds to the dossier: the editors of a draft (``may_edit``), or the Sở while it
    appraises a submitted đề án of its province (it may complete a missing document rather
    than return the đề án for it)."""
    return may_edit(user, proposal) or (
        proposal.status == S.SUBMITTED and may_perform(user, ACTIONS["return"], proposal)
    )


# The transition that concludes each appraisal stage ("appraise": the Sở; "ministry_approve":
# the Cục): its sources are the states in which a đề án waits for that stage's appraisal,
# its roles and level who organises it.
STAGE_TRANSITION = {t.concludes_appraisal: t for t in TRANSITIONS if t.concludes_appraisal}


def appraisal_stage(user, proposal: Proposal) -> str | None:
    """The stage at which ``user``'s side appraises ``proposal`` now, or None when it does
    not: the Sở a submitted đề án of its province (the stage the "appraise" step
    concludes), the ministry a forwarded national one ("ministry_approve")."""
    step = "ministry_approve" if is_national(user) and not user.is_superuser else "appraise"
    transition = ACTIONS[step]
    return transition.concludes_appraisal if may_perform(user, transition, proposal) else None


def waiting_for_appraisal(stage: str) -> Q:
    """The đề án waiting for the appraisal of ``stage`` (a council may take them up)."""
    transition = STAGE_TRANSITION[stage]
    return Q(status__in=transition.sources, level__in=transition.levels)


def is_waiting(proposal: Proposal, stage: str) -> bool:
    transition = STAGE_TRANSITION[stage]
    return proposal.status in transition.sources and proposal.level in transition.levels


APPRAISAL_FIRST = {
    STAGE.PROVINCE: _(
        "The appraisal council (or the designated officers) must first conclude recommending "
        "approval."
    ),
    STAGE.MINISTRY: _(
        "The ministry's appraisal council must first conclude recommending approval."
    ),
}


def appraisal_recorded(proposal: Proposal, stage: str) -> bool:
    """Is the appraisal of ``stage`` concluded recommending approval, for the đề án as it
    stands now? The council's (or designated officers') conclusion since the đề án was last
    submitted (Sở) or forwarded (ministry) — ``projects.appraisal.stage_result``; a
    conclusion on an earlier version, before a return or an amendment, does not count."""
    return stage_result(proposal, stage).approves


def appraisal_missing(transition: Transition, proposal: Proposal) -> bool:
    """Does ``transition`` conclude an appraisal stage whose council has not concluded
    recommending approval yet? (Then the step waits: APPRAISAL_FIRST says why.)"""
    return bool(transition.concludes_appraisal) and not appraisal_recorded(
        proposal, transition.concludes_appraisal
    )


# --- Appraisal councils ----------------------------------------------------------------------
#
# Who does what to a council (hội đồng thẩm định, or designated officers) in which status.
# A user's capacities in a council: their seat (chair, secretary, member) and "organiser"
# for the staff who organise the stage's appraisal (the Sở of the council's province, the
# ministry for the Cục's). The same table drives the buttons, the services' checks and
# tests/projects/test_council_workflow.py.

CS = AppraisalCouncil.Status
CHAIR = CouncilMember.Role.CHAIR
SECRETARY = CouncilMember.Role.SECRETARY
MEMBER = CouncilMember.Role.MEMBER
ORGANISER = "organiser"
CAPACITIES = (CHAIR, SECRETARY, MEMBER, ORGANISER)
SEATS = frozenset({CHAIR, SECRETARY, MEMBER})
LEADS = frozenset({CHAIR, SECRETARY})


@dataclass(frozen=True)
class CouncilAction:
    sources: frozenset
    action: str
    target: str  # the council's status after it ("" : unchanged)
    capacities: frozenset
    label: str


COUNCIL_ACTIONS = [
    CouncilAction(frozenset({CS.OPEN}), "add", "", frozenset({ORGANISER}), _("Add proposals")),
    CouncilAction(frozenset({CS.OPEN}), "score", "", SEATS, _("Score")),
    CouncilAction(frozenset({CS.OPEN}), "conclude", "", LEADS, _("Record the conclusion")),
    CouncilAction(frozenset({CS.OPEN}), "close", CS.CONCLUDED, LEADS, _("Close the council")),
    CouncilAction(
        frozenset({CS.CONCLUDED}),
        "minutes",
        "",
        SEATS | {ORGANISER},
        _("Minutes of the meeting (PDF)"),
    ),
]
COUNCIL_ACTION = {a.action: a for a in COUNCIL_ACTIONS}


def may_organise(user, stage: str, province_id=None) -> bool:
    """May ``user`` set up a council for ``stage`` (of ``province_id`` for the Sở's)? The
    roles and level of the step that concludes the stage decide: the Sở staff of the
    province, the ministry's officials for the Cục."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    transition = STAGE_TRANSITION[stage]
    if user.is_superuser:
        return True
    if not _role_ok(user, transition.roles):
        return False
    if transition.national_actor:
        return is_national(user)
    return (
        not is_national(user)
        and user.province_id is not None
        and (province_id is None or user.province_id == province_id)
    )


def council_capacities(user, council: AppraisalCouncil, seats=None) -> set[str]:
    """The capacities of ``user`` in ``council``: their seat, and "organiser". ``seats``:
    the council's members when already loaded (a page avoids a query per check)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if seats is None:
        seats = list(council.members.all())
    found = {m.role for m in seats if m.user_id == user.pk}
    if may_organise(user, council.stage, council.agency.province_id):
        found.add(ORGANISER)
    return found


def may_council_act(user, action: str, council: AppraisalCouncil, seats=None) -> bool:
    """The one permission check for an action on a council, from COUNCIL_ACTIONS."""
    entry = COUNCIL_ACTION[action]
    if council.status not in entry.sources:
        return False
    return bool(council_capacities(user, council, seats) & entry.capacities)


def may_appraise(user, proposal: Proposal) -> bool:
    """Does ``user``'s side appraise ``proposal`` now (a council of theirs may take it up)?"""
    return appraisal_stage(user, proposal) is not None


def todo_filter(user) -> Q | None:
    """ "Việc cần làm": the đề án waiting for an action this user may take, as a filter
    (None when the role acts on none)."""
    condition = Q(pk__in=[])
    found = False
    for t in TRANSITIONS:
        if t.action in NOT_TODO or not _role_ok(user, t.roles):
            continue
        if t.national_actor != is_national(user) and not user.is_superuser:
            continue
        if t.action == "submit" and user.role != Role.CENTRE_STAFF and not user.is_superuser:
            # Drafts wait for whoever prepares them; the Sở sees returned ones.
            sources = t.sources - {S.DRAFT}
        else:
            sources = t.sources
        condition |= Q(status__in=sources, level__in=t.levels)
        found = True
    if not found:
        return None
    if not is_national(user):
        # A provincial user acts only on the đề án of their own province.
        condition &= Q(province_id=user.province_id)
    return condition
