"""Appraisal councils (hội đồng thẩm định): every council status × action × capacity
against the declared table, the separation of duties at its boundaries, the council's rule
at the pass mark, ``stage_result`` (the one reading of a stage's appraisal) and the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from projects import appraisal, services, workflow
from projects.models import (
    Appraisal,
    AppraisalCouncil,
    AppraisalCriterion,
    CouncilProposal,
)
from reports.models import ReportJob
from reports.services import report_request
from tests.projects.factories import (
    S,
    advance,
    appraise,
    council_for,
    council_seats,
    make_proposal,
    ministry,
    score_sheet,
    staff,
    tmp_media,  # noqa: F401
    transition,
    user_with,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
SONLA, DAKLAK = 14, 66

# --- Every status × action × capacity --------------------------------------------------------

# What the table must say, written independently of the code: the capacities allowed to
# take each action in each status of the council.
EXPECTED = {
    ("open", "score"): {"chair", "secretary", "member"},
    ("open", "conclude"): {"chair", "secretary"},
    ("open", "close"): {"chair", "secretary"},
    ("open", "add"): {"organiser", "superuser"},
    ("concluded", "minutes"): {"chair", "secretary", "member", "organiser", "superuser"},
}
CAPACITIES = [
    "chair",
    "secretary",
    "member",
    "organiser",  # the Sở's staff (here the đề án's drafter, who sits on no council of it)
    "centre",  # a user of the province with no part in the council
    "other_province",
    "ministry",
    "superuser",
]


def members_of(province_code=SONLA):
    chair, secretary = council_seats(staff(province_code).agency)
    member = user_with(Role.INSPECTOR, province_code)
    return [(chair, "chair"), (secretary, "secretary"), (member, "member")]


def plain_members(province_code=SONLA):
    """Members who are nothing but members: users of the Sở whose role organises nothing
    (the Sở's staff also organise its councils)."""
    agency = staff(province_code).agency
    seats = []
    for seat in ("chair", "secretary", "member"):
        user, _ = User.objects.get_or_create(
            username=f"test-plain-{seat}-{province_code}",
            defaults={"role": Role.INSPECTOR, "agency": agency},
        )
        seats.append((user, seat))
    return seats


def capacity_users(council) -> dict[str, User]:
    seats = {m.role: m.user for m in council.members.select_related("user")}
    return {
        **seats,
        "organiser": staff(SONLA),
        "centre": staff(SONLA, role=Role.CENTRE_STAFF),
        "other_province": staff(DAKLAK),
        "ministry": ministry(),
        "superuser": User.objects.get(username="admin"),
    }


def open_council():
    first = advance(make_proposal(SONLA), S.SUBMITTED)
    second = advance(make_proposal(SONLA), S.SUBMITTED)
    council = council_for(first, staff(SONLA), members=plain_members())
    return council, council.proposal_links.get(), second


def score_all(link):
    for seat in link.council.members.select_related("user"):
        score_sheet(link, seat.user)


def act(action, council, link, second, user):
    """Carry out ``action`` through its service; the result as "ok", "denied" or "state"."""
    try:
        if action == "score":
            score_sheet(link, user)
        elif action == "conclude":
            services.council_conclude(link=link, actor=user, recommendation="approve")
        elif action == "close":
            services.council_close(council=council, actor=user)
        elif action == "add":
            services.council_add_proposals(council=council, actor=user, proposals=[second])
        elif action == "minutes":
            report_request(actor=user, kind="council_minutes", params={"council": council.pk})
    except PermissionDenied:
        return "denied"
    except ValidationError:
        return "state"
    return "ok"


@pytest.mark.parametrize("action", [a.action for a in workflow.COUNCIL_ACTIONS])
@pytest.mark.parametrize("status", list(AppraisalCouncil.Status))
def test_every_council_action_by_every_capacity_in_every_status(world, status, action):
    council, link, second = open_council()
    # The state in which the action's own conditions hold, so only the table decides.
    if action in ("conclude", "close") or status == "concluded":
        score_all(link)
    if action == "close" or status == "concluded":
        chair = council.members.get(role="chair").user
        services.council_conclude(link=link, actor=chair, recommendation="approve")
    if status == "concluded":
        council = services.council_close(council=council, actor=chair)
    link.refresh_from_db()
    users = capacity_users(council)
    assert set(users) == set(CAPACITIES)
    wrong = []
    for capacity in CAPACITIES:
        user = users[capacity]
        allowed = capacity in EXPECTED.get((status, action), set())
        if workflow.may_council_act(user, action, council) != allowed:
            wrong.append(f"{capacity}: may_council_act says {not allowed}")
        sid = transaction.savepoint()
        try:
            outcome = act(action, council, link, second, user)
        finally:
            transaction.savepoint_rollback(sid)
        if allowed and outcome != "ok":
            wrong.append(f"{capacity}: refused ({outcome}) though the table allows")
        if not allowed and outcome == "ok":
            wrong.append(f"{capacity}: done though the table refuses")
        if not allowed and status == "open" and (status, action) in EXPECTED:
            # Refused by the table in a status where the action exists: for want of right.
            if outcome != "denied":
                wrong.append(f"{capacity}: refused with {outcome}, not as a permission")
    assert not wrong, "\n".join(wrong)


def test_the_table_declares_each_action_once_and_the_capacities_it_names():
    actions = [a.action for a in workflow.COUNCIL_ACTIONS]
    assert len(actions) == len(set(actions)) == len(workflow.COUNCIL_ACTION)
    for entry in workflow.COUNCIL_ACTIONS:
        assert entry.capacities <= set(workflow.CAPACITIES)
        assert entry.sources <= set(AppraisalCouncil.Status.values)
        assert entry.target in ("", *AppraisalCouncil.Status.values)


# --- Composition -----------------------------------------------------------------------------


def test_a_council_has_one_chair_and_a_secretary_of_the_organising_agency(world):
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    chair, secretary = council_seats(staff(SONLA).agency)
    sct = staff(SONLA)
    for members, field in [
        ([(chair, "member"), (secretary, "secretary")], "members"),  # no chair
        ([(chair, "chair"), (secretary, "chair")], "members"),  # two chairs
        ([(chair, "chair")], "members"),  # a council without a secretary
        ([(chair, "chair"), (staff(DAKLAK), "secretary")], "members"),  # another agency
        ([(chair, "chair"), (user_with(Role.VIEWER, SONLA), "secretary")], "members"),
    ]:
        with pytest.raises(ValidationError) as exc:
            council_for(proposal, sct, members=members)
        assert field in exc.value.message_dict
    # Designated officers: a lead officer alone is enough.
    council = services.council_create(
        actor=sct,
        stage="province",
        name="Tổ thẩm định",
        mode="designated",
        year=2027,
        decision_number="3/QĐ-SCT",
        decision_date=datetime.date(2026, 11, 1),
        meeting_date=datetime.date(2026, 11, 1),
        meeting_place="Sở Công Thương",
        members=[(chair, "chair")],
        proposals=[proposal],
    )
    assert council.mode == "designated" and council.members.count() == 1


def test_a_council_meets_after_its_decision_and_takes_waiting_proposals_once(world):
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    draft = make_proposal(SONLA)
    sct = staff(SONLA)
    seats = members_of()
    with pytest.raises(ValidationError) as exc:
        services.council_create(
            actor=sct,
            stage="province",
            name="Hội đồng",
            mode="council",
            year=2027,
            decision_number="3/QĐ-SCT",
            decision_date=datetime.date(2026, 11, 2),
            meeting_date=datetime.date(2026, 11, 1),  # the day before its decision
            meeting_place="Sở",
            members=seats,
            proposals=[proposal],
        )
    assert "meeting_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        council_for([draft], sct, stage="province", members=seats)
    assert "proposals" in exc.value.message_dict
    council = council_for(proposal, sct, members=seats)
    with pytest.raises(ValidationError):  # already before a council that has not concluded
        council_for(proposal, sct, members=seats)
    link = council.proposal_links.get()
    score_all(link)
    services.council_conclude(link=link, actor=seats[0][0], recommendation="approve")
    with pytest.raises(ValidationError):  # nor twice before the same council
        services.council_add_proposals(council=council, actor=sct, proposals=[proposal])
    council_for(proposal, sct, members=seats)  # another council may appraise it again
    with pytest.raises(ValidationError):  # another province's Sở
        council_for(proposal, staff(DAKLAK), stage="province")


# --- Separation of duties --------------------------------------------------------------------


def test_the_drafter_may_not_sit_on_the_council_of_their_proposal(world):
    """Default rule: whoever drafted (created_by) or submitted the đề án sits on no council
    appraising it — as chair, secretary or member."""
    assert appraisal.separation_rule() == appraisal.SEPARATION_NOT_MEMBER
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    sct = staff(SONLA)
    assert proposal.created_by == sct
    chair, secretary = council_seats(sct.agency)
    for seats in (
        [(sct, "chair"), (secretary, "secretary")],
        [(chair, "chair"), (sct, "secretary")],
        [(chair, "chair"), (secretary, "secretary"), (sct, "member")],
    ):
        with pytest.raises(ValidationError) as exc:
            council_for(proposal, sct, members=seats)
        assert "phân định trách nhiệm" in " ".join(exc.value.message_dict["proposals"])
    council_for(proposal, sct, members=[(chair, "chair"), (secretary, "secretary")])


def test_whoever_submitted_counts_as_a_drafter(world):
    """A Sở colleague who submitted the đề án again after a return is one of its drafters."""
    sct = staff(SONLA)
    colleague = user_with(Role.PROVINCE_ADMIN, SONLA)
    proposal = transition(advance(make_proposal(SONLA), S.SUBMITTED), sct, "return")
    proposal = transition(proposal, colleague, "submit")
    assert appraisal.proposal_drafters(proposal) == {sct.pk, colleague.pk}
    chair, _secretary = council_seats(sct.agency)
    with pytest.raises(ValidationError):
        council_for(proposal, sct, members=[(chair, "chair"), (colleague, "secretary")])
    other = user_with(Role.INSPECTOR, SONLA)
    council_for(proposal, sct, members=[(chair, "chair"), (other, "secretary")])


@override_settings(APPRAISAL_SEPARATION="not_alone")
def test_with_the_not_alone_rule_the_drafter_sits_but_never_alone(world):
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    sct = staff(SONLA)
    chair, _secretary = council_seats(sct.agency)
    with pytest.raises(ValidationError) as exc:  # the drafter as the only officer
        services.council_create(
            actor=sct,
            stage="province",
            name="Tổ thẩm định",
            mode="designated",
            year=2027,
            decision_number="3/QĐ-SCT",
            decision_date=datetime.date(2026, 11, 1),
            meeting_date=datetime.date(2026, 11, 1),
            meeting_place="Sở",
            members=[(sct, "chair")],
            proposals=[proposal],
        )
    assert "một mình" in " ".join(exc.value.message_dict["proposals"])
    council = council_for(proposal, sct, members=[(sct, "chair"), (chair, "secretary")])
    link = council.proposal_links.get()
    score_sheet(link, sct)  # may score it
    with pytest.raises(ValidationError):  # but not conclude before the other member scored
        services.council_conclude(link=link, actor=sct, recommendation="approve")
    score_sheet(link, chair)
    services.council_conclude(link=link, actor=sct, recommendation="approve")
    assert appraisal.stage_result(proposal, "province").approves


def test_the_conclusion_needs_a_sheet_by_someone_who_did_not_draft(world):
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    sct = staff(SONLA)
    with override_settings(APPRAISAL_SEPARATION="not_alone"):
        assert appraisal.conclusion_refusal(sct, proposal, {sct.pk})
        other = user_with(Role.INSPECTOR, SONLA)
        assert appraisal.conclusion_refusal(sct, proposal, {sct.pk, other.pk}) == ""
    assert appraisal.conclusion_refusal(sct, proposal, {sct.pk, other.pk})  # default rule


def test_an_unknown_separation_rule_is_refused(world, settings):
    settings.APPRAISAL_SEPARATION = "nobody"
    with pytest.raises(ValueError):
        appraisal.separation_rule()


def test_the_drafters_page_says_why_they_have_no_score_sheet(world, client):
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    council_for(proposal, staff(SONLA), members=members_of())
    client.force_login(staff(SONLA))
    page = client.get(reverse("proposal-detail", args=[proposal.pk]))
    body = page.content.decode()
    assert 'data-testid="appraisal-refusal"' in body and 'data-testid="appraise"' not in body
    inspector = user_with(Role.INSPECTOR, SONLA)
    client.force_login(inspector)
    body = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="appraise"' in body


# --- The council's rule and conclusion --------------------------------------------------------


def conclude_with(proposal, scores_by_member: list[dict], recommendation="approve"):
    council = council_for(proposal, staff(SONLA), members=members_of()[: len(scores_by_member)])
    link = council.proposal_links.get()
    criteria = {c.code: c for c in AppraisalCriterion.objects.filter(active=True)}
    seats = list(council.members.select_related("user"))
    for seat, marks in zip(seats, scores_by_member, strict=True):
        services.appraisal_record(
            link=link,
            actor=seat.user,
            scores={criteria[code]: v for code, v in marks.items()},
            recommendation="approve",
        )
    return services.council_conclude(
        link=link, actor=seats[0].user, recommendation=recommendation, opinions="Ý kiến"
    )


ALL_7 = {"necessity": 7, "feasibility": 7, "impact": 7, "capacity": 7, "budget": 7}
IMPACT_6 = {**ALL_7, "impact": 6}  # 70 − 2.5 = 67.50


def test_the_average_is_the_mean_of_the_members_weighted_scores(world):
    link = conclude_with(advance(make_proposal(SONLA), S.SUBMITTED), [ALL_7, ALL_7])
    assert link.average_score == Decimal("70.00")  # exactly the default pass mark: approve
    assert appraisal.council_average([Decimal("70"), Decimal("67.5")]) == Decimal("68.75")
    assert appraisal.suggested_recommendation(Decimal("70.00")) == "approve"
    assert appraisal.suggested_recommendation(Decimal("69.99")) == "reject"


@override_settings(APPRAISAL_PASS_SCORE=Decimal("68.75"))
def test_approval_is_recommended_from_the_pass_mark_up(world):
    at_mark = conclude_with(advance(make_proposal(SONLA), S.SUBMITTED), [ALL_7, IMPACT_6])
    assert at_mark.average_score == Decimal("68.75") and at_mark.recommendation == "approve"
    with override_settings(APPRAISAL_PASS_SCORE=Decimal("68.76")):
        with pytest.raises(ValidationError) as exc:
            conclude_with(advance(make_proposal(SONLA), S.SUBMITTED), [ALL_7, IMPACT_6])
        assert "recommendation" in exc.value.message_dict
    # Below the mark the council may still reject (with the members' opinions).
    with override_settings(APPRAISAL_PASS_SCORE=Decimal("68.76")):
        rejected = conclude_with(
            advance(make_proposal(SONLA), S.SUBMITTED), [ALL_7, IMPACT_6], "reject"
        )
    assert rejected.recommendation == "reject"


def test_the_conclusion_waits_for_every_member_and_is_given_once(world):
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    council = council_for(proposal, staff(SONLA), members=members_of())
    link = council.proposal_links.get()
    chair = council.members.get(role="chair").user
    score_sheet(link, chair)
    with pytest.raises(ValidationError):
        services.council_conclude(link=link, actor=chair, recommendation="approve")
    score_all(link)
    with pytest.raises(ValidationError) as exc:  # other than approval: opinions required
        services.council_conclude(link=link, actor=chair, recommendation="return")
    assert "opinions" in exc.value.message_dict
    services.council_conclude(link=link, actor=chair, recommendation="approve")
    with pytest.raises(ValidationError):
        services.council_conclude(link=link, actor=chair, recommendation="approve")
    with pytest.raises(ValidationError):  # nor are the sheets changed after it
        score_sheet(link, chair, score=2)
    assert Appraisal.objects.filter(council=council).count() == 3


# --- stage_result: the one reading -----------------------------------------------------------


def test_stage_result_follows_the_council_and_the_current_submission(
    world, django_assert_num_queries
):
    sct = staff(SONLA)
    proposal = advance(make_proposal(SONLA, national=True), S.SUBMITTED)
    assert appraisal.stage_result(proposal, "province") == appraisal.NO_RESULT
    council = council_for(proposal, sct, members=members_of())
    pending = appraisal.stage_result(proposal, "province")
    assert pending.council == council and not pending.concluded and pending.score is None
    assert workflow.appraisal_missing(workflow.ACTIONS["appraise"], proposal)
    link = council.proposal_links.get()
    score_all(link)
    services.council_conclude(
        link=link, actor=council.members.get(role="chair").user, recommendation="approve"
    )
    result = appraisal.stage_result(proposal, "province")
    assert (result.council, result.score, result.approves) == (council, Decimal("80.00"), True)
    assert not workflow.appraisal_missing(workflow.ACTIONS["appraise"], proposal)
    assert appraisal.stage_result(proposal, "ministry") == appraisal.NO_RESULT
    # Returned and submitted again: the conclusion on the earlier version no longer counts.
    proposal = transition(transition(proposal, sct, "return"), sct, "submit")
    assert appraisal.stage_result(proposal, "province") == appraisal.NO_RESULT
    appraise(proposal, sct, recommendation="return")
    assert appraisal.stage_result(proposal, "province").recommendation == "return"
    appraise(proposal, sct)  # a later council's conclusion wins
    assert appraisal.stage_result(proposal, "province").approves
    # Many at once, in one query whatever their number.
    others = [advance(make_proposal(SONLA), S.SUBMITTED) for _ in range(2)]
    with django_assert_num_queries(1):
        results = appraisal.stage_results([proposal.pk, *(p.pk for p in others)], "province")
    assert results[proposal.pk].approves and results[others[0].pk] == appraisal.NO_RESULT


# --- Pages -----------------------------------------------------------------------------------


def test_the_sở_sets_up_a_council_and_its_members_score_and_conclude(
    world, client, django_assert_max_num_queries
):
    first = advance(make_proposal(SONLA), S.SUBMITTED)
    second = advance(make_proposal(SONLA), S.SUBMITTED)
    daklak = advance(make_proposal(DAKLAK), S.SUBMITTED)
    sct = staff(SONLA)
    (chair, _), (secretary, _), (member, _) = members_of()
    client.force_login(sct)
    page = client.get(reverse("council-create"))
    assert page.status_code == 200
    offered = set(page.context["form"].fields["proposals"].queryset)
    assert {first, second} <= offered and daklak not in offered
    assert sct in page.context["form"].fields["chair"].queryset  # offered, refused on save
    data = {
        "name": "Hội đồng thẩm định đề án khuyến công năm 2027",
        "mode": "council",
        "decision_number": "15/QĐ-SCT",
        "decision_date": "01/11/2026",
        "meeting_date": "05/11/2026",
        "meeting_place": "Phòng họp Sở Công Thương",
        "chair": sct.pk,
        "secretary": secretary.pk,
        "members": [member.pk],
        "proposals": [first.pk, second.pk],
    }
    refused = client.post(reverse("council-create"), data)
    assert refused.status_code == 400 and "proposals" in refused.context["form"].errors
    response = client.post(reverse("council-create"), {**data, "chair": chair.pk}, follow=True)
    council = AppraisalCouncil.objects.get()
    assert response.redirect_chain[-1][0] == reverse("council-detail", args=[council.pk])
    assert council.agency == sct.agency and council.stage == "province"
    assert list(council.members.values_list("role", flat=True)) == ["chair", "secretary", "member"]
    # The organiser sees the council, no score sheet, no conclusion form.
    with django_assert_max_num_queries(40):
        detail = client.get(reverse("council-detail", args=[council.pk]))
    body = detail.content.decode()
    assert body.count('data-testid="sheet-status"') == 6 and 'data-testid="score-sheet"' not in body
    # Another province's Sở does not see it.
    client.force_login(staff(DAKLAK))
    assert client.get(reverse("council-detail", args=[council.pk])).status_code == 404
    link = council.proposal_links.get(proposal=first)
    assert client.get(reverse("council-sheet", args=[link.pk])).status_code == 404
    # The chair opens the sheet, types (the weighted score comes from the server), saves.
    client.force_login(chair)
    sheet_url = reverse("council-sheet", args=[link.pk])
    assert client.get(sheet_url).status_code == 200
    criteria = list(AppraisalCriterion.objects.filter(active=True))
    marks = {f"score_{c.code}": 9 for c in criteria}
    with translation.override("vi"):
        shown = client.post(reverse("council-sheet-score", args=[link.pk]), marks)
    assert shown.content.decode() == "90,00"
    unexplained = client.post(sheet_url, {**marks, "recommendation": "return", "comment": ""})
    assert unexplained.status_code == 400 and "comment" in unexplained.context["form"].errors
    client.post(sheet_url, {**marks, "recommendation": "approve"})
    assert Appraisal.objects.get(council=council, appraiser=chair).weighted_score == 90
    # Before every member has scored, the conclusion button is disabled with its reason.
    body = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert 'data-testid="conclude-reason"' in body
    for user in (secretary, member):
        client.force_login(user)
        client.post(sheet_url, {**marks, "recommendation": "approve"})
    client.force_login(member)  # a plain member does not conclude
    conclude_url = reverse("council-conclude", args=[link.pk])
    conclusion = {f"c{link.pk}-recommendation": "approve", f"c{link.pk}-opinions": ""}
    assert client.post(conclude_url, conclusion).status_code == 403
    client.force_login(secretary)
    client.post(conclude_url, conclusion)
    link.refresh_from_db()
    assert (link.average_score, link.recommendation) == (Decimal("90.00"), "approve")
    # The đề án's page shows the council and its result; the Sở may conclude the stage.
    client.force_login(sct)
    detail = client.get(reverse("proposal-detail", args=[first.pk]))
    assert detail.context["stage_results"][0][1].council == council
    assert 'data-testid="stage-score">90,00' in detail.content.decode()
    assert "appraise" in {t.action for t in detail.context["transitions"]}
    # The council closes once every đề án still waiting has its conclusion.
    client.force_login(chair)
    client.post(reverse("council-close", args=[council.pk]))
    council.refresh_from_db()
    assert council.status == "open"
    transition(second, sct, "return")  # no longer waiting for this appraisal
    client.post(reverse("council-close", args=[council.pk]))
    council.refresh_from_db()
    assert council.status == "concluded" and council.concluded_at is not None
    body = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert 'data-testid="council-minutes"' in body
    response = client.post(
        reverse("report-request"), {"kind": "council_minutes", "council": council.pk}
    )
    job = ReportJob.objects.get(kind="council_minutes")
    assert response.status_code == 302 and job.number.endswith("/BB-SCT")
    assert job.number == AppraisalCouncil.objects.get().minutes_number


def test_the_ministry_sets_up_the_cục_council_for_forwarded_national_proposals(world, client):
    forwarded = advance(make_proposal(SONLA, national=True), S.FORWARDED)
    local = advance(make_proposal(SONLA), S.SUBMITTED)
    client.force_login(ministry())
    page = client.get(reverse("council-create"))
    offered = set(page.context["form"].fields["proposals"].queryset)
    assert forwarded in offered and local not in offered
    council = council_for(forwarded, ministry())
    assert council.stage == "ministry" and council.agency.province is None
    client.force_login(staff(SONLA))  # a Cục council is not the province's to see
    assert client.get(reverse("council-detail", args=[council.pk])).status_code == 404
    listed = client.get(reverse("council-list")).context["object_list"]
    assert council not in listed and listed.count() == 1  # its own, of the grassroots stage
    client.force_login(staff(SONLA, role=Role.CENTRE_STAFF))
    assert client.get(reverse("council-create")).status_code == 403


def test_the_council_list_costs_the_same_whatever_its_length(
    world, client, django_assert_max_num_queries
):
    for _ in range(3):
        appraise(advance(make_proposal(SONLA), S.SUBMITTED), staff(SONLA))
    client.force_login(staff(SONLA))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("council-list"))
    assert len(page.context["object_list"]) == 3
    assert CouncilProposal.objects.count() == 3


@pytest.mark.django_db
def test_the_council_page_costs_the_same_queries_for_two_or_six_proposals(world, client):
    """The separation checks of each row read the drafters of every đề án at once
    (``appraisal.drafters_of``), not one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 6):
        proposals = [advance(make_proposal(SONLA), S.SUBMITTED) for _ in range(n)]
        council = council_for(proposals, staff(SONLA))
        chair, _ = council_seats(staff(SONLA).agency)
        client.force_login(chair)
        url = reverse("council-detail", args=[council.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
