"""What the đề án's pages offer is what the services do: for every state, level and kind
of user, the detail page shows the upload form, the "Your score sheet" button and each
action button exactly when the service would carry the action out (and the score sheet
opens exactly when its button is shown). A đề án waiting for an appraisal is before an
open council of members of the organising agency (some of the users below among them, its
drafter not). The page and the service ask the same questions of projects.workflow
(may_attach, may_council_act, transitions_to_show) and projects.appraisal; this test fails
if either side starts answering on its own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from projects import services, workflow
from projects.models import AppraisalCriterion, CouncilProposal, Proposal
from tests.projects.factories import (
    S,
    appraise,
    council_for,
    council_seats,
    in_state,
    ministry,
    pdf_upload,
    staff,
    tmp_media,  # noqa: F401
)
from tests.projects.test_workflow import ACTORS, PROVINCE, attempt, user_for

# The users of the tables' ACTORS who sit on the open council of each stage.
SITTING = {"province": ("province_admin", "inspector"), "ministry": ("ministry_admin",)}

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
    link = CouncilProposal.objects.filter(proposal=proposal, concluded_at=None).first()
    appraise_page = (
        client.get(reverse("council-sheet", args=[link.pk])).status_code if link else 404
    )
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
    organiser = ministry() if status == S.FORWARDED else staff(PROVINCE)
    stage = "ministry" if status == S.FORWARDED else "province"
    if appraised:
        appraise(proposal, organiser)
    elif workflow.is_waiting(proposal, stage):
        chair, secretary = council_seats(organiser.agency)
        sitting = [user_for(a) for a in ACTORS if a.key in SITTING[stage]]
        members = [(chair, "chair"), (secretary, "secretary")]
        members += [(u, "member") for u in sitting]
        council_for(proposal, organiser, stage=stage, members=members)
    link = CouncilProposal.objects.filter(proposal=proposal, concluded_at=None).first()
    scores = {c: 8 for c in AppraisalCriterion.objects.filter(active=True)}
    wrong = []
    sheets_offered = 0
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
        may_appraise = link is not None and service_allows(
            lambda user=user: services.appraisal_record(
                link=link, actor=user, scores=scores, recommendation="approve"
            )
        )
        if offered["attach"] != may_attach:
            wrong.append(f"{actor.key}: upload form {offered['attach']}, service {may_attach}")
        if offered["appraise"] != may_appraise:
            wrong.append(
                f"{actor.key}: appraise button {offered['appraise']}, service {may_appraise}"
            )
        sheets_offered += offered["appraise"]
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
    # Before an open council, its members among the actors are offered their sheet.
    assert sheets_offered == (len(SITTING[stage]) if link else 0)
