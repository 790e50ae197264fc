"""Demo data for `make run`: reference data, agencies, the demo accounts and (in later
issues) programmes, plans, establishments and đề án. Safe to run twice; refused under
production settings."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import seeding


class Command(BaseCommand):
    help = "Load demo data (idempotent). Refused under production settings."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, seed, **options):
        if not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "seed_demo is refused under these settings (ALLOW_DEMO_DATA is off): "
                "demo accounts with a published password must never reach production."
            )
        with transaction.atomic():
            report = seeding.seed_all(seed=seed)
        for line in report:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password: khuyencong-demo"))
