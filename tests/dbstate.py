"""The test database's shared states, built once per session and copied in when a test asks.

Building the world through the services (agencies, the demo accounts, programmes, plans)
takes seconds; copying its rows takes milliseconds. So the session builds each shared state
once, keeps its rows in a side schema of the test database, and puts the database back as
the migrations left it:

- ``base``: what the migrations leave (the 2025 map, the catalogues, content types and
  permissions). A transactional test's flush empties every table; the ``post_migrate``
  signal the flush sends puts the base back (``restore_base``), so the next test starts as
  a test in a transaction does.
- layers on top of the base, each the rows a builder adds: ``world`` (``demo.seeding``
  without establishments), ``beneficiaries`` (the 900 demo cơ sở, on the world) and
  ``scale`` (a national dataset of about 600 đề án, on the world). A fixture asks for a
  layer with :func:`add_layer`: the rows are inserted in the test's transaction (rolled back
  with it) or, in a transactional test, committed (flushed after it).

A builder may only add rows: if it changed a row of the state under it, the copy would not
be the state the builder made, and :func:`capture_layer` says so.

Rows are copied with ``session_replication_role = replica``, which skips the triggers (the
rows are copies of rows the triggers already accepted or computed, the figures table
included) and needs a superuser, as the test database's owner is here and in CI."""

from __future__ import annotations

from django.db import connection, transaction

SCHEMA_PREFIX = "kc_test_"
BASE = "base"


def _schema(name: str) -> str:
    return f"{SCHEMA_PREFIX}{name}"


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _copied_tables(cursor, schema: str) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        [schema],
    )
    return sorted(row[0] for row in cursor.fetchall())


def capture_base() -> None:
    """Keep every table as the migrations left it (empty tables are not kept)."""
    schema = _schema(BASE)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        for table in _tables():
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(table)})")
            if cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE {schema}.{_quote(table)} AS TABLE {_quote(table)}")


def capture_layer(name: str, under: tuple[str, ...] = ()) -> dict[str, int]:
    """Keep the rows that the database holds beyond the base and the layers ``under``;
    returns the number of rows per table. Raises if a row of those states was changed or
    deleted."""
    schema = _schema(name)
    states = (BASE, *under)
    counts = {}
    with connection.cursor() as cursor:
        copied = {state: set(_copied_tables(cursor, _schema(state))) for state in states}
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        for table in _tables():
            quoted = _quote(table)
            below = [f"SELECT * FROM {_schema(s)}.{quoted}" for s in states if table in copied[s]]
            if below:
                previous = " UNION ALL ".join(below)
                cursor.execute(f"SELECT count(*) FROM ({previous} EXCEPT ALL TABLE {quoted}) AS t")
                lost = cursor.fetchone()[0]
                if lost:
                    raise RuntimeError(
                        f"The builder of {name!r} changed or deleted {lost} row(s) of {table}: "
                        "a layer may only add rows."
                    )
                query = f"TABLE {quoted} EXCEPT ALL ({previous})"
            else:
                query = f"TABLE {quoted}"
            cursor.execute(f"CREATE TABLE {schema}.{quoted} AS {query}")
            cursor.execute(f"SELECT count(*) FROM {schema}.{quoted}")
            rows = cursor.fetchone()[0]
            if rows:
                counts[table] = rows
            else:
                cursor.execute(f"DROP TABLE {schema}.{quoted}")
    return counts


def _insert(cursor, state: str) -> None:
    schema = _schema(state)
    for table in _copied_tables(cursor, schema):
        quoted = _quote(table)
        cursor.execute(f"INSERT INTO {quoted} SELECT * FROM {schema}.{quoted}")


def add_layer(*names: str) -> None:
    """Insert the rows of the layers, without firing triggers: in the test's transaction
    when there is one, else committed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for name in names:
            _insert(cursor, name)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def restore_base(*, after_flush: bool = False) -> None:
    """Put the base back: after the builders ran, every table is emptied first; after a
    flush, only the tables the base holds (the flush's own signal handlers have just
    recreated content types and permissions there)."""
    with transaction.atomic(), connection.cursor() as cursor:
        tables = _copied_tables(cursor, _schema(BASE)) if after_flush else _tables()
        cursor.execute(f"TRUNCATE {', '.join(_quote(t) for t in tables)} CASCADE")
        cursor.execute("SET LOCAL session_replication_role = replica")
        _insert(cursor, BASE)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def has_base() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = %s)",
            [_schema(BASE)],
        )
        return cursor.fetchone()[0]
