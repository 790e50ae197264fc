"""Pages of the register of craft villages. Views parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from accounts.policies import PolicyMixin, has_perm, scope_province_id, visible
from beneficiaries.forms import ImportUploadForm
from beneficiaries.imports import TemplateError
from beneficiaries.models import Beneficiary, Sector
from core.http import xlsx_response
from core.lists import FilteredListMixin
from reference.models import Commune
from villages import imports, selectors, services
from villages.filters import CraftVillageFilterSet
from villages.forms import CraftVillageForm, JoinVillageForm, MemberAddForm, MemberLeaveForm
from villages.models import CraftVillage, VillageImportBatch, VillageMembership


class VillageListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "village.view"
    model = CraftVillage
    template_name = "villages/village_list.html"
    filterset_class = CraftVillageFilterSet

    def get_queryset(self):
        return selectors.village_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = has_perm(self.request.user, "village.manage")
        return context


class VillageDetailView(PolicyMixin, DetailView):
    permission = "village.view"
    model = CraftVillage
    template_name = "villages/village_detail.html"

    def get_queryset(self):
        return selectors.village_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        village = self.object
        can_manage = has_perm(self.request.user, "village.manage", village)
        today = timezone.localdate()
        context.update(
            today=today,
            can_manage=can_manage,
            recognised_today=village.recognised_on(today),
            memberships=selectors.village_memberships(village),
        )
        if can_manage and village.status == CraftVillage.Status.RECOGNISED:
            context["member_form"] = kwargs.get("member_form") or MemberAddForm(
                candidates=selectors.beneficiary_candidates(
                    user=self.request.user, village=village
                ),
                initial={"joined_on": today},
            )
            context["leave_form"] = MemberLeaveForm(initial={"left_on": today})
        return context


class _VillageFormMixin:
    template_name = "villages/village_form.html"
    form_class = CraftVillageForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            village = self.save(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": village.name})
        return redirect(village)


class VillageCreateView(PolicyMixin, _VillageFormMixin, FormView):
    permission = "village.manage"

    @property
    def success_message(self):
        return _("The craft village %(name)s has been registered.")

    def save(self, form):
        return services.village_create(
            actor=self.request.user,
            data=form.service_data(),
            decision_file=form.cleaned_data.get("decision_file"),
        )


class VillageUpdateView(PolicyMixin, _VillageFormMixin, SingleObjectMixin, FormView):
    permission = "village.manage"
    model = CraftVillage

    @property
    def success_message(self):
        return _("The changes to %(name)s have been saved.")

    def get_queryset(self):
        return selectors.village_detail_queryset(user=self.request.user)

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
        return services.village_update(
            village=self.object,
            actor=self.request.user,
            data=form.service_data(),
            decision_file=form.cleaned_data.get("decision_file"),
        )


class MemberAddView(PolicyMixin, View):
    """POST from the village page: an establishment of the province joins the village."""

    permission = "village.manage"
    model = CraftVillage

    def post(self, request, pk):
        village = get_object_or_404(selectors.village_detail_queryset(user=request.user), pk=pk)
        if not has_perm(request.user, "village.manage", village):
            raise PermissionDenied
        form = MemberAddForm(
            request.POST,
            candidates=selectors.beneficiary_candidates(user=request.user, village=village),
        )
        if form.is_valid():
            try:
                membership = services.membership_add(
                    village=village,
                    beneficiary=form.cleaned_data["beneficiary"],
                    joined_on=form.cleaned_data["joined_on"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("%(name)s is now a member of %(village)s.")
                    % {"name": membership.beneficiary.name, "village": village.name},
                )
                return redirect(village)
        view = VillageDetailView()
        view.setup(request, pk=pk)
        view.object = village
        context = view.get_context_data(object=village, member_form=form)
        return render(request, VillageDetailView.template_name, context, status=400)


class MemberLeaveView(PolicyMixin, View):
    """POST from the village page: the last day an establishment belonged to the village."""

    permission = "village.manage"
    model = VillageMembership

    def post(self, request, pk):
        membership = get_object_or_404(
            visible(request.user, VillageMembership.objects.select_related("village")), pk=pk
        )
        form = MemberLeaveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the last day it belonged to the village."))
            return redirect(membership.village)
        try:
            services.membership_end(
                membership=membership, left_on=form.cleaned_data["left_on"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(
                request,
                _("%(name)s left %(village)s on %(date)s.")
                % {
                    "name": membership.beneficiary.name,
                    "village": membership.village.name,
                    "date": form.cleaned_data["left_on"].strftime("%d/%m/%Y"),
                },
            )
        return redirect(membership.village)


class ImportTemplateView(PolicyMixin, View):
    permission = "village.manage"

    def get(self, request):
        province_id = scope_province_id(request.user)
        communes = Commune.objects.order_by("name_folded")
        if province_id is not None:
            communes = communes.filter(province_id=province_id)
        content = imports.template_workbook(
            commune=communes.first(), sectors=list(Sector.objects.all())
        )
        return xlsx_response(content, "mau-nhap-lang-nghe.xlsx")


class ImportUploadView(PolicyMixin, FormView):
    permission = "village.manage"
    form_class = ImportUploadForm
    template_name = "villages/import_upload.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["file"].help_text = _("The portal's template, at most 5 MB and 2,000 rows.")
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = imports.COLUMNS
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
        return redirect("village-import-preview", pk=batch.pk)


class ImportPreviewView(PolicyMixin, SingleObjectMixin, View):
    """The rows as checked at upload: ✓ or the errors, in Vietnamese, by row number."""

    permission = "village.manage"
    model = VillageImportBatch

    def get_queryset(self):
        return selectors.import_batch_queryset(user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = batch = self.get_object()
        rows = list(batch.rows.order_by("number"))
        return render(
            request,
            "villages/import_preview.html",
            {"batch": batch, "object": batch, "rows": rows},
        )


class ImportConfirmView(PolicyMixin, SingleObjectMixin, View):
    """POST only: register the villages of the valid rows."""

    permission = "village.manage"
    model = VillageImportBatch
    http_method_names = ["post"]

    def get_queryset(self):
        return selectors.import_batch_queryset(user=self.request.user)

    def post(self, request, *args, **kwargs):
        batch = self.get_object()
        try:
            batch = services.import_batch_confirm(batch=batch, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("village-import-preview", pk=batch.pk)
        messages.success(
            request,
            _("%(created)s craft villages were registered; %(failed)s rows were refused.")
            % {"created": batch.created_count, "failed": batch.refused_count},
        )
        return redirect("village-import-preview", pk=batch.pk)


class BeneficiaryJoinView(PolicyMixin, SingleObjectMixin, FormView):
    """The establishment's page links here: choose the recognised village of its province
    it belongs to (the register replaces the old free-text field of the registry)."""

    permission = "village.manage"
    model = Beneficiary
    form_class = JoinVillageForm
    template_name = "villages/beneficiary_join.html"

    def get_queryset(self):
        return visible(self.request.user, Beneficiary.objects.select_related("commune", "province"))

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["villages"] = selectors.village_choices(
            user=self.request.user, province_id=self.object.province_id
        )
        kwargs.setdefault("initial", {})["joined_on"] = timezone.localdate()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current"] = selectors.current_membership(self.object)
        return context

    def form_valid(self, form):
        village = form.cleaned_data["village"]
        try:
            services.membership_add(
                village=village,
                beneficiary=self.object,
                joined_on=form.cleaned_data["joined_on"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s is now a member of %(village)s.")
            % {"name": self.object.name, "village": village.name},
        )
        return redirect(self.object)
