"""Input of the inspection pages: they validate what was typed; the rules (who, when, what
a conclusion needs) are checked by inspections.services, whose errors are put back next
to the fields they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DatabaseBoundsMixin
from disbursement.models import Tranche
from inspections.models import Inspection, Result

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
RECORD_FORM = "record-form"  # the id of the <form> the checklist inputs belong to


class InspectionPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of inspection"))
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    team = forms.CharField(
        label=_("Inspection team"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One member per line: full name, position, agency."),
    )
    contract = forms.ModelChoiceField(
        label=_("Contract in scope"), queryset=None, required=False, empty_label=_("None")
    )
    tranches = forms.ModelMultipleChoiceField(
        label=_("Tranches in scope"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, proposal, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Inspection.Kind(k).label) for k in kinds]
        self.fields["contract"].queryset = proposal.contracts.order_by("-version")
        self.fields["tranches"].queryset = (
            Tranche.objects.filter(proposal=proposal)
            .exclude(kind=Tranche.Kind.REVERSAL)
            .order_by("recorded_at", "id")
        )
        self.fields["tranches"].label_from_instance = _tranche_label


def _tranche_label(tranche: Tranche) -> str:
    from core.formatting import format_vnd
    from core.funding import SOURCE_SHORT

    when = tranche.paid_on or tranche.due_on
    parts = [
        str(tranche.get_kind_display()),
        str(SOURCE_SHORT.get(tranche.source, tranche.source)),
        format_vnd(tranche.amount),
        str(tranche.get_status_display()),
    ]
    if when:
        parts.append(when.strftime("%d/%m/%Y"))
    return " · ".join(parts)


class InspectionRecordForm(DatabaseBoundsMixin, forms.Form):
    """The on-site record: date, people, one result and note per checklist item, and the
    conclusion. Every input belongs to the page's ``record-form`` (HTML ``form``
    attribute), so the photo and recommendation forms can sit between them."""

    db_model = Inspection

    version = forms.IntegerField(widget=forms.HiddenInput)
    inspected_on = forms.DateField(
        label=_("Date of the inspection"), widget=DATE_WIDGET, required=False
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    team = forms.CharField(
        label=_("Inspection team"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One member per line: full name, position, agency."),
    )
    inspected_party = forms.CharField(
        label=_("Representatives of the inspected unit"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    conclusion = forms.ChoiceField(
        label=_("Overall conclusion"),
        choices=Result.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    conclusion_text = forms.CharField(
        label=_("Conclusion of the inspection team"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    number = forms.CharField(
        label=_("Record number (biên bản)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "12/BB-SCT"}),
        help_text=_(
            "The number from your agency's register of outgoing documents. Left empty, the "
            "portal gives the next number when the biên bản is first produced."
        ),
    )

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for answer in self.answers:
            self.fields[f"result_{answer.pk}"] = forms.ChoiceField(
                label=answer.text,
                choices=Result.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                required=False,
            )
            self.fields[f"note_{answer.pk}"] = forms.CharField(
                label=_("Findings"),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
                required=False,
            )
        self.fields["conclusion"].widget.attrs["class"] = "form-check-input"
        for field in self.fields.values():
            field.widget.attrs["form"] = RECORD_FORM

    @classmethod
    def initial_for(cls, inspection: Inspection, answers) -> dict:
        return {
            "version": inspection.version,
            "inspected_on": inspection.inspected_on,
            "place": inspection.place,
            "team": inspection.team,
            "inspected_party": inspection.inspected_party,
            "conclusion": inspection.conclusion,
            "conclusion_text": inspection.conclusion_text,
            "number": inspection.number,
            **{f"result_{a.pk}": a.result for a in answers},
            **{f"note_{a.pk}": a.note for a in answers},
        }

    def answer_values(self) -> dict[int, tuple[str, str]]:
        return {
            a.pk: (self.cleaned_data[f"result_{a.pk}"], self.cleaned_data[f"note_{a.pk}"])
            for a in self.answers
        }

    def rows(self) -> list[dict]:
        return [
            {"answer": a, "result": self[f"result_{a.pk}"], "note": self[f"note_{a.pk}"]}
            for a in self.answers
        ]


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo (JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Responsible"), max_length=200, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)


class RecommendationActionForm(forms.Form):
    ACTIONS = ("follow_up", "remedy", "remove")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(label=_("Follow-up"), required=False)
    remedied_on = forms.DateField(label=_("Remedied on"), widget=DATE_WIDGET, required=False)
    next = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "remedy" and not data.get("remedied_on"):
            self.add_error("remedied_on", _("Enter the date it was remedied (dd/mm/yyyy)."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
