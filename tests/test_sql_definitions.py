"""The SQL installed by the migrations (trigger functions, the figures view, check
constraints) names the same statuses and funding sources as their one Python definition:
``projects.models.FUNDED_STATES``, ``disbursement.models.PAID_STATES`` and
``core.funding.SOURCES``.

The rule files (``<app>/sql/*.sql``) write status lists as placeholders rendered from these
constants (core.sqlrules; tests/test_sql_rules.py checks that the database runs the files),
but name each funding source's column one by one, and the historical migrations keep their
SQL as it was written. This test reads what is installed (``pg_proc``, ``pg_views``,
``pg_constraint``), parses every status list and every funding source in it, and compares
them with the Python constants. A trigger whose list
differs from the constant (a status left out, a source renamed, a source column missing)
fails here; the tests of the parser below show it on modified bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import connection

from core.funding import KC_SOURCES, SOURCES
from disbursement.models import PAID_STATES, Tranche
from inspections.models import Inspection, Recommendation
from projects.models import FUNDED_STATES, Proposal

# Every status list written in SQL is one of these constants.
STATUS_LISTS = {
    "FUNDED_STATES": frozenset(str(s) for s in FUNDED_STATES),
    "PAID_STATES": frozenset(str(s) for s in PAID_STATES),
}
# A single status or kind compared in SQL is a value of these choices.
# (The dashboards' rollups count open recommendations of concluded inspections.)
KNOWN_STATUSES = (
    frozenset(Proposal.Status.values)
    | frozenset(Tranche.Status.values)
    | frozenset(Inspection.Status.values)
    | frozenset(Recommendation.Status.values)
)
KNOWN_KINDS = frozenset(Proposal.Kind.values) | frozenset(Tranche.Kind.values)
# A list of sources, or the sources a function tells apart, is one of these.
SOURCE_LISTS = {"SOURCES": frozenset(SOURCES), "KC_SOURCES": frozenset(KC_SOURCES)}
# Columns named after a source: approved_kcqg (đề án, figures), paid_kcqg (figures),
# returned_kcqg (settlement).
SOURCE_PREFIXES = ("approved", "paid", "returned")
# Tables whose check constraints carry these rules (the others enumerate their own choices).
CONSTRAINED_TABLES = ("projects_proposal", "disbursement_tranche", "dashboards_proposalfigures")

# Where the rules must be found: a parser that stopped finding them would pass vacuously.
EXPECTED_LISTS = {
    ("function disbursement_check_proposal", "FUNDED_STATES"),
    ("function disbursement_check_proposal", "PAID_STATES"),
    ("function dashboards_figures_from_proposals", "FUNDED_STATES"),
    ("function dashboards_figures_from_tranches", "PAID_STATES"),
    ("view dashboards_figures_expected", "FUNDED_STATES"),
    ("view dashboards_figures_expected", "PAID_STATES"),
    ("constraint projects_proposal.approved_proposal_has_decision", "FUNDED_STATES"),
}
EXPECTED_SOURCE_ENUMERATIONS = {
    "function disbursement_check_proposal",
    "function dashboards_figures_from_proposals",
    "function dashboards_figures_add_paid",
    "function dashboards_figures_rebuild",
    "view dashboards_figures_expected",
    "constraint disbursement_tranche.tranche_known_source",
}


# --- The parser ---------------------------------------------------------------------------------

LITERAL = r"'((?:[^']|'')*)'"
CAST = r"(?:::[a-z_]+(?: varying)?)?"


def _column(name: str) -> str:
    """``status``, ``p.status``, ``NEW.status``, ``(p.status)::text``."""
    return rf"\(?(?<![\w.])(?:\w+\.)?{name}\b\)?{CAST}"


def _literals(items: str) -> list[str] | None:
    """The literals of ``'a', 'b'`` or ``'a'::character varying, …``; None if an item is
    not a literal (a subquery, a column)."""
    values = []
    for item in items.split(","):
        match = re.fullmatch(rf"\s*{LITERAL}{CAST}\s*", item, re.IGNORECASE)
        if match is None:
            return None
        values.append(match.group(1).replace("''", "'"))
    return values


def _without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _without_literals(sql: str) -> str:
    return re.sub(LITERAL, "''", sql)


def compared_lists(sql: str, column: str) -> tuple[list[list[str]], int]:
    """The lists of literals ``column`` is compared with (``IN (…)``, ``NOT IN (…)``,
    ``= ANY (ARRAY[…])``, ``<> ALL (ARRAY[…])``), and how many such comparisons could not
    be read."""
    col = _column(column)
    found = []
    for match in re.finditer(
        rf"{col}\s+(?:NOT\s+)?IN\s*\(([^()]*)\)|{col}\s*(?:=\s*ANY|<>\s*ALL)\s*\(\s*\(?\s*ARRAY\[([^\]]*)\]",
        sql,
        re.IGNORECASE,
    ):
        values = _literals(match.group(1) if match.group(1) is not None else match.group(2))
        if values is not None:
            found.append(values)
    every = len(
        re.findall(rf"{col}\s+(?:NOT\s+)?IN\b|{col}\s*(?:=\s*ANY|<>\s*ALL)\b", sql, re.IGNORECASE)
    )
    return found, every - len(found)


def compared_values(sql: str, column: str) -> list[str]:
    """The single literals ``column`` is compared with (=, <>, IS [NOT] DISTINCT FROM)."""
    return [
        m.group(1).replace("''", "'")
        for m in re.finditer(
            rf"{_column(column)}\s*(?:=|<>|!=|IS\s+(?:NOT\s+)?DISTINCT\s+FROM)\s*{LITERAL}",
            sql,
            re.IGNORECASE,
        )
    ]


def _other_prefixed_columns() -> frozenset[str]:
    """Columns that start like a source column but are not one (approved_at, …)."""
    columns = {
        f.column
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.column.startswith(tuple(f"{p}_" for p in SOURCE_PREFIXES))
    }
    return frozenset(columns - {f"{p}_{s}" for p in SOURCE_PREFIXES for s in SOURCES})


@dataclass
class Analysis:
    status_lists: set[str] = field(default_factory=set)  # names of the constants found
    enumerates_sources: bool = False
    problems: list[str] = field(default_factory=list)


def _name_of(values, constants: dict[str, frozenset]) -> str | None:
    return next((name for name, c in constants.items() if frozenset(values) == c), None)


def analyse(name: str, sql: str, other_columns: frozenset[str] = frozenset()) -> Analysis:
    """What ``sql`` (a function body, a view or a constraint) says about statuses and
    sources, and where it differs from the Python definitions."""
    result = Analysis()
    sql = _without_comments(sql)
    bare = _without_literals(sql)

    # Status lists: each equals a Python constant.
    lists, unread = compared_lists(sql, "status")
    if unread:
        result.problems.append(f"{name}: {unread} status comparison(s) not read as a list")
    for values in lists:
        constant = _name_of(values, STATUS_LISTS)
        if constant is None:
            nearest = min(
                STATUS_LISTS, key=lambda k: len(STATUS_LISTS[k].symmetric_difference(values))
            )
            missing = sorted(STATUS_LISTS[nearest] - set(values))
            extra = sorted(set(values) - STATUS_LISTS[nearest])
            result.problems.append(
                f"{name}: status list {values} is no Python constant "
                f"(nearest {nearest}: missing {missing}, extra {extra})"
            )
        else:
            result.status_lists.add(constant)
    for value in compared_values(sql, "status"):
        if value not in KNOWN_STATUSES:
            result.problems.append(f"{name}: unknown status {value!r}")
    for value in compared_values(sql, "kind"):
        if value not in KNOWN_KINDS:
            result.problems.append(f"{name}: unknown kind {value!r}")

    # Sources compared as values (FILTER (WHERE source = 'kcqg')) or lists.
    source_lists, unread = compared_lists(sql, "source")
    if unread:
        result.problems.append(f"{name}: {unread} source comparison(s) not read as a list")
    compared = set(compared_values(sql, "source"))
    for value in sorted(compared - set(SOURCES)):
        result.problems.append(f"{name}: unknown funding source {value!r}")
    if len(compared) > 1:
        result.enumerates_sources = True
        if _name_of(compared, SOURCE_LISTS) is None:
            result.problems.append(
                f"{name}: tells sources {sorted(compared)} apart, not all of {list(SOURCES)}"
            )
    for values in source_lists:
        result.enumerates_sources = True
        if _name_of(values, SOURCE_LISTS) is None:
            result.problems.append(f"{name}: source list {values} is no Python constant")

    # Columns named after sources: approved_kcqg, paid_kcqg, returned_kcqg.
    for prefix in SOURCE_PREFIXES:
        suffixes = {
            m.group(1)
            for m in re.finditer(rf"\b{prefix}_([a-z0-9_]+)\b", bare, re.IGNORECASE)
            if f"{prefix}_{m.group(1)}" not in other_columns
        }
        for suffix in sorted(suffixes - set(SOURCES)):
            result.problems.append(f"{name}: {prefix}_{suffix} is not a source column")
        if suffixes:
            result.enumerates_sources = True
            # Every source, or the khuyến công sources alone (the rollups' with_kcqg and
            # with_kcdp: "approved with money from" each source the dashboards filter by).
            if _name_of(suffixes, SOURCE_LISTS) is None:
                missing = sorted(set(SOURCES) - suffixes)
                result.problems.append(f"{name}: {prefix}_* columns miss {missing}")

    # Per-source columns of a row or record (c.kcqg, paid.kcdp, t.counterpart …).
    by_row: dict[str, set[str]] = {}
    names = "|".join(SOURCES)
    for m in re.finditer(rf"\b(\w+)\.({names})\b", bare):
        by_row.setdefault(m.group(1), set()).add(m.group(2))
    for row, seen in sorted(by_row.items()):
        result.enumerates_sources = True
        if seen != set(SOURCES):
            missing = sorted(set(SOURCES) - seen)
            result.problems.append(f"{name}: {row}.<source> columns miss {missing}")
    return result


def installed_sql() -> dict[str, str]:
    """The SQL the database runs: our functions' bodies, views and check constraints."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.proname, p.prosrc
              FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
              JOIN pg_language l ON l.oid = p.prolang
             WHERE n.nspname = current_schema() AND l.lanname IN ('plpgsql', 'sql')
            """
        )
        sql = {f"function {name}": body for name, body in cursor.fetchall()}
        cursor.execute(
            "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()"
        )
        sql.update({f"view {name}": body for name, body in cursor.fetchall()})
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
              FROM pg_constraint
             WHERE contype = 'c' AND conrelid::regclass::text = ANY(%s)
            """,
            [list(CONSTRAINED_TABLES)],
        )
        sql.update({f"constraint {t}.{c}": body for t, c, body in cursor.fetchall()})
    return sql


# --- The installed SQL against the Python definitions -------------------------------------------


@pytest.fixture
def installed(db):
    return installed_sql()


def test_installed_sql_uses_the_python_statuses_and_sources(installed):
    other = _other_prefixed_columns()
    problems = [p for name, sql in installed.items() for p in analyse(name, sql, other).problems]
    assert problems == []


def test_the_rules_are_found_where_the_database_needs_them(installed):
    other = _other_prefixed_columns()
    analyses = {name: analyse(name, sql, other) for name, sql in installed.items()}
    lists = {(name, c) for name, a in analyses.items() for c in a.status_lists}
    assert EXPECTED_LISTS <= lists
    enumerating = {name for name, a in analyses.items() if a.enumerates_sources}
    assert EXPECTED_SOURCE_ENUMERATIONS <= enumerating


def test_the_figures_columns_are_one_per_source():
    """The summary table has an approved_ and a paid_ column for each source in SOURCES."""
    from dashboards.models import ProposalFigures

    columns = {f.column for f in ProposalFigures._meta.concrete_fields}
    for prefix in ("approved", "paid"):
        assert {c.removeprefix(f"{prefix}_") for c in columns if c.startswith(f"{prefix}_")} == set(
            SOURCES
        )


# --- The parser, on modified bodies ---------------------------------------------------------------


def _modified(sql: str, old: str, new: str) -> str:
    assert old in sql, old
    return sql.replace(old, new)


def test_a_funded_list_without_a_status_fails(installed):
    body = installed["function dashboards_figures_from_proposals"]
    assert analyse("f", body).problems == []
    problems = analyse("f", _modified(body, "'amending', ", "")).problems
    assert len(problems) == 1 and "missing ['amending']" in problems[0]


def test_a_normalised_list_is_read_too(installed):
    """Views and constraints come back from PostgreSQL as ``= ANY (ARRAY[…])``."""
    view = installed["view dashboards_figures_expected"]
    assert analyse("v", view).status_lists == {"FUNDED_STATES", "PAID_STATES"}
    changed = _modified(view, "'stopped'::character varying, ", "")
    assert any("missing ['stopped']" in p for p in analyse("v", changed).problems)
    constraint = installed["constraint projects_proposal.approved_proposal_has_decision"]
    changed = _modified(constraint, "'amending'::character varying, ", "")
    assert any("missing ['amending']" in p for p in analyse("c", changed).problems)


def test_a_paid_list_with_another_status_fails(installed):
    body = installed["function disbursement_check_proposal"]
    changed = _modified(body, "status IN ('paid', 'reversed')", "status IN ('paid', 'approved')")
    assert any(
        "['paid', 'approved'] is no Python constant" in p for p in analyse("f", changed).problems
    )


def test_a_renamed_or_missing_source_fails(installed):
    body = installed["function dashboards_figures_add_paid"]
    assert analyse("f", body).problems == []
    renamed = _modified(body, "c.source = 'other'", "c.source = 'others'")
    assert any("unknown funding source 'others'" in p for p in analyse("f", renamed).problems)
    dropped = _modified(body, ",\n           paid_other = f.paid_other + d.other", "")
    assert any("paid_* columns miss ['other']" in p for p in analyse("f", dropped).problems)
    figures = installed["function dashboards_figures_from_proposals"]
    dropped = _modified(figures, "approved_counterpart", "approved_kcqg")  # every mention
    assert any(
        "approved_* columns miss ['counterpart']" in p for p in analyse("f", dropped).problems
    )
    rules = installed["function disbursement_check_proposal"]
    assert analyse("f", rules).problems == []
    dropped = _modified(rules, "OR s.counterpart > a.counterpart ", "")
    assert analyse("f", dropped).problems == ["f: s.<source> columns miss ['counterpart']"]


def test_a_trigger_changed_in_the_database_is_caught(installed):
    """End to end: a trigger function replaced with a shorter funded list (rolled back with
    the test's transaction) makes the check of the installed SQL fail."""
    body = _modified(
        installed["function dashboards_figures_from_proposals"], "'closed'", "'cancelled'"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION dashboards_figures_from_proposals() RETURNS trigger "
            f"LANGUAGE plpgsql AS $body${body}$body$"
        )
    other = _other_prefixed_columns()
    problems = [
        p for name, sql in installed_sql().items() for p in analyse(name, sql, other).problems
    ]
    assert len(problems) == 1
    assert problems[0].startswith("function dashboards_figures_from_proposals: status list")
    assert "missing ['closed'], extra ['cancelled']" in problems[0]


def test_a_list_the_parser_cannot_read_is_reported():
    sql = "SELECT 1 FROM projects_proposal p WHERE p.status IN (SELECT status FROM x)"
    assert analyse("f", sql).problems == ["f: 1 status comparison(s) not read as a list"]
    assert analyse("f", "WHERE NEW.status = 'payed'").problems == ["f: unknown status 'payed'"]
