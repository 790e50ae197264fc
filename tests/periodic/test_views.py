"""The pages of periodic reports, through the test client: the whole flow as a Sở user,
errors next to the fields, the Cục's national view and the deadlines, who sees what, the
home page's reports due, and bounded query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from periodic.models import PeriodicReport, ReportingDeadline, ReportVersion
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _start(client, kind="six_month", year=2026):
    response = client.post(reverse("periodic-list"), {"kind": kind, "year": year})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PeriodicReport.objects.latest("pk")


def test_a_sở_user_takes_the_report_from_draft_to_sent(
    world, users, client, media, django_assert_max_num_queries
):
    client.force_login(users["sct-sonla"])
    page = client.get(reverse("periodic-list"))
    assert page.status_code == 200 and 'data-testid="start-form"' in page.content.decode()
    report = _start(client)
    detail = reverse("periodic-detail", args=[report.pk])
    with django_assert_max_num_queries(34):
        page = client.get(detail)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="live-note"' in body
    assert 'data-testid="table-activities"' in body and 'data-testid="step-review"' in body

    version = report.versions.get()
    narrative = reverse("periodic-narrative", args=[version.pk])
    assert "data-richtext" in client.get(narrative).content.decode()
    response = client.post(
        narrative,
        {"assessment": "<p>Đạt <b>kế hoạch</b><script>x</script></p>", "causes": "Một\n\nHai"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.sections["assessment"] == "<p>Đạt <b>kế hoạch</b></p>"
    assert "Đạt <b>kế hoạch</b>" in client.get(detail).content.decode()

    assert client.post(reverse("periodic-review", args=[version.pk])).status_code == 302
    # The signed copy without its file: refused, the error next to the field, nothing lost.
    response = client.post(
        reverse("periodic-sign", args=[version.pk]),
        {"document_number": "35/BC-SCT", "signed_on": "2026-07-10", "signer": "Giám đốc"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_scan"' in body and "is-invalid" in body and 'value="35/BC-SCT"' in body
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.REVIEWED
    response = client.post(
        reverse("periodic-sign", args=[version.pk]),
        {
            "document_number": "35/BC-SCT",
            "confirmed": "1",
            "signed_on": "2026-07-10",
            "signer": "Giám đốc",
            "scan": SimpleUploadedFile("ky.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.SIGNED and version.figures
    scan = client.get(reverse("periodic-scan", args=[version.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF")
    response = client.post(
        reverse("periodic-send", args=[version.pk]), {"sent_on": "2026-07-12", "confirmed": "1"}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.SENT
    assert 'data-testid="frozen-note"' in client.get(detail).content.decode()
    # The narrative page of a sent version says it can no longer be edited.
    assert 'data-testid="not-editable"' in client.get(narrative).content.decode()

    # Its PDF and Word copy: a report job with the signed number.
    response = client.post(reverse("periodic-document", args=[version.pk]))
    job = ReportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/{job.pk}/")
    assert (job.kind, job.number, job.params) == ("periodic", "35/BC-SCT", {"version": version.pk})

    response = client.post(reverse("periodic-reopen", args=[version.pk]), {"reason": ""})
    assert response.status_code == 400  # a reason is needed
    response = client.post(
        reverse("periodic-reopen", args=[version.pk]), {"reason": "Sửa số", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert list(report.versions.values_list("number", "status")) == [(2, "draft"), (1, "sent")]
    old = client.get(detail, {"version": 1}).content.decode()
    assert 'data-testid="frozen-note"' in old and "35/BC-SCT" in old


def test_a_second_start_of_the_same_report_is_refused_next_to_the_form(world, users, client):
    client.force_login(users["sct-sonla"])
    _start(client)
    response = client.post(reverse("periodic-list"), {"kind": "six_month", "year": 2026})
    assert response.status_code == 400
    assert "Báo cáo này đã có" in response.content.decode()
    response = client.post(reverse("periodic-list"), {"kind": "period_summary", "year": ""})
    assert response.status_code == 400 and "Chọn chương trình" in response.content.decode()


def test_who_sees_and_does_what(world, users, client, media):
    client.force_login(users["sct-sonla"])
    report = _start(client)
    version = report.versions.get()
    # The centre writes the text; it does not review.
    client.force_login(users["ttkc-sonla"])
    page = client.get(reverse("periodic-detail", args=[report.pk])).content.decode()
    assert 'data-testid="edit-narrative"' in page and 'data-testid="step-review"' not in page
    assert client.post(reverse("periodic-review", args=[version.pk])).status_code == 403
    version.refresh_from_db()
    assert version.status == ReportVersion.Status.DRAFT
    # Another province sees nothing of it; an inspector has no periodic reports at all.
    client.force_login(users["sct-hanoi"])
    assert client.get(reverse("periodic-detail", args=[report.pk])).status_code == 404
    client.force_login(users["inspector-hanoi"])
    assert client.get(reverse("periodic-list")).status_code == 403
    # The ministry reads it, does not write it; the national view is the ministry's.
    client.force_login(users["ministry"])
    page = client.get(reverse("periodic-detail", args=[report.pk])).content.decode()
    assert 'data-testid="edit-narrative"' not in page and 'data-testid="steps"' not in page
    client.force_login(users["sct-sonla"])
    assert client.get(reverse("periodic-national")).status_code == 403


def test_the_national_view_shows_who_has_sent(
    world, users, client, media, django_assert_max_num_queries
):
    from periodic import services
    from tests.periodic.test_flow import send

    sct = users["sct-sonla"]
    send(
        services.report_start(actor=sct, kind="six_month", province=sct.agency.province, year=2026),
        sct,
    )
    client.force_login(users["ministry"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("periodic-national"), {"year": 2026})
    body = page.content.decode()
    assert page.status_code == 200
    sonla_row = body.split('data-province="14"')[1].split("</tr>")[0]
    assert "10/07/2026" in sonla_row and 'data-testid="late"' not in sonla_row
    hanoi_row = body.split('data-province="1"')[1].split("</tr>")[0]
    assert 'data-testid="late"' in hanoi_row  # due 15/07/2026, not sent by today
    assert "Đã gửi: 1 · chưa gửi: 33" in body


def test_the_ministry_edits_the_deadlines(world, users, client):
    deadline = ReportingDeadline.objects.get(kind="annual", level="province")
    url = reverse("periodic-deadline-edit", args=[deadline.pk])
    client.force_login(users["sct-sonla"])
    page = client.get(reverse("periodic-deadlines")).content.decode()
    assert "ví dụ, chưa đối chiếu văn bản" in page and url not in page
    assert client.get(url).status_code == 403
    client.force_login(users["ministry"])
    assert url in client.get(reverse("periodic-deadlines")).content.decode()
    data = {"day": 31, "month": 2, "year_offset": 1, "basis": "Công văn của Bộ"}
    response = client.post(url, data)
    assert response.status_code == 400 and "Tháng này không có ngày đó" in response.content.decode()
    response = client.post(url, {**data, "day": 20, "month": 1, "verified": "on"})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert (deadline.day, deadline.month, deadline.verified) == (20, 1, True)


def test_the_home_page_lists_the_reports_due(world, users, client, settings):
    client.force_login(users["sct-sonla"])
    body = client.get(reverse("home")).content.decode()
    today = datetime.date.today()
    due = datetime.date(today.year, 7, 15)
    if 0 <= (today - due).days <= 180:
        assert 'data-testid="home-reports-due"' in body and "15/07" in body
