-- Rule: the allocations of an annual plan never exceed its budget, per funding source.
-- Guards: programs_planallocation (insert, update) and programs_planbudget (update, delete),
-- the models programs.PlanAllocation and programs.PlanBudget.
--
-- Deferred constraint triggers, checked at commit: a plan's budgets and allocations are
-- saved in any order within one transaction, and only the result must hold. The error is a
-- check_violation named plan_allocations_within_budget (an IntegrityError in Django).
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION programs_plan_within_budget() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER IF EXISTS plan_allocations_within_budget ON programs_planallocation;
CREATE CONSTRAINT TRIGGER plan_allocations_within_budget
    AFTER INSERT OR UPDATE ON programs_planallocation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION programs_plan_within_budget();

DROP TRIGGER IF EXISTS plan_budget_covers_allocations ON programs_planbudget;
CREATE CONSTRAINT TRIGGER plan_budget_covers_allocations
    AFTER UPDATE OR DELETE ON programs_planbudget
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION programs_plan_within_budget();
