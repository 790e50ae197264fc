"""Registry of cơ sở công nghiệp nông thôn (CNNT): the establishments khuyến công supports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Rural industrial establishments")
