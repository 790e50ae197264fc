"""Pages of the PDF reports: the list of past reports, the request form (one per kind),
a report's page with its progress (HTMX polling), the download, retry, and the public
verification page. Views parse input, call a selector or service and render; the rules
live in reports.services."""

from __future__ import annotations

import hashlib
import re

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, ListView

from accounts.policies import PolicyMixin, allows, has_perm, require
from core.forms import add_service_errors
from core.lists import FilteredListMixin
from reports import forms, selectors, services
from reports.documents.common import ReportDataMissing
from reports.documents.docx import CONTENT_TYPE as DOCX_CONTENT_TYPE
from reports.documents.docx import build_docx
from reports.filters import ReportFilterSet
from reports.models import ReportJob, word_copy_path

S = ReportJob.Status


# --- List -----------------------------------------------------------------------------------


class ReportListView(PolicyMixin, FilteredListMixin, ListView):
    """Past reports of the user's scope: who asked, when, their state and download."""

    permission = "report.view"
    model = ReportJob
    template_name = "reports/report_list.html"
    paginate_by = 25
    filterset_class = ReportFilterSet

    def get_queryset(self):
        return selectors.report_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_request"] = has_perm(self.request.user, "report.request")
        return context


# --- Request --------------------------------------------------------------------------------


class ReportRequestView(PolicyMixin, View):
    """GET ``?kind=...`` (and the parameters, to pre-fill); POST creates the job. The
    inspection page posts ``kind=inspection_record&inspection=<pk>`` here directly."""

    permission = "report.request"
    template_name = "reports/report_request.html"

    def render_page(self, kind: str, form=None, status=200):
        # The kinds asked for here (a periodic report's copy is asked for from its page).
        choices = [
            {"kind": value, "label": label, "description": cls.description}
            for value, label in ReportJob.Kind.choices
            if value in forms.REQUEST_FORMS
            and has_perm(self.request.user, services.request_permission(value))
            for cls in [forms.REQUEST_FORMS[value]]
        ]
        return render(
            self.request,
            self.template_name,
            {"kinds": choices, "kind": kind, "form": form},
            status=status,
        )

    def get(self, request):
        kind = request.GET.get("kind", "")
        form_class = forms.REQUEST_FORMS.get(kind)
        if form_class is None or not has_perm(request.user, services.request_permission(kind)):
            return self.render_page("")
        initial = forms.initial_from_query(form_class, request.GET, user=request.user)
        return self.render_page(kind, form_class(user=request.user, initial=initial))

    def post(self, request):
        kind = request.POST.get("kind", "")
        form_class = forms.REQUEST_FORMS.get(kind)
        if form_class is None:
            messages.error(request, _("Choose a kind of report."))
            return self.render_page("", status=400)
        require(request.user, services.request_permission(kind))
        form = form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                job = services.report_request(actor=request.user, kind=kind, params=form.params())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                # What is happening is said on the report's card, which follows the job (a
                # message here would still say "being produced" once it is done).
                return redirect("report-detail", pk=job.pk)
        return self.render_page(kind, form, status=400)


# --- One report -----------------------------------------------------------------------------


def _job_context(request, job: ReportJob) -> dict:
    return {
        "job": job,
        "can_retry": allows(services.report_retry_check, request.user, job),
        "polling": job.status in (S.PENDING, S.RUNNING),
        "now": timezone.now(),
    }


class ReportDetailView(PolicyMixin, DetailView):
    permission = "report.view"
    model = ReportJob
    template_name = "reports/report_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return selectors.report_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_job_context(self.request, self.object))
        return context


class ReportProgressView(PolicyMixin, View):
    """The status card of a report, polled by HTMX every 2 s until it is done or failed
    (the card returned then has no polling trigger, so the polling stops)."""

    permission = "report.view"
    model = ReportJob

    def get(self, request, pk):
        job = get_object_or_404(selectors.report_queryset(user=request.user), pk=pk)
        return render(request, "reports/partials/progress.html", _job_context(request, job))


def download_filename(job: ReportJob, extension: str = "pdf") -> str:
    """The title, readable in Vietnamese, without characters a file name cannot hold."""
    title = re.sub(r'[\\/:*?"<>|\r\n\t]+', "-", job.title).strip(" .-")[:150]
    return f"{title or job.verification_code} ({job.verification_code}).{extension}"


class ReportDownloadView(PolicyMixin, View):
    """The PDF, streamed after the scope check (media is never served directly)."""

    permission = "report.view"
    model = ReportJob

    def get(self, request, pk):
        job = get_object_or_404(selectors.report_queryset(user=request.user), pk=pk)
        if job.status != S.DONE:
            raise Http404(_("This report is not ready."))
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=download_filename(job),
            content_type="application/pdf",
        )


class ReportDocxView(PolicyMixin, View):
    """The editable Word copy of a finished report: the one the worker made with its PDF,
    from the same data (the PDF stays the verified copy). A report produced before Word
    copies were kept gets one built now from the data as they are."""

    permission = "report.view"
    model = ReportJob

    def get(self, request, pk):
        job = get_object_or_404(selectors.report_queryset(user=request.user), pk=pk)
        if job.status != S.DONE:
            raise Http404(_("This report is not ready."))
        storage = job.file.storage
        stored = word_copy_path(job)
        if storage.exists(stored):
            with storage.open(stored, "rb") as handle:
                content = handle.read()
        else:
            try:
                content = build_docx(job)
            except ReportDataMissing as exc:
                raise Http404(str(exc)) from exc
        response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, download_filename(job, "docx")
        )
        return response


class ReportRetryView(PolicyMixin, View):
    """POST: start a failed report again."""

    permission = "report.request"
    model = ReportJob
    http_method_names = ["post"]

    def post(self, request, pk):
        job = get_object_or_404(selectors.report_queryset(user=request.user), pk=pk)
        try:
            services.report_retry(job=job, actor=request.user)
        except ValidationError as exc:
            for reason in exc.messages:
                messages.error(request, reason)
        return redirect("report-detail", pk=pk)


# --- Public verification --------------------------------------------------------------------


def _over_rate(request) -> bool:
    """At most REPORTS_VERIFY_RATE lookups per client address and hour."""
    address = get_client_ip_address(request) or "unknown"
    key = f"report-verify:{address}:{timezone.now():%Y%m%d%H}"
    if cache.add(key, 1, timeout=3600):
        return False
    try:
        return cache.incr(key) > settings.REPORTS_VERIFY_RATE
    except ValueError:  # expired between add and incr
        return False


def _sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@login_not_required
@require_http_methods(["GET", "POST"])
def report_verify(request):
    """Anyone holding a printed code sees the report's metadata and SHA-256, and may
    upload a PDF to compare its SHA-256 (computed here, never stored). Only finished
    reports are found; nothing beyond the metadata is shown."""
    data = request.POST if request.method == "POST" else request.GET
    form = forms.VerifyForm(data or None, request.FILES or None)
    context = {"form": form, "searched": False, "job": None, "upload_sha256": None}
    status = 200
    if form.is_bound:
        if _over_rate(request):
            context["rate_limited"] = True
            return render(request, "reports/report_verify.html", context, status=429)
        if form.is_valid():
            context["searched"] = True
            job = selectors.report_by_code(form.cleaned_data["code"])
            context["job"] = job
            upload = form.cleaned_data.get("pdf")
            if job is None:
                status = 404
            elif upload:
                context["upload_sha256"] = _sha256_of(upload)
                context["upload_matches"] = context["upload_sha256"] == job.sha256
        else:
            status = 400
    return render(request, "reports/report_verify.html", context, status=status)
