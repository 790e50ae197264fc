"""The reports pages: asking for a report (each kind, pre-filled, refused parameters), the
list of past reports, a report's page and its HTMX progress card, the download and the
retry button; queries bounded on every list and detail."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from inspections.models import Inspection
from reference.models import Province
from reports import services
from reports.models import ReportJob
from tests.programs.factories import draft_plan, local_program
from tests.reports.test_jobs_factories import (
    compliance_params,
    done_job_in,
    inspection_in,
    use_report_media,
    viewer,
)

HANOI, SONLA = 1, 14
S = ReportJob.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_media(settings, tmp_path):
    return use_report_media(settings, tmp_path)


def login(client, username) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def hanoi():
    return Province.objects.get(code=HANOI)


def pending_job(user, province=None):
    return services.report_request(
        actor=user, kind="compliance", params=compliance_params(province or hanoi())
    )


# --- Asking for a report ----------------------------------------------------------------------


# The kinds asked for on the request page; a periodic report's copy is asked for from the
# report's own page (periodic.views.DocumentView).
ASKED_HERE = [kind for kind in ReportJob.Kind.values if kind != "periodic"]


def test_the_request_page_offers_every_kind(world, client):
    login(client, "sct-hanoi")
    response = client.get(reverse("report-request"))
    assert response.status_code == 200
    body = response.content.decode()
    for kind in ASKED_HERE:
        assert f'data-kind="{kind}"' in body
    assert 'data-kind="periodic"' not in body
    assert 'data-testid="report-form"' not in body  # a kind is chosen first


@pytest.mark.parametrize("kind", ASKED_HERE)
def test_each_kind_has_its_form(world, client, kind, django_assert_max_num_queries):
    login(client, "ttkc-hanoi")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("report-request"), {"kind": kind})
    assert response.status_code == 200
    assert 'data-testid="report-form"' in response.content.decode()


def test_the_form_is_prefilled_from_the_query_string(world, client):
    login(client, "sct-hanoi")
    response = client.get(
        reverse("report-request"),
        {"kind": "compliance", "date_from": "2026-03-01", "date_to": "31/10/2026", "x": "1"},
    )
    form = response.context["form"]
    assert form.initial["date_from"] == datetime.date(2026, 3, 1)
    assert form.initial["date_to"] == datetime.date(2026, 10, 31)
    assert 'value="01/03/2026"' in response.content.decode()


def test_a_provincial_user_is_offered_only_their_province(world, client):
    login(client, "sct-hanoi")
    sonla = Province.objects.get(code=SONLA)
    draft_plan(sonla)
    local_program(sonla)
    for kind in ("compliance", "disbursement", "program_results"):
        form = client.get(reverse("report-request"), {"kind": kind}).context["form"]
        if "province" in form.fields:
            assert list(form.fields["province"].queryset) == [hanoi()]
        for name in ("plan", "program"):
            if name in form.fields:
                provinces = {o.province_id for o in form.fields[name].queryset}
                assert provinces == {hanoi().pk}, name  # not Sơn La's, not the national ones


def test_posting_the_form_creates_the_job_and_opens_its_page(
    world, client, django_capture_on_commit_callbacks
):
    user = login(client, "sct-hanoi")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("report-request"),
            {
                "kind": "compliance",
                "province": hanoi().pk,
                "date_from": "01/01/2026",
                "date_to": "30/11/2026",
            },
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "report-detail", args=[job.pk]
    )
    assert len(callbacks) == 1  # enqueued after the commit
    assert job.requested_by == user and job.params == {
        "province": hanoi().pk,
        "date_from": "2026-01-01",
        "date_to": "2026-11-30",
    }


def test_the_inspection_page_posts_straight_to_the_request(world, client):
    inspection = inspection_in(HANOI)
    login(client, "inspector-hanoi")
    response = client.post(
        reverse("report-request"), {"kind": "inspection_record", "inspection": inspection.pk}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert job.kind == "inspection_record" and job.params == {"inspection": inspection.pk}
    assert job.number == "01/BB-SCT"


def test_bad_dates_are_explained_next_to_the_field(world, client):
    login(client, "sct-hanoi")
    response = client.post(
        reverse("report-request"),
        {"kind": "compliance", "province": hanoi().pk, "date_from": "01/12/2026", "date_to": "x"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"date_to"}
    assert 'id="error_1_id_date_to"' in response.content.decode()
    response = client.post(
        reverse("report-request"),
        {
            "kind": "compliance",
            "province": hanoi().pk,
            "date_from": "01/12/2026",
            "date_to": "01/11/2026",
        },
    )
    assert response.status_code == 400 and set(response.context["form"].errors) == {"date_to"}
    assert not ReportJob.objects.exists()


def test_the_disbursement_form_wants_a_plan_or_a_period(world, client):
    login(client, "sct-hanoi")
    response = client.post(
        reverse("report-request"), {"kind": "disbursement", "province": hanoi().pk}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"date_from", "date_to"}
    plan = draft_plan(hanoi())
    response = client.post(
        reverse("report-request"), {"kind": "disbursement", "plan": plan.pk, "province": ""}
    )
    assert response.status_code == 302
    assert ReportJob.objects.get().params == {"plan": plan.pk}


def test_another_provinces_parameters_are_refused(world, client):
    login(client, "sct-hanoi")
    sonla = Province.objects.get(code=SONLA)
    foreign = inspection_in(SONLA)
    cases = [
        {"kind": "inspection_record", "inspection": foreign.pk},
        {
            "kind": "compliance",
            "province": sonla.pk,
            "date_from": "01/01/2026",
            "date_to": "31/01/2026",
        },
        {"kind": "compliance", "province": "", "date_from": "01/01/2026", "date_to": "31/01/2026"},
        {"kind": "program_results", "program": local_program(sonla).pk},
        {"kind": "disbursement", "plan": draft_plan(sonla).pk},
    ]
    for data in cases:
        response = client.post(reverse("report-request"), data)
        assert response.status_code == 400, data
    assert not ReportJob.objects.exists()


def test_an_unknown_kind_is_refused(world, client):
    login(client, "sct-hanoi")
    assert client.post(reverse("report-request"), {"kind": "everything"}).status_code == 400


def test_a_viewer_reads_but_does_not_ask(world, client):
    client.force_login(viewer(HANOI))
    assert client.get(reverse("report-list")).status_code == 200
    assert client.get(reverse("report-request")).status_code == 403
    response = client.post(
        reverse("report-request"),
        {
            "kind": "compliance",
            "province": hanoi().pk,
            "date_from": "01/01/2026",
            "date_to": "31/01/2026",
        },
    )
    assert response.status_code == 403


def test_an_inspector_asks_for_records_and_compliance_reports_only(world, client):
    """accounts.policies: inspectors ask for the records of their inspections, the
    compliance report of their province and the minutes of the appraisal councils they sit
    on (projects.workflow.COUNCIL_ACTIONS); the money reports are not theirs. The page offers
    exactly the kinds the service accepts."""
    inspector = login(client, "inspector-hanoi")
    body = client.get(reverse("report-request")).content.decode()
    offered = {kind for kind in ReportJob.Kind.values if f'data-kind="{kind}"' in body}
    assert offered == {"inspection_record", "compliance", "council_minutes"}
    # A money report's form is not opened, and its request is refused by the service.
    page = client.get(reverse("report-request"), {"kind": "disbursement"}).content.decode()
    assert 'data-testid="report-form"' not in page
    for kind in ("disbursement", "program_results"):
        with pytest.raises(PermissionDenied):
            services.report_request(actor=inspector, kind=kind, params={})
        response = client.post(reverse("report-request"), {"kind": kind, "year": 2026})
        assert response.status_code == 403
    assert not ReportJob.objects.exists()
    job = services.report_request(
        actor=inspector, kind="compliance", params=compliance_params(hanoi())
    )
    assert job.requested_by == inspector


# --- List ---------------------------------------------------------------------------------------


def test_the_list_shows_the_provinces_reports_with_who_asked(
    world, users, client, django_assert_max_num_queries
):
    for name in ("sct-hanoi", "ttkc-hanoi", "inspector-hanoi") * 4:
        pending_job(users[name])
    foreign = pending_job(users["sct-sonla"], Province.objects.get(code=SONLA))
    login(client, "ttkc-hanoi")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("report-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="report-link"') == 12
    assert str(users["inspector-hanoi"]) in body and str(users["sct-hanoi"]) in body
    assert reverse("report-detail", args=[foreign.pk]) not in body
    assert str(users["sct-sonla"]) not in body
    # The queries do not grow with the reports shown.
    for _ in range(10):
        pending_job(users["sct-hanoi"])
    with django_assert_max_num_queries(10):
        client.get(reverse("report-list"))


def test_the_list_filters_and_pages(world, users, client, settings):
    jobs = [pending_job(users["sct-hanoi"]) for _ in range(3)]
    mine = pending_job(users["ttkc-hanoi"])
    ReportJob.objects.filter(pk=jobs[0].pk).update(
        status=S.FAILED, finished_at=timezone.now(), error="x"
    )
    login(client, "ttkc-hanoi")
    failed = client.get(reverse("report-list"), {"status": "failed"}).context["page_obj"]
    assert [j.pk for j in failed] == [jobs[0].pk]
    only_mine = client.get(reverse("report-list"), {"mine": "on"}).context["page_obj"]
    assert [j.pk for j in only_mine] == [mine.pk]
    kinds = client.get(reverse("report-list"), {"kind": "program_results"}).context["page_obj"]
    assert list(kinds) == []
    for _ in range(25):
        pending_job(users["sct-hanoi"])
    page2 = client.get(reverse("report-list"), {"page": 2})
    assert len(page2.context["page_obj"]) == 4
    assert client.get(reverse("report-list"), {"page": 99}).status_code == 200


def test_the_navigation_has_a_reports_link(world, client):
    for username in ("ministry", "sct-hanoi", "ttkc-hanoi", "inspector-hanoi"):
        login(client, username)
        body = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("report-list")}"' in body, username


# --- One report: page, progress, download, retry ------------------------------------------------


def test_the_page_of_a_report_in_progress_polls_its_card(
    world, users, client, django_assert_max_num_queries
):
    job = pending_job(users["sct-hanoi"])
    login(client, "inspector-hanoi")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("report-detail", args=[job.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert job.title in body and job.verification_code in body and job.number in body
    progress_url = reverse("report-progress", args=[job.pk])
    assert f'data-hx-get="{progress_url}"' in body and 'data-hx-trigger="every 2s"' in body
    # The worker moves it along; the card (HTMX) follows without reloading the page.
    ReportJob.objects.filter(pk=job.pk).update(
        status=S.RUNNING, progress=45, attempts=1, heartbeat_at=timezone.now()
    )
    with django_assert_max_num_queries(6):
        card = client.get(progress_url, headers={"HX-Request": "true"})
    card_body = card.content.decode()
    assert card.status_code == 200 and "<html" not in card_body
    assert 'data-status="running"' in card_body and "45%" in card_body
    assert 'data-hx-trigger="every 2s"' in card_body
    assert "Báo cáo đang được lập" in card_body


def test_a_finished_report_stops_polling_and_offers_the_download(
    world, client, report_media, django_assert_max_num_queries
):
    job = done_job_in(hanoi())
    login(client, "inspector-hanoi")
    card = client.get(reverse("report-progress", args=[job.pk]), headers={"HX-Request": "true"})
    body = card.content.decode()
    assert 'data-status="done"' in body and "data-hx-trigger" not in body
    # The progress message ends with the work (issue 17): the card says it is ready.
    assert "Báo cáo đang được lập" not in body and "Báo cáo đã lập xong" in body
    assert reverse("report-download", args=[job.pk]) in body and job.sha256 in body
    with django_assert_max_num_queries(6):
        response = client.get(reverse("report-download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == job.sha256
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # The Vietnamese title, with the characters a file name cannot hold replaced.
    assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o" in disposition
    assert "%2F" not in disposition and job.verification_code in disposition


def test_the_list_follows_a_report_in_progress_until_it_ends(world, users, client):
    """The list's row of a report being produced reads itself again (the same page, its own
    row) until the report is done or failed: "running" does not outlive the work."""
    job = pending_job(users["sct-hanoi"])
    login(client, "sct-hanoi")
    url = reverse("report-list")
    row = f'<tr id="report-row-{job.pk}" data-hx-get="{url}" data-hx-select="#report-row-{job.pk}"'
    assert row in client.get(url).content.decode()
    ReportJob.objects.filter(pk=job.pk).update(status=S.RUNNING, progress=45)
    assert row in client.get(url).content.decode()
    ReportJob.objects.filter(pk=job.pk).update(status=S.FAILED, error="x")
    body = client.get(url).content.decode()
    assert f'<tr id="report-row-{job.pk}">' in body and "report-row-polling" not in body


def test_a_report_not_finished_cannot_be_downloaded(world, users, client):
    job = pending_job(users["sct-hanoi"])
    login(client, "sct-hanoi")
    assert client.get(reverse("report-download", args=[job.pk])).status_code == 404


def test_another_provinces_report_is_not_found(world, client, report_media):
    job = done_job_in(Province.objects.get(code=SONLA))
    login(client, "sct-hanoi")
    for name in ("report-detail", "report-progress", "report-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client.post(reverse("report-retry", args=[job.pk])).status_code == 404
    login(client, "ministry")
    assert client.get(reverse("report-download", args=[job.pk])).status_code == 200


def test_a_failed_report_shows_why_and_can_be_started_again(
    world, users, client, django_capture_on_commit_callbacks
):
    job = pending_job(users["sct-hanoi"])
    ReportJob.objects.filter(pk=job.pk).update(
        status=S.FAILED, attempts=4, finished_at=timezone.now(), error="Không lập được báo cáo."
    )
    login(client, "ttkc-hanoi")
    body = client.get(reverse("report-detail", args=[job.pk])).content.decode()
    assert "Không lập được báo cáo." in body and 'data-testid="retry"' in body
    assert "data-hx-trigger" not in body
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("report-retry", args=[job.pk]), follow=True)
    assert response.redirect_chain == [(reverse("report-detail", args=[job.pk]), 302)]
    assert len(callbacks) == 1
    # No message that would outlive the work: the card says the report is being produced.
    assert list(response.context["messages"]) == []
    assert "Báo cáo đang được lập" in response.content.decode()
    job.refresh_from_db()
    assert job.status == S.PENDING and job.attempts == 0 and job.error == ""
    # A second click on a stale page: told, nothing happens.
    response = client.post(reverse("report-retry", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_viewer_sees_no_retry_button(world, users, client):
    job = pending_job(users["sct-hanoi"])
    ReportJob.objects.filter(pk=job.pk).update(status=S.FAILED, finished_at=timezone.now())
    client.force_login(viewer(HANOI))
    body = client.get(reverse("report-detail", args=[job.pk])).content.decode()
    assert 'data-testid="retry"' not in body
    assert client.post(reverse("report-retry", args=[job.pk])).status_code == 403


@pytest.mark.parametrize("status", list(S))
def test_the_retry_button_is_shown_exactly_when_the_service_retries(
    world, users, client, report_media, status
):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction

    if status == S.DONE:
        job = done_job_in(hanoi())
    else:
        job = pending_job(users["sct-hanoi"])
        ReportJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now())
    for user in (
        users["sct-hanoi"],
        users["ttkc-hanoi"],
        users["inspector-hanoi"],
        viewer(HANOI),
        users["ministry"],
        users["sct-sonla"],
    ):
        client.force_login(user)
        response = client.get(reverse("report-detail", args=[job.pk]))
        shown = response.status_code == 200 and 'data-testid="retry"' in response.content.decode()
        sid = transaction.savepoint()
        try:
            services.report_retry(job=ReportJob.objects.get(pk=job.pk), actor=user)
            retried = True
        except (PermissionDenied, ValidationError):
            retried = False
        finally:
            transaction.savepoint_rollback(sid)
        assert shown == retried, (user.username, status)


def test_recent_inspections_are_offered_any_visible_one_is_accepted(world, client, monkeypatch):
    from reports import forms

    monkeypatch.setattr(forms, "INSPECTIONS_OFFERED", 1)
    older, newer = inspection_in(HANOI), inspection_in(HANOI)
    Inspection.objects.filter(pk=older.pk).update(planned_on=datetime.date(2026, 1, 5))
    login(client, "inspector-hanoi")
    form = client.get(reverse("report-request"), {"kind": "inspection_record"}).context["form"]
    offered = [value for value, _label in form.fields["inspection"].choices if value]
    assert [int(str(v)) for v in offered] == [newer.pk]
    response = client.post(
        reverse("report-request"), {"kind": "inspection_record", "inspection": older.pk}
    )
    assert response.status_code == 302


def test_the_admin_shows_jobs_read_only(world, users, client, report_media):
    job = done_job_in(hanoi())
    login(client, "admin")
    assert client.get(reverse("admin:reports_reportjob_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_reportjob_change", args=[job.pk])).status_code == 200
    assert client.get(reverse("admin:reports_reportjob_add")).status_code == 403
