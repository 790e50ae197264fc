"""Contracts, disbursement tranches, acceptance and final settlement of approved đề án.

Money rules hold in the database, not only in forms (Thông tư 28/2018/TT-BTC, amended by
Thông tư 64/2024/TT-BTC): per đề án and funding source, paid ≤ contracted ≤ approved;
nothing is paid before approval and a signed contract; settlement only after acceptance;
settled ≤ accepted. ``disbursement.services`` checks them under row locks, and the
triggers of ``disbursement/sql/money_rules.sql`` refuse any other writer that would break
them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.funding import SOURCE_SHORT, SOURCES, kc_sum


class SourceAmounts(models.Model):
    """Four amounts, one per funding source, in whole đồng (never negative)."""

    kcqg = models.BigIntegerField(_("KCQG"), default=0)
    kcdp = models.BigIntegerField(_("KCĐP"), default=0)
    counterpart = models.BigIntegerField(_("counterpart"), default=0)
    other = models.BigIntegerField(_("other"), default=0)

    class Meta:
        abstract = True

    def amounts(self) -> dict[str, int]:
        return {s: getattr(self, s) for s in SOURCES}

    @property
    def total(self) -> int:
        """Every source, counterpart and other included."""
        return sum(self.amounts().values())

    @property
    def kc_total(self) -> int:
        """Khuyến công funds (KCQG + KCĐP): what pages name the contracted/accepted money."""
        return kc_sum(self.amounts())


def _non_negative(prefix: str):
    return models.CheckConstraint(
        condition=Q(kcqg__gte=0) & Q(kcdp__gte=0) & Q(counterpart__gte=0) & Q(other__gte=0),
        name=f"{prefix}_amounts_not_negative",
    )


def document_path(instance, filename):
    import uuid
    from pathlib import PurePath

    folder = type(instance).__name__.lower()
    return f"disbursement/{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Contract(SourceAmounts):
    """Hợp đồng between the implementing unit and the beneficiaries of an approved đề án.
    One active contract per đề án; an amendment creates a new version and keeps the old."""

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "disbursement/sql/money_rules.sql": ("contract_money_rules",),
    }

    proposal = models.ForeignKey(
        "projects.Proposal", on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=60)
    signed_on = models.DateField(_("signing date"))
    parties = models.TextField(
        _("parties"), help_text=_("The implementing unit and the establishments.")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    active = models.BooleanField(_("in force"), default=True)
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    document = models.FileField(
        _("signed contract"), upload_to=document_path, blank=True, max_length=300
    )
    # Who signs for the funder: for a national đề án the ministry department (Cục Công
    # Thương địa phương) or the agency it entrusts (Thông tư 36/2013/TT-BCT); whoever signs
    # records its payments from KCQG (disbursement.policies). Empty: the implementing unit
    # of a local đề án, as before.
    signing_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("signing agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "-version"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            _non_negative("contract"),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(active=True),
                name="one_active_contract_per_proposal",
            ),
            models.UniqueConstraint(fields=["proposal", "version"], name="contract_version_unique"),
        ]

    def __str__(self):
        return f"{self.number} (v{self.version})"


class Tranche(SourceAmounts):
    """Đợt giải ngân: an advance, a payment or the final settlement payment, from one
    funding source. A paid tranche is never edited: a reversal is a new record pointing
    at it, with a negative amount."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance (tạm ứng)")
        PAYMENT = "payment", _("Payment (thanh toán)")
        SETTLEMENT = "settlement", _("Final settlement payment (quyết toán)")
        REVERSAL = "reversal", _("Reversal")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")
        REVERSED = "reversed", _("Reversed")

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "disbursement/sql/money_rules.sql": ("tranche_money_rules",),
        "disbursement/sql/inspection_gate.sql": ("tranche_inspection_gate",),
        "disbursement/sql/advance_limits.sql": ("tranche_advance_limit",),
        "dashboards/sql/figures.sql": (
            "dashboards_figures_tranche_insert",
            "dashboards_figures_tranche_update",
            "dashboards_figures_tranche_delete",
        ),
    }

    proposal = models.ForeignKey(
        "projects.Proposal", on_delete=models.PROTECT, related_name="tranches"
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="tranches")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("funding source"), max_length=12)
    amount = models.BigIntegerField(_("amount (VND)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    due_on = models.DateField(_("expected date"), null=True, blank=True)
    paid_on = models.DateField(_("payment date"), null=True, blank=True)
    voucher_number = models.CharField(_("payment voucher (chứng từ)"), max_length=60, blank=True)
    treasury_reference = models.CharField(_("State Treasury reference"), max_length=60, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    requires_inspection = models.BooleanField(
        _("requires a compliant inspection before payment"), default=False
    )
    note = models.TextField(_("note"), blank=True)
    document = models.FileField(_("voucher"), upload_to=document_path, blank=True, max_length=300)
    idempotency_key = models.CharField(max_length=64, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "recorded_at", "id"]
        verbose_name = _("disbursement tranche")
        verbose_name_plural = _("disbursement tranches")
        indexes = [models.Index(fields=["proposal", "source", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=SOURCES), name="tranche_known_source"),
            # Only a reversal is negative, and a reversal always points at what it reverses.
            models.CheckConstraint(
                condition=(Q(kind="reversal") & Q(amount__lt=0) & Q(reverses__isnull=False))
                | (~Q(kind="reversal") & Q(amount__gt=0) & Q(reverses__isnull=True)),
                name="tranche_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="paid_tranche_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def source_short(self):
        """The funding source's short name (core.funding.SOURCE_SHORT)."""
        return SOURCE_SHORT.get(self.source, self.source)


# Statuses of a tranche whose money counts as paid (a reversal is a paid negative record;
# a reversed tranche keeps its positive amount): declared once, used by the services, the
# selectors and reports, rendered into the SQL rule files ({PAID_STATES}, SQL_CONSTANTS
# below) and checked against the triggers by tests/test_sql_definitions.py.
PAID_STATES = (Tranche.Status.PAID, Tranche.Status.REVERSED)

# The constants the SQL rule files name as placeholders ({PAID_STATES}, core.sqlrules).
SQL_CONSTANTS = {"PAID_STATES": PAID_STATES}


class Acceptance(SourceAmounts):
    """Nghiệm thu: the council's acceptance of the finished work, with the amounts it
    accepts per source and the outputs achieved (which feed the programme targets)."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Accepted")
        PARTIAL = "partial", _("Partly accepted")
        FAILED = "failed", _("Not accepted")

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "disbursement/sql/money_rules.sql": ("acceptance_money_rules",),
    }

    proposal = models.OneToOneField(
        "projects.Proposal", on_delete=models.PROTECT, related_name="acceptance"
    )
    accepted_on = models.DateField(_("acceptance date"))
    council = models.TextField(_("council members"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    conclusion = models.TextField(_("conclusion"), blank=True)
    minutes = models.FileField(
        _("minutes (biên bản)"), upload_to=document_path, blank=True, max_length=300
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [_non_negative("acceptance")]

    def __str__(self):
        return f"{self.proposal_id} · {self.accepted_on}"


class Settlement(SourceAmounts):
    """Quyết toán: the settled amount per source (≤ accepted); what was advanced beyond it
    is recorded as money returned (thu hồi). Follows the contract's liquidation (nghiệm thu
    → thanh lý hợp đồng → quyết toán) and closes the đề án."""

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "disbursement/sql/money_rules.sql": ("settlement_money_rules",),
    }

    proposal = models.OneToOneField(
        "projects.Proposal", on_delete=models.PROTECT, related_name="settlement"
    )
    settled_on = models.DateField(_("settlement date"))
    decision_number = models.CharField(_("settlement decision number"), max_length=60)
    returned_kcqg = models.BigIntegerField(default=0)
    returned_kcdp = models.BigIntegerField(default=0)
    returned_counterpart = models.BigIntegerField(default=0)
    returned_other = models.BigIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            _non_negative("settlement"),
            models.CheckConstraint(
                condition=Q(returned_kcqg__gte=0)
                & Q(returned_kcdp__gte=0)
                & Q(returned_counterpart__gte=0)
                & Q(returned_other__gte=0),
                name="settlement_returned_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.settled_on}"


class ProgressReport(models.Model):
    """Báo cáo tiến độ: the share of the work done, as the implementing unit reports it.
    The latest report counts; it opens the advance of an activity whose rule asks for more
    than half of the work done (Thông tư 36/2013/TT-BCT, programs.AdvanceLimit)."""

    province_scope = "proposal__province"

    proposal = models.ForeignKey(
        "projects.Proposal", on_delete=models.PROTECT, related_name="progress_reports"
    )
    reported_on = models.DateField(_("report date"))
    percent_done = models.PositiveSmallIntegerField(_("work done (%)"))
    note = models.TextField(_("note"), blank=True)
    document = models.FileField(
        _("progress report"), upload_to=document_path, blank=True, max_length=300
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "-reported_on", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_done__gte=0) & Q(percent_done__lte=100),
                name="progress_percent_in_range",
            )
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.reported_on} · {self.percent_done} %"


class Liquidation(SourceAmounts):
    """Biên bản thanh lý hợp đồng: the value of the work done per source (the amounts of
    the model), and the money to return per source, paid − done (never negative). After
    the acceptance, or after the đề án was stopped; it closes a stopped đề án."""

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "disbursement/sql/money_rules.sql": ("liquidation_money_rules",),
    }

    proposal = models.OneToOneField(
        "projects.Proposal", on_delete=models.PROTECT, related_name="liquidation"
    )
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="liquidation")
    number = models.CharField(_("minutes number"), max_length=60)
    liquidated_on = models.DateField(_("liquidation date"))
    returned_kcqg = models.BigIntegerField(default=0)
    returned_kcdp = models.BigIntegerField(default=0)
    returned_counterpart = models.BigIntegerField(default=0)
    returned_other = models.BigIntegerField(default=0)
    minutes = models.FileField(
        _("liquidation minutes"), upload_to=document_path, blank=True, max_length=300
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract liquidation")
        verbose_name_plural = _("contract liquidations")
        constraints = [
            _non_negative("liquidation"),
            models.CheckConstraint(
                condition=Q(returned_kcqg__gte=0)
                & Q(returned_kcdp__gte=0)
                & Q(returned_counterpart__gte=0)
                & Q(returned_other__gte=0),
                name="liquidation_returned_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.liquidated_on}"

    def returned(self) -> dict[str, int]:
        return {s: getattr(self, f"returned_{s}") for s in SOURCES}

    @property
    def returned_total(self) -> int:
        return sum(self.returned().values())


class DisbursementFlag(models.Model):
    """A warning raised by the daily job (no contract yet, money undisbursed near year end,
    advance not settled, acceptance overdue). One open flag per đề án and kind, so running
    the job twice notifies once."""

    class Kind(models.TextChoices):
        NO_CONTRACT = "no_contract", _("Approved but no contract yet")
        YEAR_END = "year_end", _("Money still undisbursed near the year-end deadline")
        ADVANCE_UNSETTLED = "advance_unsettled", _("Advance not settled in time")
        ACCEPTANCE_OVERDUE = "acceptance_overdue", _("Acceptance overdue")

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_flags_insert",
            "dashboards_rollups_flags_update",
            "dashboards_rollups_flags_delete",
        ),
    }

    proposal = models.ForeignKey(
        "projects.Proposal", on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField()
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind"],
                condition=Q(resolved_on__isnull=True),
                name="one_open_flag_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.proposal_id} · {self.kind}"
