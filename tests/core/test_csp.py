"""Content-Security-Policy: the header on every page, and templates without inline scripts
or inline event handlers (the browser tests also fail on any violation Chromium reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "static", ".data", "artifacts", "staticfiles"}
# <script> without src= (a JSON data block is not a script: json_script writes those).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def templates() -> list[Path]:
    return [
        path for path in ROOT.rglob("*.html") if not SKIP.intersection(path.relative_to(ROOT).parts)
    ]


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_carries_the_policy(world, client):
    client.force_login(User.objects.get(username="sct-hanoi"))
    for url in (reverse("home"), reverse("proposal-list"), reverse("login")):
        response = client.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in templates():
        text = path.read_text()
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in HANDLER.finditer(text)]
    assert not found, found
    assert len(templates()) > 50  # the scan reads the portal's templates


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert HANDLER.search('<select onchange="this.form.submit()">')
    assert not HANDLER.search('<select data-autosubmit name="language">')
