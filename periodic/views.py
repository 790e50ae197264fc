"""Pages of periodic reports: the list and the reports due, a report with its figures,
narrative, versions and history, the narrative editor, the steps of its flow, the Cục's
view of which province has sent what, and the deadlines. Views parse, call a selector or
service, render; who may do what is periodic.workflow's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.policies import PolicyMixin, has_perm, is_national, visible
from core.confirm import confirmation_required
from core.forms import add_service_errors, refusal_message
from core.http import stored_file_response
from programs.models import Program
from reports import services as report_services

from . import forms, rules, selectors, services, workflow
from .models import PeriodicReport, ReportingDeadline, ReportVersion
from .presentation import headings, present


def _programs(user):
    programs = visible(user, Program.objects.all()).order_by("-start_year")
    if is_national(user):
        return programs.filter(province__isnull=True)
    return programs.filter(province_id=user.province_id)


class ReportListView(PolicyMixin, View):
    """The reports of the user's scope, the reports due soon, and the form to start one."""

    permission = "periodic.view"

    def context(self, request, form=None):
        user = request.user
        own = PeriodicReport(province_id=None if is_national(user) else user.province_id)
        may_start = workflow.may_act(user, "edit", own)
        items = [
            (report, selectors.latest(report))
            for report in selectors.reports(user=user).order_by("-year", "kind", "province__code")[
                :200
            ]
        ]
        return {
            "items": items,
            "owed": selectors.owed(user=user),
            "may_start": may_start,
            "form": form or (forms.StartForm(programs=_programs(user)) if may_start else None),
            "national": is_national(user),
        }

    def get(self, request):
        return render(request, "periodic/report_list.html", self.context(request))

    def post(self, request):
        user = request.user
        form = forms.StartForm(request.POST, programs=_programs(user))
        if form.is_valid():
            data = form.cleaned_data
            province = None if is_national(user) else user.agency.province
            try:
                report = services.report_start(
                    actor=user,
                    kind=data["kind"],
                    province=province,
                    year=data["year"],
                    program=data["program"] if data["kind"] == rules.Kind.PERIOD_SUMMARY else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The report was started from what the portal knows."))
                return redirect("periodic-detail", pk=report.pk)
        return render(request, "periodic/report_list.html", self.context(request, form), status=400)


def _report(user, pk) -> PeriodicReport:
    return get_object_or_404(selectors.reports(user=user), pk=pk)


def _version(user, pk) -> ReportVersion:
    return get_object_or_404(
        visible(user, ReportVersion.objects.all()).select_related(
            "report__province", "report__program", "updated_by"
        ),
        pk=pk,
    )


def _detail_page(request, report, number=None, *, status=200, **step_forms):
    """A report's page: a version (the latest unless ``number``), its figures (frozen once
    signed, else computed now), its narrative, steps, versions and history; ``step_forms``
    are the step forms to show again with their errors."""
    versions = list(report.versions.all())
    version = next((v for v in versions if str(v.number) == str(number)), versions[0])
    for v in versions:
        v.report = report
        v._is_latest = v.number == versions[0].number
    if version.is_frozen:
        data = version.figures
        sources = list(version.sources.select_related("report__province"))
    else:
        data, sources = services.live_figures(report)
    context = ReportDetailView.context(
        request, report, version, versions, data, sources, **step_forms
    )
    return render(request, "periodic/report_detail.html", context, status=status)


class ReportDetailView(PolicyMixin, View):
    """A report: a version (the latest unless ?version=N), its figures (frozen once
    signed, else as they are now), its narrative, the steps the user may take, the
    versions and the history."""

    permission = "periodic.view"
    model = PeriodicReport

    def get(self, request, pk):
        return _detail_page(request, _report(request.user, pk), request.GET.get("version"))

    @staticmethod
    def context(request, report, version, versions, data, sources, **forms_):
        user = request.user
        steps = workflow.steps_to_show(user, version)
        actions = {s.action for s in steps}
        sections = [
            (key, heading, version.sections.get(key, "")) for key, heading, _hint in rules.SECTIONS
        ]
        due = services.due_date(
            report.kind, "national" if report.is_national else "province", report.year
        )
        return {
            "report": report,
            "version": version,
            "versions": versions,
            "tables": present(data, report.kind),
            "headings": headings(),
            "sections": sections,
            "sources": sources,
            "consolidated": data.get("consolidated") or [],
            "missing": data.get("missing") or [],
            "steps": steps,
            "waiting_for": workflow.waiting_for(user, version),
            # A sent version has only "reopen" left: the card does not call it a next step.
            "has_next_step": any(s.action != "reopen" for s in steps),
            "may_edit": workflow.may_perform(user, "edit", version),
            "sign_form": forms_.get("sign_form")
            or (forms.SignForm() if "sign" in actions else None),
            "send_form": forms_.get("send_form")
            or (
                forms.SendForm(initial={"sent_on": timezone.localdate()})
                if "send" in actions
                else None
            ),
            "reopen_form": forms_.get("reopen_form")
            or (forms.ReopenForm() if "reopen" in actions else None),
            "events": version.events.select_related("actor"),
            "due": due,
            "title": rules.document_title(
                report.kind, report.year, report.program.start_year if report.program else None
            ),
            "may_document": has_perm(user, "report.request.periodic"),
        }


class NarrativeView(PolicyMixin, View):
    """Edit the narrative of the latest version (draft or reviewed)."""

    permission = "periodic.view"
    model = ReportVersion

    def _form_page(self, request, version, form, status=200):
        return render(
            request,
            "periodic/narrative_form.html",
            {"version": version, "report": version.report, "form": form},
            status=status,
        )

    def get(self, request, pk):
        version = _version(request.user, pk)
        if not workflow.may_perform(request.user, "edit", version):
            return self._form_page(request, version, None)
        form = forms.NarrativeForm(initial={**version.sections, "seen": version.updated_at})
        return self._form_page(request, version, form)

    def post(self, request, pk):
        version = _version(request.user, pk)
        form = forms.NarrativeForm(request.POST)
        if form.is_valid():
            try:
                services.version_update(
                    version=version,
                    actor=request.user,
                    sections=form.cleaned_data,
                    seen_updated_at=form.cleaned_data.get("seen"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The text was saved."))
                return redirect("periodic-detail", pk=version.report_id)
        return self._form_page(request, version, form, status=400)


class VersionStepView(PolicyMixin, View):
    """POST one step of the flow: review, sign (with the signed copy), send, reopen."""

    permission = "periodic.view"
    model = ReportVersion
    http_method_names = ["post"]
    # action -> (its form, or None; its service)
    STEPS = {
        "review": (None, services.version_review),
        "sign": (forms.SignForm, services.version_sign),
        "send": (forms.SendForm, services.version_send),
        "reopen": (forms.ReopenForm, services.version_reopen),
    }
    ACTIONS = tuple(STEPS)
    action = ""

    def post(self, request, pk):
        version = _version(request.user, pk)
        report = version.report
        form_class, service = self.STEPS[self.action]
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is not None and not form.is_valid():
            return self._again(request, report, form)
        step = workflow.BY_ACTION[self.action]
        if workflow.may_perform(request.user, self.action, version):
            asked = confirmation_required(
                request,
                label=step.label,
                consequence=step.consequence,
                back_url=reverse("periodic-detail", args=[report.pk]),
            )
            if asked is not None:
                return asked
        try:
            result = service(
                version=version, actor=request.user, **(form.cleaned_data if form else {})
            )
        except ValidationError as exc:
            if form is None:
                refusal_message(request, exc)
                return redirect("periodic-detail", pk=report.pk)
            add_service_errors(form, exc)
            return self._again(request, report, form)
        messages.success(request, self._done(version, result))
        return redirect("periodic-detail", pk=report.pk)

    def _done(self, version, result) -> str:
        if self.action == "reopen":
            return _("Version %(n)s was started as a draft; version %(old)s is kept.") % {
                "n": result.number,
                "old": version.number,
            }
        return {
            "review": _("The version is marked as reviewed."),
            "sign": _("The signed copy is recorded; the figures are frozen as signed."),
            "send": _("The report is recorded as sent."),
        }[self.action]

    def _again(self, request, report, form):
        """The report page again with the step's form and its errors next to the fields."""
        if form.non_field_errors():  # a reason that names no field: said in the message
            refusal_message(request, ValidationError(list(form.non_field_errors())))
        else:
            messages.error(request, _("The action was not done: see the form below."))
        return _detail_page(
            request, _report(request.user, report.pk), status=400, **{f"{self.action}_form": form}
        )


class ScanView(PolicyMixin, View):
    permission = "periodic.view"
    model = ReportVersion

    def get(self, request, pk):
        version = _version(request.user, pk)
        suffix = version.scan.name.rsplit(".", 1)[-1]
        name = f"{version.document_number or version.pk}.{suffix}".replace("/", "-")
        return stored_file_response(version.scan, name)


class DocumentView(PolicyMixin, View):
    """POST: produce the version's PDF and Word copy (a report job, like every document)."""

    permission = "report.request.periodic"
    model = ReportVersion
    http_method_names = ["post"]

    def post(self, request, pk):
        version = _version(request.user, pk)
        try:
            job = report_services.report_request(
                actor=request.user, kind="periodic", params={"version": version.pk}
            )
        except ValidationError as exc:
            refusal_message(request, exc)
            return redirect("periodic-detail", pk=version.report_id)
        return redirect("report-detail", pk=job.pk)


class NationalView(PolicyMixin, View):
    """The Cục's view: which province has sent which report of the year, when, and late."""

    permission = "periodic.national"

    def get(self, request):
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        year = min(max(year, 2000), 2100)
        context = selectors.national_view(year=year)
        context["years"] = range(timezone.localdate().year, timezone.localdate().year - 6, -1)
        context["national_reports"] = {
            r.kind: (r, selectors.latest(r))
            for r in selectors.reports(user=request.user).filter(province__isnull=True, year=year)
        }
        return render(request, "periodic/national.html", context)


class DeadlineListView(PolicyMixin, View):
    permission = "periodic.view"

    def get(self, request):
        return render(
            request,
            "periodic/deadlines.html",
            {
                "deadlines": ReportingDeadline.objects.select_related("updated_by"),
                "may_edit": has_perm(request.user, "periodic.deadlines"),
            },
        )


class DeadlineEditView(PolicyMixin, View):
    permission = "periodic.deadlines"
    model = ReportingDeadline

    def get(self, request, pk):
        deadline = get_object_or_404(ReportingDeadline, pk=pk)
        form = forms.DeadlineForm(instance=deadline)
        return render(request, "periodic/deadline_form.html", {"form": form, "deadline": deadline})

    def post(self, request, pk):
        deadline = get_object_or_404(ReportingDeadline, pk=pk)
        form = forms.DeadlineForm(request.POST, instance=ReportingDeadline.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.deadline_update(deadline=deadline, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The deadline was saved."))
                return redirect("periodic-deadlines")
        return render(
            request,
            "periodic/deadline_form.html",
            {"form": form, "deadline": deadline},
            status=400,
        )
