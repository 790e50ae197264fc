"""Register of làng nghề and làng nghề truyền thống recognised by the UBND tỉnh."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Craft villages")
