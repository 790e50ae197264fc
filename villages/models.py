"""Register of craft villages (làng nghề, làng nghề truyền thống) recognised by the UBND
tỉnh, and the establishments that belong to them.

Since 15/10/2025 an establishment in a ward of a centrally-run city is a beneficiary of
khuyến công only inside a craft village recognised by the provincial People's Committee
(Nghị định 45/2012/NĐ-CP, Article 1(2)(a) as amended by Nghị định 235/2025/NĐ-CP,
Article 1(1)); ``beneficiaries.eligibility`` reads the village from here."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import ImportBatch


def _decision_upload_to(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    return f"villages/decisions/{uuid.uuid4().hex}.{suffix}"


class CraftVillage(models.Model):
    """Làng nghề / làng nghề truyền thống, recognised by a decision of the UBND tỉnh."""

    class Kind(models.TextChoices):
        CRAFT = "craft", _("Craft village")
        TRADITIONAL = "traditional", _("Traditional craft village")

    class Status(models.TextChoices):
        RECOGNISED = "recognised", _("Recognised")
        REVOKED = "revoked", _("Recognition revoked")

    province_scope = "province"

    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="craft_villages",
    )
    name = models.CharField(_("name"), max_length=160)
    name_folded = models.CharField(_("name without accents"), max_length=160, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CRAFT)
    sector = models.ForeignKey(
        "beneficiaries.Sector",
        verbose_name=_("trade"),
        on_delete=models.PROTECT,
        related_name="craft_villages",
    )
    communes = models.ManyToManyField(
        "reference.Commune", verbose_name=_("communes / wards"), related_name="craft_villages"
    )
    decision_number = models.CharField(_("recognition decision number"), max_length=40)
    decision_date = models.DateField(_("recognition decision date"))
    decision_file = models.FileField(
        _("scan of the decision"), upload_to=_decision_upload_to, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECOGNISED
    )
    revocation_number = models.CharField(_("revocation decision number"), max_length=40, blank=True)
    revocation_date = models.DateField(_("revocation decision date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["province__code", "name_folded", "pk"]
        verbose_name = _("craft village")
        verbose_name_plural = _("craft villages")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name_folded"],
                name="craftvillage_name_unique_in_province",
                violation_error_message=_(
                    "This province already has a craft village of that name."
                ),
            ),
            # Revoked: the revocation decision is recorded, and not before the recognition.
            # Recognised: no revocation recorded.
            models.CheckConstraint(
                condition=(
                    Q(status="recognised", revocation_date__isnull=True, revocation_number="")
                    | Q(
                        status="revoked",
                        revocation_date__isnull=False,
                        revocation_date__gte=F("decision_date"),
                    )
                    & ~Q(revocation_number="")
                ),
                name="craftvillage_revocation_consistent",
                violation_error_message=_(
                    "A revoked village has a revocation decision (number and date, not before "
                    "the recognition); a recognised one has none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(decision_number=""), name="craftvillage_decision_numbered"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("village-detail", args=[self.pk])

    def recognised_on(self, on_date) -> bool:
        """Recognised on ``on_date``: decided on or before it, and not revoked by then."""
        if self.decision_date > on_date:
            return False
        return self.revocation_date is None or self.revocation_date > on_date

    @property
    def decision_label(self) -> str:
        return f"{self.decision_number} ({self.decision_date:%d/%m/%Y})"


class VillageMembership(models.Model):
    """An establishment belongs to a craft village from ``joined_on`` until ``left_on``
    (the last day it was a member; empty while it still is). An establishment belongs to
    at most one village at a time: at most one open membership (constraint below), and
    periods that never overlap (villages/sql/membership_no_overlap.sql)."""

    province_scope = "village__province"

    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {"villages/sql/membership_no_overlap.sql": ("membership_no_overlap",)}

    village = models.ForeignKey(
        CraftVillage,
        verbose_name=_("craft village"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("establishment"),
        on_delete=models.CASCADE,
        related_name="village_memberships",
    )
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("member until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["village", "beneficiary__name_folded", "joined_on"]
        verbose_name = _("craft village membership")
        verbose_name_plural = _("craft village memberships")
        indexes = [models.Index(fields=["beneficiary", "joined_on"], name="membership_b_joined")]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_beneficiary",
                violation_error_message=_("This establishment already belongs to a craft village."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("The date it left cannot be before the date it joined."),
            ),
        ]

    def __str__(self):
        return f"{self.beneficiary} — {self.village}"

    def covers(self, on_date) -> bool:
        return self.joined_on <= on_date and (self.left_on is None or self.left_on >= on_date)


class VillageImportManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind="villages")


class VillageImportBatch(ImportBatch):
    """An upload of the register of craft villages: the registry's batch (and rows) with
    ``kind="villages"`` (villages.imports)."""

    objects = VillageImportManager()

    class Meta:
        proxy = True
        verbose_name = _("craft village import")
        verbose_name_plural = _("craft village imports")
