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
from accounts.policies import is_national
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
    # Irreversible for this version: the button asks for confirmation, naming the consequence.
    confirm: object = ""


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


def may_act(user, action: str, report) -> bool:
    """May ``user`` take ``action`` on versions of ``report`` (whatever their state)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    step = BY_ACTION.get(action)
    if step is None:
        return False
    if user.is_superuser:
        return True
    if report.province_id is None:
        return is_national(user) and user.role in step.national_roles
    return (
        not is_national(user)
        and user.province_id == report.province_id
        and user.role in step.province_roles
    )


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
