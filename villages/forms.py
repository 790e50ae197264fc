"""Input validation for the craft village pages; the rules live in villages.services."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.forms.models import fields_for_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.policies import is_national, scope_province_id, visible
from beneficiaries.models import Sector
from core.forms import DatabaseBoundsMixin
from reference.models import Commune, Province
from villages.models import CraftVillage

EDITABLE_FIELDS = [
    "name",
    "kind",
    "sector",
    "decision_number",
    "decision_date",
    "status",
    "revocation_number",
    "revocation_date",
    "note",
]
MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


class CommuneMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CraftVillageForm(DatabaseBoundsMixin, forms.Form):
    """Register or edit a craft village. A national administrator picks the province
    first (the communes follow, HTMX); a province's administrator sees their own."""

    db_model = CraftVillage

    def __init__(self, *args, user, instance: CraftVillage | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {
                **{f: getattr(instance, f) for f in EDITABLE_FIELDS},
                "sector": instance.sector_id,
                "province": instance.province_id,
                "communes": [c.pk for c in instance.communes.all()],
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(CraftVillage, fields=EDITABLE_FIELDS))
        self.national = is_national(user)
        if self.national:
            self.fields["province"] = forms.ModelChoiceField(
                label=_("Province"),
                queryset=visible(user, Province.objects.all()),
                widget=forms.Select(
                    attrs={
                        "data-hx-get": reverse("commune-options"),
                        "data-hx-target": "#id_communes",
                        "data-hx-trigger": "change",
                        "data-hx-swap": "innerHTML",
                    }
                ),
            )
            bound = self.data.get("province") if self.is_bound else None
            province_id = bound or self.initial.get("province")
        else:
            province_id = scope_province_id(user)
        communes = Commune.objects.none()
        if province_id and str(province_id).isdigit():
            communes = visible(user, Commune.objects.filter(province_id=int(province_id)))
        help_text = _("On the 2025 map. Hold Ctrl (⌘ on a Mac) to choose more than one.")
        if instance is not None:
            chosen = ", ".join(c.name for c in instance.communes.all())
            help_text = _("%(help)s Chosen now: %(communes)s.") % {
                "help": help_text,
                "communes": chosen,
            }
        self.fields["communes"] = CommuneMultipleField(
            label=_("Commune(s) / ward(s)"),
            queryset=communes.order_by("name_folded", "code"),
            widget=forms.SelectMultiple(attrs={"size": 8}),
            help_text=help_text,
        )
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["sector"].empty_label = _("— choose a trade —")
        self.fields["decision_date"].widget = DateInput()
        self.fields["revocation_date"].widget = DateInput()
        self.fields["revocation_number"].help_text = _("Only when the recognition was revoked.")
        self.fields["note"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["decision_file"] = forms.FileField(
            label=_("Scan of the decision (PDF or image)"),
            required=False,
            help_text=(
                _("A file is kept; choose another to replace it.")
                if instance is not None and instance.decision_file
                else _("At most 10 MB.")
            ),
            widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Craft village"),
                Row(
                    Column("name", css_class="col-md-6"),
                    Column("kind", css_class="col-md-3"),
                    Column("sector", css_class="col-md-3"),
                ),
                Row(
                    *([Column("province", css_class="col-md-4")] if self.national else []),
                    Column("communes", css_class="col-md-8"),
                ),
            ),
            Fieldset(
                _("Recognition by the UBND tỉnh"),
                Row(
                    Column("decision_number", css_class="col-md-4"),
                    Column("decision_date", css_class="col-md-3"),
                    Column("decision_file", css_class="col-md-5"),
                ),
                Row(
                    Column("status", css_class="col-md-4"),
                    Column("revocation_number", css_class="col-md-4"),
                    Column("revocation_date", css_class="col-md-4"),
                ),
                Field("note"),
            ),
        )

    def clean_decision_file(self):
        upload = self.cleaned_data.get("decision_file")
        if not upload:
            return None
        if not upload.name.lower().endswith(SCAN_SUFFIXES):
            raise forms.ValidationError(_("Upload the scan as a PDF, JPG or PNG file."))
        if upload.size > MAX_SCAN_BYTES:
            raise forms.ValidationError(_("The scan is larger than 10 MB."))
        return upload

    def service_data(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in EDITABLE_FIELDS}
        data["communes"] = list(self.cleaned_data.get("communes") or [])
        if self.national:
            data["province"] = self.cleaned_data.get("province")
        elif self.instance is not None:
            data["province"] = self.instance.province
        else:
            data["province"] = Province.objects.filter(pk=scope_province_id(self.user)).first()
        return data


class BeneficiaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.commune.name}"


class MemberAddForm(forms.Form):
    beneficiary = BeneficiaryChoiceField(
        label=_("Establishment"), queryset=None, empty_label=_("— choose an establishment —")
    )
    joined_on = forms.DateField(label=_("Member since"), widget=DateInput())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = candidates
        self.helper = FormHelper()
        self.helper.form_tag = False


class MemberLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Last day in the village"), widget=DateInput())


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        communes = ", ".join(c.name for c in obj.communes.all())
        return f"{obj.name} — {communes}" if communes else obj.name


class JoinVillageForm(forms.Form):
    """From the establishment's page: the village of its province it joins, and when."""

    village = VillageChoiceField(
        label=_("Craft village"), queryset=None, empty_label=_("— choose a craft village —")
    )
    joined_on = forms.DateField(label=_("Member since"), widget=DateInput())

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages.prefetch_related("communes")
        self.helper = FormHelper()
        self.helper.form_tag = False
