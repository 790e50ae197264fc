"""Input of the money page: they validate what was typed; the money rules are checked by
disbursement.services (its errors are put back next to the fields they name)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DatabaseBoundsMixin, VNDField
from core.funding import SOURCE_SHORT
from disbursement.models import Acceptance, Tranche
from programs.catalogue import CERTIFICATE_INDICATOR
from projects.models import ProposalOutput

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
PAYABLE_KINDS = [
    (k.value, k.label)
    for k in (Tranche.Kind.ADVANCE, Tranche.Kind.PAYMENT, Tranche.Kind.SETTLEMENT)
]


def new_key() -> str:
    """A fresh idempotency key, written into the form when it is rendered."""
    return uuid.uuid4().hex


class AmountsMixin:
    """One VND field per funding source of the đề án (``sources``)."""

    def add_amounts(self, sources, required=False):
        self.sources = list(sources)
        for s in self.sources:
            self.fields[s] = VNDField(label=SOURCE_SHORT[s], required=required)

    def amounts(self) -> dict[str, int]:
        return {s: self.cleaned_data.get(s) or 0 for s in self.sources}

    def amount_fields(self):
        return [self[s] for s in self.sources]


class ContractForm(AmountsMixin, forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=60)
    signed_on = forms.DateField(label=_("Signing date"), widget=DATE_WIDGET)
    parties = forms.CharField(
        label=_("Parties"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The implementing unit and the establishments."),
    )
    document = forms.FileField(label=_("Signed contract (scan)"), required=False)

    def __init__(self, *args, sources, signing_agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_amounts(sources)
        if signing_agencies is not None:
            # A national đề án: the ministry department signs, or the agency it entrusts.
            self.fields["signing_agency"] = forms.ModelChoiceField(
                label=_("Signing agency"),
                queryset=signing_agencies,
                help_text=_(
                    "The ministry department, or the agency it entrusts to sign the contract; "
                    "its users record the payments."
                ),
            )


class ProgressForm(forms.Form):
    """Báo cáo tiến độ: the share of the work done."""

    reported_on = forms.DateField(label=_("Report date"), widget=DATE_WIDGET)
    percent_done = forms.IntegerField(label=_("Work done (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False)
    document = forms.FileField(label=_("Progress report (scan)"), required=False)


class LiquidationForm(AmountsMixin, forms.Form):
    """Biên bản thanh lý hợp đồng: the value of the work done per source."""

    number = forms.CharField(label=_("Minutes number"), max_length=60)
    liquidated_on = forms.DateField(label=_("Liquidation date"), widget=DATE_WIDGET)
    minutes = forms.FileField(label=_("Liquidation minutes (scan)"), required=False)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_amounts(sources)


class AmendForm(AmountsMixin, forms.Form):
    number = forms.CharField(label=_("Number of the amendment"), max_length=60, required=False)
    signed_on = forms.DateField(
        label=_("Signing date of the amendment"), widget=DATE_WIDGET, required=False
    )
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_amounts(sources)


class _TrancheForm(forms.Form):
    # Checked while typing (views.TrancheCheckView: services.payable_check, the rules the
    # service applies on saving).
    LIVE_FIELDS = ("kind", "source", "amount")

    kind = forms.ChoiceField(label=_("Kind"), choices=PAYABLE_KINDS)
    source = forms.ChoiceField(label=_("Funding source"))
    amount = VNDField(label=_("Amount (VND)"), min_value=1)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, sources, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, SOURCE_SHORT[s]) for s in sources]

    def live_errors(self) -> list[str] | None:
        """The errors of the checked fields typed so far (a field left empty is not an
        error yet), or None when the amount is not typed yet."""
        if not self["amount"].value():
            return None
        self.is_valid()
        return [
            e for name in self.LIVE_FIELDS if self[name].value() for e in self.errors.get(name, [])
        ]


def _requires_inspection():
    return forms.BooleanField(
        label=_("Requires a compliant inspection before payment"),
        required=False,
        help_text=_("Paid only once an inspection has found the proposal compliant."),
    )


class PaymentForm(_TrancheForm):
    """A payment already made (advance, payment or final settlement payment)."""

    LIVE_FIELDS = (*_TrancheForm.LIVE_FIELDS, "paid_on")

    paid_on = forms.DateField(label=_("Payment date"), widget=DATE_WIDGET)
    voucher_number = forms.CharField(label=_("Voucher number (chứng từ)"), max_length=60)
    treasury_reference = forms.CharField(
        label=_("State Treasury reference"), max_length=60, required=False
    )
    note = forms.CharField(label=_("Note"), required=False)
    document = forms.FileField(label=_("Voucher (scan)"), required=False)
    requires_inspection = _requires_inspection()


class TrancheRequestForm(_TrancheForm):
    due_on = forms.DateField(label=_("Expected date"), widget=DATE_WIDGET, required=False)
    note = forms.CharField(label=_("Note"), required=False)
    requires_inspection = _requires_inspection()


class TrancheActionForm(DatabaseBoundsMixin, forms.Form):
    ACTIONS = ("approve", "pay", "reject", "reverse")

    tranche = forms.IntegerField()
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    paid_on = forms.DateField(required=False)
    voucher_number = forms.CharField(max_length=60, required=False)
    treasury_reference = forms.CharField(max_length=60, required=False)
    reason = forms.CharField(required=False)
    idempotency_key = forms.CharField(max_length=64, required=False)


class AcceptanceForm(DatabaseBoundsMixin, AmountsMixin, forms.Form):
    db_columns = {"achieved_*": (ProposalOutput, "achieved_value")}

    accepted_on = forms.DateField(label=_("Acceptance date"), widget=DATE_WIDGET)
    council = forms.CharField(
        label=_("Acceptance council"), widget=forms.Textarea(attrs={"rows": 2})
    )
    result = forms.ChoiceField(label=_("Result"), choices=Acceptance.Result.choices)
    conclusion = forms.CharField(
        label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minutes = forms.FileField(label=_("Minutes (biên bản, scan)"), required=False)

    def __init__(self, *args, sources, outputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_amounts(sources)
        # "Products recognised" is counted from its linked certificates, never typed here.
        self.outputs = [o for o in outputs if o.indicator.code != CERTIFICATE_INDICATOR]
        for o in self.outputs:
            self.fields[f"achieved_{o.indicator.code}"] = forms.IntegerField(
                label=_("%(indicator)s achieved (target %(target)s %(unit)s)")
                % {
                    "indicator": o.indicator.name,
                    "target": o.target_value,
                    "unit": o.indicator.unit,
                },
                min_value=0,
                required=False,
            )

    def achieved(self) -> dict:
        return {
            o.indicator: self.cleaned_data[f"achieved_{o.indicator.code}"]
            for o in self.outputs
            if self.cleaned_data.get(f"achieved_{o.indicator.code}") is not None
        }

    def achieved_fields(self):
        return [self[f"achieved_{o.indicator.code}"] for o in self.outputs]


class SettlementForm(AmountsMixin, forms.Form):
    settled_on = forms.DateField(label=_("Settlement date"), widget=DATE_WIDGET)
    decision_number = forms.CharField(label=_("Settlement decision number"), max_length=60)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_amounts(sources)
