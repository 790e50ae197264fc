"""Pages of the import of past records: upload, the dry run's preview, confirmation, and
the template and example workbooks. Views parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.policies import PolicyMixin, has_perm, scope_province_id
from core.confirm import confirmation_required
from core.http import xlsx_response
from history import selectors, services
from history.example import example_rows
from history.forms import HistoryUploadForm
from history.models import HistoryImport
from history.services import KINDS
from history.workbook import SHEETS, template_workbook
from reference.models import Province

# How many problems the page lists; the rest are in the download.
ISSUES_SHOWN = 200
CONFIRM_CONSEQUENCE = gettext_lazy(
    "The đề án of the file, with their establishments, budgets, contracts and payments, are "
    "written to the portal as history, in the states their records show. Nobody is notified."
)

# The kinds of record as the preview names them, in the workbook's order.
KIND_LABELS = {
    "plans": gettext_lazy("Annual plans"),
    "proposals": gettext_lazy("Proposals"),
    "beneficiaries": gettext_lazy("New establishments in the registry"),
    "links": gettext_lazy("Establishments of the proposals"),
    "budget": gettext_lazy("Budget lines"),
    "outputs": gettext_lazy("Outputs"),
    "contracts": gettext_lazy("Contracts"),
    "payments": gettext_lazy("Payments"),
    "acceptances": gettext_lazy("Acceptances"),
    "liquidations": gettext_lazy("Contract liquidations"),
    "settlements": gettext_lazy("Settlements"),
}


def _preview_rows(summary: dict) -> list[dict]:
    if not summary:
        return []
    return [
        {
            "label": KIND_LABELS[kind],
            **{
                what: summary.get(what, {}).get(kind, 0)
                for what in ("created", "changed", "removed", "unchanged")
            },
        }
        for kind in KINDS
    ]


class HistoryListView(PolicyMixin, View):
    permission = "history.view"

    def get(self, request):
        return self.render(request, HistoryUploadForm())

    def render(self, request, form, status=200):
        return render(
            request,
            "history/history_list.html",
            {
                "form": form,
                "can_import": has_perm(request.user, "history.import"),
                "imports": selectors.history_import_list(user=request.user)[:20],
                "sheets": SHEETS,
            },
            status=status,
        )


class HistoryUploadView(HistoryListView):
    permission = "history.import"
    http_method_names = ["post"]

    def post(self, request):
        form = HistoryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.history_upload(actor=request.user, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return redirect(job.get_absolute_url())
        return self.render(request, form, status=400)


class HistoryTemplateView(PolicyMixin, View):
    permission = "history.view"

    def get(self, request):
        content = template_workbook(catalogue=selectors.template_catalogue())
        return xlsx_response(content, "mau-nhap-ho-so-khuyen-cong.xlsx")


class HistoryExampleView(PolicyMixin, View):
    """The template filled with a few đề án of the user's province (or Hà Nội for a
    national user): what a file that imports looks like."""

    permission = "history.view"

    def get(self, request):
        province_id = scope_province_id(request.user)
        province = (
            Province.objects.get(pk=province_id)
            if province_id is not None
            else Province.objects.order_by("code").first()
        )
        content = template_workbook(
            catalogue=selectors.template_catalogue(),
            examples=example_rows(province, proposals=4),
        )
        return xlsx_response(content, f"vi-du-ho-so-khuyen-cong-{province.codename}.xlsx")


def _job(user, pk) -> HistoryImport:
    return get_object_or_404(selectors.history_import_list(user=user), pk=pk)


class HistoryDetailView(PolicyMixin, View):
    permission = "history.view"
    model = HistoryImport

    def get(self, request, pk):
        job = _job(request.user, pk)
        context = {
            "job": job,
            "preview": _preview_rows(job.result or job.preview),
            "issues": selectors.history_issues(job=job, limit=ISSUES_SHOWN),
            "issues_shown": ISSUES_SHOWN,
            "can_confirm": job.status == HistoryImport.Status.READY
            and has_perm(request.user, "history.import"),
            "consequence": CONFIRM_CONSEQUENCE,
        }
        if request.htmx and request.GET.get("poll"):
            return render(request, "history/partials/status.html", context)
        return render(request, "history/history_detail.html", context)


class HistoryConfirmView(PolicyMixin, View):
    permission = "history.import"
    model = HistoryImport
    http_method_names = ["post"]

    def post(self, request, pk):
        job = _job(request.user, pk)
        asked = confirmation_required(
            request,
            label=_("Import"),
            consequence=CONFIRM_CONSEQUENCE,
            back_url=job.get_absolute_url(),
        )
        if asked:
            return asked
        try:
            services.history_confirm(job=job, actor=request.user)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(job.get_absolute_url())


class HistoryIssuesView(PolicyMixin, View):
    """Every problem of the dry run as a workbook: sheet, row, column, problem."""

    permission = "history.view"
    model = HistoryImport

    def get(self, request, pk):
        job = _job(request.user, pk)
        from history.workbook import issues_workbook

        content = issues_workbook(job.issues.order_by("severity", "id").iterator())
        return xlsx_response(content, f"loi-nhap-ho-so-{job.pk}.xlsx")
