"""Administrative map of Vietnam since 1 July 2025: 34 provinces, 3,321 communes/wards,
grouped into the six socio-economic regions. Loaded from the ``vietnam-provinces``
package (see ``reference.loader``), never typed by hand."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """Vùng kinh tế - xã hội: one of the six socio-economic regions."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("socio-economic region")
        verbose_name_plural = _("socio-economic regions")

    def __str__(self):
        return self.name


class Province(models.Model):
    """Tỉnh / thành phố trực thuộc trung ương."""

    class DivisionType(models.TextChoices):
        PROVINCE = "tinh", _("province")
        CITY = "thanh_pho_trung_uong", _("centrally-run city")

    # Scoping: a provincial user sees only the row of their own province.
    province_scope = "id"
    # Triggers on this table, by the file defining them (README, "Rules in the database").
    sql_rules = {"projects/sql/list_order.sql": ("province_code_to_proposals",)}

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    short_name = models.CharField(_("short name"), max_length=60)
    abbreviation = models.CharField(_("abbreviation"), max_length=4, unique=True)
    codename = models.SlugField(_("code name"), max_length=40, unique=True)
    division_type = models.CharField(_("type"), max_length=24, choices=DivisionType.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name

    @property
    def is_centrally_run_city(self) -> bool:
        return self.division_type == self.DivisionType.CITY

    @property
    def administrative_name(self) -> str:
        """ "tỉnh Sơn La" / "thành phố Hà Nội", as used after an agency's name."""
        if self.is_centrally_run_city:
            return f"thành phố {self.short_name}"
        return f"tỉnh {self.short_name}"


class Commune(models.Model):
    """Xã / phường / đặc khu: the only level below the province since 2025."""

    class DivisionType(models.TextChoices):
        COMMUNE = "xa", _("commune")
        WARD = "phuong", _("ward")
        SPECIAL_ZONE = "dac_khu", _("special zone")

    province_scope = "province"

    code = models.PositiveIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    # Folded name ("xa ta xua") for accent-insensitive search and Vietnamese-friendly order.
    name_folded = models.CharField(_("name without accents"), max_length=80, db_index=True)
    codename = models.CharField(_("code name"), max_length=80)
    division_type = models.CharField(_("type"), max_length=10, choices=DivisionType.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")

    class Meta:
        ordering = ["province__code", "name_folded"]
        verbose_name = _("commune / ward")
        verbose_name_plural = _("communes / wards")
        indexes = [models.Index(fields=["province", "name"])]

    def __str__(self):
        return self.name


class LegacyCommune(models.Model):
    """Xã / phường / thị trấn as it was before 1 July 2025, with its huyện and tỉnh, and the
    commune of today it became (the 2025 merger removed the district level and merged most
    communes). Records kept before that date name these units; an import lands them on
    today's commune and keeps the old name (reference.legacy)."""

    province_scope = "province"

    # The old official code (none for an island district that had no commune).
    code = models.PositiveIntegerField(_("old code"), unique=True, null=True, blank=True)
    name = models.CharField(_("old name"), max_length=80, blank=True)
    district_name = models.CharField(_("old district"), max_length=80)
    province_name = models.CharField(_("old province"), max_length=80)
    # Folded names without their kind ("phuc xa", "ba dinh", "ha noi"): what a record's text
    # is matched on.
    name_key = models.CharField(max_length=80, blank=True)
    district_key = models.CharField(max_length=80)
    province_key = models.CharField(max_length=80)
    # Today's commune (where a commune was divided, the part the official list names first)
    # and its province, copied for lookups by province.
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune / ward today"),
        on_delete=models.PROTECT,
        related_name="legacy_units",
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province today"), on_delete=models.PROTECT, related_name="+"
    )
    # The other communes of today that took a part of it, when it was divided.
    also_in = models.ManyToManyField(
        Commune, verbose_name=_("also part of"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["province_key", "district_key", "name_key"]
        verbose_name = _("commune before 1 July 2025")
        verbose_name_plural = _("communes before 1 July 2025")
        indexes = [models.Index(fields=["province", "name_key"])]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """ "Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội" — as the old record wrote it."""
        parts = (self.name, self.district_name, self.province_name)
        return ", ".join(part for part in parts if part)
