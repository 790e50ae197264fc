-- Rule: a đề án's plan_year and province_code are copies of its plan's year and its
-- province's code, for the list's order (projects.models.LIST_ORDER and its index).
-- Guards: projects_proposal (every insert and update), the model projects.Proposal; and the
-- copies follow a plan whose year changes (programs_annualplan, update of year) and a
-- province whose code changes (reference_province, update of code).
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION projects_proposal_list_order_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.plan_year := (SELECT year FROM programs_annualplan WHERE id = NEW.plan_id);
    NEW.province_code := (SELECT code FROM reference_province WHERE id = NEW.province_id);
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS proposal_list_order_copy ON projects_proposal;
CREATE TRIGGER proposal_list_order_copy
    BEFORE INSERT OR UPDATE ON projects_proposal
    FOR EACH ROW EXECUTE FUNCTION projects_proposal_list_order_copy();

CREATE OR REPLACE FUNCTION projects_plan_year_to_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects_proposal SET plan_year = NEW.year
     WHERE plan_id = NEW.id AND plan_year IS DISTINCT FROM NEW.year;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS plan_year_to_proposals ON programs_annualplan;
CREATE TRIGGER plan_year_to_proposals
    AFTER UPDATE OF year ON programs_annualplan
    FOR EACH ROW WHEN (OLD.year IS DISTINCT FROM NEW.year)
    EXECUTE FUNCTION projects_plan_year_to_proposals();

CREATE OR REPLACE FUNCTION projects_province_code_to_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects_proposal SET province_code = NEW.code
     WHERE province_id = NEW.id AND province_code IS DISTINCT FROM NEW.code;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS province_code_to_proposals ON reference_province;
CREATE TRIGGER province_code_to_proposals
    AFTER UPDATE OF code ON reference_province
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION projects_province_code_to_proposals();
