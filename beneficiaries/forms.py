"""Forms parse and check input; the rules of the registry are in rules.py / services.py."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.forms.models import fields_for_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.policies import is_national, visible
from beneficiaries.imports import MAX_UPLOAD_BYTES
from beneficiaries.models import Beneficiary, LegalForm, Sector
from beneficiaries.validators import tax_code_error, tax_code_normalise
from core.forms import DatabaseBoundsMixin
from reference.models import Commune, Province
from reference.selectors import commune_choices

EDITABLE_FIELDS = [
    "name",
    "legal_form",
    "tax_code",
    "citizen_id",
    "commune",
    "address",
    "sector",
    "product_line",
    "workers",
    "woman_owned",
    "ethnic_minority_owned",
    "representative",
    "phone",
    "email",
]


class CommuneField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _commune_options_attrs():
    """The province select refreshes the commune select through reference's endpoint."""
    return {
        "data-hx-get": reverse("commune-options"),
        "data-hx-target": "#id_commune",
        "data-hx-trigger": "change",
        "data-hx-swap": "innerHTML",
    }


def _communes_for(user, data, prefix_province=None):
    """Communes offered (and accepted): the user's province, or for a national user the
    province chosen in the form (none until one is chosen)."""
    if not is_national(user):
        return commune_choices(user=user)
    province_id = prefix_province
    if data is not None:
        province_id = data.get("province") or None
    if not province_id or not str(province_id).isdigit():
        return Commune.objects.none()
    return commune_choices(user=user, province_id=int(province_id))


class BeneficiaryForm(DatabaseBoundsMixin, forms.Form):
    """Create or edit an establishment. A national user picks the province first, which
    narrows the communes (HTMX); a provincial user sees only their own communes."""

    db_model = Beneficiary

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Beneficiary | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {
                **{f: getattr(instance, f) for f in EDITABLE_FIELDS},
                "commune": instance.commune_id,
                "sector": instance.sector_id,
                "province": instance.province_id,
                "version": instance.version,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Beneficiary, fields=EDITABLE_FIELDS))
        self.national = is_national(user)
        initial_province = self.initial.get("province")
        if self.national:
            self.fields["province"] = forms.ModelChoiceField(
                label=_("Province"),
                queryset=visible(user, Province.objects.all()),
                widget=forms.Select(attrs=_commune_options_attrs()),
            )
        self.fields["commune"] = CommuneField(
            label=_("Commune / ward"),
            queryset=_communes_for(user, self.data if self.is_bound else None, initial_province),
            empty_label=_("— choose a commune —"),
        )
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["sector"].empty_label = _("— choose a sector —")
        self.fields["legal_form"].choices = [("", _("— choose —")), *LegalForm.choices]
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["workers"].min_value = 0
        self.fields["tax_code"].max_length = 20  # typed with spaces or hyphens
        self.fields["tax_code"].help_text = _(
            "10 digits, or 13 for a branch (0101234567-001). Checked when you leave the field."
        )
        self.fields["citizen_id"].help_text = _(
            "Only for a household business or an artisan without a tax code: the owner's "
            "12-digit CCCD."
        )
        check_url = reverse("beneficiary-tax-code-check")
        if instance is not None:
            check_url += f"?exclude={instance.pk}"
        self.fields["tax_code"].widget.attrs.update(
            {
                "data-hx-get": check_url,
                "data-hx-trigger": "blur",
                "data-hx-target": "#tax-code-check",
                "data-hx-sync": "this:replace",
                "inputmode": "numeric",
                "autocomplete": "off",
            }
        )
        self.fields["citizen_id"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["product_line"].widget.attrs["rows"] = 2
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Establishment"),
                Field("name"),
                Row(
                    Column("legal_form", css_class="col-md-4"),
                    Column(
                        Field("tax_code"),
                        HTML(
                            '<div id="tax-code-check" class="small mb-3" aria-live="polite"></div>'
                        ),
                        css_class="col-md-4",
                    ),
                    Column("citizen_id", css_class="col-md-4"),
                ),
                Row(
                    Column("sector", css_class="col-md-4"),
                    Column("workers", css_class="col-md-2"),
                    Column("product_line", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Location"),
                Row(
                    *([Column("province", css_class="col-md-4")] if self.national else []),
                    Column("commune", css_class="col-md-4"),
                    Column("address", css_class="col-md-4" if self.national else "col-md-8"),
                ),
            ),
            Fieldset(
                _("Priorities"),
                Row(
                    Column("woman_owned", css_class="col-md-4"),
                    Column("ethnic_minority_owned", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("Contact"),
                Row(
                    Column("representative", css_class="col-md-4"),
                    Column("phone", css_class="col-md-4"),
                    Column("email", css_class="col-md-4"),
                ),
            ),
            Div("version"),
        )

    def clean_tax_code(self):
        value = self.cleaned_data.get("tax_code") or ""
        if not value.strip():
            return None
        error = tax_code_error(value)
        if error:
            raise forms.ValidationError(error, code="invalid_tax_code")
        return tax_code_normalise(value)

    def clean_citizen_id(self):
        value = (self.cleaned_data.get("citizen_id") or "").strip()
        return value or None

    def service_data(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in EDITABLE_FIELDS}
        data["version"] = self.cleaned_data.get("version")
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("The portal's template, at most 5 MB and 10,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if is_national(user):
            self.fields["province"] = forms.ModelChoiceField(
                label=_("Province"),
                queryset=Province.objects.all(),
                help_text=_("Communes are matched within this province."),
            )
            self.order_fields(["province", "file"])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("Upload an Excel workbook (.xlsx); other kinds of file are not accepted."),
                code="type",
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; at most 5 MB can be uploaded. Split it into "
                    "smaller files."
                )
                % {"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")},
                code="size",
            )
        return upload
