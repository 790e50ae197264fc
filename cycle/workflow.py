"""Who may do what to a call, a registration batch and a plan decision, in which state: one
declared table, like ``projects.workflow.TRANSITIONS``. It drives the buttons, the
permission check in ``cycle.services`` and the matrix test (tests/cycle/test_workflow.py).

A national object (a national call, the national plan's decision) is handled by the
ministry; a local one (a province's call, its plan decision, its batch) by the Sở of that
province only."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import DEPARTMENT_ROLES, MINISTRY_ROLES
from accounts.policies import Actors, next_step_note
from cycle.models import Call, PlanDecision, RegistrationBatch

NATIONAL = frozenset({"national"})
LOCAL = frozenset({"local"})


@dataclass(frozen=True)
class Step:
    kind: str  # "call", "batch" or "decision"
    sources: frozenset
    action: str
    target: str
    roles: frozenset
    levels: frozenset
    label: str
    style: str = "primary"
    # What taking it does that cannot be undone: asked before acting (core.confirm).
    consequence: object = ""


C, B, D = Call.Status, RegistrationBatch.Status, PlanDecision.Status
OPENS = _(
    "The call opens: proposals may be registered against it until its deadline, and its "
    "terms can no longer be edited."
)
CLOSES = _("The call closes: no proposal can be registered against it any more.")
RECORDS = _(
    "The listed proposals are approved by this decision and the others are left out of it; "
    "the decision can no longer be changed (a supplementary decision lists more)."
)

STEPS = [
    # Calls: the ministry opens the national call, the Sở its province's.
    Step("call", frozenset({C.DRAFT}), "edit", C.DRAFT, MINISTRY_ROLES, NATIONAL, _("Edit")),
    Step("call", frozenset({C.DRAFT}), "edit", C.DRAFT, DEPARTMENT_ROLES, LOCAL, _("Edit")),
    Step(
        "call",
        frozenset({C.DRAFT}),
        "open",
        C.OPEN,
        MINISTRY_ROLES,
        NATIONAL,
        _("Open the call"),
        consequence=OPENS,
    ),
    Step(
        "call",
        frozenset({C.DRAFT}),
        "open",
        C.OPEN,
        DEPARTMENT_ROLES,
        LOCAL,
        _("Open the call"),
        consequence=OPENS,
    ),
    Step(
        "call",
        frozenset({C.OPEN}),
        "close",
        C.CLOSED,
        MINISTRY_ROLES,
        NATIONAL,
        _("Close the call"),
        "outline-secondary",
        consequence=CLOSES,
    ),
    Step(
        "call",
        frozenset({C.OPEN}),
        "close",
        C.CLOSED,
        DEPARTMENT_ROLES,
        LOCAL,
        _("Close the call"),
        "outline-secondary",
        consequence=CLOSES,
    ),
    # The batch is the Sở's: it prepares it and sends it to the ministry (national call).
    Step("batch", frozenset({B.DRAFT}), "edit", B.DRAFT, DEPARTMENT_ROLES, NATIONAL, _("Edit")),
    Step(
        "batch",
        frozenset({B.DRAFT}),
        "send",
        B.SENT,
        DEPARTMENT_ROLES,
        NATIONAL,
        _("Send the batch to the ministry"),
        "success",
        consequence=_(
            "The batch goes to the ministry and its proposals are forwarded for the ministry's "
            "appraisal; the batch and its report can no longer be changed."
        ),
    ),
    # The plan decision: the ministry records the Minister's, the Sở the UBND tỉnh's.
    Step("decision", frozenset({D.DRAFT}), "edit", D.DRAFT, MINISTRY_ROLES, NATIONAL, _("Edit")),
    Step("decision", frozenset({D.DRAFT}), "edit", D.DRAFT, DEPARTMENT_ROLES, LOCAL, _("Edit")),
    Step(
        "decision",
        frozenset({D.DRAFT}),
        "record",
        D.RECORDED,
        MINISTRY_ROLES,
        NATIONAL,
        _("Record the decision"),
        "success",
        consequence=RECORDS,
    ),
    Step(
        "decision",
        frozenset({D.DRAFT}),
        "record",
        D.RECORDED,
        DEPARTMENT_ROLES,
        LOCAL,
        _("Record the decision"),
        "success",
        consequence=RECORDS,
    ),
]
KINDS = {"call": Call, "batch": RegistrationBatch, "decision": PlanDecision}


def level_of(obj) -> str:
    if isinstance(obj, Call):
        return obj.level
    if isinstance(obj, RegistrationBatch):
        return obj.call.level
    return obj.level


def province_of(obj):
    if isinstance(obj, PlanDecision):
        return obj.plan.province_id
    return obj.province_id


def kind_of(obj) -> str:
    return next(k for k, model in KINDS.items() if isinstance(obj, model))


def step_for(kind: str, action: str, level: str) -> Step | None:
    return next(
        (s for s in STEPS if s.kind == kind and s.action == action and level in s.levels), None
    )


def step_actors(step: Step, level: str, province_id) -> Actors:
    """Who takes ``step`` on an object of this level and province: the step's roles, at the
    ministry for a national call or decision, otherwise in the province (a batch is always
    its Sở's)."""
    national = level == "national" and step.kind != "batch"
    return Actors(roles=step.roles, province_id=None if national else province_id)


def may_act(user, kind: str, action: str, level: str, province_id) -> bool:
    """May ``user`` take ``action`` on an object of this kind, level and province, whatever
    its state? (Creating a call or a decision asks this with action "edit".)"""
    step = step_for(kind, action, level)
    if step is None:
        return False
    return step_actors(step, level, province_id).includes(user)


def may_perform(user, action: str, obj) -> bool:
    """The one permission check of the table: the state, the role, the level and the
    province."""
    kind = kind_of(obj)
    step = step_for(kind, action, level_of(obj))
    if step is None or obj.status not in step.sources:
        return False
    return may_act(user, kind, action, level_of(obj), province_of(obj))


def require(user, action: str, obj) -> Step:
    """The services' check: a step not possible in the object's state is a ValidationError
    (said in words), one the user may not take a PermissionDenied."""
    from django.core.exceptions import PermissionDenied, ValidationError

    step = step_for(kind_of(obj), action, level_of(obj))
    if step is None:
        raise ValidationError(_("Unknown action."))
    if obj.status not in step.sources:
        raise ValidationError(
            _("This is “%(status)s”: the action is no longer possible.")
            % {"status": obj.get_status_display()}
        )
    if not may_perform(user, action, obj):
        raise PermissionDenied
    return step


def steps_to_show(user, obj) -> list[Step]:
    kind = kind_of(obj)
    return [
        s
        for s in STEPS
        if s.kind == kind and s.action != "edit" and level_of(obj) in s.levels
        if may_perform(user, s.action, obj)
    ]


def waiting_for(user, obj) -> list[str]:
    """For a user with no step to take on ``obj``: the steps it waits for and who takes
    them (the people ``may_perform`` lets act), one line each."""
    kind, level = kind_of(obj), level_of(obj)
    steps = [
        s
        for s in STEPS
        if s.kind == kind and s.action != "edit" and level in s.levels and obj.status in s.sources
    ]
    if any(may_perform(user, s.action, obj) for s in steps):
        return []
    return [next_step_note(s.label, step_actors(s, level, province_of(obj))) for s in steps]
