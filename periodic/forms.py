from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.richtext import RichTextField
from programs.forms import DATE_WIDGET  # dd/mm/yyyy, as every form of the portal

from . import rules
from .models import ReportingDeadline
from .rules import Kind


class StartForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=Kind.choices)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    program = forms.ModelChoiceField(
        label=_("Programme (period summary)"),
        queryset=None,
        required=False,
        help_text=_("Only for a period summary; a six-month or annual report is of the year."),
    )

    def __init__(self, *args, programs=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, this_year - 6, -1)]
        self.fields["program"].queryset = programs

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.PERIOD_SUMMARY:
            if not data.get("program"):
                self.add_error("program", _("Choose the programme the summary is of."))
        elif not data.get("year"):
            self.add_error("year", _("Choose the year."))
        return data


class NarrativeForm(forms.Form):
    """One rich-text field per section of ``rules.SECTIONS``."""

    seen = forms.DateTimeField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Section I of the report is the figures: the text starts at II (numbered as the
        # report page and the document number them).
        for number, (key, heading, hint) in enumerate(rules.SECTIONS, start=2):
            self.fields[key] = RichTextField(
                label=f"{number}. {heading}", help_text=hint, required=False
            )


class SignForm(forms.Form):
    document_number = forms.CharField(label=_("Number and symbol"), max_length=60)
    signed_on = forms.DateField(label=_("Date signed"), widget=DATE_WIDGET)
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=200, required=False)
    scan = forms.FileField(
        label=_("Scan of the signed copy"), help_text=_("PDF, JPG or PNG, at most 20 MB.")
    )


class SendForm(forms.Form):
    sent_on = forms.DateField(label=_("Date sent"), widget=DATE_WIDGET)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = ReportingDeadline
        fields = ["day", "month", "year_offset", "basis", "verified"]
