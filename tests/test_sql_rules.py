"""The rules in the database (README, "Rules in the database"): each trigger, its function
and the figures view are defined in one ``<app>/sql/*.sql`` file (core.sqlrules), and

* every file's rendering is what its latest generated migration installs (a file edited, or
  a constant changed, without ``manage.py makesqlmigrations`` fails);
* the definitions the database has installed are the files' (pg_get_functiondef,
  pg_get_viewdef, pg_get_triggerdef, read before and after executing the files in a
  rolled-back transaction); nothing else is installed;
* every model names the triggers installed on its table (``sql_rules``).

Each check is also shown failing on a modified file, constant, declaration or definition."""

from __future__ import annotations

import importlib.util

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from core import sqlrules
from core.funding import sql_list
from core.sqlrules import InstallSQL, Rule, SQLObject, SQLRuleError
from disbursement.models import PAID_STATES
from projects.models import FUNDED_STATES, Proposal
from tests.test_sql_definitions import compared_lists

FILES = {
    "beneficiaries/sql/province_follows_commune.sql",
    "programs/sql/plan_within_budget.sql",
    "programs/sql/support_cap_no_overlap.sql",
    "disbursement/sql/inspection_gate.sql",
    "disbursement/sql/money_rules.sql",
    "disbursement/sql/advance_limits.sql",
    "dashboards/sql/figures.sql",
    "dashboards/sql/rollups.sql",
    "projects/sql/list_order.sql",
    "typical_products/sql/selection_rules.sql",
    "villages/sql/membership_no_overlap.sql",
}


@pytest.fixture(scope="module")
def loader():
    return MigrationLoader(None, ignore_no_migrations=True)


def next_name(loader, app: str, suffix: str) -> str:
    """The name makesqlmigrations gives the next migration of ``app``."""
    leaf = loader.graph.leaf_nodes(app)[0]
    return f"{int(leaf[1][:4]) + 1:04d}_{suffix}.py"


def latest(loader, app: str, suffix: str) -> tuple[str, str]:
    """The latest migration of ``app`` whose name ends with ``suffix``."""
    return max(key for key in loader.graph.nodes if key[0] == app and key[1].endswith(suffix))


def rule(display: str) -> Rule:
    return next(r for r in sqlrules.rules() if r.display == display)


def edited(tmp_path, display: str, old: str, new: str) -> list[Rule]:
    """Every rule, with ``display`` replaced by a copy where ``old`` became ``new`` (same app
    and file name: the file as if edited in place)."""
    original = rule(display)
    text = original.path.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / original.app_label / original.file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return [Rule(r.app_label, path) if r == original else r for r in sqlrules.rules()]


def load_migration(path, source: str):
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("generated_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Migration


# --- The files --------------------------------------------------------------------------------


def test_the_rule_files_are_found():
    assert {r.display for r in sqlrules.rules()} == FILES


def test_what_each_file_defines():
    objects = {r.display: sqlrules.defined_objects(r.render()) for r in sqlrules.rules()}
    figures = objects["dashboards/sql/figures.sql"]
    assert [o.kind for o in figures].count("function") == 7
    assert [o for o in figures if o.kind == "view"] == [
        SQLObject("view", "dashboards_figures_expected")
    ]
    assert SQLObject("trigger", "dashboards_figures_tranche_update", "disbursement_tranche") in set(
        figures
    )
    triggers = [o for objs in objects.values() for o in objs if o.kind == "trigger"]
    assert len(triggers) == 49  # 45 + typical_products (3) + villages (1)
    assert SQLObject("trigger", "proposal_money_rules", "projects_proposal") in triggers


def test_a_rule_file_holds_only_functions_views_and_triggers():
    with pytest.raises(SQLRuleError, match="only functions, views and triggers"):
        sqlrules.defined_objects("CREATE INDEX x ON projects_proposal (status);")


def test_the_placeholders_are_the_python_constants():
    money = rule("disbursement/sql/money_rules.sql")
    text = money.path.read_text(encoding="utf-8")
    assert "{FUNDED_STATES}" in text and "{PAID_STATES}" in text
    rendered = money.render()
    assert f"p.status NOT IN {sql_list(FUNDED_STATES)}" in rendered
    assert f"status IN {sql_list(PAID_STATES)}" in rendered
    assert "{" not in sqlrules.code_of(rendered)


def test_no_status_list_is_written_out_in_a_file():
    """A status list is a placeholder, never a copy of the constant."""
    for r in sqlrules.rules():
        text = r.path.read_text(encoding="utf-8")
        assert compared_lists(text, "status")[0] == [], r.display
    # The check sees a list written out.
    assert compared_lists("WHERE t.status IN ('paid', 'reversed')", "status")[0] == [
        ["paid", "reversed"]
    ]


def test_an_unknown_placeholder_fails():
    with pytest.raises(SQLRuleError, match=r"unknown placeholder \{FUNDED\}"):
        sqlrules.render("WHERE status IN {FUNDED}", sqlrules.sql_constants(), "x.sql")
    with pytest.raises(SQLRuleError, match="cannot be written as an SQL list"):
        sqlrules.render("WHERE status IN {X}", {"X": ["it's"]}, "x.sql")


# --- The files against their migrations ---------------------------------------------------------


def test_every_file_is_what_its_latest_migration_installs(loader):
    changes = sqlrules.pending_changes(loader)
    assert changes == [], (
        "SQL rule files differ from what their migrations install: "
        f"{[(c.display, c.reason) for c in changes]}; run `manage.py makesqlmigrations` "
        "and commit the migrations it writes"
    )


def test_the_check_command_passes():
    call_command("makesqlmigrations", "--check", verbosity=0)


def test_an_edited_file_needs_a_migration(tmp_path, loader, monkeypatch, capsys):
    rules = edited(
        tmp_path,
        "disbursement/sql/money_rules.sql",
        "'proposal % is not approved'",
        "'proposal % is not funded'",
    )
    changes = sqlrules.pending_changes(loader, rules)
    money_rules = latest(loader, "disbursement", "_sql_money_rules")[1]
    assert [(c.display, c.reason) for c in changes] == [
        (
            str(tmp_path / "disbursement" / "money_rules.sql"),
            f"changed since disbursement.{money_rules}",
        )
    ]
    previous = loader.graph.nodes[latest(loader, "disbursement", "_sql_money_rules")].operations[0]
    assert changes[0].reverse_sql.strip() == previous.sql.strip()

    monkeypatch.setattr(sqlrules, "rules", lambda: rules)
    with pytest.raises(SystemExit) as exit_:
        call_command("makesqlmigrations", "--check")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"changed since disbursement.{money_rules}" in out
    assert "Run `manage.py makesqlmigrations`" in out
    call_command("makesqlmigrations", "--dry-run")
    name = next_name(loader, "disbursement", "sql_money_rules")
    assert f"disbursement/migrations/{name}" in capsys.readouterr().out


def test_a_changed_constant_needs_a_migration(loader, monkeypatch):
    """The files name FUNDED_STATES: a status added to it makes the files that use it stale."""
    constants = sqlrules.sql_constants()
    monkeypatch.setattr(
        sqlrules,
        "sql_constants",
        lambda: {**constants, "FUNDED_STATES": (*constants["FUNDED_STATES"], "archived")},
    )
    assert {c.display for c in sqlrules.pending_changes(loader)} == {
        "disbursement/sql/money_rules.sql",
        "dashboards/sql/figures.sql",
    }


@pytest.mark.django_db
def test_a_generated_migration_installs_the_file_and_reverses_to_the_previous(tmp_path, loader):
    """The migration written for an edited file embeds its rendering, depends on the latest
    migrations of the apps whose tables it names, installs the file, and its reverse puts
    the previous definition back."""
    rules = edited(
        tmp_path,
        "disbursement/sql/inspection_gate.sql",
        "cannot be removed', OLD.id",
        "can never be removed', OLD.id",
    )
    changes = sqlrules.pending_changes(loader, rules)
    [(path, source)] = sqlrules.migration_files(changes, loader)
    # Numbered after the app's latest migration, whichever it is.
    disbursement_leaf = loader.graph.leaf_nodes("disbursement")[0]
    assert path.name == f"{int(disbursement_leaf[1][:4]) + 1:04d}_sql_inspection_gate.py"
    assert path.parent.name == "migrations" and path.parent.parent.name == "disbursement"
    assert not path.exists()
    migration = load_migration(tmp_path / path.name, source)
    projects_leaf = loader.graph.leaf_nodes("projects")[0]
    assert set(migration.dependencies) == {disbursement_leaf, projects_leaf}
    [operation] = migration.operations
    assert isinstance(operation, InstallSQL) and operation.file == "inspection_gate.sql"
    assert operation.sql == "\n" + changes[0].sql
    assert sqlrules.database_differences() == []

    state = ProjectState()
    with connection.schema_editor() as editor:
        operation.database_forwards("disbursement", editor, state, state)
    assert sqlrules.database_differences(rules) == []
    assert len(sqlrules.database_differences()) == 1
    with connection.schema_editor() as editor:
        operation.database_backwards("disbursement", editor, state, state)
    assert sqlrules.database_differences() == []


def test_the_operation_deconstructs_for_the_migration_writer():
    operation = InstallSQL("x.sql", "SELECT 1;", "SELECT 2;", removed=True)
    name, args, kwargs = operation.deconstruct()
    assert name == "InstallSQL"
    copy = InstallSQL(*args, **kwargs)
    assert (copy.file, copy.sql, copy.reverse_sql, copy.removed) == (
        "x.sql",
        "SELECT 1;",
        "SELECT 2;",
        True,
    )


def test_a_new_file_is_dropped_on_reverse_and_a_deleted_file_dropped(tmp_path, loader):
    """The first migration of a new file reverses by dropping what it creates; a deleted
    file's migration drops its objects and reverses to its last version."""
    path = tmp_path / "programs" / "plan_note.sql"
    path.parent.mkdir()
    path.write_text(
        "-- A new rule.\n"
        "CREATE OR REPLACE FUNCTION programs_note() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN RETURN NEW; END $$;\n"
        "DROP TRIGGER IF EXISTS plan_note ON programs_annualplan;\n"
        "CREATE TRIGGER plan_note BEFORE UPDATE ON programs_annualplan\n"
        "    FOR EACH ROW EXECUTE FUNCTION programs_note();\n",
        encoding="utf-8",
    )
    rules = [r for r in sqlrules.rules() if r.file != "figures.sql"]
    rules.append(Rule("programs", path))
    changes = {c.file: c for c in sqlrules.pending_changes(loader, rules)}
    assert set(changes) == {"plan_note.sql", "figures.sql"}
    new = changes["plan_note.sql"]
    assert new.reason == "no migration installs it yet"
    assert new.reverse_sql == (
        "DROP TRIGGER IF EXISTS plan_note ON programs_annualplan;\n"
        "DROP FUNCTION IF EXISTS programs_note;\n"
    )
    deleted = changes["figures.sql"]
    assert deleted.removed and deleted.reason.startswith("deleted")
    assert "DROP VIEW IF EXISTS dashboards_figures_expected;" in deleted.sql
    assert deleted.sql.count("DROP TRIGGER") == 8 and deleted.sql.count("DROP FUNCTION") == 7
    assert "CREATE OR REPLACE VIEW dashboards_figures_expected" in deleted.reverse_sql
    sources = dict(sqlrules.migration_files(list(changes.values()), loader))
    names = sorted(p.name for p in sources)
    figures = next_name(loader, "dashboards", "sql_figures")
    assert names == sorted([figures, next_name(loader, "programs", "sql_plan_note")])
    removal = next(s for p, s in sources.items() if p.name == figures)
    assert 'InstallSQL("figures.sql", SQL, REVERSE_SQL, removed=True)' in removal


# --- The database against the files ----------------------------------------------------------


def test_the_database_runs_the_files_definitions(db):
    assert sqlrules.database_differences() == []


def test_a_function_changed_in_the_database_is_caught(db):
    sql = rule("disbursement/sql/inspection_gate.sql").render()
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("IS DISTINCT FROM 'compliant'", "NOT IN ('compliant')"))
    [problem] = sqlrules.database_differences()
    assert problem.startswith(
        "disbursement/sql/inspection_gate.sql: the database's function "
        "disbursement_tranche_inspection_gate differs from the file"
    )
    assert "-        IF state NOT IN ('compliant') THEN" in problem
    assert "+        IF state IS DISTINCT FROM 'compliant' THEN" in problem


def test_a_view_changed_in_the_database_is_caught(db):
    sql = rule("dashboards/sql/figures.sql").render()
    old = ") t ON t.proposal_id = p.id;"
    assert old in sql
    with connection.cursor() as cursor:
        cursor.execute(sql.replace(old, ") t ON t.proposal_id = p.id\n WHERE pl.year > 2000;"))
    problems = sqlrules.database_differences()
    assert len(problems) == 1
    assert "the database's view dashboards_figures_expected differs" in problems[0]


def test_a_missing_trigger_is_caught(db):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER tranche_inspection_gate ON disbursement_tranche")
    assert sqlrules.database_differences() == [
        "disbursement/sql/inspection_gate.sql: trigger tranche_inspection_gate on "
        "disbursement_tranche is not installed in the database (run `manage.py migrate`; "
        "after editing the file, `manage.py makesqlmigrations` first)"
    ]


def test_a_trigger_no_file_defines_is_caught(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TRIGGER proposal_stray AFTER UPDATE ON projects_proposal "
            "FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger()"
        )
    assert sqlrules.database_differences() == [
        "trigger proposal_stray on projects_proposal is installed in the database, "
        "but no <app>/sql/*.sql defines it"
    ]
    assert sqlrules.model_trigger_problems() == [
        "projects.Proposal.sql_rules does not name trigger proposal_stray on projects_proposal"
    ]


def test_an_edited_trigger_in_a_file_differs_from_the_database(db, tmp_path):
    rules = edited(
        tmp_path,
        "disbursement/sql/inspection_gate.sql",
        "BEFORE INSERT OR UPDATE ON disbursement_tranche",
        "BEFORE UPDATE ON disbursement_tranche",
    )
    [problem] = sqlrules.database_differences(rules)
    assert "the database's trigger tranche_inspection_gate on disbursement_tranche differs" in (
        problem
    )
    # The comparison ran in a transaction that was rolled back: nothing changed.
    assert sqlrules.database_differences() == []


# --- The models name their triggers -------------------------------------------------------------


def test_every_model_names_the_triggers_on_its_table(db):
    assert sqlrules.model_trigger_problems() == []


def test_the_proposal_names_the_rules_of_other_apps():
    assert set(Proposal.sql_rules) == {
        "projects/sql/list_order.sql",
        "disbursement/sql/money_rules.sql",
        "dashboards/sql/figures.sql",
    }


def test_a_declaration_out_of_date_fails(db, monkeypatch):
    monkeypatch.setattr(
        Proposal,
        "sql_rules",
        {
            "disbursement/sql/money_rules.sql": ("proposal_money_rules", "proposal_other"),
            "dashboards/sql/figure.sql": ("dashboards_figures_proposal_insert",),
        },
    )
    assert sqlrules.model_trigger_problems() == [
        "projects.Proposal.sql_rules: disbursement/sql/money_rules.sql defines no trigger "
        "proposal_other on projects_proposal",
        "projects.Proposal.sql_rules names dashboards/sql/figure.sql, which is no rule file",
        "projects.Proposal.sql_rules does not name trigger dashboards_figures_proposal_delete "
        "on projects_proposal",
        "projects.Proposal.sql_rules does not name trigger dashboards_figures_proposal_update "
        "on projects_proposal",
        "projects.Proposal.sql_rules does not name trigger proposal_list_order_copy "
        "on projects_proposal",
        "projects.Proposal.sql_rules names trigger proposal_other on projects_proposal, "
        "which is not installed",
    ]
