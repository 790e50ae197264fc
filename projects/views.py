"""Pages of the đề án: list and export, create, the entry form, detail with checks and
timeline, workflow actions, dossier documents and appraisal. Views parse input, call a
selector or service and render; the rules live in projects.services / checks / workflow."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.policies import PolicyMixin, has_perm, in_scope, is_national, visible
from core.confirm import confirmation_required
from core.forms import add_service_errors, refusal_message, service_error_messages
from core.funding import SOURCE_SHORT, SOURCES, level_sources, program_source
from core.http import stored_file_response, xlsx_response
from core.lists import FilteredListMixin
from core.text import fold
from programs.models import Indicator
from projects import appraisal, checks, excel, forms, selectors, services, timeline, workflow
from projects.filters import CouncilFilterSet, ProposalFilterSet
from projects.models import (
    Appraisal,
    AppraisalCouncil,
    AppraisalCriterion,
    Attachment,
    CouncilProposal,
    Proposal,
)


def _sources(proposal: Proposal) -> list[str]:
    """Funding sources a đề án's budget is split into: its programme's own source (KCQG
    for a national đề án, KCĐP for a local one), the counterpart and other sources."""
    return level_sources(proposal.level)


# --- Checks panel -------------------------------------------------------------------------

CHECK_LABELS = {
    "budget": gettext_lazy("Budget"),
    "beneficiaries": gettext_lazy("Establishments"),
    "cap": gettext_lazy("Support cap"),
    "eligibility": gettext_lazy("Eligibility"),
    "double_funding": gettext_lazy("Double funding"),
    "documents": gettext_lazy("Dossier documents"),
    "allocation": gettext_lazy("Plan allocation"),
}


def _check_rows(user, proposal: Proposal, results=None) -> list[dict]:
    """run_checks as rows for the panel: ok (green), fail (red: what the next step —
    submission, or the approval decision — refuses, checks.blocking_failures), warn
    (amber: does not block that step)."""
    results = checks.run_checks(proposal) if results is None else results
    deciding = proposal.status not in workflow.BEFORE_DECISION
    blocking = {id(c) for c in checks.blocking_failures(results, deciding=deciding)}
    rows = []
    for check in results:
        if check.ok:
            state = "ok"
        elif id(check) in blocking:
            state = "fail"
        else:
            state = "warn"
        rows.append(
            {
                "code": check.code,
                "label": CHECK_LABELS.get(check.code, check.code),
                "state": state,
                "message": check.message,
                "related": [{"proposal": p, "visible": in_scope(user, p)} for p in check.related],
            }
        )
    return rows


def checks_context(request, proposal: Proposal, *, results=None, judge_field: bool = False) -> dict:
    """The checks panel: its rows, the date it judges by and why (checks.judging_date),
    and — while no decision is recorded — the "judge on" field. The query string may carry
    ``decision_date`` (typed in the decision panel: the planned decision date) or
    ``on_date`` (chosen on the panel)."""
    form = forms.JudgeOnForm(request.GET or None)
    on_date, reason, note = None, "chosen", ""
    if form.is_bound and form.is_valid():
        if form.cleaned_data["decision_date"]:
            on_date, reason = form.cleaned_data["decision_date"], "planned"
        elif form.cleaned_data["on_date"]:
            on_date = form.cleaned_data["on_date"]
    elif form.is_bound:
        note = _("The date must be written as dd/mm/yyyy: the panel judges by the date below.")
    judging = checks.judging_date(proposal, on_date=on_date, reason=reason)
    if results is None:
        results = checks.run_checks(proposal, on_date=judging.date)
    return {
        "check_rows": _check_rows(request.user, proposal, results),
        "judging": judging,
        # While preparing; not when the date comes from the decision panel being filled in.
        "judge_field": judge_field and proposal.decision_date is None and reason != "planned",
        "judge_note": note,
    }


class ProposalChecksView(PolicyMixin, View):
    """HTMX partial: the checks panel, run again on request (after saving), or for the
    date typed in the decision panel or chosen on the panel (checks_context)."""

    permission = "proposal.view"
    model = Proposal

    def get(self, request, pk):
        proposal = get_object_or_404(selectors.proposal_detail_queryset(user=request.user), pk=pk)
        return render(
            request,
            "projects/partials/checks.html",
            {"proposal": proposal, **checks_context(request, proposal, judge_field=True)},
        )


class ProposalChecksPreviewView(PolicyMixin, View):
    """HTMX partial: the checks on the entry form as it is being typed (not saved)."""

    permission = "proposal.edit"
    model = Proposal
    http_method_names = ["post"]

    def post(self, request, pk):
        editor = ProposalEditView(request=request, kwargs={"pk": pk})
        proposal, editable = editor.get_proposal()
        if not editable:
            raise PermissionDenied
        general, beneficiaries, lines, outputs = editor.build_forms(proposal, request.POST)
        context = {"proposal": proposal, "preview": True}
        parts = (general, beneficiaries, lines, outputs)
        if not all([f.is_valid() for f in parts]):
            problems = []
            for part in parts:
                for form in getattr(part, "forms", [part]):
                    for field, errors in form.errors.items():
                        label = form.fields[field].label if field in form.fields else ""
                        problems += [f"{label}: {e}" if label else e for e in errors]
                problems += list(getattr(part, "non_form_errors", list)())
            context["preview_note"] = _("Not checked yet — %(problems)s") % {
                "problems": "; ".join(problems[:3])
            }
            return render(request, "projects/partials/checks.html", context)
        try:
            results = services.proposal_checks_preview(
                proposal=proposal,
                actor=request.user,
                **editor.saved_parts(general, beneficiaries, lines, outputs),
            )
        except ValidationError as exc:
            context["preview_note"] = " ".join(service_error_messages(exc))
            return render(request, "projects/partials/checks.html", context)
        context.update(checks_context(request, proposal, results=results))
        return render(request, "projects/partials/checks.html", context)


# --- List and export ------------------------------------------------------------------------


class ProposalListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "proposal.view"
    model = Proposal
    template_name = "projects/proposal_list.html"
    filterset_class = ProposalFilterSet
    page_by_keys = True  # 60,000 đề án nationally: the page reads its 50 rows only

    def get_queryset(self):
        return selectors.proposal_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.proposal_status_counts(self.object_list)
        context["status_counts"] = [
            (value, label, counts[value])
            for value, label in Proposal.Status.choices
            if counts.get(value)
        ]
        context["can_create"] = has_perm(self.request.user, "proposal.create")
        context["can_view_councils"] = has_perm(self.request.user, "council.view")
        return context


class ProposalExportView(ProposalListView):
    """The list as filtered on screen (same query string, same filterset), as an Excel
    workbook."""

    def get(self, request):
        rows = self.get_filterset().qs
        content = excel.export_workbook(rows.iterator(chunk_size=2000))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(content, f"de-an-khuyen-cong-{stamp}.xlsx")


# --- Create ---------------------------------------------------------------------------------


class ProposalCreateView(PolicyMixin, View):
    permission = "proposal.create"
    model = Proposal
    template_name = "projects/proposal_create.html"

    def build_form(self, data=None):
        user = self.request.user
        return forms.ProposalCreateForm(
            data,
            plans=selectors.plans_for_proposals(user=user),
            activities=selectors.activities_for_proposals(),
            agencies=selectors.agencies_for_proposals(user=user),
        )

    def get(self, request):
        return render(request, self.template_name, {"form": self.build_form()})

    def post(self, request):
        form = self.build_form(request.POST)
        if form.is_valid():
            try:
                proposal = services.proposal_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The draft %(code)s was created. Now enter its establishments, "
                        "budget and outputs."
                    )
                    % {"code": proposal.code},
                )
                return redirect("proposal-edit", pk=proposal.pk)
        return render(request, self.template_name, {"form": form}, status=400)


# --- The entry form -----------------------------------------------------------------------


class ProposalEditView(PolicyMixin, View):
    """The whole đề án in one form, saved as a draft at any point (one Save button, every
    section through services.proposal_save, with the version read when the form opened)."""

    permission = "proposal.edit"
    model = Proposal
    template_name = "projects/proposal_edit.html"

    def get_proposal(self) -> tuple[Proposal, bool]:
        """The đề án and whether it can be edited now. Its province's editors are told
        why a submitted one cannot be; anybody else is refused."""
        user = self.request.user
        proposal = get_object_or_404(
            selectors.proposal_detail_queryset(user=user), pk=self.kwargs["pk"]
        )
        if workflow.may_edit(user, proposal):
            return proposal, True
        if workflow.may_edit(user, _as_draft(proposal)):
            return proposal, False
        raise PermissionDenied

    def build_forms(self, proposal, data=None):
        user = self.request.user
        sources = _sources(proposal)
        general = forms.ProposalGeneralForm(
            data,
            prefix="g",
            activities=selectors.activities_for_proposals(year=proposal.plan.year),
            agencies=selectors.agencies_for_proposals(user=user).filter(
                province_id=proposal.province_id
            ),
            communes=selectors.communes_for(proposal),
            initial={
                "version": proposal.version,
                **{name: getattr(proposal, name) for name in forms.ProposalGeneralForm.FIELDS},
                "activity": proposal.activity_id,
                "implementing_agency": proposal.implementing_agency_id,
                "communes": [c.pk for c in proposal.communes.all()],
            },
        )
        links = proposal.beneficiary_links.select_related("beneficiary")
        beneficiaries = forms.BeneficiaryFormSet(
            data,
            prefix="ben",
            initial=[
                {
                    "beneficiary": link.beneficiary_id,
                    "label": _beneficiary_label(link.beneficiary),
                    "support_amount": link.support_amount,
                }
                for link in links
            ],
            form_kwargs={
                "beneficiaries": selectors.beneficiaries_for(user=user, proposal=proposal)
            },
        )
        lines = forms.BudgetLineFormSet(
            data,
            prefix="line",
            initial=[
                {
                    "item": line.item,
                    "unit": line.unit,
                    "quantity": format(line.quantity.normalize(), "f").replace(".", ","),
                    "unit_price": line.unit_price,
                    **{s: getattr(line, s) for s in sources},
                }
                for line in proposal.budget_lines.all()
            ],
            form_kwargs={"sources": sources},
        )
        outputs = forms.OutputsForm(
            data,
            prefix="out",
            indicators=Indicator.objects.all(),
            initial={
                f"target_{o.indicator.code}": o.target_value
                for o in proposal.outputs.select_related("indicator")
            },
        )
        return general, beneficiaries, lines, outputs

    def context(self, proposal, general, beneficiaries, lines, outputs, **extra):
        return {
            "proposal": proposal,
            "object": proposal,
            "general": general,
            "beneficiaries": beneficiaries,
            "lines": lines,
            "outputs": outputs,
            "sources": [(s, SOURCE_SHORT[s]) for s in _sources(proposal)],
            **documents_context(
                self.request.user,
                proposal,
                page="edit",
                attach_form=extra.pop("attach_form", None),
            ),
            **extra,
        }

    @staticmethod
    def saved_parts(general, beneficiaries, lines, outputs) -> dict:
        """What services.proposal_save and proposal_checks_preview take from the valid
        forms of the page: the version read, the fields, communes, beneficiaries, budget
        lines and outputs."""
        return {
            "expected_version": general.cleaned_data["version"],
            "fields": general.service_fields(),
            "communes": list(general.cleaned_data["communes"]),
            "beneficiaries": beneficiaries.links(),
            "budget_lines": lines.lines(),
            "outputs": outputs.outputs(),
        }

    def render_page(self, proposal, status=200, **extra):
        forms_ = self.build_forms(proposal)
        return render(
            self.request,
            self.template_name,
            self.context(proposal, *forms_, **extra),
            status=status,
        )

    def get(self, request, pk):
        proposal, editable = self.get_proposal()
        if not editable:
            messages.warning(
                request,
                _(
                    "Only a draft, returned or amending proposal can be edited; this one is "
                    "“%(status)s”."
                )
                % {"status": proposal.get_status_display()},
            )
            return redirect("proposal-detail", pk=pk)
        return self.render_page(proposal)

    def post(self, request, pk):
        proposal, editable = self.get_proposal()
        if not editable:
            raise PermissionDenied
        general, beneficiaries, lines, outputs = self.build_forms(proposal, request.POST)
        budget_errors = []
        stale = False
        valid = [f.is_valid() for f in (general, beneficiaries, lines, outputs)]
        if all(valid):
            try:
                services.proposal_save(
                    proposal=proposal,
                    actor=request.user,
                    **self.saved_parts(general, beneficiaries, lines, outputs),
                )
            except services.ConcurrentEditError as exc:
                stale = True
                general.add_error(None, exc.messages)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_service_errors(general, exc)
                else:
                    budget_errors = exc.messages
            else:
                messages.success(
                    request, _("The draft was saved. The checks below were run again.")
                )
                return redirect(reverse("proposal-edit", args=[pk]) + "#checks")
        else:
            messages.error(
                request,
                _("The draft was not saved: correct the fields marked in red."),
            )
        context = self.context(
            proposal, general, beneficiaries, lines, outputs, budget_errors=budget_errors
        )
        context["stale"] = stale
        return render(request, self.template_name, context, status=409 if stale else 400)


def _as_draft(proposal: Proposal) -> Proposal:
    """A copy of ``proposal`` in draft status: would its editors be allowed to edit it?"""
    copy = Proposal(pk=proposal.pk, province_id=proposal.province_id)
    copy.status = Proposal.Status.DRAFT
    return copy


def _beneficiary_label(beneficiary) -> str:
    code = beneficiary.tax_code or beneficiary.masked_citizen_id or ""
    return f"{beneficiary.name} · {code}" if code else beneficiary.name


class BeneficiarySearchView(PolicyMixin, View):
    """HTMX, while typing in an establishment row: matches by name or tax code."""

    permission = "proposal.edit"

    def get(self, request):
        q = request.GET.get("q") or next(
            (v for k, v in request.GET.items() if k.endswith("-label")), ""
        )
        province = request.GET.get("province", "")
        results = selectors.beneficiary_search(user=request.user, q=q)
        if province.isdigit():
            results = [b for b in results if b.province_id == int(province)]
        return render(
            request,
            "projects/partials/beneficiary_results.html",
            {
                "results": [(b, _beneficiary_label(b)) for b in results],
                "q": q.strip(),
                "today": timezone.localdate(),
            },
        )


# --- Detail -------------------------------------------------------------------------------


def _document_rows(proposal: Proposal, attachments: list[Attachment]) -> list[dict]:
    """The required-document checklist: each document and the files attached for it."""
    by_type: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        if attachment.document_type_id:
            by_type.setdefault(attachment.document_type_id, []).append(attachment)
    return [
        {"document": d, "files": by_type.get(d.pk, [])}
        for d in checks.required_document_list(proposal)
    ]


def _match_keys(document) -> list[str]:
    """What a file's name may contain to be taken for ``document`` when chosen (its code
    and its name without diacritics, as the page's script folds the file's name)."""
    return [document.code, re.sub(r"[^a-z0-9]+", "-", fold(document.name)).strip("-")]


def documents_context(
    user, proposal: Proposal, *, page: str, attachments=None, attach_form=None, status=""
) -> dict:
    """The dossier card (projects/partials/documents.html) of the detail page and the entry
    form, and the card alone after an upload by htmx: the checklist, the other documents
    and, for those who may attach (workflow.may_attach), the upload form with a row per
    document still missing."""
    if attachments is None:
        attachments = list(
            Attachment.objects.filter(proposal=proposal).select_related(
                "document_type", "uploaded_by"
            )
        )
    rows = _document_rows(proposal, attachments)
    can_attach = workflow.may_attach(user, proposal)
    documents = checks.required_document_list(proposal)
    if can_attach and attach_form is None:
        missing = [row["document"] for row in rows if not row["files"]]
        attach_form = forms.attachment_formset(missing, documents)
    return {
        "documents": rows,
        "attachments": attachments,
        "can_attach": can_attach,
        "can_edit": workflow.may_edit(user, proposal),
        "attach_form": attach_form if can_attach else None,
        # For the page's script: the documents in checklist order, still missing first.
        "attach_hints": {
            "missing": [row["document"].pk for row in rows if not row["files"]],
            "keys": {d.pk: _match_keys(d) for d in documents},
        },
        "attach_status": status,
        "page": page,
    }


def _stage_results(proposal: Proposal) -> list[tuple[str, appraisal.StageResult]]:
    """The appraisal of each stage the đề án goes through (projects.appraisal.stage_result)."""
    stages = [Appraisal.Stage.PROVINCE]
    if proposal.level == "national":
        stages.append(Appraisal.Stage.MINISTRY)
    return [(Appraisal.Stage(s).label, appraisal.stage_result(proposal, s)) for s in stages]


def detail_context(request, proposal: Proposal, **extra) -> dict:
    """Everything the detail page shows, in a fixed number of queries."""
    user = request.user
    sections = selectors.proposal_sections(proposal)
    sources = _sources(proposal)
    totals = {s: sum(getattr(line, s) for line in sections["lines"]) for s in SOURCES}
    totals["amount"] = sum(line.amount for line in sections["lines"])
    for line in sections["lines"]:
        line.cells = [getattr(line, s) for s in sources]
    on_date = proposal.decision_date or timezone.localdate()
    results = checks.eligibility_of_links(sections["links"], on_date, proposal=proposal)
    links = [
        {"link": link, "eligibility": results[link.beneficiary_id]} for link in sections["links"]
    ]
    transitions = workflow.transitions_to_show(user, proposal)
    return {
        "proposal": proposal,
        "object": proposal,
        **sections,
        "links": links,
        "eligibility_date": on_date,
        "sources": [(s, SOURCE_SHORT[s]) for s in sources],
        "source_totals": [totals[s] for s in sources],
        "totals": totals,
        "support_source": SOURCE_SHORT[program_source(proposal.level)],
        **checks_context(request, proposal, judge_field=True),
        "event_rows": timeline.timeline_rows(sections["events"]),
        "transitions": transitions,
        "waiting_for": workflow.waiting_for(user, proposal),
        "sheets_to_fill": selectors.sheets_to_fill(user=user, proposal=proposal),
        # Why a drafter finds no score sheet here (separation of duties).
        "appraisal_refusal": (
            appraisal.sheet_refusal(user, proposal) if workflow.may_appraise(user, proposal) else ""
        ),
        "stage_results": _stage_results(proposal),
        **documents_context(
            user,
            proposal,
            page="detail",
            attachments=sections["attachments"],
            attach_form=extra.pop("attach_form", None),
        ),
        **extra,
    }


class ProposalDetailView(PolicyMixin, DetailView):
    permission = "proposal.view"
    model = Proposal
    template_name = "projects/proposal_detail.html"

    def get_queryset(self):
        return selectors.proposal_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        return detail_context(self.request, self.object)


# --- Workflow actions -----------------------------------------------------------------------


class ProposalTransitionView(PolicyMixin, View):
    """POST: one action of workflow.TRANSITIONS (the table decides who may)."""

    permission = "proposal.view"
    model = Proposal
    http_method_names = ["post"]

    def post(self, request, pk):
        proposal = get_object_or_404(selectors.proposal_detail_queryset(user=request.user), pk=pk)
        form = forms.TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The decision date must be written as dd/mm/yyyy."))
            return redirect("proposal-detail", pk=pk)
        data = form.cleaned_data
        transition = workflow.ACTIONS.get(data["action"])
        if transition is not None and workflow.may_perform(request.user, transition, proposal):
            asked = confirmation_required(
                request,
                label=transition.label,
                consequence=transition.consequence,
                back_url=reverse("proposal-detail", args=[pk]),
            )
            if asked is not None:
                return asked
        try:
            proposal = services.proposal_transition(
                proposal=proposal,
                actor=request.user,
                action=data["action"],
                comment=data["comment"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
            )
        except ValidationError as exc:
            refusal_message(request, exc)
        else:
            messages.success(
                request,
                _("Done: the proposal is now “%(status)s”.")
                % {"status": proposal.get_status_display()},
            )
        return redirect("proposal-detail", pk=pk)


# --- Documents ------------------------------------------------------------------------------


class AttachmentUploadView(PolicyMixin, View):
    """POST: several documents of the dossier in one upload, each row with its document
    type (forms.AttachmentFormSet), all or nothing (services.attachments_add). With htmx
    the dossier card comes back in place (the checks panels are told to run again); a
    plain post goes back to the page it came from (the entry form or the detail page).
    A refused file is named next to its row, and nothing is kept."""

    permission = "proposal.edit"
    model = Proposal
    http_method_names = ["post"]

    def post(self, request, pk):
        proposal = get_object_or_404(selectors.proposal_detail_queryset(user=request.user), pk=pk)
        if not workflow.may_attach(request.user, proposal):
            raise PermissionDenied
        back = "edit" if request.POST.get("next") == "edit" else "detail"
        formset = forms.attachment_formset(
            [], checks.required_document_list(proposal), request.POST, request.FILES
        )
        if formset.is_valid():
            try:
                attachments = services.attachments_add(
                    proposal=proposal, actor=request.user, files=formset.new_attachments()
                )
            except ValidationError as exc:
                formset.refuse(exc)
            else:
                return self.attached(request, proposal, back, attachments)
        if request.htmx:
            return self.card(request, proposal, back, status=400, attach_form=formset)
        if back == "edit" and workflow.may_edit(request.user, proposal):
            view = ProposalEditView()
            view.setup(request, pk=pk)
            return view.render_page(proposal, status=400, attach_form=formset)
        return render(
            request,
            "projects/proposal_detail.html",
            detail_context(request, proposal, attach_form=formset),
            status=400,
        )

    def attached(self, request, proposal, back, attachments):
        names = ", ".join(f"“{a.original_name}”" for a in attachments)
        message = ngettext(
            "%(count)s document was attached: %(names)s.",
            "%(count)s documents were attached: %(names)s.",
            len(attachments),
        ) % {"count": len(attachments), "names": names}
        if request.htmx:
            response = self.card(request, proposal, back, status_message=message)
            response["HX-Trigger"] = "dossier-changed"
            return response
        messages.success(request, message)
        return redirect(reverse(f"proposal-{back}", args=[proposal.pk]) + "#documents")

    def card(self, request, proposal, back, status=200, status_message="", attach_form=None):
        context = {
            "proposal": proposal,
            **documents_context(
                request.user,
                proposal,
                page=back,
                attach_form=attach_form,
                status=status_message,
            ),
        }
        return render(request, "projects/partials/documents.html", context, status=status)


def _attachment_queryset(user):
    """Attachments of the đề án ``user`` may see (visible() on the đề án itself)."""
    return Attachment.objects.select_related("proposal").filter(
        proposal__in=visible(user, Proposal.objects.all())
    )


class AttachmentDownloadView(PolicyMixin, View):
    """The file, streamed through Django after the scope check (never served directly)."""

    permission = "proposal.view"
    model = Attachment

    def get(self, request, pk):
        attachment = get_object_or_404(_attachment_queryset(request.user), pk=pk)
        return stored_file_response(attachment.file, attachment.original_name)


class AttachmentDeleteView(PolicyMixin, View):
    permission = "proposal.edit"
    model = Attachment
    http_method_names = ["post"]

    def post(self, request, pk):
        attachment = get_object_or_404(_attachment_queryset(request.user), pk=pk)
        proposal_id = attachment.proposal_id
        title = attachment.title
        services.attachment_remove(attachment=attachment, actor=request.user)
        messages.success(request, _("“%(title)s” was removed.") % {"title": title})
        back = "edit" if request.POST.get("next") == "edit" else "detail"
        return redirect(reverse(f"proposal-{back}", args=[proposal_id]) + "#documents")


# --- Appraisal councils ----------------------------------------------------------------------


def refusal(check, *args, **kwargs) -> str | None:
    """None when ``check`` (a service's own check) lets the call through, else the reason
    it gives ("" when it gives none): how a button is shown disabled with its reason."""
    try:
        check(*args, **kwargs)
    except (PermissionDenied, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            return " ".join(service_error_messages(exc))
        return str(exc.args[0]) if exc.args else ""
    return None


def _stage_of(user) -> str:
    """The stage a user's side appraises: the ministry's, or the Sở's."""
    national = is_national(user) and not user.is_superuser
    return Appraisal.Stage.MINISTRY if national else Appraisal.Stage.PROVINCE


class CouncilListView(PolicyMixin, FilteredListMixin, ListView):
    permission = "council.view"
    model = AppraisalCouncil
    template_name = "projects/council_list.html"
    paginate_by = 25
    filterset_class = CouncilFilterSet

    def get_queryset(self):
        return selectors.council_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_create"] = has_perm(user, "council.create") and workflow.may_organise(
            user, _stage_of(user), user.province_id
        )
        return context


class CouncilCreateView(PolicyMixin, View):
    """Set up a council (or designated officers) of the user's agency for the stage it
    appraises, choosing members among its users and the đề án waiting for that stage."""

    permission = "council.create"
    template_name = "projects/council_create.html"

    def form(self, data=None):
        user = self.request.user
        stage = _stage_of(user)
        if not workflow.may_organise(user, stage, user.province_id) or not user.agency_id:
            raise PermissionDenied
        return forms.CouncilForm(
            data,
            people=services.council_eligible_members(agency=user.agency),
            proposals=services.council_eligible_proposals(actor=user, stage=stage),
            initial={
                "name": _("Appraisal council for khuyến công proposals %(year)s")
                % {"year": timezone.localdate().year},
            },
        )

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "stage": Appraisal.Stage(_stage_of(self.request.user)).label},
            status=status,
        )

    def get(self, request):
        return self.render_page(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                council = services.council_create(
                    actor=request.user,
                    stage=_stage_of(request.user),
                    name=data["name"],
                    mode=data["mode"],
                    year=data["meeting_date"].year,
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                    meeting_date=data["meeting_date"],
                    meeting_place=data["meeting_place"],
                    members=form.seats(),
                    proposals=list(data["proposals"]),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The council was set up."))
                return redirect("council-detail", pk=council.pk)
        return self.render_page(form, status=400)


def council_context(request, council: AppraisalCouncil, **extra) -> dict:
    """The council's page: members, đề án × members' sheets, averages and conclusions,
    and what the user may do (with the reason when a button is disabled)."""
    user = request.user
    board = selectors.council_board(council)
    seats = board["seats"]
    may_score = workflow.may_council_act(user, "score", council, seats)
    rows = []
    for link in board["links"]:
        sheets = [board["sheets"].get((link.proposal_id, m.user_id)) for m in seats]
        done = [s for s in sheets if s is not None]
        average = appraisal.council_average(s.weighted_score for s in done)
        conclude_refusal = None
        if link.concluded_at is None and workflow.may_council_act(user, "conclude", council, seats):
            conclude_refusal = refusal(
                services.council_conclusion_check, user, link, sheets=done, seats=seats
            )
        mine = board["sheets"].get((link.proposal_id, user.pk))
        rows.append(
            {
                "link": link,
                "cells": list(zip(seats, sheets, strict=True)),
                "average": link.average_score if link.concluded_at else average,
                "suggested": appraisal.suggested_recommendation(average),
                "waiting": workflow.is_waiting(link.proposal, council.stage),
                "can_score": may_score
                and link.concluded_at is None
                and any(m.user_id == user.pk for m in seats),
                "score_refusal": appraisal.sheet_refusal(user, link.proposal)
                if may_score and link.concluded_at is None
                else "",
                "mine": mine,
                "may_conclude": link.concluded_at is None
                and workflow.may_council_act(user, "conclude", council, seats),
                "conclude_refusal": conclude_refusal,
                "conclusion_form": extra.pop(f"conclusion_form_{link.pk}", None)
                or forms.ConclusionForm(
                    prefix=f"c{link.pk}",
                    initial={"recommendation": appraisal.suggested_recommendation(average)},
                ),
            }
        )
    may_add = workflow.may_council_act(user, "add", council, seats)
    may_close = workflow.may_council_act(user, "close", council, seats)
    return {
        "council": council,
        "object": council,
        "seats": seats,
        "rows": rows,
        "pass_score": appraisal.pass_score(),
        "add_form": extra.pop("add_form", None)
        or (
            forms.CouncilProposalsForm(
                proposals=services.council_eligible_proposals(
                    actor=user,
                    stage=council.stage,
                    province_id=council.agency.province_id,
                    council=council,
                )
            )
            if may_add
            else None
        ),
        "may_close": may_close,
        "close_refusal": refusal(services.council_close_check, user, council)
        if may_close
        else None,
        "may_minutes": workflow.may_council_act(user, "minutes", council, seats)
        and has_perm(user, "report.request.council_minutes"),
        **extra,
    }


class CouncilDetailView(PolicyMixin, DetailView):
    permission = "council.view"
    model = AppraisalCouncil
    template_name = "projects/council_detail.html"

    def get_queryset(self):
        return selectors.council_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        return council_context(self.request, self.object)


class CouncilAddProposalsView(PolicyMixin, View):
    permission = "council.create"
    model = AppraisalCouncil
    http_method_names = ["post"]

    def post(self, request, pk):
        council = get_object_or_404(selectors.council_queryset(user=request.user), pk=pk)
        if not workflow.may_council_act(request.user, "add", council):
            raise PermissionDenied
        form = forms.CouncilProposalsForm(
            request.POST,
            proposals=services.council_eligible_proposals(
                actor=request.user,
                stage=council.stage,
                province_id=council.agency.province_id,
                council=council,
            ),
        )
        if form.is_valid():
            try:
                services.council_add_proposals(
                    council=council,
                    actor=request.user,
                    proposals=list(form.cleaned_data["proposals"]),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The proposals were put before the council."))
                return redirect("council-detail", pk=pk)
        return render(
            request,
            "projects/council_detail.html",
            council_context(request, council, add_form=form),
            status=400,
        )


class CouncilCloseView(PolicyMixin, View):
    permission = "council.view"
    model = AppraisalCouncil
    http_method_names = ["post"]

    def post(self, request, pk):
        council = get_object_or_404(selectors.council_queryset(user=request.user), pk=pk)
        try:
            services.council_close(council=council, actor=request.user)
        except ValidationError as exc:
            for reason in service_error_messages(exc):
                messages.error(request, reason)
        else:
            messages.success(request, _("The council's work is concluded."))
        return redirect("council-detail", pk=pk)


class CouncilConcludeView(PolicyMixin, View):
    """POST: the council's conclusion on one đề án (its chair or secretary)."""

    permission = "council.view"
    model = CouncilProposal
    http_method_names = ["post"]

    def post(self, request, pk):
        link = get_object_or_404(selectors.council_link_queryset(user=request.user), pk=pk)
        form = forms.ConclusionForm(request.POST, prefix=f"c{link.pk}")
        if form.is_valid():
            try:
                link = services.council_conclude(
                    link=link,
                    actor=request.user,
                    recommendation=form.cleaned_data["recommendation"],
                    opinions=form.cleaned_data["opinions"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The council concluded on %(code)s: %(score)s / 100, %(rec)s.")
                    % {
                        "code": link.proposal.code,
                        "score": f"{link.average_score:.2f}".replace(".", ","),
                        "rec": link.get_recommendation_display().lower(),
                    },
                )
                return redirect(reverse("council-detail", args=[link.council_id]) + "#proposals")
        return render(
            request,
            "projects/council_detail.html",
            council_context(request, link.council, **{f"conclusion_form_{link.pk}": form}),
            status=400,
        )


class _SheetMixin(PolicyMixin):
    """A member's score sheet of one đề án before their council: for its members while
    the council has not concluded on it (services.appraisal_record asks the same)."""

    permission = "council.view"
    model = CouncilProposal

    def get_link(self):
        link = get_object_or_404(
            selectors.council_link_queryset(user=self.request.user), pk=self.kwargs["pk"]
        )
        user = self.request.user
        if (
            not workflow.may_council_act(user, "score", link.council)
            or link.concluded_at is not None
            or appraisal.sheet_refusal(user, link.proposal)
        ):
            raise PermissionDenied
        return link

    def criteria(self):
        return AppraisalCriterion.objects.filter(active=True)


def _typed_score(form):
    """The weighted score of the scores typed in ``form`` (None until all are valid), by
    services.weighted_score: the function that computes the score stored on save."""
    scores = form.typed_scores() if form.is_bound else None
    return None if scores is None else services.weighted_score(scores)


class CouncilSheetView(_SheetMixin, View):
    """Phiếu chấm điểm: one member's scores of a đề án against the active criteria."""

    template_name = "projects/council_sheet.html"

    def render_page(self, link, form, status=200):
        mine = (
            Appraisal.objects.filter(
                council=link.council, proposal=link.proposal, appraiser=self.request.user
            )
            .prefetch_related("scores__criterion")
            .first()
        )
        context = {
            "link": link,
            "council": link.council,
            "proposal": link.proposal,
            "object": link.proposal,
            "form": form,
            "typed_score": _typed_score(form),
            "mine": mine,
            **checks_context(self.request, link.proposal),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        link = self.get_link()
        mine = Appraisal.objects.filter(
            council=link.council, proposal=link.proposal, appraiser=request.user
        ).first()
        initial = {}
        if mine is not None:
            initial = {f"score_{s.criterion.code}": s.score for s in mine.scores.all()}
            initial.update(recommendation=mine.recommendation, comment=mine.comment)
        return self.render_page(
            link, forms.AppraisalForm(criteria=self.criteria(), initial=initial)
        )

    def post(self, request, pk):
        link = self.get_link()
        form = forms.AppraisalForm(request.POST, criteria=self.criteria())
        if form.is_valid():
            try:
                sheet = services.appraisal_record(
                    link=link,
                    actor=request.user,
                    scores=form.scores(),
                    recommendation=form.cleaned_data["recommendation"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your score sheet was recorded: weighted score %(score)s / 100, %(rec)s.")
                    % {
                        "score": f"{sheet.weighted_score:.2f}".replace(".", ","),
                        "rec": sheet.get_recommendation_display().lower(),
                    },
                )
                return redirect(reverse("council-detail", args=[link.council_id]) + "#proposals")
        return self.render_page(link, form, status=400)


class CouncilSheetScoreView(_SheetMixin, View):
    """HTMX, while the scores are typed on the sheet: the weighted score of the scores as
    typed, computed on the server by the function that computes the score stored on save
    (the page has no formula of its own)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.get_link()
        form = forms.AppraisalForm(request.POST, criteria=self.criteria())
        return render(
            request, "projects/partials/weighted_score.html", {"score": _typed_score(form)}
        )
