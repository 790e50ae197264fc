"""Pages of the selection of typical rural industrial products. Views parse input, call a
service or selector and render; the rules live in services.py and rules.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.policies import PolicyMixin, has_perm, is_national, may_act, visible
from beneficiaries.models import Beneficiary
from core.confirm import confirmation_required
from core.forms import add_service_errors
from programs.catalogue import CERTIFICATE_INDICATOR
from projects.models import ProposalOutput
from reference.models import Province
from typical_products import forms, rules, selectors, services
from typical_products.models import Certificate, Entry, SelectionRound
from typical_products.rules import Level

PAGE_SIZE = 50


def _levels_for(user) -> list[str]:
    """The levels ``user`` may open a round of: the ministry the regional and national ones,
    the Sở its province's."""
    if not has_perm(user, services.MANAGE):
        return []
    if is_national(user):
        return [Level.REGIONAL, Level.NATIONAL]
    return [Level.PROVINCIAL]


class RoundListView(PolicyMixin, View):
    permission = "typical.view"

    def get(self, request):
        page = Paginator(selectors.round_list(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "typical_products/round_list.html",
            {
                "page_obj": page,
                "rounds": page.object_list,
                "can_create": bool(_levels_for(request.user)),
                "rules_table": rules.rules_table(),
            },
        )


class RoundCreateView(PolicyMixin, View):
    permission = "typical.manage"
    template_name = "typical_products/round_form.html"

    def _form(self, request, data=None):
        levels = _levels_for(request.user)
        provinces = (
            Province.objects.none()
            if is_national(request.user)
            else visible(request.user, Province.objects.all())
        )
        return forms.RoundForm(data, levels=levels, provinces=provinces)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                round_ = services.round_create(
                    actor=request.user,
                    level=data["level"],
                    year=data["year"],
                    province=data["province"],
                    region=data["region"],
                    title=data["title"],
                    organiser=data["organiser"],
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    pass_mark=data["pass_mark"],
                    max_recognised=data["max_recognised"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You cannot open a round of this level in this place."))
            else:
                messages.success(request, _("The round was opened."))
                return redirect("typical-round-detail", pk=round_.pk)
        return render(request, self.template_name, {"form": form})


def _entry_form(round_, data=None):
    """The form adding a product to ``round_``: the establishments its place allows and, for
    a regional or national round, the valid certificates of the level below."""
    today = timezone.localdate()
    if round_.level == Level.PROVINCIAL:
        return forms.EntryForm(
            data,
            beneficiaries=Beneficiary.objects.filter(province=round_.province).order_by("name"),
            certificates=None,
        )
    lower = rules.QUALIFYING_LEVEL[Level(round_.level)]
    certificates = Certificate.objects.filter(
        entry__round__level=lower, issued_on__lte=today, valid_until__gte=today
    ).select_related("entry__beneficiary", "entry__round")
    if round_.level == Level.REGIONAL:
        certificates = certificates.filter(entry__beneficiary__province__in=round_.provinces.all())
    holders = Beneficiary.objects.filter(pk__in=certificates.values("entry__beneficiary")).order_by(
        "name"
    )
    return forms.EntryForm(data, beneficiaries=holders, certificates=certificates)


class RoundDetailView(PolicyMixin, View):
    permission = "typical.view"
    model = SelectionRound

    def get_round(self, request, pk):
        return get_object_or_404(selectors.round_detail_queryset(user=request.user), pk=pk)

    def render_page(self, request, round_, entry_form=None, status=200):
        can_act = may_act(request.user, services.MANAGE, round_)
        if entry_form is None and can_act and round_.status == SelectionRound.Status.OPEN:
            entry_form = _entry_form(round_)
        entries = list(selectors.round_entries(round_))
        return render(
            request,
            "typical_products/round_detail.html",
            {
                "round": round_,
                "entries": entries,
                "criteria": rules.CRITERIA,
                "can_act": can_act,
                "entry_form": entry_form,
                "transitions": services.round_transitions(round_, request.user),
                "provinces": list(round_.provinces.all()) if round_.level == Level.REGIONAL else [],
                "events": round_.events.select_related("actor", "entry")[:20],
                "today": timezone.localdate(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(request, self.get_round(request, pk))

    def post(self, request, pk):
        """Add an entered product."""
        round_ = self.get_round(request, pk)
        if not may_act(request.user, services.MANAGE, round_):
            raise PermissionDenied
        form = _entry_form(round_, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.entry_add(
                    round_=round_,
                    actor=request.user,
                    beneficiary=data["beneficiary"],
                    name=data["name"],
                    group=data["group"],
                    description=data["description"],
                    qualifying_certificate=data.get("qualifying_certificate"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The product was entered."))
                return redirect("typical-round-detail", pk=round_.pk)
        return self.render_page(request, round_, entry_form=form, status=400)


class RoundTransitionView(PolicyMixin, View):
    """POST: move the round along services.ROUND_TRANSITIONS."""

    permission = "typical.manage"
    model = SelectionRound
    http_method_names = ["post"]

    def post(self, request, pk):
        round_ = get_object_or_404(selectors.round_detail_queryset(user=request.user), pk=pk)
        action = request.POST.get("action", "")
        step = next(
            (t for t in services.round_transitions(round_, request.user) if t.action == action),
            None,
        )
        if step is None:
            raise PermissionDenied
        asked = confirmation_required(
            request,
            label=step.label,
            consequence=step.consequence,
            back_url=reverse("typical-round-detail", args=[round_.pk]),
        )
        if asked is not None:
            return asked
        try:
            services.round_transition(round_=round_, actor=request.user, action=action)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("typical-round-detail", pk=round_.pk)


class _EntryActionView(PolicyMixin, View):
    permission = "typical.manage"
    model = Entry
    template_name = ""

    def get_entry(self, request, pk):
        entry = get_object_or_404(
            visible(request.user, Entry.objects.all()).select_related(
                "round__province", "beneficiary"
            ),
            pk=pk,
        )
        if not may_act(request.user, services.MANAGE, entry.round):
            raise PermissionDenied
        return entry

    def render_form(self, request, entry, form, status=200):
        return render(
            request,
            self.template_name,
            {"entry": entry, "round": entry.round, "form": form},
            status=status,
        )


class EntryScoreView(_EntryActionView):
    """The council's points per criterion and result for one entered product."""

    template_name = "typical_products/entry_score.html"

    def get(self, request, pk):
        entry = self.get_entry(request, pk)
        initial = {f"points_{c.code}": points for c, points in entry.points()}
        if entry.result != Entry.Result.PENDING:
            initial["recognised"] = "1" if entry.result == Entry.Result.RECOGNISED else "0"
        return self.render_form(request, entry, forms.ScoreForm(initial=initial))

    def post(self, request, pk):
        entry = self.get_entry(request, pk)
        form = forms.ScoreForm(request.POST)
        if form.is_valid():
            try:
                services.entry_score(
                    entry=entry,
                    actor=request.user,
                    points=form.points(),
                    recognised=form.cleaned_data["recognised"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The result was recorded."))
                return redirect("typical-round-detail", pk=entry.round_id)
        return self.render_form(request, entry, form, status=400)


class CertificateIssueView(_EntryActionView):
    """Record the certificate of a recognised product."""

    template_name = "typical_products/certificate_form.html"

    def get(self, request, pk):
        entry = self.get_entry(request, pk)
        return self.render_form(
            request, entry, forms.CertificateForm(initial={"issued_on": timezone.localdate()})
        )

    def post(self, request, pk):
        entry = self.get_entry(request, pk)
        form = forms.CertificateForm(request.POST)
        if form.is_valid():
            try:
                services.certificate_issue(entry=entry, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The certificate was recorded."))
                return redirect("typical-round-detail", pk=entry.round_id)
        return self.render_form(request, entry, form, status=400)


class CertificateListView(PolicyMixin, View):
    permission = "typical.view"

    def get(self, request):
        page = Paginator(selectors.certificate_list(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "typical_products/certificate_list.html",
            {"page_obj": page, "certificates": page.object_list, "today": timezone.localdate()},
        )


class OutputCertificatesView(PolicyMixin, View):
    """The certificates a đề án's output "products recognised" counts."""

    permission = "proposal.edit"
    model = ProposalOutput
    template_name = "typical_products/output_certificates.html"

    def get_output(self, request, pk):
        output = get_object_or_404(
            visible(request.user, ProposalOutput.objects.all()).select_related(
                "proposal", "indicator"
            ),
            pk=pk,
            indicator__code=CERTIFICATE_INDICATOR,
        )
        if not may_act(request.user, "proposal.edit", output.proposal):
            raise PermissionDenied
        return output

    def render_form(self, request, output, form, status=200):
        return render(
            request,
            self.template_name,
            {"output": output, "proposal": output.proposal, "form": form},
            status=status,
        )

    def get(self, request, pk):
        output = self.get_output(request, pk)
        form = forms.OutputCertificatesForm(
            candidates=services.output_candidates(output),
            initial={
                "certificates": list(output.certificate_links.values_list("certificate", flat=True))
            },
        )
        return self.render_form(request, output, form)

    def post(self, request, pk):
        output = self.get_output(request, pk)
        form = forms.OutputCertificatesForm(
            request.POST, candidates=services.output_candidates(output)
        )
        if form.is_valid():
            try:
                services.output_certificates_set(
                    output=output,
                    actor=request.user,
                    certificates=form.cleaned_data["certificates"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The certificates counted were saved."))
                return redirect("proposal-detail", pk=output.proposal_id)
        return self.render_form(request, output, form, status=400)
