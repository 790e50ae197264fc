"""Benchmark of the đề án list on the national dataset of ``manage.py seed_scale``: server time
of the list's first, middle and last page as the ministry (every đề án) and as a Sở user, next
to what the same page cost before issue 16 (the page query sorting every đề án joined to its
plan and province, with the computed total on every row, and a count of the same query),
replayed on the same connection after each request.

    DATABASE_URL=postgres://... .venv/bin/python manage.py seed_scale --scale 1
    DATABASE_URL=postgres://... .venv/bin/python bench/lists.py [--runs 20]

"Server time" is the whole request through Django's test client in this process (middleware,
session, filters, paging, template), after ``--warmup`` requests. Nothing is written."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from accounts.models import User
    from accounts.policies import visible
    from bench.dashboards import p95
    from projects.models import Proposal
    from projects.selectors import _requested_total

    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    total = Proposal.objects.count()
    if total < 1000:
        print("Run `manage.py seed_scale` first: the database holds", total, "đề án.")
        return 1
    print(
        f"Dataset: {total:,} đề án; PostgreSQL {connection.cursor().connection.server_version}; "
        f"{os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.2f}."
    )
    per_page = 50

    def before(user, offset: int) -> float:
        """The page as it was read before: every đề án sorted through the joins, the
        total computed on each, and a count of the same query."""
        qs = (
            visible(user, Proposal.objects.all())
            .select_related("plan", "province", "activity", "implementing_agency")
            .annotate(requested_total=_requested_total())
            .order_by("-plan__year", "province__code", "plan_id", "sequence")
        )
        started = time.perf_counter()
        qs.count()
        list(qs[offset : offset + per_page])
        return time.perf_counter() - started

    cases = []
    for username in ("ministry", "sct-hanoi"):
        user = User.objects.get(username=username)
        n = visible(user, Proposal.objects.all()).count()
        last = max(1, -(-n // per_page))
        for label, page in (("first", 1), ("middle", max(1, last // 2)), ("last", last)):
            cases.append((f"{username}, {n:,} đề án, {label} page ({page})", user, page))

    print()
    print("| page | queries | server median (ms) | server p95 (ms) | before: page SQL (ms) |")
    print("|---|---:|---:|---:|---:|")
    for label, user, page in cases:
        client = Client()
        client.force_login(user)
        url = f"/proposals/?page={page}"
        for _ in range(args.warmup):
            assert client.get(url).status_code == 200
        connection.force_debug_cursor = True  # count the page's statements once
        client.get(url)
        queries = len(connection.queries)  # reset at the start of each request
        connection.force_debug_cursor = False
        server, old = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            server.append(time.perf_counter() - started)
            assert response.status_code == 200
            old.append(before(user, (page - 1) * per_page))
        print(
            f"| {label} | {queries} | "
            f"{statistics.median(server) * 1000:.0f} | {p95(server) * 1000:.0f} | "
            f"{statistics.median(old) * 1000:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
