"""Real threads on PostgreSQL: two people starting the same plan's decision list at the same
moment get one draft and a clear message, never the unique constraint's error."""

from __future__ import annotations

import pytest

from cycle import services
from cycle.models import PlanDecision
from tests.cycle.factories import forwarded_national, open_call
from tests.projects.factories import ministry, plan_for, tmp_media  # noqa: F401
from tests.projects.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tmp_media")]


def test_two_drafts_of_the_same_plan_decision_at_once_make_one(world):
    plan = plan_for(14, national=True)
    forwarded_national(14, call=open_call(plan))
    actor = ministry()
    results = run_together(
        lambda: services.decision_create(plan=plan, actor=actor),
        lambda: services.decision_create(plan=plan, actor=actor),
    )
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["ValidationError", "ok"], results
    refused = next(value for kind, value in results if kind == "ValidationError")
    assert "đang có một dự thảo quyết định" in " ".join(refused.messages).lower()
    assert PlanDecision.objects.filter(plan=plan, status=PlanDecision.Status.DRAFT).count() == 1
