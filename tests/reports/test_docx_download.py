"""The Word copy (.docx) of the council minutes and the registration report, read back
like the PDF of the same job, and its download URL: beside the PDF's, scoped like it,
only for a finished report, with a bounded number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from reference.models import Province
from reports import services
from reports.documents import render_report
from reports.documents.docx import CONTENT_TYPE, MOTTO_NATION, build_docx
from reports.models import ReportJob
from tests.cycle.factories import appraised_national, batch_with, open_call
from tests.projects.factories import plan_for, staff, staff_of, tmp_media  # noqa: F401
from tests.reports.documents_support import Rendered
from tests.reports.test_council_minutes import concluded_council
from tests.reports.test_docx import Word, assert_same_document
from tests.reports.test_jobs_factories import done_job_in, use_report_media, word_copies

pytestmark = pytest.mark.django_db


def test_council_minutes_and_registration_word_copies(world, tmp_media):  # noqa: F811
    council, first, second = concluded_council()
    minutes = services.report_request(
        actor=staff(14), kind="council_minutes", params={"council": council.pk}
    )
    call = open_call(plan_for(14, national=True))
    batch = batch_with([appraised_national(14, call=call) for _ in range(2)], call)
    registration = services.report_request(
        actor=staff_of(14), kind="registration", params={"batch": batch.pk}
    )
    for job, landscape in ((minutes, False), (registration, True)):
        pdf = Rendered(job, render_report(job, progress=lambda _p: None), [])
        word = Word(build_docx(job))
        assert_same_document(word, pdf, landscape=landscape)
    word = Word(build_docx(minutes))
    assert "Điểm trung bình 80,00" in word.flat and "THƯ KÝ" in word.closing
    assert first.code in word.flat and second.code in word.flat
    word = Word(build_docx(registration))
    assert "600.000.000" in word.flat and "IV. DANH SÁCH ĐỀ ÁN ĐỀ NGHỊ" in word.flat


# --- The download ------------------------------------------------------------------------------


@pytest.fixture
def report_media(settings, tmp_path):
    return use_report_media(settings, tmp_path)


def test_the_word_copy_is_downloaded_beside_the_pdf(
    world, client, report_media, django_assert_max_num_queries
):
    job = done_job_in(Province.objects.get(code=1))
    client.force_login(User.objects.get(username="inspector-hanoi"))
    url = reverse("report-download-docx", args=[job.pk])
    assert url == f"/reports/{job.pk}/download.docx"
    card = client.get(reverse("report-progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert url in card.content.decode()
    assert url in client.get(reverse("report-list")).content.decode()
    # Session, user, the job (scoped), then the report's own reads: a fixed number.
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and job.verification_code in disposition
    assert disposition.endswith(".docx") and "B%C3%A1o%20c%C3%A1o" in disposition
    word = Word(response.content)
    assert MOTTO_NATION in word.header_text and f"Số: {job.number}" in word.header_text


def test_another_province_gets_404_and_an_unfinished_report_none(world, client, report_media):
    job = done_job_in(Province.objects.get(code=1))
    url = reverse("report-download-docx", args=[job.pk])
    client.force_login(User.objects.get(username="sct-sonla"))
    assert client.get(url).status_code == 404
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING)
    client.force_login(User.objects.get(username="sct-hanoi"))
    assert client.get(url).status_code == 404


def test_the_word_copy_is_the_one_made_with_the_pdf(world, client, report_media):
    """The worker stores the Word copy with the PDF, from the same data: a change made
    afterwards reaches neither (a new report shows it)."""
    from programs.models import Program

    sct = User.objects.get(username="sct-hanoi")
    program = Program.objects.filter(province__code=1).first()
    job = services.report_request(actor=sct, kind="program_results", params={"program": program.pk})
    assert services.report_run(job.pk) == "done"
    job.refresh_from_db()
    [stored] = word_copies(report_media)
    client.force_login(sct)
    url = reverse("report-download-docx", args=[job.pk])
    first = client.get(url).content
    assert first == stored.read_bytes()
    assert program.name.upper() in Word(first).flat.upper()
    Program.objects.filter(pk=program.pk).update(name="Tên đã đổi sau khi lập báo cáo")
    again = client.get(url).content
    assert again == first and "Tên đã đổi" not in Word(again).flat
