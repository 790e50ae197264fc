"""The public verification page: anyone with the printed code sees the report's record
and may compare a PDF's SHA-256 with it; unknown codes are told plainly; nothing beyond
the metadata is shown; lookups are rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reference.models import Province
from reports import services
from reports.selectors import normalise_code
from tests.reports.test_jobs_factories import compliance_params, done_job_in, use_report_media

pytestmark = pytest.mark.django_db
HANOI = 1


@pytest.fixture
def report_media(settings, tmp_path):
    return use_report_media(settings, tmp_path)


@pytest.fixture
def job(world, report_media):
    return done_job_in(Province.objects.get(code=HANOI))


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    key = f"report-verify:127.0.0.1:{timezone.now():%Y%m%d%H}"
    cache.delete(key)
    yield
    cache.delete(key)


def test_the_page_is_public(client, db):
    response = client.get(reverse("report-verify"))
    assert response.status_code == 200
    assert 'data-testid="verify-form"' in response.content.decode()


def test_a_good_code_shows_the_record(client, job, django_assert_max_num_queries):
    typed = job.verification_code.lower().replace("-", " ")  # as people type it
    with django_assert_max_num_queries(3):
        response = client.post(reverse("report-verify"), {"code": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="verify-record"' in body
    for text in (job.title, job.number, job.sha256, job.requested_by.agency.name):
        assert text in body
    assert job.finished_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in body
    # Metadata only: not who asked, not the file, not a link into the portal.
    assert job.requested_by.get_full_name() not in body
    assert reverse("report-download", args=[job.pk]) not in body
    assert reverse("report-detail", args=[job.pk]) not in body


def test_the_printed_link_opens_the_record(client, job):
    response = client.get(reverse("report-verify"), {"code": job.verification_code})
    assert response.status_code == 200 and job.sha256 in response.content.decode()


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "not a code", "0000-0000-0000"])
def test_an_unknown_code_is_told_plainly(client, job, code):
    response = client.post(reverse("report-verify"), {"code": code})
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="verify-unknown"' in body and job.sha256 not in body


def test_a_report_not_finished_is_unknown(client, world, users):
    pending = services.report_request(
        actor=users["sct-hanoi"],
        kind="compliance",
        params=compliance_params(Province.objects.get(code=HANOI)),
    )
    response = client.post(reverse("report-verify"), {"code": pending.verification_code})
    assert response.status_code == 404
    assert pending.title not in response.content.decode()


def test_the_same_file_matches(client, job):
    upload = SimpleUploadedFile("bao-cao.pdf", job.file.read(), content_type="application/pdf")
    response = client.post(reverse("report-verify"), {"code": job.verification_code, "pdf": upload})
    body = response.content.decode()
    assert 'data-testid="verify-match"' in body and 'data-testid="verify-mismatch"' not in body


def test_a_changed_file_does_not_match(client, job, report_media):
    altered = job.file.read().replace(b"/Producer", b"/Producex", 1) + b"\n%"
    upload = SimpleUploadedFile("bao-cao.pdf", altered, content_type="application/pdf")
    response = client.post(reverse("report-verify"), {"code": job.verification_code, "pdf": upload})
    body = response.content.decode()
    assert 'data-testid="verify-mismatch"' in body and 'data-testid="verify-match"' not in body
    # Nothing of the upload is kept: the report's PDF and its Word copy only.
    assert sorted(p.name for p in report_media.rglob("*") if p.is_file()) == [
        f"{job.verification_code}.docx",
        f"{job.verification_code}.pdf",
    ]


def test_lookups_are_rate_limited(client, job, settings):
    settings.REPORTS_VERIFY_RATE = 3
    for _ in range(3):
        assert client.post(reverse("report-verify"), {"code": "XXXX"}).status_code == 404
    response = client.post(reverse("report-verify"), {"code": job.verification_code})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-testid="verify-rate-limited"' in body and job.sha256 not in body


def test_an_empty_code_is_explained_next_to_the_field(client, db):
    response = client.post(reverse("report-verify"), {"code": ""})
    assert response.status_code == 400
    assert 'id="error_1_id_code"' in response.content.decode()


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("abcd-efgh-jkmn", "ABCD-EFGH-JKMN"),
        (" ABCD EFGH JKMN ", "ABCD-EFGH-JKMN"),
        ("ABCDEFGHJKMN", "ABCD-EFGH-JKMN"),
        ("ABCD-EFGH-JKM0", None),  # 0 is not in the alphabet (read as O)
        ("ABCD-EFGH", None),
    ],
)
def test_codes_are_read_as_people_type_them(typed, expected):
    assert normalise_code(typed) == expected


def test_the_settings_check_refuses_a_sweeper_faster_than_the_time_limit(settings):
    from reports.checks import report_time_limits

    assert report_time_limits(None) == []
    settings.REPORTS_STALE_AFTER = settings.REPORTS_TIME_LIMIT
    assert [e.id for e in report_time_limits(None)] == ["reports.E001"]
    settings.REPORTS_SOFT_TIME_LIMIT = settings.REPORTS_TIME_LIMIT + 1
    assert [e.id for e in report_time_limits(None)] == ["reports.E001", "reports.E002"]
