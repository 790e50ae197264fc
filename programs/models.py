"""Legal documents, the activity catalogue, support caps, programmes and annual plans.

The law is data here: which activities exist, how much of a cost the programme may pay
and up to what amount, are rows that cite the legal document they come from, with the
dates they are in force. ``programs.rules`` answers "which rule applies" for everybody.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.funding import FundingSource


class Level(models.TextChoices):
    """Cấp kinh phí: quốc gia (Bộ Công Thương) hay địa phương (tỉnh)."""

    # "quốc gia" (as in "Đề án khuyến công quốc gia", KCQG), not "toàn quốc": the msgid
    # "National" alone is the scope "whole country" elsewhere, hence the context.
    NATIONAL = "national", pgettext_lazy("funding level", "National")
    LOCAL = "local", pgettext_lazy("funding level", "Local")


class LegalDocument(models.Model):
    """Văn bản pháp luật: a decree, circular, decision or resolution the portal applies."""

    class Type(models.TextChoices):
        LAW = "law", _("Law")
        DECREE = "decree", _("Decree (Nghị định)")
        DECISION = "decision", _("Decision (Quyết định)")
        CIRCULAR = "circular", _("Circular (Thông tư)")
        RESOLUTION = "resolution", _("Resolution (Nghị quyết)")
        DIRECTIVE = "directive", _("Directive (Chỉ thị)")
        OTHER = "other", _("Other")

    province_scope = "province"
    national_rows_visible_to_all = True

    number = models.CharField(_("number and symbol"), max_length=60, unique=True)
    doc_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    title = models.CharField(_("title"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=200)
    signed_on = models.DateField(_("signing date"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    amends = models.ManyToManyField(
        "self", verbose_name=_("amends"), symmetrical=False, blank=True, related_name="amended_by"
    )
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for national documents; the province for an HĐND/UBND document."),
    )
    # Where the number, issuer and dates were confirmed in a published text (empty: not yet).
    source_url = models.URLField(_("published source"), max_length=500, blank=True)
    source_note = models.TextField(
        _("source note"),
        blank=True,
        help_text=_("What the source confirms, and which values it does not."),
    )
    verified_on = models.DateField(_("checked on"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="legaldocument_effective_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_doc_type_display().split(' (')[0]} {self.number}"

    @property
    def is_verified(self) -> bool:
        """Checked against a published text (programs.catalogue.SOURCES)."""
        return bool(self.source_url and self.verified_on)

    @property
    def citation(self) -> str:
        """ "Nghị định số 45/2012/NĐ-CP" — how a message cites the document."""
        names = {
            "decree": "Nghị định",
            "decision": "Quyết định",
            "circular": "Thông tư",
            "resolution": "Nghị quyết",
            "directive": "Chỉ thị",
            "law": "Luật",
        }
        return f"{names.get(self.doc_type, 'Văn bản')} số {self.number}"


class Activity(models.Model):
    """Nội dung hoạt động khuyến công: one of the ten groups of Article 4 of Decree 45,
    or a sub-activity of one."""

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/figures.sql": ("dashboards_figures_activity_update",),
    }

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    legal_basis = models.ForeignKey(
        LegalDocument, verbose_name=_("legal basis"), on_delete=models.PROTECT
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="activity_valid_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"

    @property
    def group(self) -> "Activity":
        return self.parent if self.parent_id else self


class SupportCap(models.Model):
    """Mức hỗ trợ tối đa: "X % of the cost, at most Y đồng per unit" for an activity and a
    funding level, nationally (province empty) or set lower by a province's HĐND, for the
    dates it is in force, citing its legal document. Rows marked as examples are
    placeholders to be replaced by an administrator."""

    class Unit(models.TextChoices):
        PROPOSAL = "proposal", _("per proposal")
        BENEFICIARY = "establishment", _("per establishment")  # the stored value stays
        MODEL = "model", _("per demonstration model")
        COURSE = "course", _("per training course")
        TRAINEE = "trainee", _("per trainee")
        EVENT = "event", _("per event")
        PRODUCT = "product", _("per product")
        ENTERPRISE = "enterprise", _("per enterprise")

    province_scope = "province"
    national_rows_visible_to_all = True

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "programs/sql/support_cap_no_overlap.sql": ("supportcap_no_overlap",),
    }

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="caps"
    )
    level = models.CharField(_("funding level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for a national rule."),
    )
    max_percent = models.DecimalField(
        _("maximum share of the cost (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_amount = models.BigIntegerField(_("maximum amount (VND)"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    legal_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal document"), on_delete=models.PROTECT
    )
    # "Điều 8 khoản 2" of the legal document: where the rule is written.
    article = models.CharField(
        _("article"),
        max_length=200,
        blank=True,
        help_text=_("Where in the document the rule is written, e.g. Điều 8 khoản 2."),
    )
    # Where the value was read in a published text (empty: not yet checked).
    source_url = models.URLField(_("published source"), max_length=500, blank=True)
    is_example = models.BooleanField(
        _("example value"),
        default=False,
        help_text=_("A placeholder from the sources found, to be checked by an administrator."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [
            "activity__order",
            "activity__code",
            "level",
            "province__code",
            "-effective_from",
        ]
        verbose_name = _("support cap")
        verbose_name_plural = _("support caps")
        indexes = [models.Index(fields=["activity", "level", "province", "effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_percent__isnull=False) | Q(max_amount__isnull=False),
                name="supportcap_has_a_limit",
                violation_error_message=_("Give a maximum share, a maximum amount, or both."),
            ),
            models.CheckConstraint(
                condition=Q(max_percent__isnull=True)
                | (Q(max_percent__gt=0) & Q(max_percent__lte=100)),
                name="supportcap_percent_in_range",
                violation_error_message=_("The share must be above 0 % and at most 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gt=0),
                name="supportcap_amount_positive",
                violation_error_message=_("The maximum amount must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="supportcap_effective_dates_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            # A province's rule (HĐND resolution) is for its local funds only: national funds
            # follow the national rules (Thông tư 28/2018/TT-BTC) in every province.
            models.CheckConstraint(
                condition=Q(level="national", province__isnull=True) | Q(level="local"),
                name="supportcap_national_has_no_province",
                violation_error_message=_(
                    "A province's rule applies to its local funds only: choose the local level."
                ),
            ),
        ]

    def __str__(self):
        where = self.province.short_name if self.province_id else _("national")
        return f"{self.activity.code} · {self.get_level_display()} · {where}"


class AdvanceLimit(models.Model):
    """Mức tạm ứng tối đa: how much of a contract's amount from one funding level may be
    advanced for an activity (or, with no activity, for every activity without a rule of
    its own), nationally or as a province sets it for its local funds, for the dates it is
    in force, citing the legal document and its article. Some groups are advanced only
    once more than half of the work is done (Thông tư 36/2013/TT-BCT: industrial-cluster
    infrastructure and pollution treatment). ``programs.rules.advance_limit`` answers which
    row applies."""

    province_scope = "province"
    national_rows_visible_to_all = True

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advance_limits",
        help_text=_("Empty: every activity without a rule of its own."),
    )
    level = models.CharField(_("funding level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for a national rule."),
    )
    percent = models.DecimalField(
        _("maximum advance (percent of the contracted amount)"), max_digits=5, decimal_places=2
    )
    requires_more_than_half_done = models.BooleanField(
        _("only after more than half of the work is done"), default=False
    )
    legal_document = models.ForeignKey(
        LegalDocument, verbose_name=_("legal document"), on_delete=models.PROTECT
    )
    article = models.CharField(_("article"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_example = models.BooleanField(
        _("example value"),
        default=False,
        help_text=_("A placeholder from the sources found, to be checked by an administrator."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["level", "activity__order", "province__code", "-valid_from"]
        verbose_name = _("advance limit")
        verbose_name_plural = _("advance limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100),
                name="advancelimit_percent_in_range",
                violation_error_message=_("The share must be above 0 % and at most 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="advancelimit_valid_dates_ordered",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(level="national", province__isnull=True) | Q(level="local"),
                name="advancelimit_national_has_no_province",
            ),
            models.UniqueConstraint(
                fields=["activity", "level", "province", "valid_from"],
                nulls_distinct=False,
                name="advancelimit_unique_start",
            ),
        ]

    def __str__(self):
        what = self.activity.code if self.activity_id else _("other activities")
        return f"{what} · {self.get_level_display()} · {self.percent} %"


class Indicator(models.Model):
    """Chỉ tiêu: an output counted towards programme targets (models, trainees, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return f"{self.name} ({self.unit})"


class Program(models.Model):
    """Chương trình khuyến công: national (the ministry's) or one province's, for a period."""

    province_scope = "province"
    national_rows_visible_to_all = True

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
    )
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    decision = models.ForeignKey(
        LegalDocument,
        verbose_name=_("approving decision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    objectives = models.TextField(_("objectives"), blank=True)

    class Meta:
        ordering = ["-start_year", "level", "province__code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="national") & Q(province__isnull=True))
                | (Q(level="local") & Q(province__isnull=False)),
                name="program_province_matches_level",
                violation_error_message=_(
                    "A national programme has no province; a local one belongs to one province."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="program_period_ordered",
                violation_error_message=_("The period must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class ProgramTarget(models.Model):
    """Mục tiêu của chương trình: indicator, target value for the whole period."""

    province_scope = "program__province"
    national_rows_visible_to_all = True

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT)
    target_value = models.PositiveBigIntegerField(_("target"))

    class Meta:
        ordering = ["indicator__order"]
        verbose_name = _("programme target")
        verbose_name_plural = _("programme targets")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "indicator"], name="one_target_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.indicator}: {self.target_value}"


class AnnualPlan(models.Model):
    """Kế hoạch khuyến công năm: the year's budget per funding source and its allocation
    to activities. National plans (the ministry's KCQG plan) have no province."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        AMENDED = "amended", _("Approved, amended")

    province_scope = "province"
    national_rows_visible_to_all = True

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/figures.sql": ("dashboards_figures_plan_update",),
        "projects/sql/list_order.sql": ("plan_year_to_proposals",),
    }

    program = models.ForeignKey(
        Program, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "province__code"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            # One plan per programme, year and province (one national plan per year).
            models.UniqueConstraint(
                fields=["program", "year", "province"],
                name="one_plan_per_program_year_province",
                nulls_distinct=False,
                violation_error_message=_("This programme already has a plan for that year."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"])
                | (Q(decision_number__gt="") & Q(decision_date__isnull=False)),
                name="approved_plan_has_decision",
                violation_error_message=_("An approved plan needs its decision number and date."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def level(self) -> str:
        return self.program.level

    @property
    def is_locked(self) -> bool:
        """An approved plan changes only through an amendment."""
        return self.status in (self.Status.APPROVED, self.Status.AMENDED)


class PlanBudget(models.Model):
    """The plan's budget for one funding source."""

    province_scope = "plan__province"
    national_rows_visible_to_all = True

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "programs/sql/plan_within_budget.sql": ("plan_budget_covers_allocations",),
    }

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="budgets")
    source = models.CharField(_("funding source"), max_length=12, choices=FundingSource.choices)
    amount = models.BigIntegerField(_("amount (VND)"))

    class Meta:
        ordering = ["plan", "source"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="one_budget_per_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.amount}"


class PlanAllocation(models.Model):
    """Phân bổ: part of a source's budget given to an activity. The sum per source never
    exceeds the budget (checked by ``programs.services`` under a lock, and by a deferred
    constraint trigger in the database for every other writer)."""

    province_scope = "plan__province"
    national_rows_visible_to_all = True

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "programs/sql/plan_within_budget.sql": ("plan_allocations_within_budget",),
    }

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="allocations")
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT)
    source = models.CharField(_("funding source"), max_length=12, choices=FundingSource.choices)
    amount = models.BigIntegerField(_("amount (VND)"))

    class Meta:
        ordering = ["plan", "activity__order", "activity__code", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "activity", "source"], name="one_allocation_per_activity_source"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self):
        return f"{self.activity_id} · {self.get_source_display()}: {self.amount}"


class PlanAmendment(models.Model):
    """Điều chỉnh kế hoạch: the history of an approved plan. Each amendment keeps the
    budgets and allocations before and after, with the decision that made it."""

    province_scope = "plan__province"
    national_rows_visible_to_all = True

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("amendment number"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="amendment_number_unique")
        ]

    def __str__(self):
        return f"{self.plan} · {self.number}"


class PlanEvent(models.Model):
    """What happened to a plan, by whom and when: the timeline shown on its page."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Budget edited")
        SUBMIT = "submit", _("Submitted for approval")
        RETURN = "return", _("Returned for changes")
        APPROVE = "approve", _("Approved")
        AMEND = "amend", _("Amended")

    province_scope = "plan__province"
    national_rows_visible_to_all = True

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    decision_number = models.CharField(max_length=60, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.plan} · {self.action}"
