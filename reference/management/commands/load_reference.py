from django.core.management.base import BaseCommand

from reference.legacy import legacy_load
from reference.loader import load_reference_data
from reference.models import Commune, LegacyCommune, Province, Region


class Command(BaseCommand):
    help = (
        "Load or refresh regions, provinces and communes from the vietnam-provinces package, "
        "and the communes before 1 July 2025 from the vietnamadminunits package."
    )

    def handle(self, *args, **options):
        counts = load_reference_data(Region, Province, Commune)
        counts["legacy"] = legacy_load(LegacyCommune, Commune, Province)
        self.stdout.write(
            self.style.SUCCESS(
                "Reference data: {regions} regions, {provinces} provinces, "
                "{communes} communes/wards; {legacy} communes before 1 July 2025.".format(**counts)
            )
        )
