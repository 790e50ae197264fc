"""Benchmark of the dashboards on the national dataset of ``manage.py seed_scale``: server
time of the national dashboard, of a province dashboard and of a filtered drill-down list
(median and p95 over repeated warm requests), next to the time PostgreSQL needs for the
page's SQL alone, and the number of queries per page.

    DATABASE_URL=postgres://... .venv/bin/python manage.py seed_scale --scale 1
    DATABASE_URL=postgres://... .venv/bin/python bench/dashboards.py [--runs 30]

"Server time" is the whole request through Django's test client in this process
(middleware, session, selectors, template, no network), after ``--warmup`` requests.
"SQL alone" replays the exact statements the page ran (captured on one extra request),
in the same order, over the same connection, in one transaction as the page does (with its
``work_mem``); "aggregates alone" is the part of it that sums the figures (the queries on
the rollups and on ``dashboards_proposalfigures``). Each timed request is followed by one
replay of each, and the ratios are the medians of those pairs, so that both sides of a
ratio saw the same load on a shared machine. "Aggregates from the source tables" runs the
same aggregate statements on the views that define those tables
(``dashboards_figures_expected``, ``dashboards_figuresrollup_expected`` …: the figures
recomputed from đề án, links, outputs, inspections and a million tranches), which is what
the pages would cost without the summary tables. Nothing is written to the database."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")  # no query log, cached templates


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from dashboards.selectors import ROLLUP_VIEWS
    from disbursement.models import Tranche
    from inspections.models import Inspection
    from projects.models import Proposal
    from reference.models import Province, Region

    # Static URLs without collectstatic's manifest (production builds it at deployment).
    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    proposals = Proposal.objects.count()
    if proposals < 1000:
        print("Run `manage.py seed_scale` first: the database holds", proposals, "đề án.")
        return 1
    print(
        f"Dataset: {proposals:,} đề án, {Tranche.objects.count():,} tranches, "
        f"{Inspection.objects.count():,} inspections; PostgreSQL "
        f"{connection.cursor().connection.server_version}; {os.cpu_count()} CPU(s); "
        f"load average {os.getloadavg()[0]:.2f}."
    )

    ministry = User.objects.get(username="ministry")
    province_user = User.objects.get(username="sct-hanoi")
    hanoi = Province.objects.get(code=1)
    south_east = Region.objects.get(code="dnb")
    pages = [
        ("National dashboard", ministry, "/statistics/"),
        (
            "National dashboard, filtered (region, 2022–2025, KCĐP)",
            ministry,
            f"/statistics/?region={south_east.pk}&year_from=2022&year_to=2025&source=kcdp",
        ),
        ("Province dashboard (Hà Nội, Sở user)", province_user, "/statistics/"),
        (
            "Province dashboard (Hà Nội, ministry, 2023–2026, group)",
            ministry,
            f"/statistics/provinces/{hanoi.pk}/?year_from=2023&year_to=2026&kind=group",
        ),
        (
            "Drill-down list (region, 2022–2025, approved)",
            ministry,
            f"/proposals/?region={south_east.pk}&year_from=2022&year_to=2025&stage=funded",
        ),
        (
            "Drill-down list (Hà Nội, open findings)",
            ministry,
            f"/proposals/?province={hanoi.pk}&findings=open",
        ),
    ]

    def replay(statements: list[str]) -> float:
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
        return time.perf_counter() - start

    rows = []
    for title, user, url in pages:
        client = Client()
        client.force_login(user)
        for _ in range(args.warmup):
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        query_count = len(captured.captured_queries)  # the log is reset by each request
        statements = [
            q["sql"]
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "SET TRANSACTION"))
        ]
        # Server-side cursors (DECLARE … CURSOR WITH HOLD FOR …): replay the query itself.
        statements = [
            s.split(" FOR ", 1)[1] if s.startswith("DECLARE ") else s
            for s in statements
            if not s.startswith(("FETCH ", "CLOSE "))
        ]
        # The summary tables and the views that define them from the source tables.
        summaries = {
            "dashboards_proposalfigures": "dashboards_figures_expected",
            **{model._meta.db_table: view for model, view in ROLLUP_VIEWS.items()},
        }
        aggregates = [s for s in statements if any(table in s for table in summaries)]
        # Page, SQL alone and aggregates alone in turn, so that the three see the same
        # load on a shared machine.
        times, sql_times, aggregate_times, ratios, aggregate_ratios = [], [], [], [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
            sql_times.append(replay(statements))
            ratios.append(times[-1] / sql_times[-1])
            if aggregates:
                aggregate_times.append(replay(aggregates))
                aggregate_ratios.append(times[-1] / aggregate_times[-1])
        source_times = []
        if aggregates:
            from_source = []
            for statement in aggregates:
                for table, view in summaries.items():
                    statement = statement.replace(f'"{table}"', view)
                    statement = re.sub(rf"\b{table}\b", view, statement)
                from_source.append(statement)
            source_times = [replay(from_source) for _ in range(max(3, args.runs // 5))]
        rows.append(
            {
                "title": title,
                "url": url,
                "queries": query_count,
                "median": statistics.median(times),
                "p95": p95(times),
                "sql": statistics.median(sql_times),
                "ratio": statistics.median(ratios),
                "aggregate_ratio": statistics.median(aggregate_ratios) if aggregates else None,
                "aggregates": statistics.median(aggregate_times) if aggregate_times else None,
                "source": statistics.median(source_times) if source_times else None,
                "size": len(response.content),
            }
        )
        print(f"  {title}: {ms(rows[-1]['median'])} ms median", flush=True)

    print()
    print(
        "| page | queries | server median (ms) | server p95 (ms) | SQL alone (ms) "
        "| aggregates alone (ms) | server ÷ SQL | server ÷ aggregates "
        "| aggregates from the source tables (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["aggregate_ratio"]
        versus_aggregates = f"{ratio:.2f}" if ratio is not None else "—"
        print(
            f"| {r['title']} | {r['queries']} | {ms(r['median'])} | {ms(r['p95'])} "
            f"| {ms(r['sql'])} | {ms(r['aggregates']) if r['aggregates'] is not None else '—'} "
            f"| {r['ratio']:.2f} "
            f"| {versus_aggregates} "
            f"| {ms(r['source']) if r['source'] is not None else '—'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
