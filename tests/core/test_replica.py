"""The read replica (core.replica) against a real streaming replica of PostgreSQL.

The test starts its own pair of servers from the machine's PostgreSQL binaries: a primary
(initdb in a temporary directory, on a free port) and a hot standby made from it with
``pg_basebackup -R`` (another free port), then runs the scenario of
``tests/core/replica_scenario.py`` in a child pytest with ``DATABASE_URL`` naming the
primary and ``DATABASE_REPLICA_URL`` the standby — Django's settings are read once per
process, and the session's own test database lives on the machine's server, which does not
accept replication connections (its pg_hba.conf has no ``replication`` line; CI's is a
fresh Debian server too, and a test does not reconfigure a shared server).

The child creates its test database on the primary; the standby receives it by streaming,
and the ``replica`` alias is a test MIRROR of ``default``: Django gives it the test
database's name and keeps its host and port, so its reads really go to the standby.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def _bindir() -> Path | None:
    """The machine's PostgreSQL binaries: ``pg_config --bindir``, then Debian's
    /usr/lib/postgresql/<version>/bin (newest first), then those of the pgserver package
    that the embedded development server uses."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(Path(out.stdout.strip()))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    for path in candidates:
        if all((path / tool).exists() for tool in TOOLS):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """A primary and its streaming standby in a temporary directory. PostgreSQL refuses to
    run as root: as root, the servers run as the ``postgres`` system user."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="kc-replica-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and no 'postgres' system user to run PostgreSQL")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.primary_port, self.replica_port = _free_port(), _free_port()
        self.started: list[Path] = []

    def run(self, tool: str, *args: str) -> None:
        command = [*self.as_user, str(self.bindir / tool), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode:
            logs = "".join(p.read_text() for p in self.dir.glob("*.log"))
            raise AssertionError(f"{command} failed:\n{result.stdout}{result.stderr}\n{logs}")

    def start(self, name: str, port: int, *options: str) -> None:
        data = self.dir / name
        server_options = f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 " + " ".join(
            options
        )
        self.run("pg_ctl", "-D", str(data), "-l", str(self.dir / f"{name}.log"), "-w", "-t",
                 "60", "-o", server_options, "start")  # fmt: skip
        self.started.append(data)

    def up(self) -> None:
        primary = self.dir / "primary"
        # initdb's pg_hba.conf trusts local and 127.0.0.1 connections, replication included.
        self.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync")  # fmt: skip
        # Durability is not what this test is about: fsync off keeps migrations fast.
        self.start("primary", self.primary_port, "-c fsync=off -c max_wal_senders=4")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U",
                 "postgres", "-D", str(self.dir / "replica"), "-R", "-X", "stream", "-c",
                 "fast", "--no-sync")  # fmt: skip
        self.start("replica", self.replica_port, "-c fsync=off -c hot_standby_feedback=on")

    def down(self) -> None:
        for data in reversed(self.started):
            subprocess.run(
                [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                 "-w", "stop"],
                capture_output=True,
            )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def servers():
    bindir = _bindir()
    if bindir is None:
        pytest.skip(f"no PostgreSQL binaries ({', '.join(TOOLS)}) on this machine")
    pair = Servers(bindir)
    try:
        pair.up()
        yield pair
    finally:
        pair.down()


def test_dashboards_read_a_streaming_replica(servers):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    redis_db = settings.REDIS_URL.rsplit("/", 1)[-1]  # this process's own test Redis
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{servers.primary_port}/khuyencong",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{servers.replica_port}/khuyencong",
        TEST_REDIS_DB=redis_db,
        CACHE_KEY_PREFIX=f"kc-test-replica-{os.getpid()}",
    )
    scenario = Path(__file__).with_name("replica_scenario.py")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", str(scenario)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=840,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert re.search(r"\b3 passed", result.stdout), result.stdout[-4000:]
