"""What the đề án's pages offer is what the services do: for every state, level and kind
of user, the detail page shows the upload form, the "Appraise" button and each action
button exactly when the service would carry the action out (and the appraisal page opens
exactly when the appraise button is shown). The page and the service ask the same
questions of projects.workflow (may_attach, may_appraise, transitions_to_show); this test
fails if either side starts answering on its own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from projects import services, workflow
from projects.models import AppraisalCriterion, Proposal
from tests.projects.factories import (
    S,
    appraise,
    in_state,
    ministry,
    pdf_upload,
    staff,
    tmp_media,  # noqa: F401
)
from tests.projects.test_workflow import ACTORS, PROVINCE, attempt, user_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]

CASES = [(status, level, False) for status in Proposal.Status for level in ("local", "national")]
# The conclusions of an appraisal stage, once the stage's appraisal recommends approval.
CASES += [(S.SUBMITTED, "local", True), (S.SUBMITTED, "national", True)]
CASES += [(S.FORWARDED, "national", True)]


def service_allows(action) -> bool:
    """Run ``action`` in a savepoint that is rolled back: True if it went through."""
    sid = transaction.savepoint()
    try:
        action()
    except (PermissionDenied, ValidationError):
        return False
    finally:
        transaction.savepoint_rollback(sid)
    return True


def page_offers(client, user, proposal) -> dict:
    client.force_login(user)
    response = client.get(reverse("proposal-detail", args=[proposal.pk]))
    if response.status_code == 404:  # another province's đề án: nothing is offered
        return {"attach": False, "appraise": False, "actions": set(), "appraise_page": False}
    assert response.status_code == 200
    body = response.content.decode()
    appraise_page = client.get(reverse("proposal-appraise", args=[proposal.pk])).status_code
    return {
        "attach": 'data-testid="attach-form"' in body,
        "appraise": 'data-testid="appraise"' in body,
        "actions": {t.action for t in response.context["transitions"]},
        "appraise_page": appraise_page == 200,
    }


@pytest.mark.parametrize(
    ("status", "level", "appraised"),
    CASES,
    ids=[f"{s}-{lv}{'-appraised' if a else ''}" for s, lv, a in CASES],
)
def test_the_page_offers_what_the_service_does(world, client, status, level, appraised):
    proposal = in_state(status, national=level == "national", province_code=PROVINCE)
    if appraised:
        appraiser = ministry() if status == S.FORWARDED else staff(PROVINCE)
        appraise(proposal, appraiser)
    scores = {c: 8 for c in AppraisalCriterion.objects.filter(active=True)}
    wrong = []
    for actor in ACTORS:
        user = user_for(actor)
        offered = page_offers(client, user, proposal)

        def fresh():
            return Proposal.objects.get(pk=proposal.pk)

        may_attach = service_allows(
            lambda user=user: services.attachment_add(
                proposal=fresh(), actor=user, upload=pdf_upload()
            )
        )
        may_appraise = service_allows(
            lambda user=user: services.appraisal_record(
                proposal=fresh(), actor=user, scores=scores, recommendation="approve"
            )
        )
        if offered["attach"] != may_attach:
            wrong.append(f"{actor.key}: upload form {offered['attach']}, service {may_attach}")
        if offered["appraise"] != may_appraise:
            wrong.append(
                f"{actor.key}: appraise button {offered['appraise']}, service {may_appraise}"
            )
        if offered["appraise_page"] != offered["appraise"]:
            wrong.append(f"{actor.key}: appraisal page {offered['appraise_page']}")
        # Each action the table lets this user take: shown exactly when the service does it
        # (the table's refusals are tested action by action in test_workflow).
        for t in workflow.available_transitions(user, proposal):
            sid = transaction.savepoint()
            try:
                done = attempt(proposal, user, t.action)[0] == "ok"
            finally:
                transaction.savepoint_rollback(sid)
            if (t.action in offered["actions"]) != done:
                wrong.append(f"{actor.key}: {t.action} shown {not done}, service {done}")
        if not offered["actions"] <= {t.action for t in workflow.TRANSITIONS}:
            wrong.append(f"{actor.key}: unknown action shown {offered['actions']}")
    assert not wrong, "\n".join(wrong)
