"""Benchmark of the compliance report (báo cáo tình hình sử dụng kinh phí khuyến công) at
several sizes: for each, the number of đề án actually in the report's scope, the pages,
and the wall-clock time, CPU time and peak resident memory of ``render_report`` (data,
HTML, PDF and Word copy — what the worker does).

    DATABASE_URL=postgres://... .venv/bin/python bench/report_compliance.py --rows 100,1000,5000
    .venv/bin/python -m khuyencong.devstack exec -- .venv/bin/python bench/report_compliance.py

Each size runs in a fresh subprocess, so a high-water mark never carries over from one
size to the next. In that subprocess the data is written inside one transaction that is
rolled back at the end (the database, migrated e.g. by ``make run``, is left as it was);
then the heap is trimmed, the kernel's peak-RSS mark is reset (``/proc/self/clear_refs``)
and ``render_report`` runs ``--runs`` times: the peak RSS printed is the process's
high-water mark during the renders (C libraries included: Pango, HarfBuzz, libxml2), not
during the writing of the data. Times are the median of the runs; CPU time (this
process) is the steadier figure on a machine shared with other work."""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_reset() -> bool:
    """Give freed heap back to the system and reset the peak-RSS mark (Linux ≥ 4.0)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def rss_mb() -> float:
    return (_status_kib("VmRSS") or 0) / 1024


def peak_rss_mb() -> float:
    kib = _status_kib("VmHWM")
    if kib is None:  # no /proc: the process's maximum, since it started
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024


def child(rows: int, runs: int) -> dict:
    """One size, in this (fresh) process: write the data, render, roll back."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Agency, Role, User
    from bench.datasets import compliance_dataset
    from core.pdf import html_to_pdf_file
    from reference.models import Province
    from reports.documents import compliance, render_html, render_report
    from reports.documents.scope import report_period, report_province
    from reports.models import ReportJob

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit("The database is not migrated: run `manage.py migrate` first.")

    result: dict = {"asked": rows}
    with transaction.atomic():
        started = time.perf_counter()
        ministry = Agency.objects.get(kind=Agency.Kind.MINISTRY_DEPARTMENT)
        requester = User.objects.create(
            username="bench-report-requester",
            first_name="Minh",
            last_name="Nguyễn Văn",
            position="Chuyên viên chính",
            role=Role.MINISTRY_OFFICIAL,
            agency=ministry,
        )
        provinces = list(Province.objects.filter(code__in=[1, 14]).order_by("code"))
        per_province = -(-rows // len(provinces))
        data = compliance_dataset(
            provinces=provinces, per_province=per_province, actor=requester, seed=2026
        )
        with connection.cursor() as cursor:  # the deferred money rules, as at commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        job = ReportJob.objects.create(
            kind=ReportJob.Kind.COMPLIANCE,
            params={"province": None, "date_from": "2026-01-01", "date_to": "2026-12-31"},
            title="Báo cáo tình hình sử dụng kinh phí khuyến công năm 2026",
            number="01/BC-BENCH",
            requested_by=requester,
        )
        result["data_seconds"] = time.perf_counter() - started
        result["written"] = data.proposals
        # The rows the report will print: its own scope, counted by its own query.
        date_from, date_to = report_period(job.params, job.requested_at)
        result["in_scope"] = compliance.proposals_in_scope(
            requester, report_province(requester, None), date_from, date_to
        ).count()

        html_to_pdf_file("<p>Khởi động</p>")  # imports and font loading, not measured
        result["rss_before_mb"] = rss_mb()
        result["peak_reset"] = peak_reset()
        result["rss_baseline_mb"] = rss_mb()
        times = []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                report = render_report(job, progress=lambda _p: None)
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
            del report  # nothing of it kept between the runs
        result["peak_rss_mb"] = peak_rss_mb()
        result["wall"] = statistics.median(w for w, _ in times)
        result["cpu"] = statistics.median(c for _, c in times)
        report = render_report(job, progress=lambda _p: None)  # for its size, not timed
        result["pages"] = report.page_count
        result["pdf_kib"] = len(report.pdf) / 1024
        result["docx_kib"] = len(report.docx) / 1024
        result["queries"] = len(queries.captured_queries)
        # The reference beside it: the data and the HTML alone (the rest is WeasyPrint's
        # layout and drawing, and the Word copy), after the peak was read.
        cpu = time.process_time()
        render_html(job)
        result["html_cpu"] = time.process_time() - cpu
        transaction.set_rollback(True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default="100,1000,5000", help="đề án to write, comma-separated sizes"
    )
    parser.add_argument("--runs", type=int, default=1, help="renders per size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        print(json.dumps(child(args.child, args.runs)))
        return 0

    sizes = [int(s) for s in args.rows.split(",") if s.strip()]
    print(f"Compliance report (national, one year); {args.runs} render(s) per size, median")
    print(
        f"{'đề án written':>13} {'in scope':>9} {'pages':>6} {'wall s':>8} {'CPU s':>8} "
        f"{'peak RSS MiB':>13} {'baseline MiB':>13} {'PDF KiB':>8} {'queries':>8} "
        f"{'data+HTML CPU s':>16}"
    )
    for size in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['written']:>13} {r['in_scope']:>9} {r['pages']:>6} {r['wall']:>8.1f} "
            f"{r['cpu']:>8.1f} {r['peak_rss_mb']:>13.0f} {r['rss_baseline_mb']:>13.0f} "
            f"{r['pdf_kib']:>8.0f} {r['queries']:>8} {r['html_cpu']:>16.2f}"
            + ("" if r["peak_reset"] else "  (peak since the process started)"),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
