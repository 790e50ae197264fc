"""Benchmark of the compliance report (báo cáo tình hình sử dụng kinh phí khuyến công)
with 1,000 đề án rows: time and memory of ``render_report``, of the data and HTML alone
(``render_html``) and of WeasyPrint alone on the same HTML.

    DATABASE_URL=postgres://... .venv/bin/python bench/report_compliance.py
    .venv/bin/python -m khuyencong.devstack exec -- .venv/bin/python bench/report_compliance.py

The data is written inside one transaction that is rolled back at the end: the database
(migrated, e.g. by ``make run``) is left as it was. Timings are the median of
``--runs`` repetitions; memory is measured on one more run of ``render_report``:
tracemalloc's peak (Python allocations only — WeasyPrint's C libraries, Pango and
HarfBuzz, are not traced) and the process's maximum resident set size
(``resource.getrusage``: everything, C libraries included; a high-water mark of the whole
process, so it is printed before the first render and after the timed renders, before
tracemalloc adds its own bookkeeping)."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(function, runs: int) -> tuple[list[tuple[float, float]], object]:
    """(wall, CPU) seconds of each run, and the last result. CPU time (this process) is
    the steadier figure on a machine shared with other work."""
    times, result = [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="đề án in the report")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per measure")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Agency, Role, User
    from bench.datasets import compliance_dataset
    from core.pdf import html_to_pdf_file
    from reference.models import Province
    from reports.documents import render_html, render_report
    from reports.models import ReportJob

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("The database is not migrated: run `manage.py migrate` first.", file=sys.stderr)
        return 2

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
        per_province = -(-args.rows // len(provinces))
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
        build_seconds = time.perf_counter() - started
        rss_before = max_rss_mb()

        html_to_pdf_file("<p>Khởi động</p>")  # imports and font loading, not timed
        with CaptureQueriesContext(connection) as queries:
            html = render_html(job)
        html_times, html = timed(lambda: render_html(job), args.runs)
        pdf_times, _pdf = timed(lambda: html_to_pdf_file(html), args.runs)
        total_times, report = timed(lambda: render_report(job, progress=lambda _p: None), args.runs)

        rss_rendered = max_rss_mb()
        tracemalloc.start()
        render_report(job, progress=lambda _p: None)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        transaction.set_rollback(True)

    def row(label, times):
        wall = [w for w, _ in times]
        cpu = [c for _, c in times]
        return (
            f"{label:<38} {statistics.median(wall):>8.2f} {min(wall):>8.2f} "
            f"{max(wall):>8.2f} {statistics.median(cpu):>8.2f}"
        )

    print(
        f"Compliance report: {data.proposals} đề án in {len(provinces)} provinces, "
        f"{data.beneficiaries} establishments, {data.tranches} tranches, "
        f"{data.inspections} inspections, {data.open_recommendations} open recommendations "
        f"(data written in {build_seconds:.1f} s, rolled back)"
    )
    print(f"{args.runs} runs per measure; seconds of wall-clock time, and median CPU time")
    print(f"{'measure':<38} {'median':>8} {'min':>8} {'max':>8} {'CPU':>8}")
    print(row("data + HTML (render_html)", html_times))
    print(row("WeasyPrint alone (html_to_pdf_file)", pdf_times))
    print(row("render_report (total)", total_times))
    print(
        f"pages {report.page_count}, PDF {len(report.pdf) / 1024:.0f} KiB, "
        f"HTML {len(html.encode()) / 1024:.0f} KiB, "
        f"{len(queries.captured_queries)} SQL queries for the data"
    )
    print(f"tracemalloc peak during render_report: {peak / 2**20:.0f} MiB")
    print(
        f"process max RSS: {rss_before:.0f} MiB before the first render, "
        f"{rss_rendered:.0f} MiB after the timed renders (tracemalloc off)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
