"""Pages for programmes, annual plans, legal documents, activities and support caps.
Views parse input, call a service or selector, and render; the rules live in services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.policies import PolicyMixin, allows, has_perm, is_national, may_act, visible
from core.confirm import confirmation_required
from core.forms import add_service_errors, service_error_messages
from core.lists import FilteredListMixin
from programs import forms, selectors, services
from programs.filters import PlanFilterSet
from programs.models import AnnualPlan, LegalDocument, Program, SupportCap
from programs.rules import cap_check

# --- Programmes -------------------------------------------------------------------------


class ProgramListView(PolicyMixin, ListView):
    permission = "program.view"
    model = Program
    template_name = "programs/program_list.html"

    def get_queryset(self):
        return selectors.program_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = self.request.user.is_superuser or (
            has_perm(self.request.user, "program.manage")
        )
        return context


class ProgramDetailView(PolicyMixin, DetailView):
    permission = "program.view"
    model = Program
    template_name = "programs/program_detail.html"

    def get_queryset(self):
        return selectors.program_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["targets"] = self.object.targets.select_related("indicator")
        context["plans"] = visible(self.request.user, self.object.plans.all()).select_related(
            "province"
        )
        context["can_edit"] = may_act(self.request.user, "program.manage", self.object)
        return context


class ProgramFormView(PolicyMixin, View):
    """Create (no pk) or edit a programme."""

    permission = "program.manage"
    model = Program
    template_name = "programs/program_form.html"

    def get_object(self):
        if "pk" not in self.kwargs:
            return Program()
        program = get_object_or_404(
            selectors.program_detail_queryset(user=self.request.user), pk=self.kwargs["pk"]
        )
        if not may_act(self.request.user, "program.manage", program):
            raise PermissionDenied
        return program

    def get(self, request, **kwargs):
        form = forms.ProgramForm(instance=self.get_object(), user=request.user)
        return render(request, self.template_name, {"form": form, "object": form.instance})

    def post(self, request, **kwargs):
        program = self.get_object()
        form = forms.ProgramForm(request.POST, instance=program, user=request.user)
        if form.is_valid():
            try:
                program = services.program_save(
                    actor=request.user, program=form.save(commit=False), targets=form.targets()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The programme was saved."))
                return redirect("program-detail", pk=program.pk)
        return render(request, self.template_name, {"form": form, "object": program})


# --- Annual plans -----------------------------------------------------------------------


class PlanListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "plan.view"
    model = AnnualPlan
    template_name = "programs/plan_list.html"
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = has_perm(self.request.user, "plan.edit")
        return context


class PlanDetailView(PolicyMixin, DetailView):
    permission = "plan.view"
    model = AnnualPlan
    template_name = "programs/plan_detail.html"

    def get_queryset(self):
        return selectors.plan_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        context["table"] = selectors.plan_budget_table(plan)
        context["transitions"] = services.plan_transitions_for(user=user, plan=plan)
        context["waiting_for"] = services.plan_waiting(user, plan)
        # The checks the services run before acting (programs.services).
        context["can_edit"] = allows(services.plan_edit_check, user, plan)
        context["can_amend"] = allows(services.plan_amend_check, user, plan)
        context["events"] = plan.events.select_related("actor")[:50]
        context["amendments"] = plan.amendments.select_related("actor")
        context["decision_form"] = forms.DecisionForm()
        return context


class PlanCreateView(PolicyMixin, View):
    permission = "plan.edit"
    model = AnnualPlan
    template_name = "programs/plan_create.html"

    def programs(self):
        user = self.request.user
        qs = selectors.program_list(user=user)
        return qs.filter(pk__in=[p.pk for p in qs if may_act(user, "plan.edit", p)])

    def get(self, request):
        form = forms.PlanCreateForm(programs=self.programs())
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = forms.PlanCreateForm(request.POST, programs=self.programs())
        if form.is_valid():
            try:
                plan = services.plan_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The plan was created. Now enter its budget."))
                return redirect("plan-edit", pk=plan.pk)
        return render(request, self.template_name, {"form": form})


class _PlanBudgetFormMixin(PolicyMixin):
    """Budget per source + allocation rows, shared by editing a draft and amending: the
    page's forms, and a POST that validates them, calls the view's service and shows its
    refusal on the page."""

    model = AnnualPlan
    success_message = ""

    def get_plan(self):
        return get_object_or_404(
            selectors.plan_detail_queryset(user=self.request.user), pk=self.kwargs["pk"]
        )

    def build_forms(self, plan, data=None):
        sources = selectors.plan_sources(plan)
        activities = selectors.activities_in_force(year=plan.year)
        initial_budget = {"version": plan.version}
        for b in plan.budgets.all():
            initial_budget[f"budget_{b.source}"] = b.amount
        budget_form = forms.BudgetForm(data, sources=sources, initial=initial_budget)
        initial_rows = [
            {"activity": a.activity_id, "source": a.source, "amount": a.amount}
            for a in plan.allocations.order_by("activity__order", "activity__code", "source")
        ]
        formset = forms.AllocationFormSet(
            data,
            prefix="alloc",
            initial=initial_rows,
            form_kwargs={"activities": activities, "sources": sources},
        )
        return budget_form, formset

    def extra_forms(self, data=None):
        """The page's forms beyond the budget, by context name."""
        return {}

    def budget_arguments(self, budget_form, formset):
        """What the services take from the budget forms: the amount per source, the
        allocation rows and the version the page was read at."""
        return {
            "budgets": budget_form.budgets(),
            "allocations": formset.allocations(),
            "expected_version": budget_form.cleaned_data["version"],
        }

    def save(self, plan, budget_form, formset, **extra_forms):
        """Call the view's service (plan_set_budget, plan_amend)."""
        raise NotImplementedError

    def context(self, plan, budget_form, formset, **extra):
        return {
            "plan": plan,
            "object": plan,
            "budget_form": budget_form,
            "formset": formset,
            "sources": selectors.plan_sources(plan),
            **extra,
        }

    def post(self, request, pk):
        plan = self.get_plan()
        budget_form, formset = self.build_forms(plan, request.POST)
        extra = self.extra_forms(request.POST)
        if all([f.is_valid() for f in (budget_form, formset, *extra.values())]):
            try:
                self.save(plan, budget_form, formset, **extra)
            except ValidationError as exc:
                # The refusal shows above the last form of the page (the amendment and its
                # decision when amending, else the budget).
                add_service_errors([budget_form, *extra.values()][-1], exc)
            else:
                messages.success(request, self.success_message)
                return redirect("plan-detail", pk=plan.pk)
        return render(
            request,
            self.template_name,
            self.context(plan, budget_form, formset, **extra),
            status=400,
        )


class PlanBudgetEditView(_PlanBudgetFormMixin, View):
    permission = "plan.edit"
    template_name = "programs/plan_edit.html"
    success_message = _lazy("The budget and allocations were saved.")

    def get(self, request, pk):
        plan = self.get_plan()
        try:
            services.plan_edit_check(request.user, plan)  # PermissionDenied: 403
        except ValidationError as exc:
            for reason in service_error_messages(exc):
                messages.warning(request, reason)
            return redirect("plan-detail", pk=plan.pk)
        budget_form, formset = self.build_forms(plan)
        return render(request, self.template_name, self.context(plan, budget_form, formset))

    def save(self, plan, budget_form, formset):
        services.plan_set_budget(
            plan=plan,
            actor=self.request.user,
            **self.budget_arguments(budget_form, formset),
        )


class PlanAmendView(_PlanBudgetFormMixin, View):
    permission = "plan.approve"
    template_name = "programs/plan_amend.html"
    success_message = _lazy("The amendment was recorded.")

    def extra_forms(self, data=None):
        return {"amend_form": forms.AmendmentForm(data)}

    def get(self, request, pk):
        plan = self.get_plan()
        if not allows(services.plan_amend_check, request.user, plan):
            raise PermissionDenied
        budget_form, formset = self.build_forms(plan)
        return render(
            request,
            self.template_name,
            self.context(plan, budget_form, formset, **self.extra_forms()),
        )

    def save(self, plan, budget_form, formset, amend_form):
        services.plan_amend(
            plan=plan,
            actor=self.request.user,
            **self.budget_arguments(budget_form, formset),
            **amend_form.cleaned_data,
        )


class PlanTransitionView(PolicyMixin, View):
    """POST: submit, return or approve a plan (PLAN_TRANSITIONS decides who may)."""

    permission = "plan.view"
    model = AnnualPlan
    http_method_names = ["post"]

    def post(self, request, pk):
        plan = get_object_or_404(selectors.plan_detail_queryset(user=request.user), pk=pk)
        form = forms.TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The decision date must be written as dd/mm/yyyy."))
            return redirect("plan-detail", pk=plan.pk)
        action = form.cleaned_data["action"]
        transition = next(
            (
                t
                for t in services.plan_transitions_for(user=request.user, plan=plan)
                if t.action == action
            ),
            None,
        )
        if transition is not None:
            asked = confirmation_required(
                request,
                label=transition.label,
                consequence=transition.consequence,
                back_url=reverse("plan-detail", args=[plan.pk]),
            )
            if asked is not None:
                return asked
        try:
            services.plan_transition(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in service_error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Done: the plan is now “%(status)s”.")
                % {"status": AnnualPlan.objects.get(pk=plan.pk).get_status_display()},
            )
        return redirect("plan-detail", pk=plan.pk)


# --- Legal documents, activities, support caps -------------------------------------------


class LegalDocumentListView(PolicyMixin, ListView):
    permission = "legal.view"
    model = LegalDocument
    template_name = "programs/legal_list.html"

    def get_queryset(self):
        return selectors.legal_document_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        from beneficiaries.eligibility import RULES

        context = super().get_context_data(**kwargs)
        context["eligibility_rules"] = RULES  # who is a beneficiary, by date
        return context


class ActivityListView(PolicyMixin, ListView):
    permission = "legal.view"
    template_name = "programs/activity_list.html"

    def get_queryset(self):
        return selectors.activities_in_force()


class CapListView(PolicyMixin, ListView):
    """The rule table, and a calculator that applies it (the same function the đề án
    checks will call)."""

    permission = "legal.view"
    model = SupportCap
    template_name = "programs/cap_list.html"

    def get_queryset(self):
        return selectors.cap_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        calculator = forms.CapCalculatorForm(self.request.GET or None, user=user)
        result = None
        if calculator.is_bound and calculator.is_valid():
            data = calculator.cleaned_data
            province = data.get("province") if is_national(user) else user.province_id
            result = cap_check(
                activity=data["activity"],
                level=data["level"],
                province=province,
                on_date=data["on_date"],
                eligible_cost=data["eligible_cost"],
                requested=data["requested"],
                units=data["units"],
            )
        context.update(
            calculator=calculator,
            result=result,
            can_manage=has_perm(user, "cap.manage"),
        )
        return context


class CapFormView(PolicyMixin, View):
    permission = "cap.manage"
    model = SupportCap
    template_name = "programs/cap_form.html"

    def get_object(self):
        if "pk" not in self.kwargs:
            return SupportCap()
        cap = get_object_or_404(selectors.cap_list(user=self.request.user), pk=self.kwargs["pk"])
        if not may_act(self.request.user, "cap.manage", cap):
            raise PermissionDenied
        return cap

    def get(self, request, **kwargs):
        cap = self.get_object()
        return render(
            request,
            self.template_name,
            {"form": forms.CapForm(instance=cap, user=request.user), "object": cap},
        )

    def post(self, request, **kwargs):
        cap = self.get_object()
        form = forms.CapForm(request.POST, instance=cap, user=request.user)
        if form.is_valid():
            try:
                services.cap_save(actor=request.user, cap=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The support cap was saved."))
                return redirect(reverse("cap-list"))
        return render(request, self.template_name, {"form": form, "object": cap}, status=400)
