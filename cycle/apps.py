"""The annual khuyến công cycle: calls for đề án, registration, the Sở's registration batch
and the plan decision that approves the listed đề án."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = _("Annual cycle")

    def ready(self):
        from cycle.selectors import registration_date, submission_problem
        from projects import decision_dates

        # The approval and submission paths of projects read the registration through
        # this hook (projects is below cycle and does not import it).
        decision_dates.set_registration_lookup(registration_date, submission_problem)
