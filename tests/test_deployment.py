"""The deployment files and settings that cannot run on this machine (no Docker engine)
are at least checked for what they promise."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


@pytest.mark.slow
def test_the_static_files_build_under_the_production_settings(tmp_path):
    """The Dockerfile's build step: collectstatic with the manifest storage of production.
    It failed when a vendored file named a source map that bin/vendor did not copy."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="khuyencong.settings.production",
        DJANGO_SECRET_KEY="collectstatic-check-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="portal.example.vn",
        STATIC_ROOT=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/chartjs/chart.umd.min.js" in manifest
    assert "css/portal.css" in manifest


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
