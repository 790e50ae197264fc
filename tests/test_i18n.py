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

    def table(catalogue):
        return {
            (e.msgctxt, e.msgid): e.msgstr or tuple(sorted(e.msgstr_plural.items()))
            for e in catalogue
            if not getattr(e, "obsolete", False)
        }

    assert table(po) == table(mo), "locale/vi/LC_MESSAGES/django.mo is stale: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract the strings again into a copy of the catalogue: nothing new may appear.

    makemessages writes to every locale/ folder under its working directory, so it runs
    in a scratch tree of symlinks to the sources, never touching the real catalogue."""
    base = Path(settings.BASE_DIR)
    skip = {
        "locale",
        ".venv",
        "node_modules",
        "static",
        "staticfiles",
        ".data",
        "artifacts",
        ".git",
    }
    work = tmp_path / "src"
    work.mkdir()
    for child in base.iterdir():
        if child.name not in skip:
            (work / child.name).symlink_to(child)
    locale_copy = work / "locale"
    shutil.copytree(PO.parent.parent.parent, locale_copy)
    before = PO.read_bytes()
    env = dict(os.environ, KHUYENCONG_LOCALE_DIR=str(locale_copy))
    subprocess.run(
        [
            sys.executable,
            str(base / "manage.py"),
            "makemessages",
            "-l",
            "vi",
            "--no-location",
            "--no-obsolete",
            "--symlinks",
            "--settings",
            "khuyencong.settings.test",
        ],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    assert PO.read_bytes() == before, "the real catalogue must not be touched"
    extracted = {e.msgid for e in polib.pofile(str(locale_copy / "vi/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(PO)) if e.msgstr or e.msgstr_plural}
    assert extracted, "nothing was extracted"
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
