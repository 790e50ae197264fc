"""Pages of the priorities: their list with sources, and the declarations (POST only; the
forms sit on the establishment's page and on the đề án's appraisal section)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from accounts.policies import PolicyMixin, visible
from beneficiaries.models import Beneficiary
from priorities import services
from priorities.forms import DeclareForm
from priorities.models import BeneficiaryDeclaration, Priority, ProposalDeclaration
from projects.models import Proposal


class PriorityListView(PolicyMixin, ListView):
    """The priorities loaded, each with its document, article, source and whether it was
    verified (example data otherwise)."""

    permission = "priority.view"
    template_name = "priorities/priority_list.html"
    context_object_name = "priorities"

    def get_queryset(self):
        return Priority.objects.select_related("document")


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class _DeclareView(PolicyMixin, View):
    permission = "priority.declare"
    http_method_names = ["post"]

    def post(self, request, pk):
        owner = get_object_or_404(visible(request.user, self.model.objects.all()), pk=pk)
        form = DeclareForm(request.POST, basis=self.basis)
        if not form.is_valid():
            for field, errs in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for e in errs:
                    messages.error(request, f"{label}: {e}" if label else e)
        else:
            try:
                self.declare(owner, form.cleaned_data, request.user)
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(
                    request,
                    _("Priority declared: %(name)s.")
                    % {"name": form.cleaned_data["priority"].name},
                )
        return redirect(self.back(owner))


class BeneficiaryDeclareView(_DeclareView):
    model = Beneficiary
    basis = Priority.Basis.BENEFICIARY

    def declare(self, owner, data, user):
        services.beneficiary_priority_declare(
            beneficiary=owner, priority=data["priority"], actor=user, evidence=data["evidence"]
        )

    def back(self, owner):
        return reverse("beneficiary-detail", args=[owner.pk]) + "#priorities"


class ProposalDeclareView(_DeclareView):
    model = Proposal
    basis = Priority.Basis.PROPOSAL

    def declare(self, owner, data, user):
        services.proposal_priority_declare(
            proposal=owner, priority=data["priority"], actor=user, evidence=data["evidence"]
        )

    def back(self, owner):
        return reverse("proposal-detail", args=[owner.pk]) + "#priorities"


class _WithdrawView(PolicyMixin, View):
    permission = "priority.declare"
    http_method_names = ["post"]

    def post(self, request, pk):
        declaration = get_object_or_404(
            visible(request.user, self.model.objects.select_related(*self.related)), pk=pk
        )
        try:
            services.declaration_withdraw(declaration=declaration, actor=request.user)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Declaration withdrawn."))
        owner = self.related[0]
        return redirect(
            reverse(f"{owner}-detail", args=[getattr(declaration, f"{owner}_id")]) + "#priorities"
        )


class BeneficiaryWithdrawView(_WithdrawView):
    model = BeneficiaryDeclaration
    related = ("beneficiary",)


class ProposalWithdrawView(_WithdrawView):
    model = ProposalDeclaration
    related = ("proposal",)
