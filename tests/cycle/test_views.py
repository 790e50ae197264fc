"""Pages of the annual cycle: what they show, errors in Vietnamese next to the field, the
registration card on the đề án page, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cycle.models import Call, PlanDecision, Registration
from projects.models import Proposal
from tests.cycle.factories import (
    appraised_national,
    draft_decision,
    forwarded_national,
    open_call,
    today,
)
from tests.projects.factories import (
    S,
    advance,
    council_for,
    council_seats,
    make_proposal,
    plan_for,
    score_sheet,
    staff_of,
)


def login(client, users, name):
    client.force_login(users[name])


@pytest.mark.django_db
def test_the_menu_and_home_page_are_there_for_those_who_use_them(world, client, users):
    for name, status in (("sct-sonla", 200), ("ttkc-sonla", 200), ("ministry", 200)):
        login(client, users, name)
        response = client.get(reverse("cycle-home"))
        assert response.status_code == status
        assert reverse("cycle-home") in response.content.decode()
    login(client, users, "inspector-hanoi")
    assert client.get(reverse("cycle-home")).status_code == 403


@pytest.mark.django_db
def test_a_call_form_explains_its_errors_in_vietnamese_next_to_the_field(world, client, users):
    login(client, users, "sct-sonla")
    plan = plan_for(14)
    response = client.post(
        reverse("call-create"),
        {
            "plan": plan.pk,
            "title": "Đăng ký KCĐP",
            "opens_on": "10/06/2026",
            "deadline": "01/06/2026",
            "late_policy": "refuse",
            "dossier_sets": "1",
        },
    )
    assert response.status_code == 400
    assert "Hạn đăng ký không được trước ngày mở đăng ký." in response.content.decode()
    assert not Call.objects.filter(plan=plan).exists()
    # The ministry's plans are not offered to the Sở.
    national = plan_for(14, national=True)
    response = client.post(reverse("call-create"), {"plan": national.pk, "title": "x"})
    assert response.status_code == 400 and not Call.objects.filter(plan=national).exists()


@pytest.mark.django_db
def test_a_national_call_is_created_with_the_default_deadline(world, client, users):
    login(client, users, "ministry")
    plan = plan_for(14, national=True, year=2027)
    response = client.post(
        reverse("call-create"),
        {"plan": plan.pk, "title": "KCQG 2027", "opens_on": "01/03/2026", "late_policy": "flag"},
    )
    call = Call.objects.get(plan=plan)
    assert response.status_code == 302 and call.deadline == datetime.date(2026, 5, 20)
    page = client.get(reverse("call-detail", args=[call.pk])).content.decode()
    assert "20/05/2026" in page and "36/2013/TT-BCT" in page


@pytest.mark.django_db
def test_the_proposal_page_shows_the_deadline_days_left_and_missing_documents(world, client, users):
    call = open_call(plan_for(14), deadline=today() + datetime.timedelta(days=3))
    proposal = make_proposal(14, attach=False)
    login(client, users, "sct-sonla")
    detail = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="action-submit"' not in detail  # in the cycle card
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    assert call.title in card and "còn 3 ngày" in card
    assert "Còn thiếu hồ sơ:" in card
    # Submitting without the call is refused in Vietnamese.
    response = client.post(reverse("proposal-registration", args=[proposal.pk]), follow=True)
    assert "Chọn thông báo đăng ký" in response.content.decode()
    complete = make_proposal(14)
    response = client.post(
        reverse("proposal-registration", args=[complete.pk]),
        {"call": call.pk, "confirmed": "1"},
        follow=True,
    )
    assert Proposal.objects.get(pk=complete.pk).status == S.SUBMITTED
    assert Registration.objects.filter(proposal=complete, call=call).exists()
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_late_registration_is_refused_with_the_reason_in_vietnamese(world, client, users):
    call = open_call(plan_for(14), deadline=today() - datetime.timedelta(days=1))
    proposal = make_proposal(14)
    login(client, users, "sct-sonla")
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    # The card says why, and offers no button that would only lead to the refusal.
    assert "không nhận đăng ký sau hạn" in card and 'data-testid="action-submit"' not in card
    # A POST anyway (an old page) is refused by the service, with the reason.
    response = client.post(
        reverse("proposal-registration", args=[proposal.pk]),
        {"call": call.pk, "confirmed": "1"},
        follow=True,
    )
    assert "không nhận đăng ký sau hạn" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


@pytest.mark.django_db
def test_the_so_adds_to_the_batch_and_sends_it_from_the_pages(world, client, users):
    call = open_call(plan_for(14, national=True))
    proposal = appraised_national(14)
    login(client, users, "sct-sonla")
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    assert 'data-testid="action-batch-add"' in card
    response = client.post(reverse("proposal-batch-add", args=[proposal.pk]))
    batch = proposal.registration_batches.get()
    assert response["Location"] == reverse("batch-detail", args=[batch.pk])
    assert batch.call == call
    response = client.post(
        reverse("batch-detail", args=[batch.pk]), {"do": "send", "confirmed": "1"}
    )
    assert response.status_code == 400
    assert "Ghi số văn bản gửi UBND tỉnh." in response.content.decode()
    response = client.post(
        reverse("batch-detail", args=[batch.pk]),
        {
            "do": "send",
            "confirmed": "1",
            "reference": "12/BC-SCT",
            "ubnd_copy_reference": "12/BC-SCT",
            "ubnd_copy_date": today().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == S.FORWARDED


@pytest.mark.django_db
def test_the_plan_draft_sorts_shows_the_budget_left_and_records_the_decision(
    world, client, users, django_assert_max_num_queries
):
    plan = plan_for(14, national=True)
    proposals = [forwarded_national(14, score=s) for s in (7, 9)]
    decision = draft_decision(plan)
    login(client, users, "ministry")
    url = reverse("decision-detail", args=[decision.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        page = client.get(url + "?sort=score")
    queries = len(few.captured_queries)  # now: the log is a bounded deque
    rows = page.context["rows"]
    assert [r["proposal"].pk for r in rows] == [proposals[1].pk, proposals[0].pk]
    assert page.context["money"]["proposed"] == 0
    for _ in range(3):
        forwarded_national(66)
    client.post(url, {"do": "save", "include": [p.pk for p in proposals]})
    with django_assert_max_num_queries(queries):
        page = client.get(url + "?sort=province")
    assert len(page.context["rows"]) == 5
    money = page.context["money"]
    assert money["proposed"] == 600_000_000
    assert money["remaining"] == money["budget"] - money["committed"] - 600_000_000
    # A decision dated in the future: the error next to the field, in Vietnamese.
    response = client.post(
        url,
        {
            "do": "record",
            "confirmed": "1",
            "include": [p.pk for p in proposals],
            "number": "77/QĐ-BCT",
            "date": (today() + datetime.timedelta(days=1)).strftime("%d/%m/%Y"),
            "signer": "Bộ trưởng",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    response = client.post(
        url,
        {
            "do": "record",
            "confirmed": "1",
            "include": [p.pk for p in proposals],
            "number": "77/QĐ-BCT",
            "date": today().strftime("%d/%m/%Y"),
            "signer": "Bộ trưởng",
        },
    )
    assert response.status_code == 302
    assert PlanDecision.objects.get(pk=decision.pk).status == PlanDecision.Status.RECORDED
    assert all(Proposal.objects.get(pk=p.pk).status == S.APPROVED for p in proposals)


@pytest.mark.django_db
def test_the_home_page_costs_the_same_for_few_or_many_rows(
    world, client, users, django_assert_max_num_queries
):
    open_call(plan_for(14))
    login(client, users, "sct-sonla")
    client.get(reverse("cycle-home"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("cycle-home"))
    queries = len(few.captured_queries)
    for year in (2028, 2029, 2030):
        open_call(plan_for(14, year=year))
        draft_decision(plan_for(14, year=year))
    with django_assert_max_num_queries(queries):
        response = client.get(reverse("cycle-home"))
    assert len(response.context["calls"]) == 4 and len(response.context["decisions"]) == 3


@pytest.mark.django_db
def test_the_call_page_costs_the_same_for_one_or_many_registrations(
    world, client, users, django_assert_max_num_queries
):
    from tests.cycle.factories import registered

    call = open_call(plan_for(14))
    registered(make_proposal(14), call)
    login(client, users, "sct-sonla")
    url = reverse("call-detail", args=[call.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    queries = len(few.captured_queries)
    for _ in range(3):
        registered(make_proposal(14), call)
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert len(response.context["registrations"]) == 4


@pytest.mark.django_db
def test_a_province_reads_the_national_decision_for_its_own_proposals_only(world, client, users):
    plan = plan_for(14, national=True)
    own, foreign = forwarded_national(1), forwarded_national(14)
    decision = draft_decision(plan)
    login(client, users, "sct-hanoi")
    page = client.get(reverse("decision-detail", args=[decision.pk]))
    assert [r["proposal"].pk for r in page.context["rows"]] == [own.pk]
    assert foreign.code not in page.content.decode()


@pytest.mark.django_db
def test_without_a_call_for_its_plan_a_national_proposal_is_forwarded_alone(world, client, users):
    proposal = appraised_national(14)
    login(client, users, "sct-sonla")
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    assert 'data-testid="action-forward"' in card and "action-batch-add" not in card
    open_call(plan_for(14, national=True))
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    assert "action-forward" not in card and 'data-testid="action-batch-add"' in card
    login(client, users, "ttkc-sonla")
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    assert "action-batch-add" not in card


@pytest.mark.django_db
def test_the_home_page_reminds_of_open_calls_and_owed_score_sheets(world, client, users):
    plan = plan_for(14, national=True)
    call = open_call(plan, deadline=datetime.date.today() + datetime.timedelta(days=3))
    proposal = advance(make_proposal(14), S.SUBMITTED)
    council = council_for(proposal, staff_of(14))
    chair, secretary = council_seats(staff_of(14).agency)
    score_sheet(council.proposal_links.get(), chair)
    login(client, users, "sct-sonla")
    page = client.get(reverse("home"))
    calls = page.context["open_calls"]
    assert [c.pk for c in calls] == [call.pk] and calls[0].days_left == 3
    assert "3 ngày" in page.content.decode()
    # The secretary still owes a sheet, with a link to it; the chair, who scored, does not.
    sheet_url = reverse("council-sheet", args=[council.proposal_links.get().pk])
    user_model = get_user_model()
    client.force_login(user_model.objects.get(pk=secretary.pk))
    page = client.get(reverse("home"))
    assert len(page.context["sheets_waiting"]) == 1 and sheet_url in page.content.decode()
    client.force_login(user_model.objects.get(pk=chair.pk))
    page = client.get(reverse("home"))
    assert page.context["sheets_waiting"] == [] and sheet_url not in page.content.decode()


@pytest.mark.django_db
def test_a_left_out_proposal_says_so_at_the_top_of_its_page(world, client, users):
    from cycle import services

    plan = plan_for(14, national=True)
    call = open_call(plan)
    listed, left_out = (forwarded_national(14, call=call) for _ in range(2))
    decision = draft_decision(plan, include=[listed])
    services.decision_record(
        decision=decision, actor=users["ministry"], number="77/QĐ-BCT", date=today(), signer="BT"
    )
    login(client, users, "sct-sonla")
    card = client.get(reverse("proposal-registration", args=[left_out.pk])).content.decode()
    assert 'data-testid="left-out"' in card and "77/QĐ-BCT" in card
    card = client.get(reverse("proposal-registration", args=[listed.pk])).content.decode()
    assert 'data-testid="left-out"' not in card
