"""Vietnamese by default, English selectable, and no string left untranslated."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_the_vietnamese_catalogue_is_complete():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in po if not e.obsolete} == {e.msgid: e.msgstr for e in mo}, (
        "locale/vi/LC_MESSAGES/django.mo is stale: run `make messages`"
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract the strings again into a copy of the catalogue: nothing new may appear."""
    locale_copy = tmp_path / "locale"
    shutil.copytree(PO.parent.parent.parent, locale_copy)
    env = dict(os.environ, KHUYENCONG_LOCALE_DIR=str(locale_copy))
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "vi",
            "--no-location",
            "--no-obsolete",
            "-i",
            "node_modules",
            "-i",
            ".venv",
            "-i",
            "static",
            "-i",
            ".data",
            "-i",
            "artifacts",
            "--settings",
            "khuyencong.settings.test",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(locale_copy / "vi/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(PO)) if e.msgstr}
    assert not extracted - known, f"run `make messages` and translate: {extracted - known}"


@pytest.mark.django_db
def test_vietnamese_by_default_and_english_on_request(world, client):
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in page and 'lang="vi"' in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert "Log in" in page and 'lang="en"' in page


@pytest.mark.django_db
def test_an_english_browser_still_gets_vietnamese_until_the_user_switches(world, client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập" in page
