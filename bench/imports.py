"""Benchmark of the establishment import (issue 16): upload and parse, preview and confirm
of a filled template of 5,000 and 10,000 rows, with each size's peak memory.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/imports.py
    .venv/bin/python -m khuyencong.devstack exec -- .venv/bin/python bench/imports.py

Each size runs in a process of its own (so its peak RSS is its own), through Django's test
client in that process (middleware, session, form, service, template — no network), as a
Sở user of Sơn La:

- upload + parse: POST of the workbook to the upload page — the only time the file is read
  and checked; the checked rows are stored with the batch. Beside it, the two parts alone
  on the same bytes (after the uploads, so that the peak RSS after the upload is the
  requests' own): openpyxl reading the sheet (``imports.read_workbook``, with the zip
  checks before it) and the row checks (``imports.validate_rows``);
- preview: GET of the first page, the last page and the "rows with errors" tab (a page is
  100 stored rows whatever the size of the file);
- confirm: POST of the confirmation, which writes every row (once; its SQL queries are
  counted).

The registry first receives ``--registry`` establishments (200,000 by default, the size of
``seed_scale --scale 1``), written with one INSERT … SELECT, so the duplicate checks run
against a registry of national size. Everything is written inside one transaction per
size, rolled back at the end; uploaded files go to a temporary folder. Times are the
median of ``--runs`` repetitions (the confirmation runs once: it writes)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")  # no query log, cached templates


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(function, runs: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


REGISTRY_SQL = """
WITH c AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(province_id ORDER BY id) AS provinces,
           count(*)::int AS n
    FROM reference_commune
)
INSERT INTO beneficiaries_beneficiary (
    legal_form, name, name_folded, tax_code, citizen_id, commune_id, province_id, address,
    sector_id, product_line, workers, woman_owned, ethnic_minority_owned,
    craft_village_name, representative, phone, email, version,
    created_at, updated_at)
SELECT 'sme', 'Cơ sở có sẵn ' || g, 'co so co san ' || g, '95' || lpad(g::text, 8, '0'),
       NULL, c.ids[1 + g %% c.n], c.provinces[1 + g %% c.n], '', %s, '', 10, false, false,
       '', '', '', '', 1, now(), now()
FROM c, generate_series(1, %s) AS g
"""


def one_size(rows: int, runs: int, registry: int) -> dict:
    """Measure one file size (in this process); returns the figures."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, reset_queries, transaction
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Agency, Role, User
    from bench.datasets import import_workbook
    from beneficiaries import imports
    from beneficiaries.models import Beneficiary, ImportBatch, Sector
    from reference.models import Province

    media = tempfile.TemporaryDirectory(prefix="bench-imports-")
    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        TWO_FACTOR_EXEMPT="all",  # the bench user signs in with force_login
        STORAGES={
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media.name},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    figures: dict = {"rows": rows}
    with transaction.atomic():
        sonla = Province.objects.get(code=14)
        sector = Sector.objects.order_by("order").first()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(REGISTRY_SQL, [sector.pk, registry])
            cursor.execute("ANALYZE beneficiaries_beneficiary")
        figures["registry"] = Beneficiary.objects.count()
        figures["registry_seconds"] = time.perf_counter() - started
        user = User.objects.create(
            username="bench-import",
            first_name="Hoa",
            last_name="Lò Thị",
            role=Role.PROVINCE_STAFF,
            agency=Agency.objects.get(kind=Agency.Kind.DEPARTMENT, province=sonla),
        )
        started = time.perf_counter()
        content = import_workbook(province=sonla, rows=rows)
        figures["generate_seconds"] = time.perf_counter() - started
        figures["file_mb"] = len(content) / 2**20
        figures["rss_start"] = max_rss_mb()

        client = Client()
        client.force_login(user)

        def upload():
            response = client.post(
                "/beneficiaries/import/",
                {"file": SimpleUploadedFile("bench.xlsx", content)},
            )
            assert response.status_code == 302, response.status_code
            return ImportBatch.objects.latest("pk")

        figures["upload_seconds"], batch = timed(upload, runs)
        assert batch.row_count == rows and batch.valid_count == rows, batch.valid_count
        figures["rss_upload"] = max_rss_mb()

        # The parts of the upload alone, on the same bytes.
        figures["read_seconds"], parsed = timed(lambda: imports.read_workbook(content), runs)

        def check():
            return imports.validate_rows(parsed=parsed, actor=user, province=sonla)

        figures["check_seconds"], _results = timed(check, runs)
        parsed = _results = None

        preview = f"/beneficiaries/import/{batch.pk}/"
        last_page = -(-rows // 100)
        pages = {
            "first page": {},
            "last page": {"page": last_page},
            "errors tab": {"only": "errors"},
        }
        figures["preview"] = {}
        for name, params in pages.items():
            assert client.get(preview, params).status_code == 200  # warm
            reset_queries()  # each request empties the log: start it empty
            with CaptureQueriesContext(connection) as captured:
                client.get(preview, params)
            queries = len(captured.captured_queries)  # before the next request resets the log
            seconds, _response = timed(lambda p=params: client.get(preview, p), runs)
            figures["preview"][name] = (seconds, queries)
        figures["rss_preview"] = max_rss_mb()

        before = Beneficiary.objects.count()
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(f"/beneficiaries/import/{batch.pk}/confirm/")
            figures["confirm_seconds"] = time.perf_counter() - start
        figures["confirm_queries"] = len(captured.captured_queries)
        assert response.status_code == 302
        figures["created"] = Beneficiary.objects.count() - before
        assert figures["created"] == rows, figures["created"]
        figures["rss_confirm"] = max_rss_mb()
        transaction.set_rollback(True)
    media.cleanup()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each timing")
    parser.add_argument("--registry", type=int, default=200_000, help="establishments first")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args()

    if args.one:
        print(json.dumps(one_size(args.one, args.runs, args.registry)))
        return 0

    print(
        f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} at the start; "
        f"{args.runs} runs per timing (median); registry of {args.registry:,} establishments "
        "added first (rolled back)"
    )
    results = []
    for rows in args.rows:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(rows),
                "--runs",
                str(args.runs),
                "--registry",
                str(args.registry),
            ],
            capture_output=True,
            text=True,
        )
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))

    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print()
    header = f"{'measure':<48}" + "".join(f"{r['rows']:>12,} rows" for r in results)
    print(header)

    def line(label, values):
        print(f"{label:<48}" + "".join(f"{v:>17}" for v in values))

    line("file size (MiB)", [f"{r['file_mb']:.2f}" for r in results])
    line("upload + parse, the request (s)", [f"{r['upload_seconds']:.2f}" for r in results])
    line("  openpyxl alone: read_workbook (s)", [f"{r['read_seconds']:.2f}" for r in results])
    line("  row checks alone: validate_rows (s)", [f"{r['check_seconds']:.2f}" for r in results])
    for name in results[0]["preview"]:
        line(
            f"preview, {name} (ms, queries)",
            [f"{r['preview'][name][0] * 1000:.0f}, {r['preview'][name][1]}" for r in results],
        )
    line("confirm, the request (s)", [f"{r['confirm_seconds']:.2f}" for r in results])
    line("  SQL queries of the confirmation", [str(r["confirm_queries"]) for r in results])
    line("peak RSS after upload (MiB)", [f"{r['rss_upload']:.0f}" for r in results])
    line("peak RSS after preview (MiB)", [f"{r['rss_preview']:.0f}" for r in results])
    line("peak RSS after confirm (MiB)", [f"{r['rss_confirm']:.0f}" for r in results])
    line("process RSS before the upload (MiB)", [f"{r['rss_start']:.0f}" for r in results])
    return 0


if __name__ == "__main__":
    sys.exit(main())
