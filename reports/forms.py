"""Forms of the reports pages: one request form per kind of report (the choices offered
are what the user may report on), the list's filters, and the public verification form.
They validate input only; ``reports.services.report_request`` decides."""

from __future__ import annotations

import datetime

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policies import is_national, visible
from core.formatting import format_date
from cycle.models import RegistrationBatch
from inspections.models import Inspection
from programs.models import AnnualPlan, Program
from projects.models import AppraisalCouncil
from reference.models import Province
from reports.models import ReportJob
from reports.services import INSPECTION_RECORDED, MAX_PERIOD_DAYS

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
K = ReportJob.Kind


# The inspection list offers the most recent ones (a national user sees every province's);
# an older inspection is reached from its own page, which posts its id here directly.
INSPECTIONS_OFFERED = 300


class RecentChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset[:INSPECTIONS_OFFERED]:
            yield self.choice(obj)

    def __len__(self):
        return min(self.queryset.count(), INSPECTIONS_OFFERED) + (
            self.field.empty_label is not None
        )


class InspectionChoiceField(forms.ModelChoiceField):
    """Offers the recent inspections, accepts any inspection of its queryset."""

    iterator = RecentChoiceIterator

    def label_from_instance(self, obj):
        day = obj.inspected_on or obj.planned_on
        return f"{obj.proposal.code} · {obj.get_kind_display()} · {format_date(day)}"


class RequestForm(forms.Form):
    """Common part: the user, the province choice and the period fields."""

    kind: str = ""
    description = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.national = is_national(user)

    def _province_field(self, *, label=None) -> forms.ModelChoiceField:
        """National users choose any province or the whole country (empty); a provincial
        user has only their own province."""
        if self.national:
            return forms.ModelChoiceField(
                label=label or _("Province"),
                queryset=Province.objects.order_by("name"),
                required=False,
                empty_label=_("Whole country"),
            )
        return forms.ModelChoiceField(
            label=label or _("Province"),
            queryset=Province.objects.filter(pk=self.user.province_id),
            empty_label=None,
        )

    def _check_period(self, cleaned: dict, *, required: bool) -> None:
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if required:
            for field in ("date_from", "date_to"):
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, _("Enter a date (dd/mm/yyyy)."))
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif (date_to - date_from).days > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("A report covers at most five years."))

    def params(self) -> dict:
        """The cleaned data as the job's JSON parameters (ids and ISO dates)."""
        result = {}
        for name, value in self.cleaned_data.items():
            if hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            result[name] = value
        return result


def _period_fields(form: RequestForm) -> None:
    today = timezone.localdate()
    form.fields["date_from"] = forms.DateField(
        label=_("From"), widget=DATE_WIDGET, initial=today.replace(month=1, day=1)
    )
    form.fields["date_to"] = forms.DateField(label=_("To"), widget=DATE_WIDGET, initial=today)


class InspectionRecordForm(RequestForm):
    kind = K.INSPECTION_RECORD
    description = _("The record (biên bản) of an inspection that has been recorded on site.")

    inspection = InspectionChoiceField(label=_("Inspection"), queryset=Inspection.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["inspection"].queryset = visible(
            user,
            Inspection.objects.filter(status__in=INSPECTION_RECORDED)
            .select_related("proposal")
            .order_by("-planned_on", "-id"),
        )


class ComplianceForm(RequestForm):
    kind = K.COMPLIANCE
    description = _(
        "How the khuyến công funds of a province (or of the whole country) were used over a "
        "period: right beneficiaries, right purpose, lawful; inspections and findings."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["province"] = self._province_field()
        _period_fields(self)

    def clean(self):
        cleaned = super().clean()
        self._check_period(cleaned, required=True)
        return cleaned


class DisbursementForm(RequestForm):
    kind = K.DISBURSEMENT
    description = _(
        "Disbursement of an annual plan, or of a province (or the whole country) over a period."
    )

    plan = forms.ModelChoiceField(
        label=_("Annual plan"),
        queryset=AnnualPlan.objects.none(),
        required=False,
        help_text=_("Leave empty to report on a period instead."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        plans = visible(user, AnnualPlan.objects.select_related("province")).order_by(
            "-year", "province__code"
        )
        if not self.national:
            plans = plans.filter(province_id=user.province_id)  # not the national plans
        self.fields["plan"].queryset = plans
        self.fields["plan"].empty_label = _("— a period instead —")
        self.fields["province"] = self._province_field()
        _period_fields(self)
        for name in ("province", "date_from", "date_to"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("plan"):
            if not self.national and not cleaned.get("province") and "province" not in self.errors:
                self.add_error("province", _("Choose the province."))
            self._check_period(cleaned, required=True)
        return cleaned

    def params(self) -> dict:
        params = super().params()
        if params.get("plan"):
            return {"plan": params["plan"]}
        params.pop("plan", None)
        return params


class ProgramResultsForm(RequestForm):
    kind = K.PROGRAM_RESULTS
    description = _("What a programme has achieved against its targets, year by year.")

    program = forms.ModelChoiceField(label=_("Programme"), queryset=Program.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        programs = visible(user, Program.objects.select_related("province")).order_by(
            "-start_year", "province__code"
        )
        if not self.national:
            programs = programs.filter(province_id=user.province_id)
        self.fields["program"].queryset = programs


class CouncilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {format_date(obj.meeting_date)}"


class CouncilMinutesForm(RequestForm):
    kind = K.COUNCIL_MINUTES
    description = _(
        "The minutes (biên bản) of an appraisal council's meeting: its members, each "
        "proposal's scores, average and conclusion. The council's page asks for them too."
    )

    council = CouncilChoiceField(
        label=_("Appraisal council"), queryset=AppraisalCouncil.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["council"].queryset = visible(
            user,
            AppraisalCouncil.objects.filter(status=AppraisalCouncil.Status.CONCLUDED).order_by(
                "-meeting_date", "-id"
            ),
        )


class RegistrationReportForm(RequestForm):
    kind = K.REGISTRATION
    description = _(
        "The Sở's registration of national proposals: the report and the list of proposals "
        "with their grassroots appraisal scores."
    )

    batch = forms.ModelChoiceField(
        label=_("Registration batch"), queryset=RegistrationBatch.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["batch"].queryset = visible(
            user, RegistrationBatch.objects.select_related("province", "call")
        ).order_by("-created_at")


REQUEST_FORMS: dict[str, type[RequestForm]] = {
    form.kind: form
    for form in (
        InspectionRecordForm,
        ComplianceForm,
        DisbursementForm,
        ProgramResultsForm,
        CouncilMinutesForm,
        RegistrationReportForm,
    )
}


def initial_from_query(form_class: type[RequestForm], query, *, user) -> dict:
    """Pre-fill a request form from a query string (``?kind=compliance&date_from=...``):
    only values its fields accept are kept."""
    probe = form_class(user=user)
    initial = {}
    for name, field in probe.fields.items():
        raw = query.get(name)
        if raw in (None, ""):
            continue
        try:
            initial[name] = field.clean(raw)
        except forms.ValidationError:
            continue
    return initial


# The largest PDF the verification page reads (reports are far smaller).
MAX_VERIFY_UPLOAD = 50 * 1024 * 1024


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"placeholder": "XXXX-XXXX-XXXX", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Printed at the bottom of every page of the report."),
    )
    pdf = forms.FileField(
        label=_("PDF file to compare (optional)"),
        required=False,
        help_text=_("The file is only read to compute its SHA-256; it is not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload and upload.size > MAX_VERIFY_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB: it is not a report."))
        return upload
