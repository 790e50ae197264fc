from django.core.management.base import BaseCommand

from reference.loader import load_reference_data
from reference.models import Commune, Province, Region


class Command(BaseCommand):
    help = "Load or refresh regions, provinces and communes from the vietnam-provinces package."

    def handle(self, *args, **options):
        counts = load_reference_data(Region, Province, Commune)
        self.stdout.write(
            self.style.SUCCESS(
                "Reference data: {regions} regions, {provinces} provinces, "
                "{communes} communes/wards.".format(**counts)
            )
        )
