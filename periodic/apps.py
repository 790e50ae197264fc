"""Periodic results reports (báo cáo kết quả thực hiện công tác khuyến công): the six-month
and annual reports a Sở sends to the ministry, the Cục's national consolidation of them,
and the period summary (tổng kết giai đoạn) of a programme."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodicConfig(AppConfig):
    name = "periodic"
    verbose_name = _("Periodic reports")

    def ready(self):
        from periodic import document
        from reports import documents, services

        # The reports app is below this one: it learns the periodic document here.
        documents.register("periodic", document)
        services.register_resolver("periodic", document.resolve)
