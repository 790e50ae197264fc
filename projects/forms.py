"""Input validation for the đề án pages. The rules (caps, eligibility, who may act) live
in projects.services and projects.checks; these forms only check what was typed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from beneficiaries.models import Beneficiary
from core.forms import DatabaseBoundsMixin, VNDField, service_error_messages
from core.funding import SOURCE_SHORT
from programs.models import Activity, AnnualPlan, Indicator
from projects.models import (
    Appraisal,
    AppraisalCouncil,
    AppraisalScore,
    CouncilMember,
    Proposal,
    ProposalBeneficiary,
    ProposalOutput,
)
from projects.services import MAX_ATTACHMENTS_PER_UPLOAD, NewAttachment

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class ProposalCreateForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Annual plan"), queryset=AnnualPlan.objects.none())
    title = forms.CharField(label=_("Proposal title"), max_length=400)
    kind = forms.ChoiceField(label=_("Kind of proposal"), choices=Proposal.Kind.choices)
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    implementing_agency = forms.ModelChoiceField(
        label=_("Implementing unit"), queryset=Proposal.objects.none()
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), widget=DATE_WIDGET)
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, plans, activities, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["activity"].queryset = activities
        self.fields["implementing_agency"].queryset = agencies
        self.fields["plan"].label_from_instance = _plan_label
        # The promotion centre usually implements the đề án.
        self.fields["implementing_agency"].initial = agencies.filter(
            kind="promotion_centre"
        ).first()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


def _plan_label(plan: AnnualPlan) -> str:
    return f"{plan.year} · {plan.title} ({plan.get_status_display()})"


class ProposalGeneralForm(DatabaseBoundsMixin, forms.Form):
    """Section 1 of the entry form: what, who, where and when."""

    db_model = Proposal

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Proposal title"), max_length=400)
    kind = forms.ChoiceField(label=_("Kind of proposal"), choices=Proposal.Kind.choices)
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    implementing_agency = forms.ModelChoiceField(
        label=_("Implementing unit"), queryset=Proposal.objects.none()
    )
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes / wards where it takes place"),
        queryset=Proposal.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), widget=DATE_WIDGET)
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    double_funding_justification = forms.CharField(
        label=_("Justification of support already received"),
        required=False,
        help_text=_(
            "Needed only when an establishment is already supported by another proposal "
            "for the same activity group and period (see the checks)."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FIELDS = (
        "title",
        "kind",
        "activity",
        "implementing_agency",
        "objectives",
        "start_date",
        "end_date",
        "double_funding_justification",
    )

    def __init__(self, *args, activities, agencies, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["implementing_agency"].queryset = agencies
        self.fields["communes"].queryset = communes

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class BeneficiaryLinkForm(DatabaseBoundsMixin, forms.Form):
    """One establishment of the đề án: picked by name or tax code, with its share."""

    db_columns = {"support_amount": (ProposalBeneficiary, "support_amount")}

    beneficiary = forms.ModelChoiceField(
        label=_("Establishment"),
        queryset=Beneficiary.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Pick the establishment from the list that appears while you type."),
            "invalid_choice": _("This establishment cannot be chosen here."),
        },
    )
    label = forms.CharField(
        label=_("Establishment (name or tax code)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    support_amount = VNDField(label=_("Support share (VND)"), required=False)

    def __init__(self, *args, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = beneficiaries


class BaseBeneficiaryFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            beneficiary = form.cleaned_data["beneficiary"]
            if beneficiary.pk in seen:
                raise forms.ValidationError(
                    _("%(name)s is listed twice.") % {"name": beneficiary.name}
                )
            seen.add(beneficiary.pk)

    def links(self) -> list[tuple]:
        return [
            (f.cleaned_data["beneficiary"], f.cleaned_data.get("support_amount") or 0)
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


BeneficiaryFormSet = forms.formset_factory(
    BeneficiaryLinkForm, formset=BaseBeneficiaryFormSet, extra=1, can_delete=True
)


class QuantityField(forms.DecimalField):
    """A quantity as people type it: "2,5" (Vietnamese) or "2.5"; "1.000,5" too."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        return attrs


class BudgetLineForm(DatabaseBoundsMixin, forms.Form):
    """Dự toán: one item, quantity × unit price, split by funding source."""

    item = forms.CharField(label=_("Item"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    quantity = QuantityField(
        label=_("Quantity"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    unit_price = VNDField(label=_("Unit price (VND)"))

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = sources
        for source in sources:
            self.fields[source] = VNDField(label=SOURCE_SHORT[source], required=False)
        self.fields["quantity"].widget.attrs.update(
            {"class": "form-control text-end quantity", "inputmode": "decimal"}
        )

    def amount(self) -> int | None:
        quantity, price = self.cleaned_data.get("quantity"), self.cleaned_data.get("unit_price")
        if quantity is None or price is None:
            return None
        return int((quantity * price).to_integral_value(ROUND_HALF_UP))

    def clean(self):
        data = super().clean()
        amount = self.amount()
        if amount is not None and all(s not in self.errors for s in self.sources):
            split = sum(data.get(s) or 0 for s in self.sources)
            if split != amount:
                raise forms.ValidationError(
                    _(
                        "The funding sources add up to %(split)s but the amount "
                        "(quantity × unit price) is %(amount)s."
                    )
                    % {
                        "split": f"{split:,}".replace(",", "."),
                        "amount": f"{amount:,}".replace(",", "."),
                    },
                    code="sources",
                )
        return data

    def source_fields(self):
        return [self[s] for s in self.sources]


class BaseBudgetLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        rows = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "item": data["item"],
                    "unit": data["unit"],
                    "quantity": data["quantity"],
                    "unit_price": data["unit_price"],
                    **{s: data.get(s) or 0 for s in form.sources},
                }
            )
        return rows


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetLineFormSet, extra=1, can_delete=True
)


class OutputsForm(DatabaseBoundsMixin, forms.Form):
    """Sản phẩm, chỉ tiêu đầu ra: a target for each indicator (empty = none)."""

    db_columns = {"target_*": (ProposalOutput, "target_value")}

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"target_{indicator.code}"] = forms.IntegerField(
                label=f"{indicator.name} ({indicator.unit})", required=False, min_value=0
            )

    def outputs(self) -> list[tuple[Indicator, int]]:
        return [
            (i, self.cleaned_data[f"target_{i.code}"])
            for i in self.indicators
            if self.cleaned_data.get(f"target_{i.code}")
        ]


ATTACH_ACCEPT = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx"


class AttachmentRowForm(forms.Form):
    """One row of the dossier upload: a file, which document of the checklist it is, and
    a title. A row left without a file is not part of the upload; the file itself is
    checked by services.document_validate (through services.attachments_add)."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ATTACH_ACCEPT}),
    )
    document_type = forms.ChoiceField(label=_("Document type"), required=False)
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=200)

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = {str(d.pk): d for d in documents}
        self.fields["document_type"].choices = [("", _("Other document"))] + [
            (key, d.name) for key, d in self.documents.items()
        ]

    def clean_document_type(self):
        return self.documents.get(self.cleaned_data["document_type"])

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("file"):
            self.add_error("file", _("Choose the file of this row, or clear its title."))
        return data


class BaseAttachmentFormSet(forms.BaseFormSet):
    accept = ATTACH_ACCEPT

    def new_attachments(self) -> list[NewAttachment]:
        """The rows with a file, in order, for services.attachments_add."""
        return [
            NewAttachment(
                upload=form.cleaned_data["file"],
                document_type=form.cleaned_data["document_type"],
                title=form.cleaned_data["title"],
            )
            for form in self.chosen_rows()
        ]

    def chosen_rows(self) -> list[AttachmentRowForm]:
        return [form for form in self.forms if form.cleaned_data.get("file")]

    def refuse(self, exc: ValidationError) -> None:
        """Put the service's refusal back on the page: a refused file's reasons next to its
        row (services.AttachmentsRefused counts the rows with a file), the rest on top.
        The rows whose file passed are marked: nothing was kept, they are chosen again."""
        rows = self.chosen_rows()
        by_index = getattr(exc, "by_index", {})
        for index, form in enumerate(rows):
            if index in by_index:
                form.add_error("file", by_index[index])
            else:
                form.passed = form.cleaned_data["file"].name
        if not by_index:
            self.refusals = service_error_messages(exc)

    def top_errors(self) -> list[str]:
        return [*self.non_form_errors(), *getattr(self, "refusals", [])]

    def was_refused(self) -> bool:
        return self.is_bound and bool(self.total_error_count() or self.top_errors())


AttachmentFormSet = forms.formset_factory(
    AttachmentRowForm,
    formset=BaseAttachmentFormSet,
    extra=0,
    max_num=MAX_ATTACHMENTS_PER_UPLOAD,
    absolute_max=MAX_ATTACHMENTS_PER_UPLOAD,
)
MIN_ATTACHMENT_ROWS = 3


def attachment_formset(missing, documents, data=None, files=None) -> BaseAttachmentFormSet:
    """The upload form: a row per document still ``missing`` (in checklist order, each
    with its document chosen), at least ``MIN_ATTACHMENT_ROWS``; without JavaScript these
    are the rows, with it more are added."""
    rows = [{"document_type": str(d.pk)} for d in missing][:MAX_ATTACHMENTS_PER_UPLOAD]
    rows += [{}] * (MIN_ATTACHMENT_ROWS - len(rows))
    return AttachmentFormSet(
        data, files, prefix="doc", initial=rows, form_kwargs={"documents": documents}
    )


class AppraisalForm(DatabaseBoundsMixin, forms.Form):
    """Thẩm định: a score per active criterion, a recommendation and a comment."""

    db_columns = {"score_*": (AppraisalScore, "score")}

    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Appraisal.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless you recommend approval."),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        score_fields = {}
        for criterion in self.criteria:
            score_fields[f"score_{criterion.code}"] = forms.IntegerField(
                label=criterion.name,
                min_value=0,
                max_value=criterion.max_score,
                help_text=_("0 to %(max)s · weight %(weight)s")
                % {"max": criterion.max_score, "weight": f"{criterion.weight:g}"},
                widget=forms.NumberInput(attrs={"class": "form-control text-end score"}),
            )
        # Scores first, then the recommendation.
        self.fields = {**score_fields, **self.fields}

    def score_rows(self):
        return [(c, self[f"score_{c.code}"]) for c in self.criteria]

    def scores(self) -> dict:
        return {c: self.cleaned_data[f"score_{c.code}"] for c in self.criteria}

    def typed_scores(self) -> dict | None:
        """The scores as typed so far, whatever the rest of the form holds: None until
        every criterion has a valid score (for the weighted score shown while typing)."""
        self.is_valid()
        if any(f"score_{c.code}" not in self.cleaned_data for c in self.criteria):
            return None
        return self.scores()


class JudgeOnForm(forms.Form):
    """The date the checks panel judges by (projects.views.checks_context): the decision
    date typed in the decision panel, or a date chosen on the panel while preparing."""

    decision_date = forms.DateField(required=False)
    on_date = forms.DateField(required=False)


class TransitionForm(forms.Form):
    action = forms.CharField()
    comment = forms.CharField(required=False)
    decision_number = forms.CharField(required=False, max_length=60)
    decision_date = forms.DateField(required=False)


# --- Appraisal councils ----------------------------------------------------------------------


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        return f"{name} · {obj.position}" if obj.position else name


class _UsersChoice(forms.ModelMultipleChoiceField):
    label_from_instance = _UserChoice.label_from_instance


class _ProposalsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.title}"


class CouncilForm(forms.Form):
    """Hội đồng thẩm định: who, established by which decision, meeting when and where, and
    the đề án it appraises (services.council_create decides whether they may)."""

    name = forms.CharField(label=_("Name"), max_length=300)
    mode = forms.ChoiceField(
        label=_("Form of the appraisal"),
        choices=AppraisalCouncil.Mode.choices,
        widget=forms.RadioSelect,
        initial=AppraisalCouncil.Mode.COUNCIL,
    )
    decision_number = forms.CharField(label=_("Establishing decision number"), max_length=60)
    decision_date = forms.DateField(label=_("Establishing decision date"), widget=DATE_WIDGET)
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DATE_WIDGET)
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=300)
    chair = _UserChoice(
        label=_("Chair (lead officer)"), queryset=User.objects.none(), empty_label=None
    )
    secretary = _UserChoice(
        label=_("Secretary"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Required for a council: the secretary writes the minutes."),
    )
    members = _UsersChoice(
        label=_("Other members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proposals = _ProposalsChoice(
        label=_("Proposals to appraise"),
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, people, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("chair", "secretary", "members"):
            self.fields[field].queryset = people
        self.fields["proposals"].queryset = proposals

    def seats(self) -> list[tuple]:
        """The members with their roles, chair first."""
        data = self.cleaned_data
        seats = [(data["chair"], CouncilMember.Role.CHAIR)]
        if data.get("secretary"):
            seats.append((data["secretary"], CouncilMember.Role.SECRETARY))
        seats += [(u, CouncilMember.Role.MEMBER) for u in data.get("members") or []]
        return seats


class CouncilProposalsForm(forms.Form):
    proposals = _ProposalsChoice(
        label=_("Proposals to add"),
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = proposals


class ConclusionForm(forms.Form):
    """Kết luận của hội đồng on one đề án: the recommendation and the members' opinions."""

    recommendation = forms.ChoiceField(
        label=_("Conclusion"), choices=Appraisal.Recommendation.choices, widget=forms.RadioSelect
    )
    opinions = forms.CharField(
        label=_("Members' opinions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless the council recommends approval."),
    )
