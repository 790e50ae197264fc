"""Kiểm tra, giám sát việc sử dụng kinh phí khuyến công (Chỉ thị 04/CT-BCT): inspections of
a đề án, their checklist answers, photos and recommendations, followed up until remedied.

A đề án's compliance (``projects.Proposal.compliance``) is derived from its concluded
inspections and open recommendations by ``inspections.services.compliance_refresh``, in
the same transaction as the change that affects it. Writes go through
``inspections.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Result(models.TextChoices):
    """The answer to one checklist item, and the overall conclusion of an inspection."""

    COMPLIANT = "compliant", _("Compliant")
    PARTLY = "partly", _("Partly compliant")
    NOT_COMPLIANT = "not_compliant", _("Not compliant")


class ChecklistItem(models.Model):
    """Nội dung kiểm tra: what inspectors check for đề án of an activity group (or for every
    activity when ``activity`` is empty). Data, not code: an administrator adapts it."""

    activity = models.ForeignKey(
        "programs.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checklist_items",
        help_text=_("Empty: checked for every activity."),
    )
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("what is checked"), max_length=300)
    guidance = models.TextField(_("guidance"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "code"],
                nulls_distinct=False,
                name="checklist_item_code_per_activity",
            ),
        ]

    def __str__(self):
        return self.text


# The inspections in progress: planned, or being recorded on site (Inspection.Status values;
# tests/inspections check they are). Their count is shown per scope on the home page.
IN_PROGRESS_STATES = ("planned", "recorded")


class Inspection(models.Model):
    """Cuộc kiểm tra of one đề án: planned, then recorded on site, then concluded."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Periodic inspection")
        UNANNOUNCED = "unannounced", _("Unannounced inspection")
        APPRAISAL = "appraisal", _("On-site appraisal before approval")
        ACCEPTANCE = "acceptance", _("Acceptance visit")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RECORDED = "recorded", _("Being recorded")
        CONCLUDED = "concluded", _("Concluded")
        CANCELLED = "cancelled", _("Cancelled")

    province_scope = "proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_inspections_insert",
            "dashboards_rollups_inspections_update",
            "dashboards_rollups_inspections_delete",
        ),
    }

    proposal = models.ForeignKey(
        "projects.Proposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    planned_on = models.DateField(_("planned date"))
    inspected_on = models.DateField(_("date of the inspection"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    team = models.TextField(
        _("inspection team"), help_text=_("One member per line: full name, position, agency.")
    )
    inspected_party = models.TextField(_("representatives of the inspected unit"), blank=True)
    contract = models.ForeignKey(
        "disbursement.Contract",
        verbose_name=_("contract in scope"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    tranches = models.ManyToManyField(
        "disbursement.Tranche",
        verbose_name=_("tranches in scope"),
        blank=True,
        related_name="inspections",
    )
    conclusion = models.CharField(
        _("overall conclusion"), max_length=14, choices=Result.choices, blank=True
    )
    conclusion_text = models.TextField(_("conclusion"), blank=True)
    # Số biên bản: the record's one number — typed by the inspector at the conclusion, or
    # given by the portal (the issuer's document register, reports.services) when the
    # biên bản is first produced. The screen, the PDF, the verification page and the list
    # of reports all show this number. Unique per issuing agency and year (Nghị định
    # 30/2020/NĐ-CP, Điều 15: one register per issuing body, from 01/01 each year).
    number = models.CharField(_("record number"), max_length=60, blank=True)
    number_issuer = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("issuing agency of the record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    number_year = models.PositiveSmallIntegerField(
        _("year of the record number"), null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["proposal", "status"]),
            # The inspections in progress (planned or recorded, a few in a hundred): the home
            # page and the dashboards count them per scope without reading the concluded ones.
            models.Index(
                fields=["proposal"],
                condition=Q(status__in=IN_PROGRESS_STATES),
                name="inspection_in_progress",
            ),
        ]
        constraints = [
            # A concluded inspection has its date and its conclusion; nothing else has one.
            models.CheckConstraint(
                condition=(
                    Q(status="concluded")
                    & Q(inspected_on__isnull=False)
                    & ~Q(conclusion="")
                    & Q(concluded_at__isnull=False)
                )
                | (~Q(status="concluded") & Q(conclusion="")),
                name="inspection_conclusion_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(conclusion__in=["", *Result.values]),
                name="inspection_known_conclusion",
            ),
            # One record number per issuing agency and year (a blank number is no number;
            # the services always write the issuer and the year with the number).
            models.UniqueConstraint(
                Upper("number"),
                "number_issuer",
                "number_year",
                condition=~Q(number=""),
                name="inspection_number_unique_per_issuer_year",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.planned_on:%d/%m/%Y}"


class InspectionAnswer(models.Model):
    """The team's finding on one checklist item (the item's text is copied, so a later
    change of the checklist does not rewrite a signed record)."""

    province_scope = "inspection__proposal__province"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("what is checked"), max_length=300)
    result = models.CharField(_("result"), max_length=14, choices=Result.choices, blank=True)
    note = models.TextField(_("findings"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection", "order", "id"]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                condition=Q(item__isnull=False),
                name="checklist_item_once_per_inspection",
            ),
            models.CheckConstraint(
                condition=Q(result__in=["", *Result.values]), name="answer_known_result"
            ),
        ]

    def __str__(self):
        return self.text


def photo_path(instance, filename):
    import uuid
    from pathlib import PurePath

    return f"inspections/photos/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class InspectionPhoto(models.Model):
    """A photo taken during the inspection, with the capture time and place read from its
    EXIF data when the camera recorded them."""

    province_scope = "inspection__proposal__province"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "taken_at", "id"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=-90)
                    & Q(latitude__lte=90)
                    & Q(longitude__gte=-180)
                    & Q(longitude__lte=180)
                ),
                name="photo_coordinates_valid",
            ),
        ]

    def __str__(self):
        return self.caption or self.original_name


class Recommendation(models.Model):
    """Kiến nghị: what the inspected unit must remedy, by when; followed up until it is
    remedied. An open recommendation is a finding not yet remedied."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REMEDIED = "remedied", _("Remedied")

    province_scope = "inspection__proposal__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "dashboards/sql/rollups.sql": (
            "dashboards_rollups_recommendations_insert",
            "dashboards_rollups_recommendations_update",
            "dashboards_rollups_recommendations_delete",
        ),
    }

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("recommendation"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    remedied_on = models.DateField(_("remedied on"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["inspection", "deadline", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="remedied") & Q(remedied_on__isnull=False))
                | (Q(status="open") & Q(remedied_on__isnull=True)),
                name="recommendation_remedied_has_date",
            ),
        ]

    def __str__(self):
        return self.text[:80]
