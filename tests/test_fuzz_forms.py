"""Every form in the portal, fed malformed values: never a 500, and nothing changed when the
form refuses them.

The forms are discovered, not listed: the test walks the portal's pages from the home page
as each kind of user (ministry, Sở, centre, inspector) over the demo data, following the
links of the page, and collects every ``<form method="post">`` with its fields. It also
checks that it found a form on each URL pattern it knows has one (a walk that stopped
finding forms would pass vacuously). Hypothesis then posts, per form, a bounded number of
examples where each field is missing, empty, or one of: a huge or negative number, a
non-number, an impossible date, a 100 KB string, control characters. A response that is not
a redirect is a refusal: then no row of the portal's tables may have changed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = ["ministry", "sct-hanoi", "ttkc-hanoi", "inspector-hanoi"]
MAX_PAGES = 400  # pages visited per role at most
EXAMPLES = 6  # examples per form
# Forms with no data of their own (the session, the language) are not the target.
SKIPPED_ACTIONS = {"logout", "set_language", "second-factor-backup-codes"}
# Tables that change on any request (sessions, login attempts): not part of "unchanged".
VOLATILE = ("django_session", "axes_")
# URL names that carry a form the walk must reach (the main data-entry forms).
EXPECTED = {
    "sct-hanoi": {"proposal-create", "beneficiary-create", "plan-create", "report-request"},
    "ttkc-hanoi": {"proposal-create", "beneficiary-create", "report-request"},
    "inspector-hanoi": {"report-request"},
    "ministry": {"report-request"},
}

BAD_VALUES = [
    "",
    "0",
    "-1",
    str(10**30),
    str(-(10**30)),
    "1e309",
    "NaN",
    "abc",
    "12,5.3",
    "31/02/2026",
    "2026-13-45",
    "00/00/0000",
    "99999999999999999999999999/1/1",
    "x" * 100_000,
    "\x00",
    "a\x00b",
    "\x01\x02\x1f\x7f",
    "<script>alert(1)</script>",
    "=1+1",
    "' OR 1=1 --",
    "🙂" * 50,
]


@dataclass
class Form:
    action: str
    fields: list[str] = field(default_factory=list)
    found_on: str = ""


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = Form(action=a.get("action") or "") if method == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea"):
            kind = (a.get("type") or "").lower()
            name = a.get("name")
            if name and name != "csrfmiddlewaretoken" and kind not in ("file", "submit"):
                self._form.fields.append(name)
        elif self._form is not None and tag == "button" and a.get("name"):
            self._form.fields.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _same_site_path(base: str, href: str) -> str | None:
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("", "http") or url.netloc not in ("", "testserver"):
        return None
    if url.path.endswith((".xlsx", ".pdf")) or "/download" in url.path:
        return None
    return url.path


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def discover(client) -> dict[tuple[str | None, tuple[str, ...]], Form]:
    """The post forms reachable from the home page, by (URL name, fields)."""
    seen, queue, forms = set(), ["/"], {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Parser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = _same_site_path(path, form.action or path)
            if action is None or _url_name(action) in SKIPPED_ACTIONS:
                continue
            # One form per view and set of fields: the same form on another object is the
            # same code.
            key = (_url_name(action), tuple(sorted(set(form.fields))))
            forms.setdefault(key, Form(action, sorted(set(form.fields)), found_on=path))
        for href in parser.links:
            target = _same_site_path(path, href)
            if target and target not in seen and _url_name(target) not in SKIPPED_ACTIONS:
                queue.append(target)
    return forms


def fingerprint() -> str:
    """One hash over every row of the portal's tables (but sessions and login attempts)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            if table.startswith(VOLATILE):
                continue
            quoted = connection.ops.quote_name(table)
            rows = "string_agg(t::text, '|' ORDER BY t::text)"
            cursor.execute(f"SELECT md5(coalesce({rows}, '')) FROM {quoted} t")
            digest.update(table.encode() + cursor.fetchone()[0].encode())
    return digest.hexdigest()


def values_for(fields: list[str]):
    return st.fixed_dictionaries(
        {name: st.one_of(st.none(), st.sampled_from(BAD_VALUES)) for name in fields}
    )


def fuzz(client, form: Form, failures: list) -> None:
    @settings_for_examples
    @given(values_for(form.fields))
    def post_malformed(values):
        data = {k: v for k, v in values.items() if v is not None}
        before = fingerprint()
        response = client.post(form.action, data)
        if response.status_code >= 500:
            failures.append((form.action, form.found_on, data, response.status_code))
        elif response.status_code not in (301, 302, 303) and fingerprint() != before:
            failures.append((form.action, "refused but changed", data))

    post_malformed()


@pytest.mark.parametrize("username", ROLES)
def test_malformed_values_never_break_a_form(demo_data, users, client, username):
    client.force_login(users[username])
    forms = discover(client)
    names = {_url_name(form.action) for form in forms.values()}
    assert EXPECTED[username] <= names, EXPECTED[username] - names
    failures = []
    for form in forms.values():
        fuzz(client, form, failures)
    assert not failures, failures[:5]


settings_for_examples = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
