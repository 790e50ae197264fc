"""A national dataset for the dashboards' benchmark: ``--scale 1`` is ten years of all 34
provinces (about 60,000 đề án, 200,000 establishments, 1,000,000 tranches, 100,000
inspections). Deterministic for a seed; refused under production settings."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import scale as dataset


class Command(BaseCommand):
    help = (
        "Build a realistic national dataset (bulk COPY, one transaction, rules validated). "
        "Refused under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = about 60,000 đề án; 0.1 for tests"
        )
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=dataset.AS_OF,
            help="the day the data ends (YYYY-MM-DD); money and inspections stop there",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete every đề án and establishment (with their money and inspections) first",
        )

    def handle(self, *args, seed, scale: float, as_of, replace, **options):
        if not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "seed_scale is refused under these settings (ALLOW_DEMO_DATA is off): it "
                "fills the database with invented đề án."
            )
        started = time.monotonic()
        self.stdout.write(f"Building the dataset (seed {seed}, scale {scale}, as of {as_of}) …")
        try:
            result = dataset.seed_scale(
                seed=seed, scale=scale, as_of=as_of, replace=replace, log=self.stdout.write
            )
        except dataset.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        counts = result["counts"]
        for name, value in counts.items():
            if name != "fingerprint":
                self.stdout.write(f"{name:>26}: {value:,}")
        self.stdout.write(
            "Rules checked in one query after the load: "
            + ("all hold." if not any(result["validation"].values()) else str(result["validation"]))
        )
        if result["triggers_skipped"]:
            self.stdout.write(
                "Row triggers were off during the load (session_replication_role = replica)."
            )
        self.stdout.write(f"Fingerprint: {counts['fingerprint']}")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f} s."))
