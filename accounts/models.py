"""Users, the agencies they work for, and their roles.

A user belongs to one agency. The ministry department sees every province; a provincial
agency (Sở Công Thương, trung tâm khuyến công) limits its users to its province. What each
role may do is decided in ``accounts.policies`` and nowhere else.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_OFFICIAL = "ministry_official", _("Ministry official")
    MINISTRY_ADMIN = "ministry_admin", _("Ministry administrator")
    PROVINCE_ADMIN = "province_admin", _("Provincial administrator")
    PROVINCE_STAFF = "province_staff", _("Department of Industry and Trade staff")
    CENTRE_STAFF = "centre_staff", _("Promotion centre staff")
    INSPECTOR = "inspector", _("Inspector")
    VIEWER = "viewer", _("Read-only viewer")


# The role sets, declared once: accounts.policies, projects.workflow, disbursement and the
# other apps import them from here.
# Every role.
ALL_ROLES = frozenset(Role)
# Users of the ministry department.
MINISTRY_ROLES = frozenset({Role.MINISTRY_OFFICIAL, Role.MINISTRY_ADMIN})
# Administrators of the users and agencies of their scope (the ministry, a province).
ADMIN_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.PROVINCE_ADMIN})
# Staff of the Sở Công Thương (department of a province): they appraise, approve, amend and
# cancel the province's đề án and edit its plans.
DEPARTMENT_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.PROVINCE_STAFF})
# Staff of a province who keep its records (the Sở Công Thương and its promotion centre):
# they prepare đề án, record contracts, payments, acceptance and settlement, inspections.
PROVINCIAL_EDITORS = DEPARTMENT_ROLES | {Role.CENTRE_STAFF}


class Agency(models.Model):
    """Cơ quan, đơn vị: the ministry department, a Sở Công Thương or a trung tâm khuyến công."""

    class Kind(models.TextChoices):
        MINISTRY_DEPARTMENT = "ministry_department", _("Ministry department")
        DEPARTMENT = "department", _("Department of Industry and Trade (Sở Công Thương)")
        PROMOTION_CENTRE = "promotion_centre", _("Industrial promotion centre")
        OTHER_UNIT = "other_unit", _("Other implementing unit")

    province_scope = "province"

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    province = models.ForeignKey(
        "reference.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["province__code", "kind", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            # The ministry department is national; every other agency belongs to a province.
            models.CheckConstraint(
                condition=(Q(kind="ministry_department") & Q(province__isnull=True))
                | (~Q(kind="ministry_department") & Q(province__isnull=False)),
                name="agency_province_matches_kind",
                violation_error_message=_(
                    "The ministry department has no province; every other agency needs one."
                ),
            ),
            # One Sở Công Thương and one promotion centre per province.
            models.UniqueConstraint(
                fields=["kind", "province"],
                condition=Q(kind__in=["department", "promotion_centre"]),
                name="agency_one_department_and_centre_per_province",
                violation_error_message=_("This province already has an agency of this kind."),
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def is_national(self) -> bool:
        return self.kind == self.Kind.MINISTRY_DEPARTMENT


class User(AbstractUser):
    """A person who logs in: staff of an agency, with one role."""

    province_scope = "agency__province"

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Vietnamese order: family and middle names (last_name) before the given name."""
        return f"{self.last_name} {self.first_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def province_id(self):
        """The province this user is limited to, or None for a national user."""
        return self.agency.province_id if self.agency_id else None
