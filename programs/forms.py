"""Input validation for programmes, plans and support caps (the rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policies import is_national
from core.forms import DatabaseBoundsMixin, VNDField
from core.funding import SOURCE_SHORT
from programs.models import (
    Activity,
    AnnualPlan,
    Indicator,
    LegalDocument,
    Level,
    Program,
    ProgramTarget,
    SupportCap,
)
from reference.models import Province

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class ProgramForm(DatabaseBoundsMixin, forms.ModelForm):
    db_model = Program
    db_columns = {"target_*": (ProgramTarget, "target_value")}

    class Meta:
        model = Program
        fields = ["code", "name", "level", "start_year", "end_year", "decision", "objectives"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not is_national(user):
            # A province keeps its own programme only.
            self.fields["level"].initial = Level.LOCAL
            self.fields["level"].disabled = True
        self.fields["decision"].queryset = LegalDocument.objects.filter(
            doc_type__in=["decision", "resolution"]
        )
        self.fields["decision"].required = False
        self.indicators = list(Indicator.objects.all())
        current = {}
        if self.instance.pk:
            current = {t.indicator_id: t.target_value for t in self.instance.targets.all()}
        for indicator in self.indicators:
            self.fields[f"target_{indicator.code}"] = forms.IntegerField(
                label=f"{indicator.name} ({indicator.unit})",
                required=False,
                min_value=0,
                initial=current.get(indicator.pk),
            )

    def target_fields(self):
        return [self[f"target_{i.code}"] for i in self.indicators]

    def targets(self) -> dict:
        return {i: self.cleaned_data.get(f"target_{i.code}") for i in self.indicators}


class PlanCreateForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Programme"), queryset=Program.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.fields["year"].initial = timezone.localdate().year + 1


class BudgetForm(DatabaseBoundsMixin, forms.Form):
    """Budget per funding source; the sources shown depend on the plan's level."""

    db_model = AnnualPlan

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = sources
        for source in sources:
            self.fields[f"budget_{source.value}"] = VNDField(
                label=source.label, required=False, initial=0
            )

    def budget_fields(self):
        return [(s, self[f"budget_{s.value}"]) for s in self.sources]

    def budgets(self) -> dict[str, int]:
        return {s.value: self.cleaned_data.get(f"budget_{s.value}") or 0 for s in self.sources}


class AllocationForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    source = forms.ChoiceField(label=_("Funding source"))
    amount = VNDField(label=_("Amount (VND)"), min_value=1)

    def __init__(self, *args, activities, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
        self.fields["activity"].empty_label = _("— choose an activity —")
        self.fields["source"].choices = [(s.value, SOURCE_SHORT[s.value]) for s in sources]
        for name in ("activity", "source"):
            self.fields[name].widget.attrs["class"] = "form-select"


class BaseAllocationFormSet(forms.BaseFormSet):
    def allocations(self):
        return [
            (f.cleaned_data["activity"], f.cleaned_data["source"], f.cleaned_data["amount"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


AllocationFormSet = forms.formset_factory(
    AllocationForm, formset=BaseAllocationFormSet, extra=1, can_delete=True
)


class DecisionForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE_WIDGET)
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        required=False,
        help_text=_("e.g. UBND tỉnh Sơn La, or Bộ trưởng Bộ Công Thương"),
    )


class AmendmentForm(forms.Form):
    decision_number = forms.CharField(label=_("Amending decision number"), max_length=60)
    decision_date = forms.DateField(label=_("Amending decision date"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(forms.Form):
    action = forms.CharField()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision_number = forms.CharField(required=False, max_length=60)
    decision_date = forms.DateField(required=False)
    decided_by = forms.CharField(required=False, max_length=200)


class CapForm(forms.ModelForm):
    max_amount = VNDField(label=_("Maximum amount (VND)"), required=False, min_value=1)
    source_url = forms.URLField(
        label=_("Published source"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the level can be read (the resolution or circular as published)."),
    )

    class Meta:
        model = SupportCap
        fields = [
            "activity",
            "level",
            "province",
            "max_percent",
            "max_amount",
            "unit",
            "effective_from",
            "effective_to",
            "legal_document",
            "article",
            "source_url",
            "is_example",
            "notes",
        ]
        widgets = {
            "effective_from": DATE_WIDGET,
            "effective_to": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_national(user):
            # A province's administrator keeps that province's rules only, and those are
            # for its local funds (HĐND resolution): province and level are fixed.
            for name, value in (("province", user.province_id), ("level", Level.LOCAL)):
                self.fields[name].disabled = True
                # A disabled field takes its value from the form's initial data, which a
                # ModelForm fills from the (new, empty) instance: set it there.
                self.initial[name] = value
            self.fields["level"].help_text = _(
                "A province's rules apply to its local funds only; national funds follow the "
                "national rules."
            )


class CapCalculatorForm(DatabaseBoundsMixin, forms.Form):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.all())
    level = forms.ChoiceField(label=_("Funding level"), choices=Level.choices)
    on_date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    eligible_cost = VNDField(label=_("Eligible cost (VND)"))
    requested = VNDField(label=_("Requested support (VND)"))
    units = forms.IntegerField(label=_("Units"), min_value=1, initial=1)
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=_("— national rule —"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_national(user):
            del self.fields["province"]  # a province's own rules apply automatically


PLAN_STATUS_CHOICES = AnnualPlan.Status.choices
