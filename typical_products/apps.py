from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TypicalProductsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "typical_products"
    verbose_name = _("Typical rural industrial products")
