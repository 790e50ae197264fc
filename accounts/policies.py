"""Who may see and do what: the one place where roles and provinces are checked.

Two rules, applied by every view through :class:`PolicyMixin` / :func:`requires` and
every selector through :func:`visible`:

* **Scope** — a user of the ministry department (or a superuser) sees every province; a
  user of a provincial agency sees only rows of that agency's province. Each scoped model
  names the path to its province in ``province_scope`` (``"province"``,
  ``"agency__province"``, ``"plan__province"`` ...); :func:`visible` filters on it.
  Objects outside the scope are answered with 404, as if they did not exist. A model
  whose national rows (no province) concern everybody — the national programmes, the
  national support caps — sets ``national_rows_visible_to_all = True``: provincial users
  then see those rows too, read-only (:func:`may_act` keeps them to national users).
* **Permission** — an action name (``"agency.view"``) maps to the roles allowed to do it
  in :data:`PERMISSIONS`. A refused action is answered with 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from accounts.models import (
    ADMIN_ROLES,
    ALL_ROLES,
    DEPARTMENT_ROLES,
    MINISTRY_ROLES,
    PROVINCIAL_EDITORS,
    Role,
)

# Action -> roles allowed. Later issues add their actions here (proposal.submit, ...).
PERMISSIONS: dict[str, frozenset] = {
    "home.view": ALL_ROLES,
    "reference.view": ALL_ROLES,
    "agency.view": ALL_ROLES,
    "agency.manage": ADMIN_ROLES,
    "user.view": ALL_ROLES - {Role.VIEWER},
    "user.manage": ADMIN_ROLES,
    "admin.access": frozenset({Role.MINISTRY_ADMIN}),
    # Registry of cơ sở CNNT (beneficiaries app).
    "beneficiary.view": ALL_ROLES,
    "beneficiary.manage": PROVINCIAL_EDITORS | {Role.MINISTRY_ADMIN},
    # Typical rural industrial products (typical_products app): everybody reads the rounds of
    # their scope (regional and national rounds concern everybody); the Sở runs its
    # province's rounds, the ministry the regional and national ones (may_act decides which).
    "typical.view": ALL_ROLES,
    "typical.manage": MINISTRY_ROLES | DEPARTMENT_ROLES,
    # Register of craft villages (villages app): everybody reads; a province's administrator
    # records its villages, their recognition decisions and members (the ministry's
    # administrator any province's).
    "village.view": ALL_ROLES,
    "village.manage": ADMIN_ROLES,
    # Legal documents, activity catalogue and support caps (programs app).
    "legal.view": ALL_ROLES,
    "legal.manage": frozenset({Role.MINISTRY_ADMIN}),
    "cap.manage": ADMIN_ROLES,  # national rules: ministry admin; a province's: its admin
    # Programmes and annual plans.
    "program.view": ALL_ROLES,
    "program.manage": DEPARTMENT_ROLES | {Role.MINISTRY_ADMIN},
    "plan.view": ALL_ROLES,
    "plan.edit": MINISTRY_ROLES | DEPARTMENT_ROLES,
    "plan.approve": MINISTRY_ROLES | DEPARTMENT_ROLES,
    # Đề án (projects app). Who acts on which đề án at which step is decided by
    # projects.workflow.TRANSITIONS; these only open the pages.
    "proposal.view": ALL_ROLES,
    "proposal.create": PROVINCIAL_EDITORS,
    "proposal.edit": PROVINCIAL_EDITORS,
    "proposal.appraise": MINISTRY_ROLES | DEPARTMENT_ROLES,
    # Appraisal councils: everybody but read-only viewers opens their pages (a council's
    # members may be any user of the Sở or the Cục); who does what in a council is decided
    # by projects.workflow.COUNCIL_ACTIONS; the Sở and the ministry set them up.
    "council.view": ALL_ROLES - {Role.VIEWER},
    "council.create": MINISTRY_ROLES | DEPARTMENT_ROLES,
    # The annual cycle (cycle app): calls, registration batches, plan decisions. Who acts
    # on which object in which state is decided by cycle.workflow.STEPS.
    "cycle.view": MINISTRY_ROLES | PROVINCIAL_EDITORS,
    # Contracts, tranches, acceptance and settlement (disbursement app): everybody reads,
    # the promotion centre and the Sở of the province record.
    "disbursement.view": ALL_ROLES,
    "disbursement.record": PROVINCIAL_EDITORS,
    # A national đề án's money: the ministry department, or the agency its contract names
    # as signing for it (disbursement.policies.may_record decides which).
    "disbursement.record_national": MINISTRY_ROLES | PROVINCIAL_EDITORS,
    # Inspections (kiểm tra, giám sát): everybody reads; the province's staff and its
    # inspectors plan, record and conclude them (the ministry watches: may_act).
    "inspection.view": ALL_ROLES,
    "inspection.record": PROVINCIAL_EDITORS | {Role.INSPECTOR},
    # PDF reports (reports app): everybody reads the reports of their scope; everybody but
    # read-only viewers opens the request page, and asks for the kinds below: inspectors only
    # the records of their inspections and the compliance report of their province (the money
    # reports are the Sở's, the centre's and the ministry's). What a report contains is
    # scoped to the requester; the parameters decide the report's province.
    "report.view": ALL_ROLES,
    "report.request": ALL_ROLES - {Role.VIEWER},
    "report.request.inspection_record": ALL_ROLES - {Role.VIEWER},
    "report.request.compliance": ALL_ROLES - {Role.VIEWER},
    "report.request.disbursement": ALL_ROLES - {Role.VIEWER, Role.INSPECTOR},
    "report.request.program_results": ALL_ROLES - {Role.VIEWER, Role.INSPECTOR},
    "report.request.council_minutes": ALL_ROLES - {Role.VIEWER},
    "report.request.registration": ALL_ROLES - {Role.VIEWER, Role.INSPECTOR},
    "report.request.periodic": ALL_ROLES - {Role.VIEWER, Role.INSPECTOR},
    # Periodic results reports (periodic app): everybody but inspectors reads those of their
    # scope; who writes, reviews, signs, sends and reopens which report is decided by
    # periodic.workflow.STEPS. The Cục follows every province's and sets the deadlines.
    "periodic.view": ALL_ROLES - {Role.INSPECTOR},
    "periodic.national": MINISTRY_ROLES,
    "periodic.deadlines": MINISTRY_ROLES,
    # Imports of a province's past records (history app): the Sở brings in its own đề án
    # of earlier years; the promotion centre and the ministry read the imports of their scope.
    "history.view": MINISTRY_ROLES | PROVINCIAL_EDITORS,
    "history.import": DEPARTMENT_ROLES,
    # Dashboards (statistics): the ministry sees every province, a province its own.
    "dashboard.view": ALL_ROLES,
    # Priorities (priorities app): everybody reads the list; the Sở declares the priorities
    # the registry cannot compute, for its own establishments and đề án (may_act), the
    # ministry for national đề án.
    "priority.view": ALL_ROLES,
    "priority.declare": DEPARTMENT_ROLES | MINISTRY_ROLES,
}


def is_national(user) -> bool:
    """True for superusers and users of the ministry department: they see every province."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    agency = user.agency if user.agency_id else None
    return agency is not None and agency.is_national


def scope_province_id(user):
    """The one province a provincial user is limited to (None for national users)."""
    return None if is_national(user) else user.province_id


def visible(user, queryset: QuerySet) -> QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may see (by province)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if is_national(user):
        return queryset
    province_id = user.province_id
    if province_id is None:
        return queryset.none()
    lookup = queryset.model.province_scope
    if getattr(queryset.model, "national_rows_visible_to_all", False):
        return queryset.filter(Q(**{lookup: province_id}) | Q(**{f"{lookup}__isnull": True}))
    return queryset.filter(**{lookup: province_id})


def object_province_id(obj: Model):
    """Follow ``province_scope`` from ``obj`` to its province id."""
    path = type(obj).province_scope.split("__")
    if path == ["id"]:
        return obj.pk
    target = obj
    for step in path[:-1]:
        target = getattr(target, step)
        if target is None:
            return None
    return getattr(target, f"{path[-1]}_id")


def in_scope(user, obj: Model) -> bool:
    if is_national(user):
        return True
    province_id = getattr(user, "province_id", None)
    if province_id is None:
        return False
    obj_province_id = object_province_id(obj)
    if obj_province_id is None and getattr(type(obj), "national_rows_visible_to_all", False):
        return True
    return obj_province_id == province_id


def has_perm(user, action: str, obj: Model | None = None) -> bool:
    """May ``user`` do ``action`` (on ``obj``, when given)?"""
    roles = PERMISSIONS[action]  # an unknown action is a programming error
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.is_superuser and user.role not in roles:
        return False
    return obj is None or in_scope(user, obj)


def require(user, action: str, obj: Model | None = None) -> None:
    if not has_perm(user, action, obj):
        raise PermissionDenied


def may_act(user, action: str, obj: Model) -> bool:
    """May ``user`` change ``obj``? Like :func:`has_perm`, but the object's own level
    decides who acts: a national object (no province) is changed by national users, a
    provincial object only by users of that province — the ministry watches provincial
    records but does not edit them (superusers excepted)."""
    if not has_perm(user, action, obj):
        return False
    if user.is_superuser:
        return True
    province_id = object_province_id(obj)
    if province_id is None:
        return is_national(user)
    return not is_national(user) and user.province_id == province_id


def require_act(user, action: str, obj: Model) -> None:
    if not may_act(user, action, obj):
        raise PermissionDenied


def allows(check, *args, **kwargs) -> bool:
    """Would ``check`` — a function that refuses by raising PermissionDenied or
    ValidationError, as a service calls it before acting — let the call through? How a
    page asks a service's own check whether to offer the action."""
    try:
        check(*args, **kwargs)
    except (PermissionDenied, ValidationError):
        return False
    return True


class PolicyMixin:
    """For class-based views: ``permission`` is checked before anything else runs, and
    ``get_queryset`` is limited to the user's scope (so a detail view answers 404 for an
    object of another province)."""

    permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission:
            raise PermissionDenied("view declares no permission")
        require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return visible(self.request.user, super().get_queryset())


def requires(action: str):
    """For function views: ``@requires("agency.view")``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.policy_permission = action
        return wrapped

    return decorator


# --- Who acts: the people a rule lets act, as a value the pages can name ----------------------


@dataclass(frozen=True)
class Actors:
    """The people a rule lets take a step: the active users holding one of ``roles``, of the
    ministry (``province_id`` None) or of the province ``province_id``; ``agency_id`` narrows
    them to one agency, ``excluded_id`` leaves one user out (whoever requested a tranche
    does not approve it). Superusers may act anywhere but are nobody's next actor.

    The policies build it once and ask it both questions — may this user act
    (``includes``) and who may (``users``, ``describe``) — so the note "who acts next" on a
    page names exactly the people the service would let act."""

    roles: frozenset
    province_id: int | None = None
    agency_id: int | None = None
    excluded_id: int | None = None

    def includes(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_superuser:
            return True
        if user.pk == self.excluded_id or user.role not in self.roles:
            return False
        if self.agency_id is not None and user.agency_id != self.agency_id:
            return False
        if self.province_id is None:
            return is_national(user)
        return not is_national(user) and user.province_id == self.province_id

    def users(self) -> QuerySet:
        from accounts.models import Agency, User

        users = User.objects.filter(is_active=True, is_superuser=False, role__in=self.roles)
        if self.province_id is None:
            users = users.filter(agency__kind=Agency.Kind.MINISTRY_DEPARTMENT)
        else:
            users = users.filter(agency__province_id=self.province_id).exclude(
                agency__kind=Agency.Kind.MINISTRY_DEPARTMENT
            )
        if self.agency_id is not None:
            users = users.filter(agency_id=self.agency_id)
        if self.excluded_id is not None:
            users = users.exclude(pk=self.excluded_id)
        return users

    def describe(self) -> str:
        """In words: each agency whose users may act, with their roles; and who is left
        out. One query."""
        from accounts.models import Role, User

        found: dict[str, list[str]] = {}
        for agency, role in (
            self.users()
            .order_by("agency__kind", "agency__name", "role")
            .values_list("agency__name", "role")
        ).distinct():
            found.setdefault(agency, []).append(str(Role(role).label))
        if not found:
            return gettext("nobody holds this role yet")
        text = "; ".join(f"{agency} ({', '.join(roles)})" for agency, roles in found.items())
        if self.excluded_id is not None:
            excluded = User.objects.filter(pk=self.excluded_id).first()
            if excluded is not None:
                text = gettext("%(people)s — not %(name)s, who requested it") % {
                    "people": text,
                    "name": excluded.get_full_name() or excluded.username,
                }
        return text


def next_step_note(label, actors: Actors) -> str:
    """The line a page shows where a user has nothing to do: the next step and who takes it."""
    return gettext("Next step, “%(step)s”: %(who)s.") % {"step": label, "who": actors.describe()}
