"""Rules in the database: the triggers, their functions and views each app keeps in
``<app>/sql/*.sql``, next to the models they guard.

A file is the current definition of one rule set. It is idempotent (``CREATE OR REPLACE
FUNCTION``/``VIEW``, ``DROP TRIGGER IF EXISTS`` + ``CREATE TRIGGER``) and may name a Python
constant as a placeholder, ``{FUNDED_STATES}``, rendered as the SQL list ``('approved', …)``:
the constants are declared once, in the module that owns them (``SQL_CONSTANTS`` in an app's
``models.py``; the funding sources here), and the SQL is generated from them.

``manage.py makesqlmigrations`` writes a migration for every file whose rendering differs
from what its latest migration installs: the migration embeds the rendered SQL
(``InstallSQL``), so editing a file later never changes history, and its reverse (the
previous version, or dropping what the first version created). The checks, run by the
tests: every file has its migration (``pending_changes`` is empty), and the definitions the
database has installed are the files' (``database_differences``, ``model_trigger_problems``).
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, migrations, transaction
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader

from core.funding import KC_SOURCES, SOURCES, sql_list

SQL_DIR = "sql"
COMMAND = "manage.py makesqlmigrations"

# Constants of core itself; the apps declare theirs as SQL_CONSTANTS in their models module.
CORE_CONSTANTS = {"SOURCES": SOURCES, "KC_SOURCES": KC_SOURCES}

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
# A value rendered into SQL is a fixed identifier (a status, a source), never user input.
SQL_VALUE = re.compile(r"[a-z0-9_]+")


class SQLRuleError(Exception):
    """A rule file that cannot be rendered or read."""


# --- The files ------------------------------------------------------------------------------


def sql_constants() -> dict[str, tuple[str, ...]]:
    """Every constant a file may name: core's and each app's ``SQL_CONSTANTS``."""
    found = {name: (tuple(values), "core.funding") for name, values in CORE_CONSTANTS.items()}
    for app_config in apps.get_app_configs():
        declared = getattr(app_config.models_module, "SQL_CONSTANTS", None) or {}
        for name, values in declared.items():
            if name in found:
                raise SQLRuleError(
                    f"the SQL constant {name} is declared twice: in {found[name][1]} "
                    f"and in {app_config.models_module.__name__}"
                )
            found[name] = (tuple(values), app_config.models_module.__name__)
    return {name: values for name, (values, _) in found.items()}


def render(text: str, constants: dict[str, Iterable[str]], where: str = "") -> str:
    """The SQL of a file: each ``{NAME}`` replaced by the list of the constant NAME, each
    line without trailing blanks, one final newline."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in constants:
            raise SQLRuleError(
                f"{where}: unknown placeholder {{{name}}} (known: {', '.join(sorted(constants))})"
            )
        values = [str(v) for v in constants[name]]
        bad = [v for v in values if not SQL_VALUE.fullmatch(v)]
        if not values or bad:
            raise SQLRuleError(f"{where}: {name} cannot be written as an SQL list: {values}")
        return sql_list(values)

    rendered = PLACEHOLDER.sub(replace, text)
    return "\n".join(line.rstrip() for line in rendered.strip("\n").splitlines()) + "\n"


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path(settings.BASE_DIR).resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Rule:
    """One file: ``<app>/sql/<file>``."""

    app_label: str
    path: Path

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.file)

    @property
    def display(self) -> str:
        """The path from the project's root, as the models and messages name it."""
        return _display(self.path)

    def render(self, constants: dict[str, Iterable[str]] | None = None) -> str:
        text = self.path.read_text(encoding="utf-8")
        return render(text, sql_constants() if constants is None else constants, self.display)


def rules() -> list[Rule]:
    """Every rule file of the installed apps, in the order of INSTALLED_APPS."""
    found = []
    for app_config in apps.get_app_configs():
        directory = Path(app_config.path) / SQL_DIR
        if directory.is_dir():
            found += [Rule(app_config.label, p) for p in sorted(directory.glob("*.sql"))]
    return found


# --- What a file defines --------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class SQLObject:
    """A function, view or trigger (a trigger with its table). Names are unqualified: the
    objects live in the portal's schema."""

    kind: str
    name: str
    table: str = ""

    def __str__(self) -> str:
        return f"trigger {self.name} on {self.table}" if self.table else f"{self.kind} {self.name}"

    def drop(self) -> str:
        if self.kind == "trigger":
            return f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};"
        return f"DROP {self.kind.upper()} IF EXISTS {self.name};"


# Comments, string literals and dollar-quoted bodies, read left to right so that a quote in
# a comment or a "--" in a body is taken for what it is.
_NOT_CODE = re.compile(r"--[^\n]*|'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$", re.S)
_CREATE = re.compile(r"\bCREATE\b", re.I)
_DEFINITIONS = (
    ("function", re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(\w+)\s*\(", re.I)),
    ("view", re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(\w+)\s", re.I)),
    (
        "trigger",
        re.compile(
            r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+(\w+)\s.*?\bON\s+(\w+)",
            re.I | re.S,
        ),
    ),
)


def code_of(sql: str) -> str:
    """The SQL without comments, literals and function bodies."""
    return _NOT_CODE.sub(" ", sql)


def without_comments(sql: str) -> str:
    """The SQL without its comments (literals and bodies kept)."""
    return _NOT_CODE.sub(lambda m: " " if m.group(0).startswith("--") else m.group(0), sql)


def defined_objects(sql: str, *, strict: bool = True) -> list[SQLObject]:
    """The functions, views and triggers ``sql`` creates, in order. Strict (a rule file):
    any other CREATE is an error, since the checks could not see what it makes."""
    code = code_of(sql)
    found = []
    for create in _CREATE.finditer(code):
        for kind, pattern in _DEFINITIONS:
            match = pattern.match(code, create.start())
            if match:
                found.append(SQLObject(kind, *match.groups()))
                break
        else:
            if strict:
                statement = " ".join(code[create.start() :].split()[:4])
                raise SQLRuleError(
                    f"only functions, views and triggers belong in a rule file, not {statement!r}"
                )
    return found


def drop_sql(objects: Iterable[SQLObject]) -> str:
    """Statements dropping ``objects``: triggers, then views, then functions (a trigger
    depends on its function, a view on the functions it calls)."""
    order = {"trigger": 0, "view": 1, "function": 2}
    unique = sorted(set(objects), key=lambda o: (order[o.kind], o.table, o.name))
    return "".join(f"{o.drop()}\n" for o in unique)


# --- The migrations -------------------------------------------------------------------------


class InstallSQL(migrations.RunSQL):
    """Installs one rendered rule file, ``<app>/sql/<file>`` of the migration's app.

    Written by ``makesqlmigrations`` with the SQL as it was rendered then; ``removed`` marks
    the migration that dropped the objects of a deleted file."""

    def __init__(self, file: str, sql, reverse_sql=None, *, removed: bool = False, **kwargs):
        self.file = file
        self.removed = removed
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        kwargs = {"file": self.file, **kwargs}
        if self.removed:
            kwargs["removed"] = True
        return name, args, kwargs

    def describe(self):
        action = "Drop the objects of" if self.removed else "Install"
        return f"{action} the SQL rules of {self.file}"


@dataclass(frozen=True)
class Installed:
    """What the latest migration of a rule file installs."""

    migration: tuple[str, str]
    sql: str
    removed: bool


def same_sql(a: str, b: str) -> bool:
    return a.strip("\n") == b.strip("\n")


def app_plan(loader, app_label: str) -> list[tuple[str, str]]:
    """The migrations of an app in the order they apply."""
    plan = []
    for leaf in sorted(loader.graph.leaf_nodes(app_label)):
        plan += [
            key
            for key in loader.graph.forwards_plan(leaf)
            if key[0] == app_label and key not in plan
        ]
    return plan


def installed_by_migrations(loader) -> dict[tuple[str, str], Installed]:
    """Per (app, file): what its latest InstallSQL installs."""
    found = {}
    for app_label in sorted(loader.migrated_apps):
        for key in app_plan(loader, app_label):
            for operation in loader.graph.nodes[key].operations:
                if isinstance(operation, InstallSQL):
                    found[(app_label, operation.file)] = Installed(
                        key, operation.sql, operation.removed
                    )
    return found


def created_by_hand(loader) -> dict[SQLObject, tuple[str, str]]:
    """Objects that hand-written RunSQL migrations (before the rule files) created, and the
    first migration that created each."""
    found: dict[SQLObject, tuple[str, str]] = {}
    for key in sorted(loader.graph.nodes):
        for operation in loader.graph.nodes[key].operations:
            if not isinstance(operation, migrations.RunSQL) or isinstance(operation, InstallSQL):
                continue
            statements = (
                operation.sql if isinstance(operation.sql, list | tuple) else [operation.sql]
            )
            for statement in statements:
                sql = statement[0] if isinstance(statement, list | tuple) else statement
                for obj in defined_objects(sql, strict=False):
                    found.setdefault(obj, key)
    return found


@dataclass(frozen=True)
class Change:
    """A rule file whose rendering differs from what its migrations install."""

    app_label: str
    file: str
    display: str
    reason: str
    sql: str
    reverse_sql: str  # "" (RunSQL.noop): nothing to undo
    reverse_note: str
    removed: bool = False


def pending_changes(loader, rule_list: list[Rule] | None = None) -> list[Change]:
    """Every file (in ``rule_list``, by default all) that needs a new migration, and every
    file deleted while its objects are still installed by the migrations."""
    rule_list = rules() if rule_list is None else rule_list
    installed = installed_by_migrations(loader)
    changes = []
    by_hand = None
    for rule in rule_list:
        sql = rule.render()
        objects = defined_objects(sql)
        previous = installed.get(rule.key)
        if previous and not previous.removed:
            if same_sql(previous.sql, sql):
                continue
            new = set(objects) - set(defined_objects(previous.sql))
            changes.append(
                Change(
                    rule.app_label,
                    rule.file,
                    rule.display,
                    f"changed since {previous.migration[0]}.{previous.migration[1]}",
                    sql,
                    drop_sql(new) + previous.sql.strip("\n") + "\n",
                    f"the previous version ({previous.migration[1]})"
                    + (", after dropping what this one adds." if new else "."),
                )
            )
            continue
        by_hand = created_by_hand(loader) if by_hand is None else by_hand
        adopted = sorted({by_hand[o] for o in objects if o in by_hand})
        new = [o for o in objects if o not in by_hand]
        if adopted:
            names = ", ".join(f"{a}.{m}" for a, m in adopted)
            note = f"nothing to undo: {names} created these objects (its reverse drops them)" + (
                "; the objects this file adds are dropped." if new else "."
            )
        else:
            note = "drops what this file creates."
        changes.append(
            Change(
                rule.app_label,
                rule.file,
                rule.display,
                "no migration installs it yet",
                sql,
                drop_sql(new),
                note,
            )
        )
    current = {rule.key for rule in rule_list}
    for (app_label, file), previous in sorted(installed.items()):
        if (app_label, file) in current or previous.removed:
            continue
        changes.append(
            Change(
                app_label,
                file,
                _display(Path(apps.get_app_config(app_label).path) / SQL_DIR / file),
                f"deleted; {previous.migration[0]}.{previous.migration[1]} installed it",
                drop_sql(defined_objects(previous.sql)),
                previous.sql.strip("\n") + "\n",
                f"the last version ({previous.migration[1]}).",
                removed=True,
            )
        )
    return changes


def referenced_apps(sql: str, app_labels: Iterable[str]) -> set[str]:
    """The apps whose tables the SQL names (``projects_proposal`` → projects)."""
    text = without_comments(sql)
    return {label for label in app_labels if re.search(rf"\b{re.escape(label)}_\w", text)}


def _leaf(loader, app_label: str, written: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    if app_label in written:
        return written[app_label]
    leaves = loader.graph.leaf_nodes(app_label)
    if len(leaves) > 1:
        raise SQLRuleError(
            f"conflicting migrations in {app_label} ({', '.join(n for _, n in leaves)}): "
            "run `manage.py makemigrations --merge` first"
        )
    return leaves[0] if leaves else None


def _raw(sql: str) -> str:
    if '"""' in sql:
        raise SQLRuleError('a rule file cannot contain """ (the migration quotes its SQL)')
    return 'r"""\n' + sql + '"""'


def migration_files(changes: list[Change], loader) -> list[tuple[Path, str]]:
    """The migration to write for each change: its path and source. A migration depends on
    the latest migration of its app and of every app whose tables its SQL names."""
    written: dict[str, tuple[str, str]] = {}
    files = []
    for change in changes:
        dependencies = set()
        for label in referenced_apps(change.sql, loader.migrated_apps) | {change.app_label}:
            leaf = _leaf(loader, label, written)
            if leaf is not None:
                dependencies.add(leaf)
        own = _leaf(loader, change.app_label, written)
        number = (MigrationAutodetector.parse_number(own[1]) or 0) + 1 if own else 1
        name = f"{number:04d}_sql_" + re.sub(r"\W", "_", Path(change.file).stem)
        written[change.app_label] = (change.app_label, name)
        module_name, _ = MigrationLoader.migrations_module(change.app_label)
        directory = Path(import_module(module_name).__file__).parent
        files.append((directory / f"{name}.py", migration_source(change, sorted(dependencies))))
    return files


def migration_source(change: Change, dependencies: list[tuple[str, str]]) -> str:
    what = "Drops the objects of" if change.removed else "Installs"
    docstring = textwrap.fill(
        f"{what} {change.display} as it was when ``{COMMAND}`` wrote this migration. Not to be "
        "edited: the SQL stays as it was, so a later change of the file never changes history; "
        'the current definition is the file (README, "Rules in the database").',
        width=92,
    )
    reverse_note = textwrap.fill(f"Reverse: {change.reverse_note}", width=90)
    reverse = _raw(change.reverse_sql) if change.reverse_sql else "migrations.RunSQL.noop"
    removed = ", removed=True" if change.removed else ""
    deps = "".join(f'        ("{app}", "{name}"),\n' for app, name in dependencies)
    return (
        f'"""{docstring}"""\n'
        "\n"
        "from django.db import migrations\n"
        "\n"
        "from core.sqlrules import InstallSQL\n"
        "\n"
        f"SQL = {_raw(change.sql)}\n"
        "\n" + textwrap.indent(reverse_note, "# ") + "\n"
        f"REVERSE_SQL = {reverse}\n"
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [\n"
        f"{deps}"
        "    ]\n"
        "\n"
        f'    operations = [InstallSQL("{change.file}", SQL, REVERSE_SQL{removed})]\n'
    )


# --- The database ---------------------------------------------------------------------------


class _RolledBack(Exception):
    pass


_DEFINITION = {
    "function": """
        SELECT string_agg(pg_get_functiondef(p.oid), E'\\n' ORDER BY p.oid::regprocedure::text)
          FROM pg_proc p
         WHERE p.proname = %s AND p.pronamespace = (
               SELECT oid FROM pg_namespace WHERE nspname = current_schema())
    """,
    "view": """
        SELECT pg_get_viewdef(c.oid)
          FROM pg_class c
         WHERE c.relname = %s AND c.relkind = 'v' AND c.relnamespace = (
               SELECT oid FROM pg_namespace WHERE nspname = current_schema())
    """,
    "trigger": """
        SELECT pg_get_triggerdef(t.oid)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE t.tgname = %s AND c.relname = %s AND NOT t.tgisinternal AND c.relnamespace = (
               SELECT oid FROM pg_namespace WHERE nspname = current_schema())
    """,
}

# Every trigger, function and view of the portal's schema (not those of an extension).
_SCHEMA_OBJECTS = """
    WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = current_schema()),
         ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
    SELECT 'trigger', t.tgname, c.relname
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND c.relnamespace = (SELECT oid FROM s)
    UNION ALL
    SELECT 'function', p.proname, ''
      FROM pg_proc p
     WHERE p.pronamespace = (SELECT oid FROM s) AND p.oid NOT IN (SELECT objid FROM ext)
    UNION ALL
    SELECT 'view', c.relname, ''
      FROM pg_class c
     WHERE c.relkind = 'v' AND c.relnamespace = (SELECT oid FROM s)
       AND c.oid NOT IN (SELECT objid FROM ext)
"""


def definition(cursor, obj: SQLObject) -> str | None:
    """The database's definition of ``obj`` (pg_get_functiondef, pg_get_viewdef,
    pg_get_triggerdef), None when it is not installed."""
    params = [obj.name, obj.table] if obj.kind == "trigger" else [obj.name]
    cursor.execute(_DEFINITION[obj.kind], params)
    row = cursor.fetchone()
    return row[0] if row else None


def schema_objects(cursor) -> set[SQLObject]:
    cursor.execute(_SCHEMA_OBJECTS)
    return {SQLObject(kind, name, table) for kind, name, table in cursor.fetchall()}


def _diff(installed: str, expected: str) -> str:
    lines = difflib.unified_diff(
        installed.splitlines(), expected.splitlines(), "database", "file", lineterm="", n=1
    )
    return "\n".join(list(lines)[:40])


def database_differences(
    rule_list: list[Rule] | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[str]:
    """Where the database's installed functions, views and triggers differ from the files.

    Reads the definition of every object the files create, executes the rendered files
    inside a transaction (as a migration does), reads them again, and rolls back: an object
    whose definition changed, one missing, or one in the database that no file defines, is
    a difference. Empty when the database has exactly the files' definitions."""
    rule_list = rules() if rule_list is None else rule_list
    connection = connections[using]
    rendered = {rule: rule.render() for rule in rule_list}
    owner: dict[SQLObject, Rule] = {}
    problems = []
    for rule, sql in rendered.items():
        for obj in defined_objects(sql):
            if obj in owner and owner[obj] != rule:
                problems.append(f"{obj} is defined by {owner[obj].display} and {rule.display}")
            owner.setdefault(obj, rule)
    with connection.cursor() as cursor:
        before = {obj: definition(cursor, obj) for obj in owner}
        strays = schema_objects(cursor) - set(owner)
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql in rendered.values():
                for statement in connection.ops.prepare_sql_script(sql):
                    cursor.execute(statement)
            after = {obj: definition(cursor, obj) for obj in owner}
            raise _RolledBack
    except _RolledBack:
        pass
    for obj, rule in owner.items():
        if after[obj] is None:
            problems.append(f"{rule.display}: running the file does not create {obj}")
        elif before[obj] is None:
            problems.append(
                f"{rule.display}: {obj} is not installed in the database "
                f"(run `manage.py migrate`; after editing the file, `{COMMAND}` first)"
            )
        elif before[obj] != after[obj]:
            problems.append(
                f"{rule.display}: the database's {obj} differs from the file "
                f"(run `{COMMAND}` and `manage.py migrate`):\n{_diff(before[obj], after[obj])}"
            )
    for obj in sorted(strays):
        problems.append(f"{obj} is installed in the database, but no <app>/sql/*.sql defines it")
    return problems


def model_trigger_problems(
    rule_list: list[Rule] | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[str]:
    """Where the ``sql_rules`` declared by the models (file → the triggers it puts on the
    model's table) differ from the triggers installed on their tables."""
    rule_list = rules() if rule_list is None else rule_list
    by_display = {rule.display: rule for rule in rule_list}
    with connections[using].cursor() as cursor:
        installed = {o for o in schema_objects(cursor) if o.kind == "trigger"}
    problems = []
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        tables.add(table)
        label = model._meta.label
        declared = vars(model).get("sql_rules", {})
        named = {SQLObject("trigger", t, table) for triggers in declared.values() for t in triggers}
        for file, triggers in declared.items():
            rule = by_display.get(file)
            if rule is None:
                problems.append(f"{label}.sql_rules names {file}, which is no rule file")
                continue
            defined = set(defined_objects(rule.render()))
            for trigger in triggers:
                if SQLObject("trigger", trigger, table) not in defined:
                    problems.append(
                        f"{label}.sql_rules: {file} defines no trigger {trigger} on {table}"
                    )
        on_table = {o for o in installed if o.table == table}
        for obj in sorted(on_table - named):
            problems.append(f"{label}.sql_rules does not name {obj}")
        for obj in sorted(named - on_table):
            problems.append(f"{label}.sql_rules names {obj}, which is not installed")
    for obj in sorted(o for o in installed if o.table not in tables):
        problems.append(f"{obj}: no model has this table")
    return problems
