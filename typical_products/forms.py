"""Input of the selection pages; the rules are checked by the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DatabaseBoundsMixin
from reference.models import Province
from typical_products import rules
from typical_products.models import Certificate, Entry, SelectionRound
from typical_products.rules import CRITERIA, Level

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class RoundForm(DatabaseBoundsMixin, forms.Form):
    db_model = SelectionRound

    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    province = forms.ModelChoiceField(
        label=_("Province (provincial round)"), queryset=Province.objects.none(), required=False
    )
    region = forms.ChoiceField(
        label=_("Region (regional round)"),
        choices=[("", "—"), *rules.Region.choices],
        required=False,
    )
    title = forms.CharField(label=_("Name of the round"), max_length=255)
    organiser = forms.CharField(label=_("Organiser"), max_length=255)
    decision_number = forms.CharField(label=_("Organising decision or plan number"), max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE_WIDGET)
    opens_on = forms.DateField(label=_("Entries open on"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_("Entries close on"), widget=DATE_WIDGET)
    pass_mark = forms.IntegerField(
        label=_("Pass mark (points)"),
        required=False,
        min_value=1,
        max_value=rules.MAX_POINTS,
        help_text=_("Empty: the level's default (example values to be checked)."),
    )
    max_recognised = forms.IntegerField(
        label=_("Most products recognised"), required=False, min_value=1
    )

    def __init__(self, *args, levels, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv, Level(lv).label) for lv in levels]
        self.fields["province"].queryset = provinces
        if len(levels) == 1:
            self.fields["level"].initial = levels[0]
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first()
        self.fields["year"].initial = timezone.localdate().year


class EntryForm(forms.Form):
    beneficiary = forms.ModelChoiceField(
        label=_("Establishment"),
        queryset=None,
        error_messages={"invalid_choice": _("This establishment cannot enter this round.")},
    )
    name = forms.CharField(label=_("Product"), max_length=255)
    group = forms.ChoiceField(label=_("Product group"), choices=rules.Group.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    qualifying_certificate = forms.ModelChoiceField(
        label=_("Certificate of the level below"),
        queryset=Certificate.objects.none(),
        required=False,
    )

    def __init__(self, *args, beneficiaries, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = beneficiaries
        if certificates is None:  # a provincial round takes no certificate
            self.fields.pop("qualifying_certificate")
            return
        field = self.fields["qualifying_certificate"]
        field.required = True
        field.queryset = certificates
        field.label_from_instance = lambda c: (
            f"{c.number} · {c.entry.name} · {c.entry.beneficiary.name} "
            f"({c.entry.round.get_level_display()} {c.issued_on.year})"
        )


class ScoreForm(DatabaseBoundsMixin, forms.Form):
    db_model = Entry

    recognised = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Recognised")), ("0", _("Not recognised"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            self.fields[f"points_{criterion.code}"] = forms.IntegerField(
                label=_("%(criterion)s (at most %(max)s)")
                % {"criterion": criterion.label, "max": criterion.max_points},
                min_value=0,
                max_value=criterion.max_points,
            )
        self.order_fields([f"points_{c.code}" for c in CRITERIA] + ["recognised"])

    def points(self) -> dict:
        return {c.code: self.cleaned_data[f"points_{c.code}"] for c in CRITERIA}


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=60)
    decision_number = forms.CharField(label=_("Recognition decision number"), max_length=60)
    decision_date = forms.DateField(label=_("Decision date"), widget=DATE_WIDGET)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE_WIDGET)


class OutputCertificatesForm(forms.Form):
    certificates = forms.ModelMultipleChoiceField(
        label=_("Certificates counted"),
        queryset=Certificate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificates"].queryset = candidates
        self.fields["certificates"].label_from_instance = lambda c: (
            f"{c.number} · {c.entry.name} · {c.entry.beneficiary.name} · "
            f"{c.entry.round.get_level_display()} {c.issued_on.year}"
        )
