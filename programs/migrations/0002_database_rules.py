"""Rules the database enforces for every writer (admin, bulk updates, future code):

* the allocations of a plan never exceed its budget per funding source (deferred
  constraint triggers on allocations and budgets, checked at commit);
* support caps for the same activity, level and province never overlap in time.

Plain PL/pgSQL: no extension needed (the embedded PostgreSQL has none).

History: the current definitions live in programs/sql/plan_within_budget.sql and
programs/sql/support_cap_no_overlap.sql, installed by the migrations `manage.py
makesqlmigrations` generates from them (README, "Rules in the database")."""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION programs_plan_within_budget() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid bigint := COALESCE(NEW.plan_id, OLD.plan_id);
    bad record;
BEGIN
    SELECT a.source, SUM(a.amount) AS allocated, COALESCE(MAX(b.amount), 0) AS budget
      INTO bad
      FROM programs_planallocation a
      LEFT JOIN programs_planbudget b ON b.plan_id = a.plan_id AND b.source = a.source
     WHERE a.plan_id = pid
     GROUP BY a.source
    HAVING SUM(a.amount) > COALESCE(MAX(b.amount), 0)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'plan % allocates % from %, above its budget of %',
            pid, bad.allocated, bad.source, bad.budget
            USING ERRCODE = 'check_violation', CONSTRAINT = 'plan_allocations_within_budget';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER plan_allocations_within_budget
    AFTER INSERT OR UPDATE ON programs_planallocation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION programs_plan_within_budget();
CREATE CONSTRAINT TRIGGER plan_budget_covers_allocations
    AFTER UPDATE OR DELETE ON programs_planbudget
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION programs_plan_within_budget();

CREATE FUNCTION programs_supportcap_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM programs_supportcap c
         WHERE c.id <> NEW.id
           AND c.activity_id = NEW.activity_id
           AND c.level = NEW.level
           AND c.province_id IS NOT DISTINCT FROM NEW.province_id
           AND daterange(c.effective_from, c.effective_to, '[]')
               && daterange(NEW.effective_from, NEW.effective_to, '[]')
    ) THEN
        RAISE EXCEPTION 'support cap overlaps another rule for the same activity, level and province'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'supportcap_no_overlap';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER supportcap_no_overlap
    BEFORE INSERT OR UPDATE ON programs_supportcap
    FOR EACH ROW EXECUTE FUNCTION programs_supportcap_no_overlap();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS supportcap_no_overlap ON programs_supportcap;
DROP FUNCTION IF EXISTS programs_supportcap_no_overlap();
DROP TRIGGER IF EXISTS plan_budget_covers_allocations ON programs_planbudget;
DROP TRIGGER IF EXISTS plan_allocations_within_budget ON programs_planallocation;
DROP FUNCTION IF EXISTS programs_plan_within_budget();
"""


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
