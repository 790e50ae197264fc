"""Pages of the registry of cơ sở CNNT. Views parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from accounts.policies import PolicyMixin, has_perm, in_scope, scope_province_id
from beneficiaries import excel, selectors, services
from beneficiaries.eligibility import beneficiary_eligibility
from beneficiaries.filters import BeneficiaryFilterSet
from beneficiaries.forms import BeneficiaryForm, ImportUploadForm
from beneficiaries.imports import COLUMNS, TemplateError
from beneficiaries.models import Beneficiary, ImportBatch
from beneficiaries.rules import DuplicateBeneficiary
from beneficiaries.validators import tax_code_error, tax_code_normalise
from core.http import xlsx_response
from core.lists import FilteredListMixin
from reference.models import Commune


class BeneficiaryListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "beneficiary.view"
    model = Beneficiary
    template_name = "beneficiaries/beneficiary_list.html"
    filterset_class = BeneficiaryFilterSet

    def get_queryset(self):
        return selectors.beneficiary_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = has_perm(self.request.user, "beneficiary.manage")
        return context


class BeneficiaryDetailView(PolicyMixin, DetailView):
    permission = "beneficiary.view"
    model = Beneficiary
    template_name = "beneficiaries/beneficiary_detail.html"

    def get_queryset(self):
        return selectors.beneficiary_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        # The register of craft villages (villages app) through the reverse relation: this
        # app does not import it. A village counts for eligibility when the membership covers
        # the day and the village is recognised on it (VillageMembership.covers,
        # CraftVillage.recognised_on: the rules of villages.selectors).
        memberships = list(
            self.object.village_memberships.select_related("village").order_by("-joined_on")
        )
        village = next(
            (m.village for m in memberships if m.covers(today) and m.village.recognised_on(today)),
            None,
        )
        context["today"] = today
        context["memberships"] = memberships
        context["eligibility"] = beneficiary_eligibility(self.object, today, village=village)
        context["can_manage"] = has_perm(self.request.user, "beneficiary.manage", self.object)
        # The register of craft villages is kept by the province's administrator.
        context["can_record_village"] = has_perm(self.request.user, "village.manage", self.object)
        return context


class _BeneficiaryFormMixin:
    template_name = "beneficiaries/beneficiary_form.html"
    form_class = BeneficiaryForm
    duplicate = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            beneficiary = self.save(form)
        except DuplicateBeneficiary as exc:
            self.duplicate = exc.existing
            form.add_error(None, exc)
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": beneficiary.name})
        return redirect("beneficiary-detail", pk=beneficiary.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.duplicate is not None:
            context["duplicate"] = self.duplicate
            context["duplicate_visible"] = in_scope(self.request.user, self.duplicate)
        return context


class BeneficiaryCreateView(PolicyMixin, _BeneficiaryFormMixin, FormView):
    permission = "beneficiary.manage"

    @property
    def success_message(self):
        return _("%(name)s has been added to the registry.")

    def save(self, form):
        return services.beneficiary_create(actor=self.request.user, data=form.service_data())


class BeneficiaryUpdateView(PolicyMixin, _BeneficiaryFormMixin, SingleObjectMixin, FormView):
    permission = "beneficiary.manage"
    model = Beneficiary

    @property
    def success_message(self):
        return _("The changes to %(name)s have been saved.")

    def get_queryset(self):
        return selectors.beneficiary_detail_queryset(user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def save(self, form):
        return services.beneficiary_update(
            beneficiary=self.object, actor=self.request.user, data=form.service_data()
        )


class TaxCodeCheckView(PolicyMixin, View):
    """HTMX, on leaving the tax code field: is the code valid, and is it registered?"""

    permission = "beneficiary.manage"

    def get(self, request):
        value = request.GET.get("tax_code", "").strip()
        exclude = request.GET.get("exclude", "")
        context = {"value": value}
        if value:
            context["error"] = tax_code_error(value)
            if not context["error"]:
                code = tax_code_normalise(value)
                context["code"] = code
                existing = selectors.beneficiary_find_duplicate(
                    tax_code=code, exclude_pk=int(exclude) if exclude.isdigit() else None
                )
                context["existing"] = existing
                context["existing_visible"] = existing is not None and in_scope(
                    request.user, existing
                )
        return render(request, "beneficiaries/partials/tax_code_check.html", context)


class BeneficiaryExportView(BeneficiaryListView):
    """The list as filtered on screen (same query string, same filterset), as an Excel
    workbook."""

    def get(self, request):
        rows = self.get_filterset().qs
        content = excel.export_workbook(
            rows.iterator(chunk_size=2000),
            full_citizen_id=has_perm(request.user, "beneficiary.manage"),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(content, f"co-so-cnnt-{stamp}.xlsx")


class ImportTemplateView(PolicyMixin, View):
    permission = "beneficiary.manage"

    def get(self, request):
        province_id = scope_province_id(request.user)
        communes = Commune.objects.order_by("name_folded")
        if province_id is not None:
            communes = communes.filter(province_id=province_id)
        content = excel.template_workbook(
            commune=communes.first(), sectors=list(selectors.sector_list())
        )
        return xlsx_response(content, "mau-nhap-co-so-cnnt.xlsx")


class ImportUploadView(PolicyMixin, FormView):
    permission = "beneficiary.manage"
    form_class = ImportUploadForm
    template_name = "beneficiaries/import_upload.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = COLUMNS
        context["recent"] = selectors.import_batch_queryset(user=self.request.user)[:10]
        return context

    def form_valid(self, form):
        try:
            batch = services.import_batch_create(
                actor=self.request.user,
                upload=form.cleaned_data["file"],
                province=form.cleaned_data.get("province"),
            )
        except TemplateError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("beneficiary-import-preview", pk=batch.pk)


class _BatchMixin(PolicyMixin, SingleObjectMixin):
    permission = "beneficiary.manage"
    model = ImportBatch

    def get_queryset(self):
        return selectors.import_batch_queryset(user=self.request.user)


class ImportPreviewView(_BatchMixin, View):
    """The rows as checked at upload (stored, never re-read from the file), a page at a
    time: ✓ or the errors before confirmation; the refused rows afterwards."""

    def get(self, request, *args, **kwargs):
        self.object = batch = self.get_object()
        only_errors = batch.is_confirmed or request.GET.get("only") == "errors"
        page = selectors.import_row_page(
            batch=batch, user=request.user, only_errors=only_errors, page=request.GET.get("page")
        )
        context = {
            "batch": batch,
            "object": batch,
            "page_obj": page,
            "rows": page.object_list,
            "only_errors": only_errors,
        }
        if not batch.is_confirmed and not only_errors and not page.paginator.count:
            context["file_error"] = _(
                "This file was uploaded before the portal kept the checked rows: upload it again."
            )
        return render(request, "beneficiaries/import_preview.html", context)


class ImportConfirmView(_BatchMixin, View):
    """POST only: write the valid rows (services.import_batch_confirm)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.get_object()
        try:
            batch = services.import_batch_confirm(batch=batch, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("beneficiary-import-preview", pk=batch.pk)
        messages.success(
            request,
            _(
                "%(created)s establishments were added to the registry; %(failed)s rows "
                "were refused."
            )
            % {"created": batch.created_count, "failed": batch.refused_count},
        )
        return redirect("beneficiary-import-preview", pk=batch.pk)


class ImportErrorsView(_BatchMixin, View):
    """The refused rows with a "Lỗi" column, to fix and upload again (from the stored
    result: before confirmation the rows found wrong at upload, afterwards every row that
    was not written)."""

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        rows = selectors.import_batch_refused_records(batch=batch)
        return xlsx_response(excel.errors_workbook(rows), f"dong-loi-{batch.pk}.xlsx")
