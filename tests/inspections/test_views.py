"""The inspection pages: who records and who reads, what a refusal says, HTMX sections
that keep the checklist typed on the page, photos served through the scope check, the
cards on the đề án and home pages, and queries that do not grow with the rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from inspections import services
from inspections.models import (
    ChecklistItem,
    Inspection,
    InspectionPhoto,
    Recommendation,
    Result,
)
from projects import timeline
from projects.models import Proposal
from tests.inspections.factories import (
    DAY,
    conclude,
    concluded,
    in_implementation,
    inspector,
    jpeg,
    plain_jpeg,
    plan,
    record_all,
    upload,
)
from tests.projects.factories import make_proposal, tmp_media  # noqa: F401 — fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
DAY_TEXT = DAY.strftime("%d/%m/%Y")


def login(client, username) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def record_post(inspection, action="save", **overrides) -> dict:
    """The record form as the page posts it: every item ``compliant`` with a note."""
    data = {
        "version": inspection.version,
        "inspected_on": DAY_TEXT,
        "place": "Xã Bát Tràng",
        "team": "Phạm Thanh Bình, Thanh tra viên",
        "inspected_party": "Ông Nguyễn Văn B",
        "conclusion": "",
        "conclusion_text": "",
        "number": "",
        "action": action,
        # The conclusion is confirmed (core.confirm; tests/test_confirmations.py asks).
        "confirmed": "1",
    }
    for answer in inspection.answers.all():
        data[f"result_{answer.pk}"] = "compliant"
        data[f"note_{answer.pk}"] = ""
    data.update(overrides)
    return data


# --- Planning -------------------------------------------------------------------------------


def test_the_inspector_plans_from_the_proposal_page(world, client):
    proposal = in_implementation(1)
    login(client, "inspector-hanoi")
    card = client.get(reverse("proposal-inspections", args=[proposal.pk]))
    assert card.status_code == 200
    assert 'data-testid="plan-inspection"' in card.content.decode()
    url = reverse("inspection-plan", args=[proposal.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="periodic"' in body and 'value="appraisal"' not in body
    response = client.post(
        url,
        {
            "kind": "unannounced",
            "planned_on": DAY_TEXT,
            "place": "Xã Bát Tràng",
            "team": "Phạm Thanh Bình\nTrần Thị Lan",
            "contract": proposal.contracts.get().pk,
        },
    )
    inspection = Inspection.objects.get(proposal=proposal)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspection-detail", args=[inspection.pk])
    assert inspection.kind == "unannounced" and inspection.planned_on == DAY
    assert inspection.answers.count() == len(services.checklist_for(proposal.activity))
    assert inspection.created_by.username == "inspector-hanoi"


def test_planning_refusals_are_shown_next_to_the_field(world, client):
    proposal = in_implementation(1)
    login(client, "sct-hanoi")
    url = reverse("inspection-plan", args=[proposal.pk])
    response = client.post(url, {"kind": "periodic", "planned_on": "31/02/2026", "team": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("invalid-feedback") >= 2  # the date and the team
    assert not Inspection.objects.exists()


def test_a_draft_cannot_be_inspected_and_the_page_says_why(world, client):
    proposal = make_proposal(1)
    login(client, "inspector-hanoi")
    page = client.get(reverse("inspection-plan", args=[proposal.pk]))
    assert page.status_code == 200
    assert 'data-testid="not-inspectable"' in page.content.decode()
    card = client.get(reverse("proposal-inspections", args=[proposal.pk]))
    assert 'data-testid="plan-inspection"' not in card.content.decode()


@pytest.mark.parametrize("username", ["ministry", "sct-sonla"])
def test_others_cannot_plan(world, client, username):
    proposal = in_implementation(1)
    login(client, username)
    url = reverse("inspection-plan", args=[proposal.pk])
    expected = 403 if username == "ministry" else 404
    assert client.get(url).status_code == expected
    assert client.post(url, {"kind": "periodic"}).status_code == expected
    assert not Inspection.objects.exists()


# --- The inspection page --------------------------------------------------------------------


def test_the_checklist_is_saved_and_concluded_from_the_page(world, client):
    inspection = plan(in_implementation(1))
    login(client, "inspector-hanoi")
    url = reverse("inspection-detail", args=[inspection.pk])
    page = client.get(url)
    body = page.content.decode()
    assert body.count('data-testid="answer"') == inspection.answers.count()
    assert body.count('type="radio"') >= 3 * inspection.answers.count()
    assert 'form="record-form"' in body
    first = inspection.answers.order_by("order").first()
    data = record_post(inspection, **{f"result_{first.pk}": "partly"})
    data[f"note_{first.pk}"] = "Thiếu 1 hóa đơn"
    response = client.post(url, data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.result, first.note) == ("partly", "Thiếu 1 hóa đơn")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RECORDED and inspection.inspected_on == DAY
    response = client.post(
        url,
        record_post(
            inspection,
            action="conclude",
            conclusion="partly",
            conclusion_text="Cơ bản đúng quy định",
            number="05/BB-SCT",
            **{f"result_{first.pk}": "partly", f"note_{first.pk}": "Thiếu 1 hóa đơn"},
        ),
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CONCLUDED
    assert (inspection.conclusion, inspection.number) == ("partly", "05/BB-SCT")
    assert Proposal.objects.get(pk=inspection.proposal_id).compliance == "remedy_pending"
    body = client.get(url).content.decode()
    assert 'form="record-form"' not in body  # concluded: read only
    assert 'data-testid="conclusion-text"' in body


def test_a_refused_conclusion_keeps_what_was_typed_and_says_why(world, client):
    inspection = plan(in_implementation(1))
    login(client, "inspector-hanoi")
    url = reverse("inspection-detail", args=[inspection.pk])
    answers = list(inspection.answers.order_by("order"))
    data = record_post(
        inspection,
        action="conclude",
        conclusion="compliant",
        conclusion_text="Đạt",
        **{f"result_{answers[0].pk}": "not_compliant", f"note_{answers[0].pk}": "Sai đối tượng"},
    )
    data[f"result_{answers[-1].pk}"] = ""  # one item left unanswered
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="form-errors"' in body
    assert "chưa được đánh giá" in body  # "1 checklist item(s) are not answered yet"
    assert 'data-testid="conclusion-error"' in body
    # What was typed is saved, and the form carries the new version.
    answers[0].refresh_from_db()
    assert answers[0].result == "not_compliant"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.RECORDED
    assert f'name="version" value="{inspection.version}"' in body


def test_a_stale_form_is_refused_with_409(world, client):
    inspection = plan(in_implementation(1))
    login(client, "inspector-hanoi")
    url = reverse("inspection-detail", args=[inspection.pk])
    stale = record_post(inspection)
    record_all(inspection)  # someone else saved meanwhile
    response = client.post(url, stale)
    assert response.status_code == 409
    assert "Người khác đã lưu" in response.content.decode()


def test_the_ministry_reads_the_page_without_forms(world, client):
    inspection = plan(in_implementation(1))
    login(client, "ministry")
    url = reverse("inspection-detail", args=[inspection.pk])
    body = client.get(url).content.decode()
    assert 'data-testid="checklist"' in body
    assert 'form="record-form"' not in body and 'data-testid="form-photo"' not in body
    assert client.post(url, record_post(inspection)).status_code == 403


def test_cancel_from_the_page(world, client):
    inspection = plan(in_implementation(1))
    login(client, "sct-hanoi")
    url = reverse("inspection-cancel", args=[inspection.pk])
    client.post(url, {"reason": ""})
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.PLANNED
    response = client.post(url, {"reason": "Cơ sở tạm dừng sản xuất", "confirmed": "1"})
    assert response.status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.CANCELLED


def test_the_record_request_button_posts_to_the_reports_app(world, client):
    inspection = plan(in_implementation(1))
    login(client, "inspector-hanoi")
    url = reverse("inspection-detail", args=[inspection.pk])
    assert 'data-testid="request-record"' not in client.get(url).content.decode()  # planned
    record_all(inspection)
    body = client.get(url).content.decode()
    assert 'data-testid="request-record"' in body
    form = re.search(r'<form method="post" action="([^"]+)">.{0,200}inspection_record', body, re.S)
    assert form and form.group(1) == reverse("report-request")
    assert f'name="inspection" value="{inspection.pk}"' in body


# --- HTMX sections: photos and recommendations ---------------------------------------------


def test_a_photo_is_added_by_htmx_and_the_section_comes_back(world, client):
    inspection = plan(in_implementation(1))
    login(client, "inspector-hanoi")
    url = reverse("inspection-photo-add", args=[inspection.pk])
    response = client.post(
        url,
        {"image": upload(jpeg(), "IMG_1.jpg"), "caption": "Máy sấy"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="card mb-4" id="photos"')  # the section only
    assert "<html" not in body
    photo = InspectionPhoto.objects.get()
    assert f'data-id="{photo.pk}"' in body and "20/11/2026" in body  # taken at, shown
    assert "21,028472" in body and "105,804806" in body  # the GPS position
    refused = client.post(
        url,
        {"image": upload(b"%PDF-1.4 not a photo", "scan.jpg"), "caption": ""},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400
    assert "không phải là ảnh JPEG hoặc PNG" in refused.content.decode()
    assert InspectionPhoto.objects.count() == 1


def test_without_htmx_the_photo_form_returns_to_the_page(world, client):
    inspection = plan(in_implementation(1))
    login(client, "ttkc-hanoi")
    url = reverse("inspection-photo-add", args=[inspection.pk])
    response = client.post(url, {"image": upload(plain_jpeg(), "a.png")})
    assert response.status_code == 302
    assert response["Location"].endswith("#photos")
    photo = InspectionPhoto.objects.get()
    delete = client.post(
        reverse("inspection-photo-delete", args=[photo.pk]), HTTP_HX_REQUEST="true"
    )
    assert delete.status_code == 200 and not InspectionPhoto.objects.exists()


def test_recommendations_by_htmx_then_followed_up_and_remedied(world, client):
    inspection = record_all(plan(in_implementation(1)))
    login(client, "inspector-hanoi")
    url = reverse("inspection-recommendation-add", args=[inspection.pk])
    refused = client.post(
        url, {"text": "Bổ sung", "deadline": "01/01/2020"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 400
    assert "Thời hạn không được trước ngày kiểm tra" in refused.content.decode()
    response = client.post(
        url,
        {"text": "Bổ sung hóa đơn", "responsible": "Cơ sở", "deadline": DAY_TEXT},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="recommendations"' in response.content.decode()
    rec = Recommendation.objects.get()
    conclude(inspection, Result.COMPLIANT)
    action = reverse("recommendation-action", args=[rec.pk])
    client.post(action, {"action": "follow_up", "note": "Đã nhắc cơ sở"})
    client.post(action, {"action": "remedy", "remedied_on": DAY_TEXT, "note": ""})
    rec.refresh_from_db()
    assert rec.status == "remedied" and "Đã nhắc cơ sở" in rec.follow_up
    assert Proposal.objects.get(pk=inspection.proposal_id).compliance == "compliant"


def test_the_remedy_needs_a_date(world, client):
    inspection = concluded(in_implementation(1), recommendation_deadline=DAY)
    rec = inspection.recommendations.get()
    login(client, "sct-hanoi")
    response = client.post(
        reverse("recommendation-action", args=[rec.pk]), {"action": "remedy", "remedied_on": ""}
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(pk=rec.pk).status == "open"


# --- Photos are served through the scope check ------------------------------------------------


def test_photos_are_served_to_the_scope_only(world, client):
    inspection = plan(in_implementation(1))
    content = jpeg(size=(800, 600))
    photo = services.photo_add(
        inspection=inspection, actor=inspector(1), upload=upload(content, "x.jpg")
    )
    login(client, "ttkc-hanoi")
    url = reverse("inspection-photo", args=[photo.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == content
    assert "private" in response["Cache-Control"]
    thumb = client.get(url + "?size=thumb")
    assert thumb["Content-Type"] == "image/jpeg" and len(thumb.content) < len(content)
    assert photo.image.url.startswith("/media/") and not url.startswith("/media/")
    login(client, "sct-sonla")
    assert client.get(url).status_code == 404
    assert client.get(url + "?size=thumb").status_code == 404
    login(client, "ministry")
    assert client.get(url).status_code == 200


# --- Lists -------------------------------------------------------------------------------------


def test_the_list_filters_and_shows_each_provinces_own(world, client):
    hanoi = in_implementation(1)
    concluded(hanoi, Result.PARTLY, recommendation_deadline=DAY)
    plan(hanoi, kind="unannounced")
    sonla = in_implementation(14)
    plan(sonla)
    login(client, "sct-hanoi")
    body = client.get(reverse("inspection-list")).content.decode()
    assert body.count('data-testid="inspection-row"') == 2
    assert sonla.code not in body
    filtered = client.get(reverse("inspection-list"), {"status": "planned"}).content.decode()
    assert filtered.count('data-testid="inspection-row"') == 1
    overdue = client.get(reverse("inspection-list"), {"overdue": "on"}).content.decode()
    assert overdue.count('data-testid="inspection-row"') == 1
    assert 'data-testid="overdue"' in overdue
    by_conclusion = client.get(reverse("inspection-list"), {"conclusion": "compliant"})
    assert by_conclusion.content.decode().count('data-testid="inspection-row"') == 0
    login(client, "ministry")
    body = client.get(reverse("inspection-list")).content.decode()
    assert body.count('data-testid="inspection-row"') == 3


def test_open_findings_are_ordered_by_deadline_with_overdue_highlighted(world, client):
    proposal = in_implementation(1)
    inspection = record_all(plan(proposal))
    for text in ("Sau", "Trước"):
        services.recommendation_add(
            inspection=inspection,
            actor=inspector(1),
            text=text,
            deadline=DAY if text == "Trước" else DAY.replace(year=2030),
        )
    conclude(inspection, Result.COMPLIANT)
    login(client, "inspector-hanoi")
    url = reverse("inspection-findings")
    body = client.get(url).content.decode()
    assert body.index("Trước") < body.index("Sau")
    assert body.count('data-overdue="1"') == 1
    only = client.get(url, {"overdue": "on"}).content.decode()
    assert only.count('data-testid="finding"') == 1
    # A follow-up noted from the list comes back to it.
    rec = Recommendation.objects.get(text="Trước")
    response = client.post(
        reverse("recommendation-action", args=[rec.pk]),
        {"action": "follow_up", "note": "Đã gọi điện", "next": url + "?overdue=on"},
    )
    assert response["Location"] == url + "?overdue=on"
    assert "Đã gọi điện" in Recommendation.objects.get(pk=rec.pk).follow_up
    off_site = client.post(
        reverse("recommendation-action", args=[rec.pk]),
        {"action": "follow_up", "note": "x", "next": "https://example.com/"},
    )
    assert off_site["Location"].startswith(reverse("inspection-detail", args=[inspection.pk]))
    login(client, "ministry")
    body = client.get(url).content.decode()
    assert 'data-testid="follow-up-' not in body  # reads only


# --- The đề án page, the proposal list and the home page ---------------------------------------


def test_the_proposal_page_list_and_home_show_the_compliance(world, client):
    proposal = in_implementation(1)
    concluded(proposal, Result.COMPLIANT)
    other = in_implementation(1)
    concluded(other, Result.COMPLIANT, recommendation_deadline=DAY)
    login(client, "ttkc-hanoi")
    detail = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="inspections-card"' in detail
    assert 'data-compliance="compliant"' in detail
    assert reverse("proposal-inspections", args=[proposal.pk]) in detail
    listing = client.get(reverse("proposal-list")).content.decode()
    assert (
        'data-compliance="compliant"' in listing and 'data-compliance="remedy_pending"' in listing
    )
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="compliance-card"' in home
    assert re.search(r'data-testid="compliance-compliant">\s*1<', home)
    assert re.search(r'data-testid="compliance-remedy_pending">\s*1<', home)
    assert 'data-testid="overdue-findings"' in home
    # Each count opens the list of those đề án.
    link = re.search(r'href="([^"]+compliance=compliant)"', home).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert listed.count('data-testid="proposal-link"') == 1 and proposal.code in listed
    # The centre's tracking card shows each đề án's compliance too.
    tracking = home[home.index('data-testid="tracking"') :]
    tracking = tracking[: tracking.index("</table>")]
    assert 'data-compliance="compliant"' in tracking
    assert 'data-compliance="remedy_pending"' in tracking
    # The timeline names the inspection actions.
    assert "Kết luận kiểm tra" in detail and "Lập kế hoạch kiểm tra" in detail


def test_the_timeline_labels_follow_the_inspection_choices():
    assert dict(Inspection.Kind.choices) == {
        k: str(v) for k, v in timeline.INSPECTION_KIND_LABELS.items()
    }
    assert dict(Result.choices) == {k: str(v) for k, v in timeline.INSPECTION_RESULT_LABELS.items()}


# --- Queries do not grow with the rows ----------------------------------------------------------


def test_pages_cost_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    proposal = in_implementation(1)
    inspection = plan(proposal)
    login(client, "inspector-hanoi")
    pages = [
        reverse("inspection-list"),
        reverse("inspection-findings"),
        reverse("inspection-detail", args=[inspection.pk]),
        reverse("proposal-inspections", args=[proposal.pk]),
        reverse("inspection-plan", args=[proposal.pk]),
        reverse("home"),
    ]

    def add_rows(n, start):
        for i in range(start, start + n):
            concluded(proposal, Result.COMPLIANT, recommendation_deadline=DAY)
            services.photo_add(
                inspection=inspection,
                actor=inspector(1),
                upload=upload(plain_jpeg((10 * i, 20, 30))),
            )
            services.recommendation_add(
                inspection=inspection, actor=inspector(1), text=f"Bổ sung {i}", deadline=DAY
            )

    def counts():
        found = []
        for url in pages:
            client.get(url)  # warm the session and caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    add_rows(1, 1)
    few = counts()
    add_rows(3, 2)
    assert counts() == few
    for url in pages:
        with django_assert_max_num_queries(25):
            client.get(url)


def test_administrators_adapt_the_checklist_in_the_admin(world, client):
    login(client, "admin")
    response = client.get(reverse("admin:inspections_checklistitem_changelist"))
    assert response.status_code == 200
    assert "dung-doi-tuong" in response.content.decode()
    item = ChecklistItem.objects.get(code="may-moc-hoat-dong")
    change = client.get(reverse("admin:inspections_checklistitem_change", args=[item.pk]))
    assert change.status_code == 200
