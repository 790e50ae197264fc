"""Write the migrations of the SQL rule files (``<app>/sql/*.sql``, see core.sqlrules): one
for every file whose rendered SQL differs from what its latest migration installs, and one
dropping the objects of a deleted file. ``--check`` writes nothing and fails when one is
missing (``make test`` runs it next to ``makemigrations --check``)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.loader import MigrationLoader

from core import sqlrules


class Command(BaseCommand):
    help = (
        "Write a migration for every SQL rule file (<app>/sql/*.sql) whose rendered SQL "
        "differs from what its migrations install."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit with status 1 when a file needs a migration.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the migrations that would be written (their content with -v 3).",
        )

    def handle(self, *args, check, dry_run, verbosity, **options):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        try:
            changes = sqlrules.pending_changes(loader)
            files = sqlrules.migration_files(changes, loader)
        except sqlrules.SQLRuleError as error:
            raise CommandError(str(error)) from error
        if not changes:
            if verbosity:
                self.stdout.write("No changes in the SQL rule files.")
            return
        if check:
            for change in changes:
                self.stdout.write(f"{change.display}: {change.reason}")
            self.stdout.write(
                f"Run `{sqlrules.COMMAND}` and commit the migrations it writes.", self.style.ERROR
            )
            sys.exit(1)
        for change, (path, source) in zip(changes, files, strict=True):
            if not dry_run:
                path.write_text(source, encoding="utf-8")
            if verbosity:
                self.stdout.write(f"{sqlrules._display(path)}: {change.display} ({change.reason})")
            if dry_run and verbosity >= 3:
                self.stdout.write(source)
