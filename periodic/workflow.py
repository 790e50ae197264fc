"""Who may do what to a periodic report, in which state: one declared table. It drives the
buttons, the permission check of ``periodic.services`` and the matrix test
(tests/periodic/test_workflow.py).

A province's report is written by the Sở and its promotion centre and reviewed, signed,
sent and reopened by the Sở; the national report is the Cục's (ministry users)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import DEPARTMENT_ROLES, MINISTRY_ROLES, PROVINCIAL_EDITORS
from accounts.policies import Actors, next_step_note
from periodic.models import ReportVersion

S = ReportVersion.Status
OPEN = frozenset({S.DRAFT, S.REVIEWED})
CLOSED = frozenset({S.SIGNED, S.SENT})


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset
    target: str | None  # None: the version keeps its state (a new version is made)
    province_roles: frozenset
    national_roles: frozenset
    label: object
    style: str = "primary"
    # Irreversible for this version: the page asks to confirm with this sentence before
    # acting (core.confirm).
    consequence: object = ""


STEPS = (
    Step("edit", OPEN, S.DRAFT, PROVINCIAL_EDITORS, MINISTRY_ROLES, _("Edit")),
    Step(
        "review",
        frozenset({S.DRAFT}),
        S.REVIEWED,
        DEPARTMENT_ROLES,
        MINISTRY_ROLES,
        _("Mark as reviewed"),
        "outline-primary",
    ),
    Step(
        "sign",
        frozenset({S.REVIEWED}),
        S.SIGNED,
        DEPARTMENT_ROLES,
        MINISTRY_ROLES,
        _("Record the signed copy"),
        "success",
        _("The figures are frozen as they are now; the text can no longer be edited."),
    ),
    Step(
        "send",
        frozenset({S.SIGNED}),
        S.SENT,
        DEPARTMENT_ROLES,
        MINISTRY_ROLES,
        _("Record as sent"),
        "success",
        _("The report counts as sent on the date you enter."),
    ),
    Step(
        "reopen",
        CLOSED,
        None,
        DEPARTMENT_ROLES,
        MINISTRY_ROLES,
        _("Reopen as a new version"),
        "outline-secondary",
        _("This version is kept as it is; a new draft version starts from its text."),
    ),
)
BY_ACTION = {s.action: s for s in STEPS}


def step_actors(step: Step, report) -> Actors:
    """Who takes ``step`` on ``report``: the Cục's roles for the national report, the
    province's roles in its province for a province's."""
    if report.province_id is None:
        return Actors(roles=step.national_roles)
    return Actors(roles=step.province_roles, province_id=report.province_id)


def may_act(user, action: str, report) -> bool:
    """May ``user`` take ``action`` on versions of ``report`` (whatever their state)?"""
    step = BY_ACTION.get(action)
    if step is None:
        return False
    return step_actors(step, report).includes(user)


def is_latest(version: ReportVersion) -> bool:
    """Is this the report's latest version? (Read once per instance.)"""
    if not hasattr(version, "_is_latest"):
        version._is_latest = not version.report.versions.filter(number__gt=version.number).exists()
    return version._is_latest


def may_perform(user, action: str, version: ReportVersion) -> bool:
    step = BY_ACTION.get(action)
    if step is None or version.status not in step.sources:
        return False
    # Only the latest version moves (older ones are kept as they were).
    if not is_latest(version):
        return False
    return may_act(user, action, version.report)


def require(user, action: str, version: ReportVersion) -> Step:
    """The services' check: a step not possible in the version's state is a ValidationError
    (said in words), one the user may not take a PermissionDenied."""
    step = BY_ACTION.get(action)
    if step is None:
        raise ValidationError(_("Unknown action."))
    if version.status not in step.sources:
        raise ValidationError(
            _("This version is “%(status)s”: the action is no longer possible.")
            % {"status": version.get_status_display()}
        )
    if not is_latest(version):
        raise ValidationError(
            _("Version %(n)s is kept as it was: a newer version of this report exists.")
            % {"n": version.number}
        )
    if not may_perform(user, action, version):
        raise PermissionDenied
    return step


def steps_to_show(user, version: ReportVersion) -> list[Step]:
    return [s for s in STEPS if s.action != "edit" and may_perform(user, s.action, version)]


def waiting_for(user, version: ReportVersion) -> list[str]:
    """For a user with no step to take on the latest version: the step it waits for and who
    takes it (the people ``may_perform`` lets act). Reopening is nobody's next step."""
    if not is_latest(version):
        return []
    steps = [s for s in STEPS if s.action not in ("edit", "reopen") and version.status in s.sources]
    if any(may_perform(user, s.action, version) for s in steps):
        return []
    return [next_step_note(s.label, step_actors(s, version.report)) for s in steps]
