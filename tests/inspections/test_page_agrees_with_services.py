"""What the inspection page offers is what the services do: for each state of an
inspection and every kind of user, the record form (and the cancel button) and each
recommendation's follow-up buttons are shown exactly when the service would act. The page
asks the services' own checks (inspection_change_check, recommendation_follow_up_check)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from inspections import services
from inspections.models import Inspection, Recommendation, Result
from tests.inspections.factories import (
    DAY,
    conclude,
    in_implementation,
    inspector,
    plan,
    record_all,
)
from tests.projects.factories import tmp_media  # noqa: F401
from tests.projects.test_workflow import ACTORS, PROVINCE, user_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
STATES = ["planned", "recorded", "concluded", "cancelled"]


def build(state: str) -> Inspection:
    """An inspection of a Sơn La đề án in ``state``; once concluded, with one
    recommendation open and one remedied."""
    inspection = plan(in_implementation(PROVINCE))
    if state == "cancelled":
        return services.inspection_cancel(inspection=inspection, actor=inspector(), reason="Hoãn")
    if state == "planned":
        return inspection
    inspection = record_all(inspection, overrides={0: Result.PARTLY})
    for text in ("Bổ sung hóa đơn", "Bổ sung danh sách"):
        services.recommendation_add(
            inspection=inspection,
            actor=inspector(),
            text=text,
            deadline=DAY + datetime.timedelta(days=30),
        )
    if state == "recorded":
        return Inspection.objects.get(pk=inspection.pk)
    inspection = conclude(inspection, Result.PARTLY)
    services.recommendation_remedy(
        recommendation=inspection.recommendations.order_by("id").last(),
        actor=inspector(),
        remedied_on=DAY + datetime.timedelta(days=1),
    )
    return Inspection.objects.get(pk=inspection.pk)


def done(action) -> bool:
    sid = transaction.savepoint()
    try:
        action()
    except (PermissionDenied, ValidationError):
        return False
    finally:
        transaction.savepoint_rollback(sid)
    return True


@pytest.mark.parametrize("state", STATES)
def test_the_inspection_page_offers_what_the_services_do(world, client, state):
    inspection = build(state)
    assert inspection.status == state
    recommendations = list(Recommendation.objects.filter(inspection=inspection).order_by("id"))
    url = reverse("inspection-detail", args=[inspection.pk])
    wrong, offered = [], set()
    for actor in ACTORS:
        user = user_for(actor)
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (200, 404)
        body = response.content.decode() if response.status_code == 200 else ""
        shown = 'data-testid="save-record"' in body
        cancel_shown = 'data-testid="cancel-inspection"' in body
        acts = done(
            lambda user=user: services.inspection_cancel(
                inspection=Inspection.objects.get(pk=inspection.pk), actor=user, reason="Hoãn"
            )
        )
        if not shown == cancel_shown == acts:
            wrong.append(f"{actor.key}: record form {shown}, cancel {cancel_shown}, service {acts}")
        offered |= {"change"} if shown else set()
        for r in recommendations:
            shown = f'data-testid="follow-up-{r.pk}"' in body
            acts = done(
                lambda user=user, r=r: services.recommendation_follow_up(
                    recommendation=Recommendation.objects.get(pk=r.pk), actor=user, note="Đã xem"
                )
            )
            if shown != acts:
                wrong.append(f"{actor.key}: follow-up of a {r.status} one {shown}, service {acts}")
            offered |= {"follow_up"} if shown else set()
    assert not wrong, "\n".join(wrong)
    expected = {"planned": {"change"}, "recorded": {"change"}, "concluded": {"follow_up"}}
    assert offered == expected.get(state, set())
