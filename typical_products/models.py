"""Bình chọn sản phẩm công nghiệp nông thôn tiêu biểu: the rounds (cuộc bình chọn) at provincial,
regional and national level, the products establishments enter, the council's results and the
certificates (giấy chứng nhận) with their validity. The rules are in ``rules.py`` (Thông tư
26/2014/TT-BCT as amended by Thông tư 14/2018/TT-BCT); those the database must keep are the
constraints below and the triggers of ``sql/selection_rules.sql``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from typical_products.rules import CRITERIA, MAX_POINTS, Group, Level, Region

SELECTION_RULES = "typical_products/sql/selection_rules.sql"


class SelectionRound(models.Model):
    """Cuộc bình chọn: one level's selection of one year, in one province (provincial), one
    region (regional: the provinces it takes are listed) or the whole country (national)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for entries")
        JUDGING = "judging", _("Judging")
        CONCLUDED = "concluded", _("Concluded")

    # A provincial round is its province's; regional and national rounds concern everybody.
    province_scope = "province"
    national_rows_visible_to_all = True

    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selection_rounds",
    )
    region = models.CharField(_("region"), max_length=12, choices=Region.choices, blank=True)
    provinces = models.ManyToManyField(
        "reference.Province",
        verbose_name=_("provinces taking part"),
        blank=True,
        related_name="regional_selection_rounds",
    )
    title = models.CharField(_("title"), max_length=255)
    organiser = models.CharField(_("organiser"), max_length=255)
    decision_number = models.CharField(_("organising decision or plan number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    opens_on = models.DateField(_("entries open on"))
    closes_on = models.DateField(_("entries close on"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (points)"))
    max_recognised = models.PositiveSmallIntegerField(
        _("most products recognised"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "level", "province__code", "region"]
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level=Level.PROVINCIAL, province__isnull=False, region="")
                    | (Q(level=Level.REGIONAL, province__isnull=True) & ~Q(region=""))
                    | Q(level=Level.NATIONAL, province__isnull=True, region="")
                ),
                name="round_place_follows_level",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=MAX_POINTS),
                name="round_pass_mark_within_scale",
            ),
            models.UniqueConstraint(
                fields=["level", "year", "province", "region"],
                name="round_once_per_level_year_place",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def place(self) -> str:
        if self.level == Level.PROVINCIAL:
            return self.province.name if self.province_id else ""
        if self.level == Level.REGIONAL:
            return self.get_region_display()
        return str(_("Nationwide"))


POINT_FIELDS = tuple(f"points_{criterion.code}" for criterion in CRITERIA)


def _total_is_the_sum() -> Q:
    """No points and no total, or every criterion's points and their sum as the total."""
    total = None
    for name in POINT_FIELDS:
        total = F(name) if total is None else total + F(name)
    unscored = Q(total_points__isnull=True, **{f"{n}__isnull": True for n in POINT_FIELDS})
    scored = Q(total_points__isnull=False, **{f"{n}__isnull": False for n in POINT_FIELDS}) & Q(
        total_points=total
    )
    return unscored | scored


class Entry(models.Model):
    """Sản phẩm đăng ký tham gia bình chọn: a product (or set of products) an establishment
    enters in a round, with the council's points per criterion and its result."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Not yet scored")
        RECOGNISED = "recognised", _("Recognised")
        NOT_RECOGNISED = "not_recognised", _("Not recognised")

    province_scope = "round__province"
    national_rows_visible_to_all = True
    sql_rules = {SELECTION_RULES: ("entry_eligible_and_passed", "entry_keeps_certificate")}

    round = models.ForeignKey(SelectionRound, on_delete=models.PROTECT, related_name="entries")
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="selection_entries",
    )
    name = models.CharField(_("product"), max_length=255)
    group = models.CharField(_("product group"), max_length=12, choices=Group.choices)
    description = models.TextField(_("description"), blank=True)
    qualifying_certificate = models.ForeignKey(
        "Certificate",
        verbose_name=_("certificate of the level below"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_it_qualifies",
    )
    registered_on = models.DateField(_("registered on"))
    points_market = models.PositiveSmallIntegerField(null=True, blank=True)
    points_technical = models.PositiveSmallIntegerField(null=True, blank=True)
    points_culture = models.PositiveSmallIntegerField(null=True, blank=True)
    points_other = models.PositiveSmallIntegerField(null=True, blank=True)
    # The sum of the criteria: written by the service, held to that sum by the database
    # (entry_total_is_the_sum below).
    total_points = models.PositiveSmallIntegerField(_("total points"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "group", "name", "id"]
        verbose_name = _("entered product")
        verbose_name_plural = _("entered products")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "beneficiary", "name"], name="entry_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(result="pending") | Q(total_points__isnull=False),
                name="entry_result_needs_points",
            ),
            models.CheckConstraint(condition=_total_is_the_sum(), name="entry_total_is_the_sum"),
        ]

    def __str__(self):
        return self.name

    def points(self) -> list[tuple]:
        """(criterion, points) in the order of rules.CRITERIA."""
        return [(c, getattr(self, f"points_{c.code}")) for c in CRITERIA]


class Certificate(models.Model):
    """Giấy chứng nhận sản phẩm CNNT tiêu biểu: one per recognised entry (the database refuses
    one for an entry not recognised), valid to 31 December of the fourth year."""

    province_scope = "entry__round__province"
    national_rows_visible_to_all = True
    sql_rules = {SELECTION_RULES: ("certificate_for_recognised_entry",)}

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=60)
    decision_number = models.CharField(_("recognition decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("issued_on")), name="certificate_valid_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(issued_on__gte=F("decision_date")),
                name="certificate_issued_after_decision",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.entry.name}"

    def is_valid_on(self, day) -> bool:
        return self.issued_on <= day <= self.valid_until


class RoundEvent(models.Model):
    """The timeline of a round: who opened, entered, scored, issued, changed its status."""

    # The words of the timeline, by action (services write the action).
    ACTION_LABELS = {
        "create": _("Round opened"),
        "enter": _("Product entered"),
        "judge": _("Entries closed, judging started"),
        "reopen": _("Reopened for entries"),
        "conclude": _("Round concluded"),
        "score": _("Result recorded"),
        "certify": _("Certificate recorded"),
    }

    province_scope = "round__province"
    national_rows_visible_to_all = True

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="events")
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=24)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} · {self.round_id}"

    @property
    def label(self):
        return self.ACTION_LABELS.get(self.action, self.action)


class OutputCertificate(models.Model):
    """A certificate counted in a đề án's output "products recognised" (indicator
    ``typical-products``): the output's achieved value is the number of these links. A
    certificate counts for one đề án only."""

    province_scope = "output__proposal__province"

    output = models.ForeignKey(
        "projects.ProposalOutput", on_delete=models.CASCADE, related_name="certificate_links"
    )
    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="output_link"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["output", "certificate"]

    def __str__(self):
        return f"{self.output_id} · {self.certificate_id}"
