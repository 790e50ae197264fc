"""Writes that matter for programmes, plans and support caps.

Each service validates, writes, and records a ``PlanEvent`` in one transaction. Budgets
and allocations of a plan change under a row lock on the plan, so two people saving at
the same moment cannot push allocations past the budget; approved plans change only
through :func:`plan_amend`, which keeps the before/after in ``PlanAmendment``.
"""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policies import (
    PERMISSIONS,
    Actors,
    has_perm,
    is_national,
    may_act,
    next_step_note,
    require_act,
)
from core.formatting import format_vnd
from core.funding import FundingSource
from programs.models import (
    Activity,
    AnnualPlan,
    Level,
    PlanAllocation,
    PlanAmendment,
    PlanBudget,
    PlanEvent,
    Program,
    SupportCap,
)


class ConcurrentEditError(ValidationError):
    """Someone else saved the record after this form was opened."""


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    permission: str
    label: str
    style: str = "primary"
    # What taking it does that cannot be undone: asked before acting (core.confirm).
    consequence: str = ""


S = AnnualPlan.Status
# The plan's workflow: the one table that drives the buttons, the checks and the tests.
PLAN_TRANSITIONS = [
    Transition(
        S.DRAFT,
        "submit",
        S.SUBMITTED,
        "plan.edit",
        gettext_lazy("Submit for approval"),
        consequence=gettext_lazy(
            "The plan goes to its approver; its budget and allocations can no longer be edited "
            "unless it is returned for changes."
        ),
    ),
    Transition(
        S.SUBMITTED,
        "return",
        S.DRAFT,
        "plan.approve",
        gettext_lazy("Return for changes"),
        "outline-secondary",
    ),
    Transition(
        S.SUBMITTED,
        "approve",
        S.APPROVED,
        "plan.approve",
        gettext_lazy("Record approval"),
        "success",
        consequence=gettext_lazy(
            "The plan is approved by this decision: proposals may be approved against it, and "
            "its budget then changes only through an amendment."
        ),
    ),
]


def plan_transitions_for(*, user, plan: AnnualPlan) -> list[Transition]:
    return [
        t for t in PLAN_TRANSITIONS if t.source == plan.status and may_act(user, t.permission, plan)
    ]


def plan_transition_actors(transition: Transition, plan: AnnualPlan) -> Actors:
    """Who takes ``transition`` on ``plan`` (``may_act`` with its permission): the
    permission's roles at the plan's level, in its province for a local plan."""
    return Actors(PERMISSIONS[transition.permission], province_id=plan.province_id)


def plan_waiting(user, plan: AnnualPlan) -> list[str]:
    """For a user with no step to take on ``plan``: the step it waits for and who takes it.
    Returning a plan is nobody's next step."""
    steps = [t for t in PLAN_TRANSITIONS if t.source == plan.status and t.action != "return"]
    if any(may_act(user, t.permission, plan) for t in steps):
        return []
    return [next_step_note(t.label, plan_transition_actors(t, plan)) for t in steps]


def plan_edit_check(actor, plan: AnnualPlan) -> None:
    """Who changes a plan's budget and allocations directly, and while: its editors
    (``plan.edit``, at the plan's own level), as long as it is a draft; an approved plan
    changes by amendment. Raises PermissionDenied or ValidationError; the plan's page asks
    the same (``allows``) before offering the edit."""
    require_act(actor, "plan.edit", plan)
    if plan.status != AnnualPlan.Status.DRAFT:
        raise ValidationError(
            _("Only a draft plan can be edited; an approved plan changes through an amendment.")
        )


def plan_amend_check(actor, plan: AnnualPlan) -> None:
    """Who amends a plan, and when: those who approve plans at its level
    (``plan.approve``), once it is approved."""
    require_act(actor, "plan.approve", plan)
    if not plan.is_locked:
        raise ValidationError(_("Only an approved plan is amended; edit a draft directly."))


def plan_snapshot(plan: AnnualPlan) -> dict:
    """Budgets and allocations as plain data (for events and amendments)."""
    return {
        "budgets": {b.source: b.amount for b in plan.budgets.all()},
        "allocations": [
            {"activity": a.activity.code, "source": a.source, "amount": a.amount}
            for a in plan.allocations.select_related("activity").order_by(
                "activity__order", "activity__code", "source"
            )
        ],
    }


def _lock_plan(plan: AnnualPlan, expected_version: int | None) -> AnnualPlan:
    locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else saved this plan after you opened it. Your changes were not "
                "saved: reload the page to see the latest version, then make them again."
            ),
            code="stale",
        )
    return locked


def _validate_budget(
    *, plan: AnnualPlan, budgets: dict[str, int], allocations: list[tuple[Activity, str, int]]
) -> None:
    errors = []
    for source, amount in budgets.items():
        if source not in FundingSource.values:
            errors.append(_("Unknown funding source %(source)s.") % {"source": source})
        elif amount < 0:
            errors.append(_("A budget cannot be negative."))
    if plan.level == Level.NATIONAL and budgets.get(FundingSource.KCDP, 0):
        errors.append(_("A national plan has no local (KCĐP) budget."))
    if plan.level == Level.LOCAL and budgets.get(FundingSource.KCQG, 0):
        errors.append(_("A local plan has no national (KCQG) budget."))
    seen, totals = set(), {}
    plan_day = datetime.date(plan.year, 12, 31)
    plan_start = datetime.date(plan.year, 1, 1)
    for activity, source, amount in allocations:
        key = (activity.pk, source)
        if key in seen:
            errors.append(
                _("%(activity)s appears twice for the same source.") % {"activity": activity}
            )
        seen.add(key)
        if amount <= 0:
            errors.append(_("Each allocation must be a positive amount."))
        if activity.valid_from > plan_day or (activity.valid_to and activity.valid_to < plan_start):
            errors.append(
                _("%(activity)s is not in force in %(year)s.")
                % {"activity": activity, "year": plan.year}
            )
        totals[source] = totals.get(source, 0) + amount
    for source, allocated in totals.items():
        budget = budgets.get(source, 0)
        if allocated > budget:
            errors.append(
                _(
                    "Allocations from %(source)s total %(allocated)s, more than its budget of "
                    "%(budget)s (over by %(excess)s)."
                )
                % {
                    "source": FundingSource(source).label,
                    "allocated": format_vnd(allocated),
                    "budget": format_vnd(budget),
                    "excess": format_vnd(allocated - budget),
                }
            )
    if errors:
        raise ValidationError(errors)


def _write_budget(
    plan: AnnualPlan, budgets: dict[str, int], allocations: list[tuple[Activity, str, int]]
) -> None:
    PlanAllocation.objects.filter(plan=plan).delete()
    PlanBudget.objects.filter(plan=plan).delete()
    PlanBudget.objects.bulk_create(
        [PlanBudget(plan=plan, source=s, amount=a) for s, a in budgets.items() if a]
    )
    PlanAllocation.objects.bulk_create(
        [PlanAllocation(plan=plan, activity=act, source=s, amount=a) for act, s, a in allocations]
    )


@transaction.atomic
def plan_create(*, actor, program: Program, year: int, title: str, notes: str = "") -> AnnualPlan:
    """Kế hoạch năm of a programme: the programme's province, within its period."""
    require_act(actor, "plan.edit", program)
    if year not in program.years:
        raise ValidationError(
            {
                "year": _("%(year)s is outside the programme period %(start)s–%(end)s.")
                % {"year": year, "start": program.start_year, "end": program.end_year}
            }
        )
    if AnnualPlan.objects.filter(program=program, year=year).exists():
        raise ValidationError({"year": _("This programme already has a plan for that year.")})
    plan = AnnualPlan.objects.create(
        program=program,
        year=year,
        province=program.province,
        title=title,
        notes=notes,
        created_by=actor,
    )
    PlanEvent.objects.create(plan=plan, action="create", actor=actor)
    return plan


@transaction.atomic
def plan_set_budget(
    *,
    plan: AnnualPlan,
    actor,
    budgets: dict[str, int],
    allocations: list[tuple[Activity, str, int]],
    expected_version: int | None,
) -> AnnualPlan:
    """Replace a draft plan's budgets and allocations. The sum of allocations per source
    never exceeds that source's budget (Thông tư 28/2018/TT-BTC: a plan is funded per
    source)."""
    locked = _lock_plan(plan, expected_version)
    plan_edit_check(actor, locked)
    _validate_budget(plan=locked, budgets=budgets, allocations=allocations)
    before = plan_snapshot(locked)
    _write_budget(locked, budgets, allocations)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    PlanEvent.objects.create(
        plan=locked,
        action="edit",
        actor=actor,
        changes={"before": before, "after": plan_snapshot(locked)},
    )
    return locked


@transaction.atomic
def plan_transition(
    *,
    plan: AnnualPlan,
    actor,
    action: str,
    comment: str = "",
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    decided_by: str = "",
) -> AnnualPlan:
    """Move a plan along PLAN_TRANSITIONS. Approval records the decision of the approving
    authority (the minister for a national plan, the UBND tỉnh for a local one)."""
    locked = _lock_plan(plan, None)
    transition = next(
        (t for t in PLAN_TRANSITIONS if t.source == locked.status and t.action == action), None
    )
    if transition is None:
        raise ValidationError(
            _("The plan is %(status)s: “%(action)s” is not possible now.")
            % {"status": locked.get_status_display().lower(), "action": action}
        )
    require_act(actor, transition.permission, locked)
    if action == "submit" and not locked.budgets.exists():
        raise ValidationError(_("Enter the budget before submitting the plan."))
    if action == "return" and not comment.strip():
        raise ValidationError({"comment": _("Say what must be changed.")})
    if action == "approve":
        errors = {}
        if not decision_number.strip():
            errors["decision_number"] = _("Enter the number of the approving decision.")
        if decision_date is None:
            errors["decision_date"] = _("Enter the date of the approving decision.")
        elif decision_date > timezone.localdate():
            errors["decision_date"] = _("The decision date cannot be in the future.")
        if errors:
            raise ValidationError(errors)
        locked.decision_number = decision_number.strip()
        locked.decision_date = decision_date
        locked.decided_by = decided_by.strip()
    locked.status = transition.target
    locked.version += 1
    locked.save()
    PlanEvent.objects.create(
        plan=locked,
        action=action,
        actor=actor,
        comment=comment,
        decision_number=decision_number,
    )
    return locked


@transaction.atomic
def plan_amend(
    *,
    plan: AnnualPlan,
    actor,
    budgets: dict[str, int],
    allocations: list[tuple[Activity, str, int]],
    decision_number: str,
    decision_date: datetime.date,
    reason: str,
    expected_version: int | None,
) -> PlanAmendment:
    """Điều chỉnh kế hoạch: change an approved plan by a new decision, keeping the
    budgets and allocations it replaces."""
    locked = _lock_plan(plan, expected_version)
    plan_amend_check(actor, locked)
    errors = {}
    if not decision_number.strip():
        errors["decision_number"] = _("Enter the number of the amending decision.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the amendment.")
    if decision_date is None:
        errors["decision_date"] = _("Enter the date of the amending decision.")
    if errors:
        raise ValidationError(errors)
    _validate_budget(plan=locked, budgets=budgets, allocations=allocations)
    before = plan_snapshot(locked)
    _write_budget(locked, budgets, allocations)
    after = plan_snapshot(locked)
    if before == after:
        raise ValidationError(_("The amendment changes nothing."))
    number = locked.amendments.count() + 1
    amendment = PlanAmendment.objects.create(
        plan=locked,
        number=number,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        reason=reason.strip(),
        before=before,
        after=after,
        actor=actor,
    )
    locked.status = AnnualPlan.Status.AMENDED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    PlanEvent.objects.create(
        plan=locked,
        action="amend",
        actor=actor,
        comment=reason,
        decision_number=decision_number,
        changes={"before": before, "after": after},
    )
    return amendment


# --- Programmes ---------------------------------------------------------------------


@transaction.atomic
def program_save(*, actor, program: Program, targets: dict | None = None) -> Program:
    """Create or update a programme. National programmes are the ministry's; a province
    keeps its own."""
    if program.level == Level.NATIONAL:
        program.province = None
        if not (actor.is_superuser or (is_national(actor) and has_perm(actor, "program.manage"))):
            raise PermissionDenied
    else:
        if not is_national(actor):
            program.province_id = actor.province_id
        require_act(actor, "program.manage", program)
    program.full_clean()
    program.save()
    if targets is not None:
        program.targets.exclude(indicator__in=[i for i, v in targets.items() if v]).delete()
        for indicator, value in targets.items():
            if value:
                program.targets.update_or_create(
                    indicator=indicator, defaults={"target_value": value}
                )
    return program


# --- Support caps -------------------------------------------------------------------


def _overlapping_caps(cap: SupportCap):
    qs = SupportCap.objects.filter(activity=cap.activity, level=cap.level).exclude(pk=cap.pk)
    qs = qs.filter(province=cap.province) if cap.province_id else qs.filter(province__isnull=True)
    qs = qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=cap.effective_from))
    if cap.effective_to:
        qs = qs.filter(effective_from__lte=cap.effective_to)
    return qs


@transaction.atomic
def cap_save(*, actor, cap: SupportCap) -> SupportCap:
    """Save a support cap. The ministry administrator keeps the national rules; a
    province's administrator keeps that province's. Rules for the same activity, level and
    province never overlap in time (also enforced by a database trigger)."""
    if cap.province_id is None:
        if not (actor.is_superuser or (is_national(actor) and has_perm(actor, "cap.manage"))):
            raise PermissionDenied
    else:
        require_act(actor, "cap.manage", cap)
    if cap.province_id is not None and cap.level != Level.LOCAL:
        # An HĐND resolution sets the province's levels for its local funds; national funds
        # follow Thông tư 28/2018/TT-BTC everywhere (also a constraint in the database).
        raise ValidationError(
            {
                "level": _(
                    "A province's rule applies to its local funds only: choose the local level."
                )
            }
        )
    cap.full_clean()
    # Serialise writers of the same rule key, so the overlap check below cannot race.
    key = zlib.crc32(f"cap:{cap.activity_id}:{cap.level}:{cap.province_id}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    clash = _overlapping_caps(cap).first()
    if clash is not None:
        raise ValidationError(
            _(
                "This period overlaps the rule in force from %(start)s (%(document)s). End that "
                "rule first, or change the dates."
            )
            % {
                "start": clash.effective_from.strftime("%d/%m/%Y"),
                "document": clash.legal_document.citation,
            }
        )
    if cap.created_by_id is None:
        cap.created_by = actor
    cap.save()
    return cap
