"""Forms of the annual cycle: input only; the rules are in cycle.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cycle.models import Call, PlanDecision, RegistrationBatch
from programs.forms import DATE_WIDGET
from projects.models import RequiredDocument


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "title",
            "orientation",
            "opens_on",
            "deadline",
            "late_policy",
            "dossier_sets",
            "required_documents",
        ]
        widgets = {
            "opens_on": DATE_WIDGET,
            "deadline": DATE_WIDGET,
            "orientation": forms.Textarea(attrs={"rows": 4}),
            "required_documents": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_documents"].queryset = RequiredDocument.objects.select_related(
            "activity"
        )
        self.fields["required_documents"].required = False
        if national and not self.instance.pk:
            # Empty: the service takes the rule's default (20 May, TT 36/2013/TT-BCT).
            self.fields["deadline"].required = False
            self.fields["deadline"].help_text = _(
                "Empty: 20 May of the year before the plan year (Circular 36/2013/TT-BCT)."
            )
            self.fields["dossier_sets"].required = False


class CallCreateForm(CallForm):
    plan = forms.ModelChoiceField(label=_("Annual plan"), queryset=None)

    class Meta(CallForm.Meta):
        fields = ["plan", *CallForm.Meta.fields]

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


class RegistrationForm(forms.Form):
    call = forms.ModelChoiceField(
        label=_("Call for proposals"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, calls=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(pk__in=[c.pk for c in calls])


class BatchForm(forms.ModelForm):
    class Meta:
        model = RegistrationBatch
        fields = [
            "reference",
            "previous_year_results",
            "current_year_progress",
            "next_year_direction",
            "ubnd_copy_reference",
            "ubnd_copy_date",
        ]
        widgets = {
            "ubnd_copy_date": DATE_WIDGET,
            "previous_year_results": forms.Textarea(attrs={"rows": 3}),
            "current_year_progress": forms.Textarea(attrs={"rows": 3}),
            "next_year_direction": forms.Textarea(attrs={"rows": 3}),
        }


class DecisionForm(forms.ModelForm):
    class Meta:
        model = PlanDecision
        fields = ["number", "date", "signer", "scan"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("number", "date", "signer"):
            self.fields[name].required = True


class DecisionCreateForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Annual plan"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanDecision.Kind.choices)

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
