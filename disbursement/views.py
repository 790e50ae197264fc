"""Pages of the money of đề án: the money page of one đề án (contract, tranches,
acceptance, settlement), the execution of a plan and of a province's plans of a year, and
their Excel exports. Views parse input, call a service or selector and render; the money
rules live in disbursement.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Agency
from accounts.policies import PolicyMixin, visible
from core.confirm import confirmation_required
from core.forms import add_service_errors, refusal_message, service_error_messages
from core.funding import SOURCE_SHORT, SOURCES
from core.http import xlsx_response
from disbursement import excel, forms, policies, selectors, services
from disbursement.models import Tranche
from programs.models import AnnualPlan
from programs.selectors import plan_detail_queryset
from projects.models import Proposal
from projects.selectors import proposal_detail_queryset
from reference.models import Province

# --- The money page of a đề án ----------------------------------------------------------------

# The page's forms: every money step of disbursement.policies but the ledger's actions.
FORMS = tuple(step for step in policies.STEPS if step != "tranche")
# The label of each form's button (also the title of its confirmation).
STEP_LABELS = {
    "contract": gettext_lazy("Record the signed contract"),
    "amend": gettext_lazy("Record the amendment"),
    "payment": gettext_lazy("Record the payment"),
    "request": gettext_lazy("Request the tranche"),
    "progress": gettext_lazy("Record the progress"),
    "acceptance": gettext_lazy("Record the acceptance"),
    "liquidation": gettext_lazy("Record the liquidation"),
    "settlement": gettext_lazy("Record the settlement"),
}


class ProposalMoneyView(PolicyMixin, View):
    """Giải ngân: what was approved, contracted and paid per source, the contract and its
    versions, the tranche ledger, acceptance and settlement. Recorders of the đề án's
    province get the forms; everybody else reads."""

    permission = "disbursement.view"
    model = Proposal
    template_name = "disbursement/proposal_money.html"

    def get_proposal(self, pk) -> Proposal:
        return get_object_or_404(proposal_detail_queryset(user=self.request.user), pk=pk)

    def build_forms(self, proposal, page, bound: str = "", data=None, files=None) -> dict:
        sources = selectors.proposal_sources(proposal)
        contract = page["contract"]
        accepted = page["acceptance"]

        def make(name, cls, **kwargs):
            if name == bound:
                return cls(data, files, prefix=name, **kwargs)
            return cls(prefix=name, **kwargs)

        signing = None
        if proposal.level == "national":
            signing = Agency.objects.filter(
                Q(province__isnull=True) | Q(province_id=proposal.province_id)
            ).order_by("province__code", "kind", "name")
        return {
            "contract": make(
                "contract",
                forms.ContractForm,
                sources=sources,
                signing_agencies=signing,
                initial={
                    "parties": proposal.implementing_agency.name,
                    "signing_agency": getattr(self.request.user, "agency_id", None),
                    **{s: proposal.approved_by_source()[s] for s in sources},
                },
            ),
            "progress": make("progress", forms.ProgressForm, initial={}),
            "liquidation": make(
                "liquidation",
                forms.LiquidationForm,
                sources=sources,
                initial=(accepted or contract).amounts() if (accepted or contract) else {},
            ),
            "amend": make(
                "amend",
                forms.AmendForm,
                sources=sources,
                initial=contract.amounts() if contract else {},
            ),
            # A payment is usually recorded on the day the Treasury makes it (the date
            # stays editable), as the ledger's "Pay" button does.
            "payment": make(
                "payment",
                forms.PaymentForm,
                sources=sources,
                initial={"paid_on": timezone.localdate()},
            ),
            "request": make("request", forms.TrancheRequestForm, sources=sources, initial={}),
            "acceptance": make(
                "acceptance",
                forms.AcceptanceForm,
                sources=sources,
                outputs=page["outputs"],
                initial=contract.amounts() if contract else {},
            ),
            "settlement": make(
                "settlement",
                forms.SettlementForm,
                sources=sources,
                initial=accepted.amounts() if accepted else {},
            ),
        }

    def render_page(self, proposal, bound="", form=None, status=200, errors=()):
        user = self.request.user
        page = selectors.money_page(proposal)
        can_record = policies.may_record(user, proposal)
        # The forms and buttons of the steps the services would take now (policies).
        steps = policies.steps_open(
            user,
            proposal,
            contract=page["contract"],
            acceptance=page["acceptance"],
            liquidation=page["liquidation"],
        )
        can_act = "tranche" in steps
        actors = policies.recorders(proposal)
        gated = services.inspection_required(proposal)  # by any tranche of the đề án
        waiting = {}
        for tranche in page["tranches"]:
            tranche.actions = policies.tranche_actions(user, tranche) if can_act else frozenset()
            # Not "Pay" while the inspection the payment waits for is missing (said on the row).
            tranche.unpayable = inspection_refusal = services.inspection_refusal(
                proposal, gated or tranche.requires_inspection
            )
            if inspection_refusal and tranche.status == Tranche.Status.APPROVED:
                tranche.actions = tranche.actions - {"pay"}
            # Who takes the step it waits for, when this user cannot (policies); the same
            # line for the tranches in one state asked by one person (read once).
            if tranche.actions & {policies.TRANCHE_NEXT.get(tranche.status)}:
                tranche.waiting = ""
            else:
                key = (tranche.status, tranche.recorded_by_id)
                if key not in waiting:
                    waiting[key] = policies.tranche_waiting(user, tranche, proposal, actors=actors)
                tranche.waiting = waiting[key]
        built = self.build_forms(proposal, page)
        if form is not None:
            built[bound] = form  # as posted, with the reasons it was refused
        # The money to return at settlement, per source: paid beyond the accepted amount.
        to_return = []
        if page["acceptance"] is not None:
            accepted = page["acceptance"].amounts()
            to_return = [
                {
                    **row,
                    "accepted": accepted[row["source"]],
                    "excess": row["paid"] - accepted[row["source"]],
                }
                for row in page["summary"]["rows"]
            ]
        liquidation_rows = []
        if page["liquidation"] is not None:
            done, returned = page["liquidation"].amounts(), page["liquidation"].returned()
            liquidation_rows = [
                {
                    "source": s,
                    "label": SOURCE_SHORT[s],
                    "done": done[s],
                    "returned": returned[s],
                }
                for s in SOURCES
                if done[s] or returned[s]
            ]
        context = {
            "proposal": proposal,
            "liquidation_rows": liquidation_rows,
            "object": proposal,
            **page,
            "forms": {name: built[name] for name in FORMS if name in steps},
            "can_record": can_record,
            "can_act": can_act,
            # The ledger's last column: the actions, or who acts next.
            "next_column": can_act or any(t.waiting for t in page["tranches"]),
            "consequences": policies.STEP_CONSEQUENCES,
            "labels": STEP_LABELS,
            "tranche_consequences": policies.TRANCHE_CONSEQUENCES,
            "request_approvers": policies.request_approvers(user, proposal)
            if "request" in steps
            else "",
            "to_return": to_return,
            "bound": bound,
            "top_errors": list(errors),
            "today": timezone.localdate(),
            "reverse_key": forms.new_key,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        proposal = self.get_proposal(pk)
        if request.GET.get("partial") == "summary":
            # The "Giải ngân" card of the đề án's detail page, loaded by HTMX.
            return render(
                request,
                "disbursement/partials/summary_card.html",
                {"proposal": proposal, "summary": selectors.money_summary(proposal)},
            )
        return self.render_page(proposal)

    def post(self, request, pk):
        proposal = self.get_proposal(pk)
        name = request.POST.get("form", "")
        if name not in FORMS:
            if not policies.may_record(request.user, proposal):
                raise PermissionDenied
            return self.render_page(proposal, status=400)
        if not policies.may_take(name, request.user, proposal):
            raise PermissionDenied
        page = selectors.money_page(proposal)
        form = self.build_forms(proposal, page, name, request.POST, request.FILES)[name]
        if form.is_valid():
            asked = confirmation_required(
                request,
                label=STEP_LABELS[name],
                consequence=policies.STEP_CONSEQUENCES.get(name),
                back_url=reverse("proposal-money", args=[pk]) + f"#{name}",
            )
            if asked is not None:
                return asked
            try:
                done = self.perform(name, proposal, page, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(reverse("proposal-money", args=[pk]) + f"#{name}")
        # The form, with what was typed and why it was refused, and the reasons at the top.
        reasons = [e for errors in form.errors.values() for e in errors]
        return self.render_page(proposal, name, form, status=400, errors=reasons)

    def perform(self, name, proposal, page, form) -> str:
        user, data = self.request.user, form.cleaned_data
        if name == "contract":
            contract = services.contract_sign(
                proposal=proposal,
                actor=user,
                number=data["number"],
                signed_on=data["signed_on"],
                parties=data["parties"],
                amounts=form.amounts(),
                document=data["document"],
                signing_agency=data.get("signing_agency"),
            )
            return _("Contract %(number)s recorded: the proposal is now in implementation.") % {
                "number": contract.number
            }
        if name == "amend":
            if page["contract"] is None:
                raise ValidationError(_("Sign the contract before recording payments."))
            contract = services.contract_amend(
                contract=page["contract"],
                actor=user,
                amounts=form.amounts(),
                reason=data["reason"],
                number=data["number"],
                signed_on=data["signed_on"],
            )
            return _("The contract was amended (version %(v)s).") % {"v": contract.version}
        if name == "payment":
            tranche = services.payment_record(
                proposal=proposal,
                actor=user,
                kind=data["kind"],
                source=data["source"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                voucher_number=data["voucher_number"],
                treasury_reference=data["treasury_reference"],
                note=data["note"],
                idempotency_key=data["idempotency_key"],
                document=data.get("document"),
                requires_inspection=data["requires_inspection"],
            )
            return _("Payment recorded: %(tranche)s.") % {"tranche": _describe(tranche)}
        if name == "request":
            tranche = services.tranche_request(
                proposal=proposal,
                actor=user,
                kind=data["kind"],
                source=data["source"],
                amount=data["amount"],
                due_on=data["due_on"],
                note=data["note"],
                idempotency_key=data["idempotency_key"],
                requires_inspection=data["requires_inspection"],
            )
            return _("Tranche requested: %(tranche)s.") % {"tranche": _describe(tranche)}
        if name == "acceptance":
            services.acceptance_record(
                proposal=proposal,
                actor=user,
                accepted_on=data["accepted_on"],
                council=data["council"],
                result=data["result"],
                conclusion=data["conclusion"],
                amounts=form.amounts(),
                achieved=form.achieved(),
                minutes=data.get("minutes"),
            )
            return _("The acceptance (nghiệm thu) was recorded.")
        if name == "progress":
            report = services.progress_record(
                proposal=proposal,
                actor=user,
                reported_on=data["reported_on"],
                percent_done=data["percent_done"],
                note=data["note"],
                document=data.get("document"),
            )
            return _("Progress recorded: %(p)s %% of the work done.") % {"p": report.percent_done}
        if name == "liquidation":
            liquidation = services.liquidation_record(
                proposal=proposal,
                actor=user,
                number=data["number"],
                liquidated_on=data["liquidated_on"],
                amounts=form.amounts(),
                minutes=data.get("minutes"),
            )
            return _("The contract's liquidation %(number)s was recorded.") % {
                "number": liquidation.number
            }
        services.settlement_record(
            proposal=proposal,
            actor=user,
            settled_on=data["settled_on"],
            decision_number=data["decision_number"],
            amounts=form.amounts(),
        )
        return _("The settlement (quyết toán) was recorded: the proposal is closed.")


class TrancheCheckView(PolicyMixin, View):
    """HTMX, while the payment or tranche request form is typed (debounced): the format of
    what is typed (the form's own fields) and the money rules saving would apply
    (services.payable_check: what is left on the contract, the liquidation, the advance
    limit, the payment date), so the user learns before submitting."""

    permission = "disbursement.view"
    model = Proposal
    http_method_names = ["post"]
    FORMS = {"payment": forms.PaymentForm, "request": forms.TrancheRequestForm}

    def post(self, request, pk):
        proposal = get_object_or_404(proposal_detail_queryset(user=request.user), pk=pk)
        name = request.POST.get("form", "")
        if name not in self.FORMS or not policies.may_take(name, request.user, proposal):
            raise PermissionDenied
        form = self.FORMS[name](
            request.POST, prefix=name, sources=selectors.proposal_sources(proposal)
        )
        context = {"errors": form.live_errors()}
        data = getattr(form, "cleaned_data", {})
        if context["errors"] == [] and all(data.get(f) for f in ("kind", "source", "amount")):
            try:
                context["left"] = services.payable_check(
                    proposal=proposal,
                    kind=data["kind"],
                    source=data["source"],
                    amount=data["amount"],
                    paid_on=data.get("paid_on"),
                )
            except ValidationError as exc:
                context["errors"] = service_error_messages(exc)
            else:
                context["source"] = SOURCE_SHORT[data["source"]]
        return render(request, "disbursement/partials/amount_check.html", context)


def _describe(tranche: Tranche) -> str:
    from core.formatting import format_vnd
    from core.funding import SOURCE_SHORT

    return (
        f"{tranche.get_kind_display()} · {SOURCE_SHORT[tranche.source]} · "
        f"{format_vnd(tranche.amount)}"
    )


class TrancheActionView(PolicyMixin, View):
    """POST: approve, pay, reject or reverse one tranche of the đề án (who may:
    policies.may_record, also the ministry for a national đề án it signed)."""

    permission = "disbursement.view"
    model = Proposal
    http_method_names = ["post"]

    def post(self, request, pk):
        proposal = get_object_or_404(visible(request.user, Proposal.objects.all()), pk=pk)
        if not policies.may_record(request.user, proposal):
            raise PermissionDenied
        form = forms.TrancheActionForm(request.POST)
        back = reverse("proposal-money", args=[pk]) + "#ledger"
        if not form.is_valid():
            messages.error(request, _("The action was not done: check the date (dd/mm/yyyy)."))
            return redirect(back)
        data = form.cleaned_data
        tranche = get_object_or_404(Tranche, proposal=proposal, pk=data["tranche"])
        action, user = data["action"], request.user
        if policies.tranche_refusal(action, user, tranche) is None:
            asked = confirmation_required(
                request,
                label=policies.TRANCHE_LABELS[action],
                consequence=policies.TRANCHE_CONSEQUENCES[action],
                back_url=back,
            )
            if asked is not None:
                return asked
        try:
            if action == "approve":
                services.tranche_approve(tranche=tranche, actor=user)
            elif action == "pay":
                services.tranche_pay(
                    tranche=tranche,
                    actor=user,
                    paid_on=data["paid_on"] or timezone.localdate(),
                    voucher_number=data["voucher_number"],
                    treasury_reference=data["treasury_reference"],
                )
            elif action == "reject":
                services.tranche_reject(tranche=tranche, actor=user, reason=data["reason"])
            else:
                services.tranche_reverse(
                    tranche=tranche,
                    actor=user,
                    reason=data["reason"],
                    idempotency_key=data["idempotency_key"] or forms.new_key(),
                )
        except ValidationError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("Done: %(tranche)s.") % {"tranche": _describe(tranche)})
        return redirect(back)


class TrancheLedgerExportView(PolicyMixin, View):
    permission = "disbursement.view"
    model = Proposal

    def get(self, request, pk):
        proposal = get_object_or_404(proposal_detail_queryset(user=request.user), pk=pk)
        page = selectors.money_page(proposal)
        content = excel.ledger_workbook(proposal, page["tranches"], page["summary"])
        return xlsx_response(content, f"so-giai-ngan-{proposal.code}.xlsx")


# --- Execution of plans ---------------------------------------------------------------------


class PlanExecutionView(PolicyMixin, View):
    """Tình hình giải ngân of an annual plan, by activity and funding source."""

    permission = "disbursement.view"
    model = AnnualPlan
    template_name = "disbursement/plan_execution.html"

    def get(self, request, pk):
        plan = get_object_or_404(plan_detail_queryset(user=request.user), pk=pk)
        return render(
            request,
            self.template_name,
            {"plan": plan, "object": plan, "table": selectors.plan_execution(plan)},
        )


class PlanExecutionExportView(PolicyMixin, View):
    permission = "disbursement.view"
    model = AnnualPlan

    def get(self, request, pk):
        plan = get_object_or_404(plan_detail_queryset(user=request.user), pk=pk)
        content = excel.execution_workbook(plan.title, selectors.plan_execution(plan))
        return xlsx_response(content, f"giai-ngan-ke-hoach-{plan.year}-{plan.pk}.xlsx")


def _year(request) -> int:
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() else timezone.localdate().year


class ProvinceExecutionView(PolicyMixin, View):
    """Every đề án implemented in the province whose plan is of the year (?year=): its
    local plans' and the national (KCQG) đề án in the province, as the dashboards count
    them; the rate against the plan covers the local plans' đề án only."""

    permission = "disbursement.view"
    model = Province
    template_name = "disbursement/province_execution.html"

    def get(self, request, pk):
        province = get_object_or_404(visible(request.user, Province.objects.all()), pk=pk)
        year = _year(request)
        return render(
            request,
            self.template_name,
            {
                "province": province,
                "object": province,
                "year": year,
                **selectors.province_execution(user=request.user, province=province, year=year),
            },
        )


class ProvinceExecutionExportView(PolicyMixin, View):
    permission = "disbursement.view"
    model = Province

    def get(self, request, pk):
        province = get_object_or_404(visible(request.user, Province.objects.all()), pk=pk)
        year = _year(request)
        page = selectors.province_execution(user=request.user, province=province, year=year)
        with translation.override("vi"):
            title = _("Disbursement status: %(province)s, plan year %(year)s") % {
                "province": province.name,
                "year": year,
            }
            note = str(PROVINCE_PLAN_NOTE) if page["table"]["outside_plans"] else ""
        content = excel.execution_workbook(title, page["table"], note=note)
        return xlsx_response(content, f"giai-ngan-{province.code}-{year}.xlsx")


PROVINCE_PLAN_NOTE = gettext_lazy(
    "The rate against the plan covers the proposals of the province's local plans only: "
    "national (KCQG) proposals have no allocation in them."
)
