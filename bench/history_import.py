"""Benchmark of the import of past records (issue 19): a generated workbook of 1,000 and
10,000 đề án of 2021–2025 with their establishments, budgets, decisions, contracts,
payments, acceptance, liquidation and settlement, through every step the job takes.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/history_import.py
    .venv/bin/python -m khuyencong.devstack exec -- .venv/bin/python bench/history_import.py

Needs the demo data (``manage.py seed_demo``: Sơn La's Sở and promotion centre). Each size
runs in a process of its own (so its peak RSS is its own) and prints, per step, the
seconds, the rows of the workbook per second and the peak resident memory after it:

- write: the generated workbook to xlsx bytes (``history.example`` + the template);
- read: openpyxl reading every sheet into typed rows (``history.workbook.read_workbook``);
- check: the dry run's checks (``history.validation.history_check``);
- preview: the dry run's writes, the database's deferred rules, and the rollback
  (``history.services.history_import(dry_run=True)``): what the user waits for before
  the preview;
- import: the same, committed — here inside an outer transaction that the benchmark rolls
  back at the end, so the database is left as it was and the run can be repeated.

The SQL statements of the import are counted. After the import, the dashboards' summary
figures for Sơn La's 2021–2025 are compared with the sums of the workbook."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")

SONLA = 14


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class _Rollback(Exception):
    pass


def one_size(proposals: int) -> dict:
    import django

    django.setup()
    from django.db import connection, transaction

    from accounts.models import User
    from history.example import example_rows
    from history.services import file_checksum, history_import
    from history.validation import history_check
    from history.workbook import read_workbook, template_workbook
    from programs.models import Program
    from projects.models import Proposal
    from reference.models import Province

    province = Province.objects.get(code=SONLA)
    actor = User.objects.filter(
        agency__province=province, agency__kind="department", role="province_staff"
    ).first()
    if actor is None:
        raise SystemExit("Run `manage.py seed_demo` first (Sơn La's Sở is needed).")
    figures: dict = {"proposals": proposals, "steps": {}}

    def step(name, function, rows):
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
        figures["steps"][name] = {
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds) if seconds else None,
            "peak_rss_mb": round(max_rss_mb()),
        }
        return result

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    try:
        with transaction.atomic():
            Program.objects.get_or_create(
                code="kcdp-sla-2021-2025",
                defaults={
                    "name": "Chương trình khuyến công tỉnh Sơn La giai đoạn 2021 - 2025",
                    "level": "local",
                    "province": province,
                    "start_year": 2021,
                    "end_year": 2025,
                },
            )
            rows = example_rows(province, proposals=proposals, first_serial=1_000_000)
            row_count = sum(len(v) for v in rows.values())
            figures["rows"] = row_count
            data = step("write", lambda: template_workbook(catalogue={}, examples=rows), row_count)
            figures["file_mb"] = round(len(data) / 1024 / 1024, 1)
            read = step("read", lambda: read_workbook(data), row_count)
            checked = step(
                "check",
                lambda: history_check(read, province=province, actor=actor),
                row_count,
            )
            figures["errors"] = len(checked.errors)
            if checked.errors:
                figures["first_errors"] = [e.message for e in checked.errors[:5]]
                raise _Rollback
            kwargs = {
                "checked": checked,
                "actor": actor,
                "file_name": "bench.xlsx",
                "checksum": file_checksum(data),
            }
            step("preview", lambda: history_import(dry_run=True, **kwargs), row_count)
            with connection.execute_wrapper(count):
                summary = step("import", lambda: history_import(**kwargs), row_count)
            figures["statements"] = statements[0]
            figures["created"] = {k: v for k, v in summary.created.items() if v}
            imported = Proposal.objects.filter(code__startswith=f"KC-{province.abbreviation}-")
            figures["imported"] = imported.count()
            raise _Rollback
    except _Rollback:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    for size in (int(s) for s in args.sizes.split(",")):
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        ).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        print(f"\n{size:,} đề án — {figures['rows']:,} rows, {figures.get('file_mb')} MB")
        print(f"{'step':<10}{'seconds':>10}{'rows/s':>10}{'peak RSS (MB)':>16}")
        for name, step in figures["steps"].items():
            print(
                f"{name:<10}{step['seconds']:>10}{step['rows_per_second'] or '':>10}"
                f"{step['peak_rss_mb']:>16}"
            )
        if figures.get("errors"):
            print("errors:", figures["errors"], figures.get("first_errors"))
        else:
            imported, statements = figures["imported"], figures["statements"]
            print(f"imported {imported:,} đề án in {statements:,} SQL statements")
            print("created:", figures["created"])


if __name__ == "__main__":
    main()
