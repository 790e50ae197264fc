"""The registry of cơ sở công nghiệp nông thôn (CNNT): the establishments that khuyến công
supports (Nghị định 45/2012/NĐ-CP, Article 2, as amended by Nghị định 235/2025/NĐ-CP)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from beneficiaries.validators import CITIZEN_ID_PATTERN, TAX_CODE_PATTERN


class LegalForm(models.TextChoices):
    """Loại hình cơ sở: the kinds of establishment the decree names."""

    SME = "sme", _("Small or medium enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    COOPERATIVE_UNION = "cooperative_union", _("Union of cooperatives")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
    HOUSEHOLD_BUSINESS = "household_business", _("Household business")
    ARTISAN = "artisan", _("Artisan")


# Kinds that are a person rather than an organisation: they may be identified by the
# owner's citizen ID when they have no tax code of their own.
PERSONAL_FORMS = (LegalForm.HOUSEHOLD_BUSINESS, LegalForm.ARTISAN)


class Sector(models.Model):
    """Ngành nghề sản xuất công nghiệp nông thôn (a small catalogue, editable in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name


class Beneficiary(models.Model):
    """Cơ sở công nghiệp nông thôn (CNNT)."""

    province_scope = "province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {
        "beneficiaries/sql/province_follows_commune.sql": ("beneficiary_province_follows_commune",),
    }

    legal_form = models.CharField(_("legal form"), max_length=24, choices=LegalForm.choices)
    name = models.CharField(_("name"), max_length=255)
    # fold(name), kept by the service: accent-insensitive search and Vietnamese-friendly order.
    name_folded = models.CharField(_("name without accents"), max_length=255, db_index=True)
    tax_code = models.CharField(_("tax code"), max_length=14, null=True, blank=True)
    citizen_id = models.CharField(_("citizen ID (CCCD)"), max_length=12, null=True, blank=True)
    commune = models.ForeignKey(
        "reference.Commune",
        verbose_name=_("commune / ward"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    # Copied from the commune by the service (and enforced by a trigger, sql_rules above):
    # scoping and filtering by province need no join.
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="beneficiaries"
    )
    product_line = models.TextField(_("main products"), blank=True)
    workers = models.PositiveIntegerField(_("workers"), default=0)
    woman_owned = models.BooleanField(_("owned or run by a woman"), default=False)
    ethnic_minority_owned = models.BooleanField(
        _("owned or run by an ethnic-minority person"), default=False
    )
    # Free text written before the register of craft villages (villages app), kept read-only
    # as it was recorded: membership and eligibility come from the register only.
    craft_village_name = models.CharField(
        _("craft village (recorded before the register)"),
        max_length=160,
        blank=True,
        editable=False,
    )
    representative = models.CharField(_("representative"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    # Optimistic locking for the edit form: an update names the version it read.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name_folded", "pk"]
        verbose_name = _("rural industrial establishment")
        verbose_name_plural = _("rural industrial establishments")
        indexes = [
            models.Index(fields=["province", "name_folded"], name="beneficiary_province_name"),
        ]
        constraints = [
            # One record per taxpayer nationwide (NULLs — no tax code — do not collide).
            models.UniqueConstraint(
                fields=["tax_code"],
                name="beneficiary_tax_code_unique",
                violation_error_message=_("An establishment with this tax code already exists."),
            ),
            # A person registers one household business nationwide (Nghị định 01/2021/NĐ-CP,
            # Article 80), so the owner's CCCD identifies at most one record too.
            models.UniqueConstraint(
                fields=["citizen_id"],
                name="beneficiary_citizen_id_unique",
                violation_error_message=_("An establishment with this citizen ID already exists."),
            ),
            models.CheckConstraint(
                condition=Q(tax_code__isnull=True) | Q(tax_code__regex=TAX_CODE_PATTERN),
                name="beneficiary_tax_code_format",
                violation_error_message=_("A tax code is stored as 10 digits or 10-3 digits."),
            ),
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=True) | Q(citizen_id__regex=CITIZEN_ID_PATTERN),
                name="beneficiary_citizen_id_format",
                violation_error_message=_("A citizen ID (CCCD) has exactly 12 digits."),
            ),
            models.CheckConstraint(
                condition=Q(tax_code__isnull=False) | Q(citizen_id__isnull=False),
                name="beneficiary_identified",
                violation_error_message=_("Give a tax code or the owner's citizen ID."),
            ),
            # The owner's CCCD identifies only a household business or an artisan, and only
            # when it has no tax code of its own.
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=True)
                | (Q(legal_form__in=PERSONAL_FORMS) & Q(tax_code__isnull=True)),
                name="beneficiary_citizen_id_only_for_persons",
                violation_error_message=_(
                    "Only a household business or an artisan without a tax code is identified "
                    "by a citizen ID."
                ),
            ),
            models.CheckConstraint(
                condition=Q(workers__gte=0), name="beneficiary_workers_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("beneficiary-detail", args=[self.pk])

    @property
    def identifier(self) -> str:
        return self.tax_code or self.citizen_id or ""

    @property
    def masked_citizen_id(self) -> str:
        """CCCD is personal data (Nghị định 13/2023/NĐ-CP): show it whole only to editors."""
        if not self.citizen_id:
            return ""
        return f"{self.citizen_id[:3]}******{self.citizen_id[-3:]}"


def _import_upload_to(instance, filename):
    import uuid

    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    """One upload of an Excel template: previewed, then confirmed (or abandoned). The
    registry of establishments and the register of craft villages (villages.imports) share
    the batch and its rows; ``kind`` says which register the file is for."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    class Kind(models.TextChoices):
        BENEFICIARIES = "beneficiaries", _("Establishments")
        VILLAGES = "villages", _("Craft villages")

    province_scope = "province"

    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        _("register"), max_length=16, choices=Kind.choices, default=Kind.BENEFICIARIES
    )
    file = models.FileField(_("file"), upload_to=_import_upload_to)
    original_filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PREVIEW
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    valid_count = models.PositiveIntegerField(_("valid rows"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("establishment import")
        verbose_name_plural = _("establishment imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="preview") | Q(confirmed_at__isnull=False),
                name="importbatch_confirmed_has_time",
            ),
        ]

    def __str__(self):
        return self.original_filename

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def refused_count(self) -> int:
        """Rows with errors: before confirmation, those found at upload; after, those not
        written (including the ones refused by the checks at confirmation)."""
        written = self.created_count if self.is_confirmed else self.valid_count
        return self.row_count - written


class ImportRow(models.Model):
    """One row of an uploaded file, as it was read and checked once, at upload: what the
    file says, the values ready to write, and the errors and warnings (stored in
    Vietnamese, the language of the file format). The preview, the errors download and
    the confirmation read these rows; the file is not parsed again."""

    province_scope = "batch__province"

    # No index of its own: the unique (batch, number) index below serves every lookup.
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="rows",
        db_index=False,
    )
    number = models.PositiveIntegerField(_("row"))  # the row's number in the Excel sheet
    ok = models.BooleanField(_("ready to add"))
    values = models.JSONField(_("values as written"), default=dict)  # by template column key
    # The establishment's field values (``commune_id``, ``sector_id``, ``province_id`` for
    # the foreign keys), for a row without errors.
    cleaned = models.JSONField(_("checked values"), null=True, blank=True)
    # The row's identifier once normalised: establishments registered between the upload
    # and the confirmation are found with one query over the batch.
    tax_code = models.CharField(_("tax code"), max_length=14, null=True, blank=True)
    citizen_id = models.CharField(_("citizen ID (CCCD)"), max_length=12, null=True, blank=True)
    # [{"message": ..., "record": pk of the registered establishment it repeats or None,
    #   "record_province": its province id or None}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="importrow_batch_number"),
            models.CheckConstraint(
                condition=Q(ok=False) | Q(cleaned__isnull=False), name="importrow_ok_has_values"
            ),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.number}"

    @property
    def legal_form_display(self) -> str:
        if self.cleaned:
            return str(LegalForm(self.cleaned["legal_form"]).label)
        return self.values.get("legal_form", "")

    @property
    def identifier(self) -> str:
        return self.tax_code or self.citizen_id or ""
