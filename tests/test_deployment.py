"""The deployment files and settings that cannot run on this machine (no Docker engine)
are at least checked for what they promise."""

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_compose_runs_every_part_of_the_portal():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert "--appendonly" in services["redis"]["command"]
    worker = services["worker"]["command"]
    assert worker[worker.index("--queues") + 1] == "default"
    # PDFs have their own worker, one report at a time, recycled when it grows too big.
    reports = services["reports-worker"]["command"]
    assert reports[reports.index("--queues") + 1] == "reports"
    assert reports[reports.index("--concurrency") + 1] == "1"
    assert "--max-memory-per-child" in reports
    assert services["beat"]["command"][:4] == ["celery", "-A", "khuyencong", "beat"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "gunicorn" in dockerfile and "collectstatic" in dockerfile
    assert "khuyencong.settings.production" in dockerfile


def test_the_procfile_commands_work_as_typed():
    """Each Procfile line, copied into a shell that has only the documented DATABASE_URL and
    REDIS_URL (no DJANGO_SETTINGS_MODULE), finds its settings. The Celery lines run with
    ``report`` in place of their worker/beat arguments (it loads the app's configuration and
    stops); the web line with ``check``. They used to fail with ImproperlyConfigured."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert {line.split(":", 1)[0] for line in lines} == {"web", "worker", "reports", "beat"}
    for line in lines:
        name, command = line.split(":", 1)
        if "celery -A khuyencong" in command:
            command = (
                command[: command.index("celery -A khuyencong")] + "celery -A khuyencong report"
            )
        else:
            command = command[: command.index("python manage.py")] + "python manage.py check"
        result = subprocess.run(
            ["sh", "-c", command], env=env, cwd=ROOT, capture_output=True, text=True
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0 and "ImproperlyConfigured" not in output, (name, output)


def _storage_backend(extra_env):
    env = dict(os.environ, DJANGO_SECRET_KEY="x" * 60, **extra_env)
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "print(type(storages['default']).__module__, type(storages['reports']).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(env, DJANGO_SETTINGS_MODULE="khuyencong.settings.production"),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def test_files_go_to_object_storage_by_configuration_alone():
    assert _storage_backend({}) == "django.core.files.storage.filesystem FileSystemStorage"
    s3 = _storage_backend(
        {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": "khuyencong",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        }
    )
    assert s3 == "storages.backends.s3 S3Storage"


def test_sessions_and_cache_do_not_live_on_the_web_machine():
    assert settings.SESSION_ENGINE == "core.sessions"
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.FailSoftRedisCache"


def test_importing_the_configuration_package_sets_no_settings_module():
    """Importing khuyencong (as `python -m khuyencong.devstack` does) must not choose a
    settings module for the child processes, or pytest would run on the dev settings."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, khuyencong; print(os.environ.get('DJANGO_SETTINGS_MODULE'))",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "None"
