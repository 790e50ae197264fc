"""Kiểm tra, giám sát: inspections of đề án and the follow-up of their recommendations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")
