"""Pages of the inspections: the list, the open findings, planning an inspection from the
đề án, the inspection page (checklist, photos, recommendations, conclusion), the photos
themselves (served through the scope check, never from a public media URL) and the card
on the đề án's page. Views parse input, call a selector or service and render; the rules
live in inspections.services."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from accounts.policies import PolicyMixin, allows, has_perm, may_act, visible
from core.confirm import confirmation_required
from core.forms import add_service_errors, service_error_messages
from core.http import safe_next
from core.lists import FilteredListMixin
from inspections import forms, photos, selectors, services
from inspections.filters import FindingFilterSet, InspectionFilterSet
from inspections.models import Inspection, InspectionPhoto, Recommendation
from projects.models import Proposal
from projects.selectors import proposal_detail_queryset
from projects.services import ConcurrentEditError

ACTION = services.ACTION


# --- Lists -----------------------------------------------------------------------------------


class InspectionListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "inspection.view"
    model = Inspection
    template_name = "inspections/inspection_list.html"
    filterset_class = InspectionFilterSet

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["open_findings"] = selectors.open_recommendations(user=self.request.user).count()
        return context


class FindingListView(PolicyMixin, FilteredListMixin, ListView):
    """Open findings: recommendations not remedied yet, by deadline, overdue first; the
    staff of the province note the follow-up or the remedy here."""

    permission = "inspection.view"
    model = Recommendation
    template_name = "inspections/finding_list.html"
    filterset_class = FindingFilterSet

    def get_queryset(self):
        return selectors.findings(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        for recommendation in context["page_obj"]:
            recommendation.can_act = may_act(user, ACTION, recommendation)
            recommendation.days_overdue = (today - recommendation.deadline).days
        context["today"] = today
        return context


# --- The card on the đề án's page, and planning ---------------------------------------------


class ProposalInspectionsView(PolicyMixin, View):
    """HTMX: the "Inspections" card of the đề án's detail page."""

    permission = "inspection.view"
    model = Proposal

    def get(self, request, pk):
        proposal = get_object_or_404(visible(request.user, Proposal.objects.all()), pk=pk)
        return render(
            request,
            "inspections/partials/proposal_card.html",
            {
                "proposal": proposal,
                "inspections": selectors.proposal_inspections(proposal),
                "can_plan": may_act(request.user, ACTION, proposal)
                and bool(services.inspectable_kinds(proposal)),
            },
        )


class InspectionPlanView(PolicyMixin, View):
    permission = "inspection.record"
    model = Proposal
    template_name = "inspections/inspection_plan.html"

    def get_proposal(self, pk) -> Proposal:
        proposal = get_object_or_404(proposal_detail_queryset(user=self.request.user), pk=pk)
        if not may_act(self.request.user, ACTION, proposal):
            raise PermissionDenied
        return proposal

    def build_form(self, proposal, data=None):
        user = self.request.user
        contract = proposal.contracts.filter(active=True).first()
        member = ", ".join(p for p in (user.get_full_name(), user.position, str(user.agency)) if p)
        return forms.InspectionPlanForm(
            data,
            proposal=proposal,
            kinds=services.inspectable_kinds(proposal),
            initial={
                "planned_on": timezone.localdate(),
                "team": member,
                "contract": contract,
                "place": ", ".join(c.name for c in proposal.communes.all()),
            },
        )

    def render_page(self, proposal, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "proposal": proposal,
                "object": proposal,
                "form": form,
                "kinds": services.inspectable_kinds(proposal),
            },
            status=status,
        )

    def get(self, request, pk):
        proposal = self.get_proposal(pk)
        return self.render_page(proposal, self.build_form(proposal))

    def post(self, request, pk):
        proposal = self.get_proposal(pk)
        form = self.build_form(proposal, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_plan(
                    proposal=proposal,
                    actor=request.user,
                    kind=data["kind"],
                    planned_on=data["planned_on"],
                    team=data["team"],
                    place=data["place"],
                    contract=data["contract"],
                    tranches=data["tranches"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The inspection was planned. Record the checklist on site on this page."),
                )
                return redirect("inspection-detail", pk=inspection.pk)
        return self.render_page(proposal, form, status=400)


# --- The inspection page ----------------------------------------------------------------------


def _inspection(user, pk) -> Inspection:
    return get_object_or_404(selectors.inspection_detail_queryset(user=user), pk=pk)


def inspection_context(request, inspection: Inspection, **extra) -> dict:
    """Everything the inspection page shows, in a fixed number of queries."""
    user = request.user
    sections = selectors.inspection_sections(inspection)
    # The checks the services run before acting (inspections.services).
    editable = allows(services.inspection_change_check, user, inspection)
    for recommendation in sections["recommendations"]:
        recommendation.inspection = inspection
        recommendation.can_follow_up = allows(
            services.recommendation_follow_up_check, user, recommendation
        )
    record_form = extra.pop("record_form", None)
    if record_form is None and editable:
        record_form = forms.InspectionRecordForm(
            answers=sections["answers"],
            initial=forms.InspectionRecordForm.initial_for(inspection, sections["answers"]),
        )
    answered = sum(1 for a in sections["answers"] if a.result)
    return {
        "inspection": inspection,
        "proposal": inspection.proposal,
        "object": inspection,
        **sections,
        "answered": answered,
        "editable": editable,
        "record_form": record_form,
        "record_rows": record_form.rows() if record_form is not None else [],
        "photo_form": extra.pop("photo_form", None) or (forms.PhotoForm() if editable else None),
        "recommendation_form": extra.pop("recommendation_form", None)
        or (forms.RecommendationForm() if editable else None),
        "report_request_url": reverse("report-request")
        if inspection.status in (Inspection.Status.RECORDED, Inspection.Status.CONCLUDED)
        and has_perm(user, "report.request")
        else None,
        "today": timezone.localdate(),
        "labels": services.STEP_LABELS,
        "waiting_for": services.inspection_waiting(user, inspection) if not editable else "",
        "consequences": services.CONSEQUENCES,
        "max_photo_mb": services.photo_max_bytes() // (1024 * 1024),
        **extra,
    }


class InspectionDetailView(PolicyMixin, View):
    """Biên bản kiểm tra in the making: the checklist, photos, recommendations and the
    conclusion. The province's staff and inspectors record; everybody else reads."""

    permission = "inspection.view"
    model = Inspection
    template_name = "inspections/inspection_detail.html"

    def get(self, request, pk):
        inspection = _inspection(request.user, pk)
        return render(request, self.template_name, inspection_context(request, inspection))

    def post(self, request, pk):
        inspection = _inspection(request.user, pk)
        if not may_act(request.user, ACTION, inspection):
            raise PermissionDenied
        answers = list(inspection.answers.all())
        form = forms.InspectionRecordForm(request.POST, answers=answers)
        action = request.POST.get("action", "save")
        status = 400
        if action == "conclude" and allows(
            services.inspection_change_check, request.user, inspection
        ):
            asked = confirmation_required(
                request,
                label=services.STEP_LABELS["conclude"],
                consequence=services.CONSEQUENCES["conclude"],
                back_url=reverse("inspection-detail", args=[pk]),
            )
            if asked is not None:
                return asked
        if form.is_valid():
            data = form.cleaned_data
            try:
                recorded = services.inspection_record(
                    inspection=inspection,
                    actor=request.user,
                    expected_version=data["version"],
                    answers=form.answer_values(),
                    inspected_on=data["inspected_on"],
                    inspected_party=data["inspected_party"],
                    team=data["team"],
                    place=data["place"],
                )
                if action == "conclude":
                    # What was typed is saved first; a refused conclusion keeps it.
                    form = self._rebound(form, request.POST, answers, recorded.version)
                    services.inspection_conclude(
                        inspection=recorded,
                        actor=request.user,
                        expected_version=recorded.version,
                        conclusion=data["conclusion"],
                        conclusion_text=data["conclusion_text"],
                        number=data["number"],
                    )
            except ConcurrentEditError as exc:
                form.add_error(None, exc.messages)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if action == "conclude":
                    messages.success(request, _("The inspection was concluded."))
                else:
                    messages.success(request, _("The inspection record was saved."))
                return redirect(reverse("inspection-detail", args=[pk]))
        inspection = _inspection(request.user, pk)
        return render(
            request,
            self.template_name,
            inspection_context(request, inspection, record_form=form),
            status=status,
        )

    @staticmethod
    def _rebound(form, data, answers, version):
        fresh = data.copy()
        fresh["version"] = str(version)
        rebound = forms.InspectionRecordForm(fresh, answers=answers)
        rebound.is_valid()
        return rebound


class InspectionCancelView(PolicyMixin, View):
    permission = "inspection.record"
    model = Inspection
    http_method_names = ["post"]

    def post(self, request, pk):
        inspection = _inspection(request.user, pk)
        form = forms.CancelForm(request.POST)
        if form.is_valid() and allows(services.inspection_change_check, request.user, inspection):
            asked = confirmation_required(
                request,
                label=services.STEP_LABELS["cancel"],
                consequence=services.CONSEQUENCES["cancel"],
                back_url=reverse("inspection-detail", args=[pk]),
            )
            if asked is not None:
                return asked
        try:
            if not form.is_valid():
                raise ValidationError(_("Write the reason."))
            services.inspection_cancel(
                inspection=inspection, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, _("The inspection was not cancelled:"))
            for reason in service_error_messages(exc):
                messages.error(request, reason)
        else:
            messages.success(request, _("The inspection was cancelled."))
        return redirect("inspection-detail", pk=pk)


# --- Photos ------------------------------------------------------------------------------------


def _partial_or_redirect(request, inspection, partial, anchor, status=200, **extra):
    """HTMX gets the section again (the checklist typed on the page is kept); a plain
    form post goes back to the page."""
    if request.htmx:
        context = inspection_context(request, _inspection(request.user, inspection.pk), **extra)
        return render(request, partial, context, status=status)
    for form_name in ("photo_form", "recommendation_form"):
        form = extra.get(form_name)
        if form is not None and form.errors:
            for reason in [e for errors in form.errors.values() for e in errors]:
                messages.error(request, reason)
    return redirect(reverse("inspection-detail", args=[inspection.pk]) + f"#{anchor}")


class PhotoAddView(PolicyMixin, View):
    permission = "inspection.record"
    model = Inspection
    http_method_names = ["post"]

    def post(self, request, pk):
        inspection = _inspection(request.user, pk)
        if not may_act(request.user, ACTION, inspection):
            raise PermissionDenied
        form = forms.PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                photo = services.photo_add(
                    inspection=inspection,
                    actor=request.user,
                    upload=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(
                        request, _("The photo “%(name)s” was added.") % {"name": photo}
                    )
                return _partial_or_redirect(
                    request, inspection, "inspections/partials/photos.html", "photos"
                )
        return _partial_or_redirect(
            request,
            inspection,
            "inspections/partials/photos.html",
            "photos",
            status=400,
            photo_form=form,
        )


def _photo(user, pk) -> InspectionPhoto:
    return get_object_or_404(
        visible(user, InspectionPhoto.objects.select_related("inspection__proposal")), pk=pk
    )


class PhotoView(PolicyMixin, View):
    """The photo (or its thumbnail with ?size=thumb), after the scope check."""

    permission = "inspection.view"
    model = InspectionPhoto

    def get(self, request, pk):
        photo = _photo(request.user, pk)
        if request.GET.get("size") == "thumb":
            response = HttpResponse(photos.thumbnail(photo), content_type="image/jpeg")
        else:
            content_type = mimetypes.guess_type(photo.image.name)[0] or "image/jpeg"
            response = FileResponse(
                photo.image.open("rb"),
                content_type=content_type,
                filename=photo.original_name,
            )
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PhotoDeleteView(PolicyMixin, View):
    permission = "inspection.record"
    model = InspectionPhoto
    http_method_names = ["post"]

    def post(self, request, pk):
        photo = _photo(request.user, pk)
        inspection = photo.inspection
        try:
            services.photo_delete(photo=photo, actor=request.user)
        except ValidationError as exc:
            for reason in service_error_messages(exc):
                messages.error(request, reason)
        return _partial_or_redirect(
            request, inspection, "inspections/partials/photos.html", "photos"
        )


# --- Recommendations ---------------------------------------------------------------------------


class RecommendationAddView(PolicyMixin, View):
    permission = "inspection.record"
    model = Inspection
    http_method_names = ["post"]

    def post(self, request, pk):
        inspection = _inspection(request.user, pk)
        if not may_act(request.user, ACTION, inspection):
            raise PermissionDenied
        form = forms.RecommendationForm(request.POST)
        if form.is_valid():
            try:
                services.recommendation_add(
                    inspection=inspection,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    responsible=form.cleaned_data["responsible"],
                    deadline=form.cleaned_data["deadline"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, _("The recommendation was added."))
                return _partial_or_redirect(
                    request,
                    inspection,
                    "inspections/partials/recommendations.html",
                    "recommendations",
                )
        return _partial_or_redirect(
            request,
            inspection,
            "inspections/partials/recommendations.html",
            "recommendations",
            status=400,
            recommendation_form=form,
        )


class RecommendationActionView(PolicyMixin, View):
    """POST: follow up, mark remedied, or withdraw (before the conclusion) a
    recommendation. Comes from the inspection page or the open findings list."""

    permission = "inspection.record"
    model = Recommendation
    http_method_names = ["post"]

    def post(self, request, pk):
        recommendation = get_object_or_404(
            visible(
                request.user,
                Recommendation.objects.select_related("inspection__proposal"),
            ),
            pk=pk,
        )
        if not may_act(request.user, ACTION, recommendation):
            raise PermissionDenied
        form = forms.RecommendationActionForm(request.POST)
        back = reverse("inspection-detail", args=[recommendation.inspection_id])
        back += "#recommendations"
        back = safe_next(request, back)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            data, user = form.cleaned_data, request.user
            if data["action"] == "follow_up":
                services.recommendation_follow_up(
                    recommendation=recommendation, actor=user, note=data["note"]
                )
                done = _("The follow-up was noted.")
            elif data["action"] == "remedy":
                services.recommendation_remedy(
                    recommendation=recommendation,
                    actor=user,
                    remedied_on=data["remedied_on"],
                    note=data["note"],
                )
                done = _("The recommendation is marked as remedied.")
            else:
                services.recommendation_remove(recommendation=recommendation, actor=user)
                done = _("The recommendation was withdrawn.")
        except ValidationError as exc:
            messages.error(request, _("Nothing was recorded:"))
            for reason in service_error_messages(exc):
                messages.error(request, reason)
        else:
            messages.success(request, done)
        return redirect(back)
