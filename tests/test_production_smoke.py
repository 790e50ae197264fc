"""The production stack, started as the Dockerfile and the compose file start it, answers.

Built and run here, on the test database and a Redis database of its own:

1. the Dockerfile's build step: ``collectstatic`` under ``khuyencong.settings.production``
   (the manifest storage refuses a missing file, as it did for Chart.js's source map);
2. the Dockerfile's ``CMD`` (gunicorn) and the compose file's ``worker``, ``reports-worker``
   and ``beat`` commands, read from those files and run as they are written, with the
   environment ``.env.example`` documents; the web process sits behind the proxy header
   the deployment uses (``X-Forwarded-Proto: https``);
3. over HTTP: ``/healthz`` answers 200 once the workers answer; every demo account logs in
   and opens its home page; a Sở user asks for a report, the reports worker produces it,
   and the PDF downloads.

Everything is stopped at the end, whatever happened."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
import yaml
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import User
from demo.seeding import DEMO_PASSWORD, DEMO_USERS
from reports.models import ReportJob

ROOT = Path(settings.BASE_DIR)
LOGS = ROOT / "artifacts" / "production-smoke"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]


# --- The commands, as the deployment files write them -----------------------------------------


def dockerfile_cmd() -> list[str]:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    cmd = [line for line in lines if line.startswith("CMD ")]
    assert len(cmd) == 1, "the Dockerfile has one CMD"
    return json.loads(cmd[0][4:])


def dockerfile_build_step() -> list[str]:
    """The manage.py command of the Dockerfile's collectstatic step."""
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"python (manage\.py collectstatic[^\n\\]*)", text)
    assert match, "the Dockerfile builds the static files"
    return shlex.split(match.group(1))


def compose_commands() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {name: services[name]["command"] for name in ("worker", "reports-worker", "beat")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A small HTTP client that keeps its cookies (Secure ones too: TLS ends at the proxy) ------


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        origin = f"https://127.0.0.1:{self.port}"
        headers = {
            "X-Forwarded-Proto": "https",  # what the TLS-terminating proxy adds
            "Host": f"127.0.0.1:{self.port}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + path,
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                }
            )
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, response.headers, content

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)


# --- The stack ----------------------------------------------------------------------------------


def _redis_url() -> str:
    """A Redis database of the stack's own: below the test processes' (15, 14, …)."""
    base, db = settings.REDIS_URL.rsplit("/", 1)
    return f"{base}/{int(db) - 4}"


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment(tmp_path: Path, port: int) -> dict[str, str]:
    """What .env.example documents, for this machine."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "KHUYENCONG_", "PYTEST_", "CACHE_KEY", "TEST_REDIS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="khuyencong.settings.production",  # the Dockerfile's ENV
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
        PORTAL_BASE_URL=f"https://127.0.0.1:{port}",
        DATABASE_URL=_database_url(),
        REDIS_URL=_redis_url(),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "celerybeat-schedule"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    return env


def _start(name: str, command: list[str], env: dict) -> subprocess.Popen:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"{name}.log", "w")
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group each: stopped with its children
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _executable(command: list[str]) -> list[str]:
    """``gunicorn …`` / ``celery …`` from this virtualenv (the image has them on PATH)."""
    return [str(Path(sys.executable).parent / command[0]), *command[1:]]


def _demo_passwords() -> None:
    """The test settings hash passwords with MD5 for speed; production does not accept
    MD5, so the demo accounts get a PBKDF2 hash (few iterations: production re-hashes it at
    the first login)."""
    hasher = PBKDF2PasswordHasher()
    for user in User.objects.all():
        user.password = hasher.encode(DEMO_PASSWORD, hasher.salt(), iterations=1000)
        user.save(update_fields=["password"])


def _second_factors() -> dict[str, TOTPDevice]:
    """Production asks the accounts that approve or pay for a second factor: each gets an
    authenticator device, whose codes the test computes as the phone app would."""
    return {
        user.username: TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        for user in User.objects.all()
        if twofactor.required(user)
    }


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _log_in(client: Client, username: str, device: TOTPDevice | None) -> str:
    """Password, then (where production asks for it) the code; returns the home page."""
    status, _, _ = client.get("/login/")
    assert status == 200 and "csrftoken" in client.cookies
    status, headers, _ = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert status == 302, f"{username}: login answered {status}"
    status, headers, page = client.get(headers["Location"])
    if device is not None:
        assert status == 302 and headers["Location"].startswith("/2fa/verify/"), username
        verify = headers["Location"]
        assert client.get(verify)[0] == 200
        status, headers, _ = client.post(verify, {"token": _code(device)})
        assert status == 302, f"{username}: the second factor answered {status}"
        status, headers, page = client.get(headers["Location"])
    assert status == 200, f"{username}: home answered {status}"
    return page.decode()


def _wait_healthy(client: Client, processes, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for proc in processes:
            assert proc.poll() is None, f"{proc.args[:3]} stopped: see {LOGS}"
        try:
            status, _, body = client.get("/healthz")
        except OSError as exc:  # not listening yet
            last = exc
        else:
            last = body
            if status == 200:
                return json.loads(body)
        time.sleep(0.5)
    raise AssertionError(f"/healthz never answered 200: {last!r}")


def test_the_production_stack_starts_serves_every_role_and_produces_a_report(
    world, tmp_path, settings
):
    port = free_port()
    env = _environment(tmp_path, port)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    _demo_passwords()
    settings.TWO_FACTOR_EXEMPT = "none"  # as production has it
    devices = _second_factors()
    assert {"admin", "ministry", "sct-hanoi", "ttkc-hanoi"} <= set(devices)
    assert "inspector-hanoi" not in devices

    # 1. The Dockerfile's build step.
    build = subprocess.run(
        [sys.executable, *dockerfile_build_step()],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/chartjs/chart.umd.min.js" in manifest
    assert "css/portal.css" in manifest

    # 2. The processes, as the Dockerfile and the compose file start them.
    web = dockerfile_cmd()
    assert "0.0.0.0:8000" in web
    web = [arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for arg in web]
    commands = {"web": web, **compose_commands()}
    processes = []
    try:
        for name, command in commands.items():
            processes.append(_start(name, _executable(command), env))
        client = Client(port)
        health = _wait_healthy(client, processes)
        assert health["status"] == "ok"

        # 3. Every demo account logs in (with its second factor where production asks for
        # it) and sees its home page.
        clients = {}
        for username in ["admin", *(row[0] for row in DEMO_USERS)]:
            user = User.objects.get(username=username)
            client = clients[username] = Client(port)
            page = _log_in(client, username, devices.get(username))
            assert escape(user.get_full_name()) in page, username
            # The static files come from the manifest (hashed names), served by WhiteNoise.
            css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page)
            assert css, "the page links the hashed stylesheet"
            assert client.get(css.group(1))[0] == 200

        # A Sở user asks for a report; the reports worker produces it; the PDF downloads.
        client = clients["sct-hanoi"]  # signed in above (a code is accepted once)
        hanoi = User.objects.get(username="sct-hanoi").province_id
        status, headers, _ = client.post(
            "/reports/new/",
            {
                "kind": "compliance",
                "province": hanoi,
                "date_from": "01/01/2026",
                "date_to": "31/12/2026",
            },
        )
        assert status == 302, f"the report request answered {status}"
        job_id = int(re.search(r"/reports/(\d+)/", headers["Location"]).group(1))
        deadline = time.monotonic() + 180
        job = ReportJob.objects.get(pk=job_id)
        while job.status not in (ReportJob.Status.DONE, ReportJob.Status.FAILED):
            assert time.monotonic() < deadline, f"the report is still {job.status}"
            time.sleep(0.5)
            job.refresh_from_db()
        assert job.status == ReportJob.Status.DONE, job.error
        status, headers, pdf = client.get(f"/reports/{job_id}/download/")
        assert status == 200 and pdf.startswith(b"%PDF")
        assert headers["Content-Type"] == "application/pdf"
    finally:
        _stop(processes)
