"""Pages of the annual cycle: calls, the registration card of a đề án, the Sở's
registration batch and the plan decision. Views parse, call a selector or service, render;
who may do what is cycle.workflow's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.policies import PolicyMixin, is_national, visible
from core.confirm import confirmation_required
from core.forms import add_service_errors, refusal_message
from core.http import stored_file_response
from cycle import forms, selectors, services, workflow
from cycle.models import Call, PlanDecision, RegistrationBatch
from programs.models import AnnualPlan
from projects import selectors as proposal_selectors
from projects import workflow as proposal_workflow
from projects.models import Proposal


def _own_plans(user, *, approved=False):
    """The plans whose calls and decisions ``user`` prepares: the national plans for the
    ministry, the province's own plans for the Sở."""
    plans = AnnualPlan.objects.select_related("program", "province").order_by("-year")
    if user.is_superuser:
        pass
    elif is_national(user):
        plans = plans.filter(province__isnull=True)
    else:
        plans = plans.filter(province_id=user.province_id)
    if approved:
        plans = plans.filter(status__in=[AnnualPlan.Status.APPROVED, AnnualPlan.Status.AMENDED])
    return plans


def _error(request, exc: ValidationError) -> None:
    refusal_message(request, exc)


class CycleHomeView(PolicyMixin, View):
    """The year's cycle on one page: calls, batches, plan decisions."""

    permission = "cycle.view"

    def get(self, request):
        user = request.user
        level = "national" if is_national(user) else "local"
        province = None if is_national(user) else user.province_id
        return render(
            request,
            "cycle/home.html",
            {
                "calls": selectors.calls_visible(user=user)[:50],
                "batches": selectors.batches_visible(user=user)[:50],
                "decisions": selectors.decisions_visible(user=user)[:50],
                "can_create_call": workflow.may_act(user, "call", "edit", level, province)
                or workflow.may_act(user, "call", "edit", "national", None),
                "can_create_decision": workflow.may_act(user, "decision", "edit", level, province)
                or workflow.may_act(user, "decision", "edit", "national", None),
                "decision_form": forms.DecisionCreateForm(plans=_own_plans(user, approved=True)),
            },
        )


# --- Calls ------------------------------------------------------------------------------------


class CallCreateView(PolicyMixin, View):
    permission = "cycle.view"

    def form(self, data=None):
        national = is_national(self.request.user)
        return forms.CallCreateForm(data, plans=_own_plans(self.request.user), national=national)

    def get(self, request):
        return render(request, "cycle/call_form.html", {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            plan = data.pop("plan")
            try:
                call = services.call_create(actor=request.user, plan=plan, **data)
            except PermissionDenied:
                form.add_error("plan", _("You do not open calls for this plan."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The call was saved as a draft."))
                return redirect("call-detail", pk=call.pk)
        return render(request, "cycle/call_form.html", {"form": form}, status=400)


class CallDetailView(PolicyMixin, View):
    permission = "cycle.view"
    model = Call

    def get_call(self):
        return get_object_or_404(
            visible(self.request.user, Call.objects.select_related("plan", "province")),
            pk=self.kwargs["pk"],
        )

    def render_page(self, call, form=None, status=200):
        user = self.request.user
        registrations = visible(
            user,
            call.registrations.select_related(
                "proposal__province", "proposal__activity", "registered_by"
            ),
        ).order_by("registered_on", "id")
        can_edit = workflow.may_perform(user, "edit", call)
        return render(
            self.request,
            "cycle/call_detail.html",
            {
                "call": call,
                "registrations": registrations,
                "documents": list(call.required_documents.all()),
                "steps": workflow.steps_to_show(user, call),
                "waiting_for": workflow.waiting_for(user, call),
                "form": form or (forms.CallForm(instance=call) if can_edit else None),
                "days_left": selectors.days_left(call),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(self.get_call())

    def post(self, request, pk):
        call = self.get_call()
        if not workflow.may_perform(request.user, "edit", call):
            raise PermissionDenied
        form = forms.CallForm(request.POST, instance=Call.objects.get(pk=call.pk))
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items()}
            try:
                services.call_update(call=call, actor=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The call was saved."))
                return redirect("call-detail", pk=pk)
        return self.render_page(call, form, status=400)


class CallTransitionView(PolicyMixin, View):
    permission = "cycle.view"
    model = Call
    http_method_names = ["post"]

    def post(self, request, pk):
        call = get_object_or_404(visible(request.user, Call.objects.all()), pk=pk)
        action = request.POST.get("action", "")
        step = workflow.step_for("call", action, call.level)
        if step is not None and workflow.may_perform(request.user, action, call):
            asked = confirmation_required(
                request,
                label=step.label,
                consequence=step.consequence,
                back_url=reverse("call-detail", args=[pk]),
            )
            if asked is not None:
                return asked
        try:
            call = services.call_transition(call=call, actor=request.user, action=action)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(
                request, _("Done: the call is now “%(s)s”.") % {"s": call.get_status_display()}
            )
        return redirect("call-detail", pk=pk)


# --- The registration card of a đề án ------------------------------------------------------


class ProposalRegistrationView(PolicyMixin, View):
    """The đề án page's cycle card (loaded into the page): its registration or the open
    calls it may be registered against, their deadline, the days left and the documents
    missing; the submit button (with the call) and, for an appraised national đề án,
    "add to the registration batch". POST: submit with the chosen call."""

    permission = "proposal.view"
    model = Proposal

    def get_proposal(self):
        return get_object_or_404(
            proposal_selectors.proposal_detail_queryset(user=self.request.user),
            pk=self.kwargs["pk"],
        )

    def context(self, proposal, form=None):
        user = self.request.user
        registration = proposal.registration if hasattr(proposal, "registration") else None
        calls = [] if registration else selectors.open_calls_for(proposal)
        today = timezone.localdate()
        may_submit = proposal_workflow.may_perform(
            user, proposal_workflow.ACTIONS["submit"], proposal
        )
        batch = (
            proposal.registration_batches.filter(status=RegistrationBatch.Status.DRAFT).first()
            if proposal.level == "national"
            else None
        )
        appraised_national = (
            proposal.level == "national" and proposal.status == Proposal.Status.APPRAISED
        )
        has_call = appraised_national and Call.objects.filter(plan_id=proposal.plan_id).exists()
        may_batch = (
            has_call
            and batch is None
            and workflow.may_act(user, "batch", "edit", "national", proposal.province_id)
        )
        # No call feeds the plan (a plan of before the cycle): forwarded one by one.
        may_forward = (
            appraised_national
            and not has_call
            and proposal_workflow.may_perform(user, proposal_workflow.ACTIONS["forward"], proposal)
        )
        call_rows = [
            {
                "call": c,
                "days_left": selectors.days_left(c, today),
                "missing": selectors.missing_documents(proposal, c),
                "refused": selectors.late_refusal(c, today),
            }
            for c in calls
        ]
        # The calls still taking registrations: the only ones the form offers; when every
        # open call refuses late ones, the card says why instead of a button that would
        # only lead to the refusal.
        accepting = [row["call"] for row in call_rows if not row["refused"]]
        closed_to_all = bool(call_rows) and not accepting
        if form is None:
            initial = {"call": accepting[0].pk} if len(accepting) == 1 else {}
            form = forms.RegistrationForm(calls=accepting, initial=initial)
        return {
            "proposal": proposal,
            "registration": registration,
            "call_rows": call_rows,
            "may_submit": may_submit and not closed_to_all,
            "closed_to_all": may_submit and closed_to_all,
            "left_out_of": selectors.left_out_of(proposal),
            "form": form,
            "batch": batch,
            "may_batch": may_batch,
            "may_forward": may_forward,
            "submit": proposal_workflow.ACTIONS["submit"],
            "forward": proposal_workflow.ACTIONS["forward"],
        }

    def get(self, request, pk):
        proposal = self.get_proposal()
        return render(request, "cycle/partials/registration.html", self.context(proposal))

    def post(self, request, pk):
        proposal = self.get_proposal()
        calls = selectors.open_calls_for(proposal)
        form = forms.RegistrationForm(request.POST, calls=calls)
        if form.is_valid():
            submit = proposal_workflow.ACTIONS["submit"]
            # Asked once the call is chosen (the service refuses a submission without it).
            chosen = form.cleaned_data["call"] is not None or not calls
            if chosen and proposal_workflow.may_perform(request.user, submit, proposal):
                asked = confirmation_required(
                    request,
                    label=submit.label,
                    consequence=submit.consequence,
                    back_url=reverse("proposal-detail", args=[pk]),
                )
                if asked is not None:
                    return asked
            try:
                proposal = services.registration_submit(
                    proposal=proposal, actor=request.user, call=form.cleaned_data["call"]
                )
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(
                    request,
                    _("Done: the proposal is now “%(status)s”.")
                    % {"status": proposal.get_status_display()},
                )
        else:
            messages.error(request, _("Choose the call this proposal answers."))
        return redirect("proposal-detail", pk=pk)


class ProposalBatchAddView(PolicyMixin, View):
    permission = "proposal.view"
    model = Proposal
    http_method_names = ["post"]

    def post(self, request, pk):
        proposal = get_object_or_404(
            proposal_selectors.proposal_detail_queryset(user=request.user), pk=pk
        )
        try:
            batch = services.batch_add(proposal=proposal, actor=request.user)
        except ValidationError as exc:
            _error(request, exc)
            return redirect("proposal-detail", pk=pk)
        messages.success(request, _("The proposal was added to the registration batch."))
        return redirect("batch-detail", pk=batch.pk)


# --- Registration batch -------------------------------------------------------------------


def _batch_queryset(user):
    return visible(user, RegistrationBatch.objects.select_related("call__plan", "province"))


class BatchDetailView(PolicyMixin, View):
    permission = "cycle.view"
    model = RegistrationBatch

    def render_page(self, batch, form=None, status=200):
        user = self.request.user
        items = batch.items.select_related(
            "proposal__activity", "proposal__implementing_agency"
        ).order_by("-score", "proposal__sequence")
        can_edit = workflow.may_perform(user, "edit", batch)
        return render(
            self.request,
            "cycle/batch_detail.html",
            {
                "batch": batch,
                "items": items,
                "candidates": selectors.batch_candidates(batch).select_related("activity")
                if can_edit
                else [],
                "can_edit": can_edit,
                "can_send": workflow.may_perform(user, "send", batch),
                "send_step": workflow.step_for("batch", "send", "national"),
                "waiting_for": workflow.waiting_for(user, batch),
                "form": form or (forms.BatchForm(instance=batch) if can_edit else None),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(get_object_or_404(_batch_queryset(request.user), pk=pk))

    def post(self, request, pk):
        batch = get_object_or_404(_batch_queryset(request.user), pk=pk)
        if not workflow.may_perform(request.user, "edit", batch):
            raise PermissionDenied
        form = forms.BatchForm(request.POST, instance=RegistrationBatch.objects.get(pk=pk))
        if not form.is_valid():
            return self.render_page(batch, form, status=400)
        action = request.POST.get("do", "save")
        if action == "send" and workflow.may_perform(request.user, "send", batch):
            step = workflow.step_for("batch", "send", "national")
            asked = confirmation_required(
                request,
                label=step.label,
                consequence=step.consequence,
                back_url=reverse("batch-detail", args=[pk]),
            )
            if asked is not None:
                return asked
        try:
            if action == "send":
                services.batch_send(batch=batch, actor=request.user, **form.cleaned_data)
            else:
                services.batch_update(batch=batch, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_page(batch, form, status=400)
        if action == "send":
            messages.success(request, _("The batch was sent: its proposals are forwarded."))
        else:
            messages.success(request, _("The registration report was saved."))
        return redirect("batch-detail", pk=pk)


class BatchItemsView(PolicyMixin, View):
    """POST: add (``add``) or remove (``remove``) a đề án of the batch."""

    permission = "cycle.view"
    model = RegistrationBatch
    http_method_names = ["post"]

    def post(self, request, pk):
        batch = get_object_or_404(_batch_queryset(request.user), pk=pk)
        if not workflow.may_perform(request.user, "edit", batch):
            raise PermissionDenied
        ids = [int(x) for x in request.POST.getlist("proposal") if x.isdigit()]
        proposals = Proposal.objects.filter(pk__in=ids, province_id=batch.province_id)
        try:
            for proposal in proposals:
                if request.POST.get("do") == "remove":
                    services.batch_remove(batch=batch, proposal=proposal, actor=request.user)
                else:
                    services.batch_add(proposal=proposal, actor=request.user)
        except ValidationError as exc:
            _error(request, exc)
        return redirect("batch-detail", pk=pk)


# --- Plan decision --------------------------------------------------------------------------


def _decision_queryset(user):
    return visible(user, PlanDecision.objects.select_related("plan__province", "plan__program"))


SORTS = ("score", "province", "activity", "amount")


class DecisionCreateView(PolicyMixin, View):
    permission = "cycle.view"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.DecisionCreateForm(request.POST, plans=_own_plans(request.user, approved=True))
        if not form.is_valid():
            messages.error(request, _("Choose an approved plan of yours."))
            return redirect("cycle-home")
        try:
            decision = services.decision_create(
                plan=form.cleaned_data["plan"], actor=request.user, kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            _error(request, exc)
            return redirect("cycle-home")
        return redirect("decision-detail", pk=decision.pk)


class DecisionDetailView(PolicyMixin, View):
    """The plan draft: the candidate đề án sortable by score, province, activity and amount,
    with the plan's budget remaining as the list is filled; the decision's record form."""

    permission = "cycle.view"
    model = PlanDecision

    def render_page(self, decision, form=None, status=200):
        user = self.request.user
        source = services.plan_source(decision.plan)
        sort = self.request.GET.get("sort", "score")
        items = decision.items.select_related(
            "proposal__province", "proposal__activity", "proposal__implementing_agency"
        )
        if not is_national(user):
            # A province reads the national decision for its own đề án only.
            items = items.filter(proposal__province_id=user.province_id)
        items = list(items)
        scores = selectors.decision_scores(decision.plan, [i.proposal_id for i in items])
        rows = []
        for item in items:
            rows.append(
                {
                    "item": item,
                    "proposal": item.proposal,
                    "score": scores.get(item.proposal_id),
                    "amount": getattr(item, f"approved_{source}"),
                    "province_code": item.proposal.province.code if item.proposal.province else 0,
                    "activity_code": item.proposal.activity.code,
                }
            )
        key = {
            "score": lambda r: -(r["score"] or 0),
            "province": lambda r: r["province_code"],
            "activity": lambda r: r["activity_code"],
            "amount": lambda r: -r["amount"],
        }.get(sort, lambda r: -(r["score"] or 0))
        rows.sort(key=lambda r: (key(r), r["proposal"].pk))
        proposed = sum(r["amount"] for r in rows if r["item"].included)
        can_edit = workflow.may_perform(user, "edit", decision)
        return render(
            self.request,
            "cycle/decision_detail.html",
            {
                "decision": decision,
                "rows": rows,
                "sort": sort,
                "sorts": SORTS,
                "source": source,
                "money": selectors.plan_remaining(decision.plan, source, proposed=proposed)
                if decision.status == PlanDecision.Status.DRAFT
                else selectors.plan_remaining(decision.plan, source),
                "can_edit": can_edit,
                "can_record": workflow.may_perform(user, "record", decision),
                "record_step": workflow.step_for("decision", "record", decision.level),
                "waiting_for": workflow.waiting_for(user, decision),
                "form": form or forms.DecisionForm(instance=decision),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(get_object_or_404(_decision_queryset(request.user), pk=pk))

    def post(self, request, pk):
        """Save the list (``do=save``) or record the decision (``do=record``)."""
        decision = get_object_or_404(_decision_queryset(request.user), pk=pk)
        if not workflow.may_perform(request.user, "edit", decision):
            raise PermissionDenied
        ids = [int(x) for x in request.POST.getlist("include") if x.isdigit()]
        services.decision_set_included(decision=decision, actor=request.user, included_ids=ids)
        if request.POST.get("do") != "record":
            messages.success(request, _("The list was saved."))
            return redirect(f"{request.path}?sort={request.GET.get('sort', 'score')}")
        form = forms.DecisionForm(request.POST, request.FILES, instance=decision)
        if not form.is_valid():
            return self.render_page(decision, form, status=400)
        if workflow.may_perform(request.user, "record", decision):
            step = workflow.step_for("decision", "record", decision.level)
            asked = confirmation_required(
                request,
                label=step.label,
                consequence=step.consequence,
                back_url=reverse("decision-detail", args=[pk]),
            )
            if asked is not None:
                return asked
        try:
            services.decision_record(decision=decision, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            decision.refresh_from_db()
            return self.render_page(decision, form, status=400)
        messages.success(
            request, _("The decision was recorded: the listed proposals are approved.")
        )
        return redirect("decision-detail", pk=pk)


class DecisionScanView(PolicyMixin, View):
    permission = "cycle.view"
    model = PlanDecision

    def get(self, request, pk):
        decision = get_object_or_404(_decision_queryset(request.user), pk=pk)
        name = f"{decision.number or decision.pk}{decision.scan.name[-4:]}".replace("/", "-")
        return stored_file_response(decision.scan, name)
