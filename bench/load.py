"""Load benchmark: the đề án list as a Sở user under gunicorn (2 sync workers), 10 clients
for ``--seconds``, beside a minimal view and the user's home page on the same server — requests
per second, median and p95 latency, errors.

    DATABASE_URL=postgres://... .venv/bin/python manage.py seed_scale --scale 1
    DATABASE_URL=postgres://... .venv/bin/python bench/load.py [--seconds 20]

The server runs the development settings with DEBUG off (``bench/load_settings.py``; only
the HTML is asked for, its log goes to artifacts/bench-load-server.log); the clients are
threads of this process on the same machine, so they take CPU from the server too. A
session of the user is created in the database (the demo account ``sct-hanoi``), as a
browser's would be after signing in."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")
PORT = 8765


def run(url: str, cookie: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        nonlocal errors
        while time.monotonic() < stop:
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - begun
    latencies.sort()
    return {
        "rps": len(latencies) / took,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan"),
        "done": len(latencies),
        "errors": errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from projects.models import Proposal

    user = User.objects.get(username="sct-hanoi")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(
        b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    own = Proposal.objects.filter(province=user.agency.province).count()
    print(
        f"Dataset: {Proposal.objects.count():,} đề án ({own:,} of Hà Nội); gunicorn, "
        f"{args.workers} sync workers; {args.clients} clients for {args.seconds:.0f} s; "
        f"{os.cpu_count()} CPU(s); load average {os.getloadavg()[0]:.2f}."
    )
    env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
    }
    log = open(BASE_DIR / "artifacts" / "bench-load-server.log", "w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "khuyencong.wsgi:application",
            "--bind", f"127.0.0.1:{PORT}", "--workers", str(args.workers), "--log-level", "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/", timeout=2).read()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        for path in ("/proposals/", "/"):  # warm every worker
            for _ in range(4):
                urllib.request.urlopen(
                    urllib.request.Request(base + path, headers={"Cookie": cookie})
                ).read()
        print()
        print("| page | requests/s | p50 (ms) | p95 (ms) | requests | errors |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, path in (
            ("đề án list, Sở user (Hà Nội)", "/proposals/"),
            ("đề án list, Sở user, page 20", "/proposals/?page=20"),
            ("reference: a minimal view (plain “ok”, same middleware)", "/bench/minimal/"),
            ("the home page of the Sở user", "/"),
        ):
            r = run(base + path, cookie, args.clients, args.seconds)
            print(
                f"| {label} | {r['rps']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                f"{r['done']} | {r['errors']} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        session.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
