"""What the plan's page offers is what the services do: for each state of a plan and every
kind of user, "Edit budget and allocations" and "Amend the approved plan" are shown (and
their pages open) exactly when plan_set_budget and plan_amend would act. The page asks the
services' own checks (plan_edit_check, plan_amend_check)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from programs import services
from programs.models import AnnualPlan
from tests.programs.factories import draft_plan
from tests.projects.factories import staff_of
from tests.projects.test_workflow import ACTORS, PROVINCE, user_for

pytestmark = pytest.mark.django_db
P = AnnualPlan.Status


def build(status: str) -> AnnualPlan:
    from reference.models import Province

    plan = draft_plan(Province.objects.get(code=PROVINCE), year=2029)
    sct = staff_of(PROVINCE)
    if status == P.DRAFT:
        return plan
    services.plan_set_budget(
        plan=plan, actor=sct, budgets={"kcdp": 1_000_000_000}, allocations=[], expected_version=None
    )
    plan = services.plan_transition(plan=plan, actor=sct, action="submit")
    if status == P.SUBMITTED:
        return plan
    plan = services.plan_transition(
        plan=plan,
        actor=sct,
        action="approve",
        decision_number="12/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 20),
    )
    if status == P.APPROVED:
        return plan
    services.plan_amend(
        plan=plan,
        actor=sct,
        budgets={"kcdp": 1_200_000_000},
        allocations=[],
        decision_number="15/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 25),
        reason="Bổ sung kinh phí",
        expected_version=None,
    )
    return AnnualPlan.objects.get(pk=plan.pk)


def done(action) -> bool:
    sid = transaction.savepoint()
    try:
        action()
    except (PermissionDenied, ValidationError):
        return False
    finally:
        transaction.savepoint_rollback(sid)
    return True


@pytest.mark.parametrize("status", [P.DRAFT, P.SUBMITTED, P.APPROVED, P.AMENDED])
def test_the_plan_page_offers_what_the_services_do(world, client, status):
    plan = build(status)
    assert plan.status == status
    wrong, offered = [], set()
    for actor in ACTORS:
        user = user_for(actor)
        client.force_login(user)
        response = client.get(reverse("plan-detail", args=[plan.pk]))
        assert response.status_code in (200, 404)
        body = response.content.decode() if response.status_code == 200 else ""
        fresh = AnnualPlan.objects.get(pk=plan.pk)
        budgets = {b.source: b.amount for b in fresh.budgets.all()}
        steps = {
            "edit": (
                reverse("plan-edit", args=[plan.pk]),
                lambda user=user, fresh=fresh, budgets=budgets: services.plan_set_budget(
                    plan=fresh, actor=user, budgets=budgets, allocations=[], expected_version=None
                ),
            ),
            "amend": (
                reverse("plan-amend", args=[plan.pk]),
                lambda user=user, fresh=fresh: services.plan_amend(
                    plan=fresh,
                    actor=user,
                    budgets={"kcdp": 1_300_000_000},
                    allocations=[],
                    decision_number="20/QĐ-UBND",
                    decision_date=datetime.date(2026, 11, 26),
                    reason="Điều chỉnh",
                    expected_version=None,
                ),
            ),
        }
        for name, (url, service) in steps.items():
            shown = f'href="{url}"' in body
            acts = done(service)
            if shown != acts:
                wrong.append(f"{actor.key}: {name} shown {shown}, service {acts}")
            if name == "amend" and response.status_code == 200:
                opens = client.get(url).status_code == 200
                if opens != acts:
                    wrong.append(f"{actor.key}: the amendment page opens {opens}, service {acts}")
            offered |= {name} if shown else set()
    assert not wrong, "\n".join(wrong)
    expected = {P.DRAFT: {"edit"}, P.APPROVED: {"amend"}, P.AMENDED: {"amend"}}
    assert offered == expected.get(status, set())
