"""Installs dashboards/sql/figures.sql as it was when ``manage.py makesqlmigrations`` wrote
this migration. Not to be edited: the SQL stays as it was, so a later change of the file
never changes history; the current definition is the file (README, "Rules in the database")."""

from django.db import migrations

from core.sqlrules import InstallSQL

SQL = r"""
-- Rule: dashboards_proposalfigures (the model dashboards.ProposalFigures, one row per đề án)
-- is exact for every writer: its dimensions, status, compliance and approved money follow
-- projects_proposal; its paid money follows disbursement_tranche (paid = the tranches in
-- disbursement.models.PAID_STATES); its year, programme and activity group follow
-- programs_annualplan and programs_activity; "funded" is a status in
-- projects.models.FUNDED_STATES.
-- Guards: triggers on projects_proposal (insert, update, delete), disbursement_tranche
-- (insert, update, delete), programs_annualplan (update) and programs_activity (update), the
-- models projects.Proposal, disbursement.Tranche, programs.AnnualPlan and programs.Activity.
--
-- Statement-level triggers with transition tables, so a bulk statement costs one update per
-- statement, not per row. Paid money moves by deltas (paid = paid + change) under the row
-- lock, so two transactions paying the same đề án at once both count. The view
-- dashboards_figures_expected is the definition of every row, computed from the source
-- tables; dashboards_figures_rebuild() rewrites the table from it (dashboards.services) and
-- dashboards.selectors.figures_mismatches compares the two. A view changed in its columns
-- cannot be replaced: drop it first (DROP VIEW IF EXISTS) in this file.
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE VIEW dashboards_figures_expected AS
SELECT p.id AS proposal_id, p.province_id, p.plan_id, pl.program_id, pl.year, p.activity_id,
       COALESCE(a.parent_id, a.id) AS activity_group_id, p.implementing_agency_id, p.level,
       p.kind, p.status, p.compliance, p.status IN ('approved', 'amending', 'in_implementation', 'accepted', 'stopped', 'closed') AS funded,
       p.approved_kcqg, p.approved_kcdp, p.approved_counterpart, p.approved_other,
       COALESCE(t.kcqg, 0) AS paid_kcqg, COALESCE(t.kcdp, 0) AS paid_kcdp,
       COALESCE(t.counterpart, 0) AS paid_counterpart, COALESCE(t.other, 0) AS paid_other
  FROM projects_proposal p
  JOIN programs_annualplan pl ON pl.id = p.plan_id
  JOIN programs_activity a ON a.id = p.activity_id
  LEFT JOIN (
      SELECT proposal_id,
             SUM(amount) FILTER (WHERE source = 'kcqg') AS kcqg,
             SUM(amount) FILTER (WHERE source = 'kcdp') AS kcdp,
             SUM(amount) FILTER (WHERE source = 'counterpart') AS counterpart,
             SUM(amount) FILTER (WHERE source = 'other') AS other
        FROM disbursement_tranche
       WHERE status IN ('paid', 'reversed')
       GROUP BY proposal_id
  ) t ON t.proposal_id = p.id;

CREATE OR REPLACE FUNCTION dashboards_figures_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    DELETE FROM dashboards_proposalfigures;
    INSERT INTO dashboards_proposalfigures
        (proposal_id, province_id, plan_id, program_id, year, activity_id, activity_group_id,
         implementing_agency_id, level, kind, status, compliance, funded, approved_kcqg,
         approved_kcdp, approved_counterpart, approved_other, paid_kcqg, paid_kcdp,
         paid_counterpart, paid_other)
    SELECT proposal_id, province_id, plan_id, program_id, year, activity_id, activity_group_id,
           implementing_agency_id, level, kind, status, compliance, funded, approved_kcqg,
           approved_kcdp, approved_counterpart, approved_other, paid_kcqg, paid_kcdp,
           paid_counterpart, paid_other
      FROM dashboards_figures_expected;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Đề án inserted or updated: dimensions, status, compliance, approved money (paid money
-- is left alone: it follows the tranches).
CREATE OR REPLACE FUNCTION dashboards_figures_from_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dashboards_proposalfigures AS f
        (proposal_id, province_id, plan_id, program_id, year, activity_id, activity_group_id,
         implementing_agency_id, level, kind, status, compliance, funded, approved_kcqg,
         approved_kcdp, approved_counterpart, approved_other, paid_kcqg, paid_kcdp,
         paid_counterpart, paid_other)
    SELECT n.id, n.province_id, n.plan_id, pl.program_id, pl.year, n.activity_id,
           COALESCE(a.parent_id, a.id), n.implementing_agency_id, n.level, n.kind, n.status,
           n.compliance, n.status IN ('approved', 'amending', 'in_implementation', 'accepted', 'stopped', 'closed'), n.approved_kcqg, n.approved_kcdp,
           n.approved_counterpart, n.approved_other, 0, 0, 0, 0
      FROM new_rows n
      JOIN programs_annualplan pl ON pl.id = n.plan_id
      JOIN programs_activity a ON a.id = n.activity_id
    ON CONFLICT (proposal_id) DO UPDATE SET
        province_id = EXCLUDED.province_id, plan_id = EXCLUDED.plan_id,
        program_id = EXCLUDED.program_id, year = EXCLUDED.year,
        activity_id = EXCLUDED.activity_id, activity_group_id = EXCLUDED.activity_group_id,
        implementing_agency_id = EXCLUDED.implementing_agency_id, level = EXCLUDED.level,
        kind = EXCLUDED.kind, status = EXCLUDED.status, compliance = EXCLUDED.compliance,
        funded = EXCLUDED.funded, approved_kcqg = EXCLUDED.approved_kcqg,
        approved_kcdp = EXCLUDED.approved_kcdp,
        approved_counterpart = EXCLUDED.approved_counterpart,
        approved_other = EXCLUDED.approved_other
    WHERE (f.province_id, f.plan_id, f.program_id, f.year, f.activity_id, f.activity_group_id,
           f.implementing_agency_id, f.level, f.kind, f.status, f.compliance, f.funded,
           f.approved_kcqg, f.approved_kcdp, f.approved_counterpart, f.approved_other)
          IS DISTINCT FROM
          (EXCLUDED.province_id, EXCLUDED.plan_id, EXCLUDED.program_id, EXCLUDED.year,
           EXCLUDED.activity_id, EXCLUDED.activity_group_id, EXCLUDED.implementing_agency_id,
           EXCLUDED.level, EXCLUDED.kind, EXCLUDED.status, EXCLUDED.compliance,
           EXCLUDED.funded, EXCLUDED.approved_kcqg, EXCLUDED.approved_kcdp,
           EXCLUDED.approved_counterpart, EXCLUDED.approved_other);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_figures_drop_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dashboards_proposalfigures WHERE proposal_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;

-- Tranches: what the statement changed in paid money, per đề án and source, added to the
-- rows (paid = paid or reversed; a reversal is a negative row with status paid).
CREATE OR REPLACE FUNCTION dashboards_figures_add_paid(changes jsonb) RETURNS void LANGUAGE sql AS $$
    UPDATE dashboards_proposalfigures f
       SET paid_kcqg = f.paid_kcqg + d.kcqg, paid_kcdp = f.paid_kcdp + d.kcdp,
           paid_counterpart = f.paid_counterpart + d.counterpart,
           paid_other = f.paid_other + d.other
      FROM (SELECT c.proposal_id,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'kcqg'), 0) AS kcqg,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'kcdp'), 0) AS kcdp,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'counterpart'), 0)
                       AS counterpart,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'other'), 0) AS other
              FROM jsonb_to_recordset(changes) AS c(proposal_id bigint, source text, amount bigint)
             GROUP BY c.proposal_id) d
     WHERE f.proposal_id = d.proposal_id
       AND (d.kcqg, d.kcdp, d.counterpart, d.other) <> (0, 0, 0, 0);
$$;

CREATE OR REPLACE FUNCTION dashboards_figures_from_tranches() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE changes jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('proposal_id', proposal_id, 'source', source,
                                            'amount', amount))
          INTO changes FROM new_rows WHERE status IN ('paid', 'reversed');
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(jsonb_build_object('proposal_id', proposal_id, 'source', source,
                                            'amount', -amount))
          INTO changes FROM old_rows WHERE status IN ('paid', 'reversed');
    ELSE
        SELECT jsonb_agg(jsonb_build_object('proposal_id', proposal_id, 'source', source,
                                            'amount', amount))
          INTO changes
          FROM (SELECT proposal_id, source, amount FROM new_rows
                 WHERE status IN ('paid', 'reversed')
                UNION ALL
                SELECT proposal_id, source, -amount FROM old_rows
                 WHERE status IN ('paid', 'reversed')) c;
    END IF;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_figures_add_paid(changes);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_figures_from_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dashboards_proposalfigures f SET year = n.year, program_id = n.program_id
      FROM new_rows n
     WHERE f.plan_id = n.id AND (f.year, f.program_id) IS DISTINCT FROM (n.year, n.program_id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_figures_from_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dashboards_proposalfigures f SET activity_group_id = COALESCE(n.parent_id, n.id)
      FROM new_rows n
     WHERE f.activity_id = n.id AND f.activity_group_id <> COALESCE(n.parent_id, n.id);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dashboards_figures_proposal_insert ON projects_proposal;
CREATE TRIGGER dashboards_figures_proposal_insert AFTER INSERT ON projects_proposal
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_proposals();

DROP TRIGGER IF EXISTS dashboards_figures_proposal_update ON projects_proposal;
CREATE TRIGGER dashboards_figures_proposal_update AFTER UPDATE ON projects_proposal
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_proposals();

DROP TRIGGER IF EXISTS dashboards_figures_proposal_delete ON projects_proposal;
CREATE TRIGGER dashboards_figures_proposal_delete AFTER DELETE ON projects_proposal
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_drop_proposals();

DROP TRIGGER IF EXISTS dashboards_figures_tranche_insert ON disbursement_tranche;
CREATE TRIGGER dashboards_figures_tranche_insert AFTER INSERT ON disbursement_tranche
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_tranches();

DROP TRIGGER IF EXISTS dashboards_figures_tranche_update ON disbursement_tranche;
CREATE TRIGGER dashboards_figures_tranche_update AFTER UPDATE ON disbursement_tranche
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_tranches();

DROP TRIGGER IF EXISTS dashboards_figures_tranche_delete ON disbursement_tranche;
CREATE TRIGGER dashboards_figures_tranche_delete AFTER DELETE ON disbursement_tranche
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_tranches();

DROP TRIGGER IF EXISTS dashboards_figures_plan_update ON programs_annualplan;
CREATE TRIGGER dashboards_figures_plan_update AFTER UPDATE ON programs_annualplan
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_plans();

DROP TRIGGER IF EXISTS dashboards_figures_activity_update ON programs_activity;
CREATE TRIGGER dashboards_figures_activity_update AFTER UPDATE ON programs_activity
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_activities();

-- The rows follow the definitions above: rewritten whenever this file is installed (a
-- changed view or trigger never leaves rows computed the old way).
SELECT dashboards_figures_rebuild();
"""

# Reverse: the previous version (0003_sql_figures).
REVERSE_SQL = r"""
-- Rule: dashboards_proposalfigures (the model dashboards.ProposalFigures, one row per đề án)
-- is exact for every writer: its dimensions, status, compliance and approved money follow
-- projects_proposal; its paid money follows disbursement_tranche (paid = the tranches in
-- disbursement.models.PAID_STATES); its year, programme and activity group follow
-- programs_annualplan and programs_activity; "funded" is a status in
-- projects.models.FUNDED_STATES.
-- Guards: triggers on projects_proposal (insert, update, delete), disbursement_tranche
-- (insert, update, delete), programs_annualplan (update) and programs_activity (update), the
-- models projects.Proposal, disbursement.Tranche, programs.AnnualPlan and programs.Activity.
--
-- Statement-level triggers with transition tables, so a bulk statement costs one update per
-- statement, not per row. Paid money moves by deltas (paid = paid + change) under the row
-- lock, so two transactions paying the same đề án at once both count. The view
-- dashboards_figures_expected is the definition of every row, computed from the source
-- tables; dashboards_figures_rebuild() rewrites the table from it (dashboards.services) and
-- dashboards.selectors.figures_mismatches compares the two. A view changed in its columns
-- cannot be replaced: drop it first (DROP VIEW IF EXISTS) in this file.
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE VIEW dashboards_figures_expected AS
SELECT p.id AS proposal_id, p.province_id, p.plan_id, pl.program_id, pl.year, p.activity_id,
       COALESCE(a.parent_id, a.id) AS activity_group_id, p.implementing_agency_id, p.level,
       p.kind, p.status, p.compliance, p.status IN ('approved', 'amending', 'in_implementation', 'accepted', 'settled', 'closed') AS funded,
       p.approved_kcqg, p.approved_kcdp, p.approved_counterpart, p.approved_other,
       COALESCE(t.kcqg, 0) AS paid_kcqg, COALESCE(t.kcdp, 0) AS paid_kcdp,
       COALESCE(t.counterpart, 0) AS paid_counterpart, COALESCE(t.other, 0) AS paid_other
  FROM projects_proposal p
  JOIN programs_annualplan pl ON pl.id = p.plan_id
  JOIN programs_activity a ON a.id = p.activity_id
  LEFT JOIN (
      SELECT proposal_id,
             SUM(amount) FILTER (WHERE source = 'kcqg') AS kcqg,
             SUM(amount) FILTER (WHERE source = 'kcdp') AS kcdp,
             SUM(amount) FILTER (WHERE source = 'counterpart') AS counterpart,
             SUM(amount) FILTER (WHERE source = 'other') AS other
        FROM disbursement_tranche
       WHERE status IN ('paid', 'reversed')
       GROUP BY proposal_id
  ) t ON t.proposal_id = p.id;

CREATE OR REPLACE FUNCTION dashboards_figures_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    DELETE FROM dashboards_proposalfigures;
    INSERT INTO dashboards_proposalfigures
        (proposal_id, province_id, plan_id, program_id, year, activity_id, activity_group_id,
         implementing_agency_id, level, kind, status, compliance, funded, approved_kcqg,
         approved_kcdp, approved_counterpart, approved_other, paid_kcqg, paid_kcdp,
         paid_counterpart, paid_other)
    SELECT proposal_id, province_id, plan_id, program_id, year, activity_id, activity_group_id,
           implementing_agency_id, level, kind, status, compliance, funded, approved_kcqg,
           approved_kcdp, approved_counterpart, approved_other, paid_kcqg, paid_kcdp,
           paid_counterpart, paid_other
      FROM dashboards_figures_expected;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Đề án inserted or updated: dimensions, status, compliance, approved money (paid money
-- is left alone: it follows the tranches).
CREATE OR REPLACE FUNCTION dashboards_figures_from_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dashboards_proposalfigures AS f
        (proposal_id, province_id, plan_id, program_id, year, activity_id, activity_group_id,
         implementing_agency_id, level, kind, status, compliance, funded, approved_kcqg,
         approved_kcdp, approved_counterpart, approved_other, paid_kcqg, paid_kcdp,
         paid_counterpart, paid_other)
    SELECT n.id, n.province_id, n.plan_id, pl.program_id, pl.year, n.activity_id,
           COALESCE(a.parent_id, a.id), n.implementing_agency_id, n.level, n.kind, n.status,
           n.compliance, n.status IN ('approved', 'amending', 'in_implementation', 'accepted', 'settled', 'closed'), n.approved_kcqg, n.approved_kcdp,
           n.approved_counterpart, n.approved_other, 0, 0, 0, 0
      FROM new_rows n
      JOIN programs_annualplan pl ON pl.id = n.plan_id
      JOIN programs_activity a ON a.id = n.activity_id
    ON CONFLICT (proposal_id) DO UPDATE SET
        province_id = EXCLUDED.province_id, plan_id = EXCLUDED.plan_id,
        program_id = EXCLUDED.program_id, year = EXCLUDED.year,
        activity_id = EXCLUDED.activity_id, activity_group_id = EXCLUDED.activity_group_id,
        implementing_agency_id = EXCLUDED.implementing_agency_id, level = EXCLUDED.level,
        kind = EXCLUDED.kind, status = EXCLUDED.status, compliance = EXCLUDED.compliance,
        funded = EXCLUDED.funded, approved_kcqg = EXCLUDED.approved_kcqg,
        approved_kcdp = EXCLUDED.approved_kcdp,
        approved_counterpart = EXCLUDED.approved_counterpart,
        approved_other = EXCLUDED.approved_other
    WHERE (f.province_id, f.plan_id, f.program_id, f.year, f.activity_id, f.activity_group_id,
           f.implementing_agency_id, f.level, f.kind, f.status, f.compliance, f.funded,
           f.approved_kcqg, f.approved_kcdp, f.approved_counterpart, f.approved_other)
          IS DISTINCT FROM
          (EXCLUDED.province_id, EXCLUDED.plan_id, EXCLUDED.program_id, EXCLUDED.year,
           EXCLUDED.activity_id, EXCLUDED.activity_group_id, EXCLUDED.implementing_agency_id,
           EXCLUDED.level, EXCLUDED.kind, EXCLUDED.status, EXCLUDED.compliance,
           EXCLUDED.funded, EXCLUDED.approved_kcqg, EXCLUDED.approved_kcdp,
           EXCLUDED.approved_counterpart, EXCLUDED.approved_other);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_figures_drop_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dashboards_proposalfigures WHERE proposal_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;

-- Tranches: what the statement changed in paid money, per đề án and source, added to the
-- rows (paid = paid or reversed; a reversal is a negative row with status paid).
CREATE OR REPLACE FUNCTION dashboards_figures_add_paid(changes jsonb) RETURNS void LANGUAGE sql AS $$
    UPDATE dashboards_proposalfigures f
       SET paid_kcqg = f.paid_kcqg + d.kcqg, paid_kcdp = f.paid_kcdp + d.kcdp,
           paid_counterpart = f.paid_counterpart + d.counterpart,
           paid_other = f.paid_other + d.other
      FROM (SELECT c.proposal_id,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'kcqg'), 0) AS kcqg,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'kcdp'), 0) AS kcdp,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'counterpart'), 0)
                       AS counterpart,
                   COALESCE(SUM(c.amount) FILTER (WHERE c.source = 'other'), 0) AS other
              FROM jsonb_to_recordset(changes) AS c(proposal_id bigint, source text, amount bigint)
             GROUP BY c.proposal_id) d
     WHERE f.proposal_id = d.proposal_id
       AND (d.kcqg, d.kcdp, d.counterpart, d.other) <> (0, 0, 0, 0);
$$;

CREATE OR REPLACE FUNCTION dashboards_figures_from_tranches() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE changes jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('proposal_id', proposal_id, 'source', source,
                                            'amount', amount))
          INTO changes FROM new_rows WHERE status IN ('paid', 'reversed');
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(jsonb_build_object('proposal_id', proposal_id, 'source', source,
                                            'amount', -amount))
          INTO changes FROM old_rows WHERE status IN ('paid', 'reversed');
    ELSE
        SELECT jsonb_agg(jsonb_build_object('proposal_id', proposal_id, 'source', source,
                                            'amount', amount))
          INTO changes
          FROM (SELECT proposal_id, source, amount FROM new_rows
                 WHERE status IN ('paid', 'reversed')
                UNION ALL
                SELECT proposal_id, source, -amount FROM old_rows
                 WHERE status IN ('paid', 'reversed')) c;
    END IF;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_figures_add_paid(changes);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_figures_from_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dashboards_proposalfigures f SET year = n.year, program_id = n.program_id
      FROM new_rows n
     WHERE f.plan_id = n.id AND (f.year, f.program_id) IS DISTINCT FROM (n.year, n.program_id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_figures_from_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dashboards_proposalfigures f SET activity_group_id = COALESCE(n.parent_id, n.id)
      FROM new_rows n
     WHERE f.activity_id = n.id AND f.activity_group_id <> COALESCE(n.parent_id, n.id);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS dashboards_figures_proposal_insert ON projects_proposal;
CREATE TRIGGER dashboards_figures_proposal_insert AFTER INSERT ON projects_proposal
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_proposals();

DROP TRIGGER IF EXISTS dashboards_figures_proposal_update ON projects_proposal;
CREATE TRIGGER dashboards_figures_proposal_update AFTER UPDATE ON projects_proposal
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_proposals();

DROP TRIGGER IF EXISTS dashboards_figures_proposal_delete ON projects_proposal;
CREATE TRIGGER dashboards_figures_proposal_delete AFTER DELETE ON projects_proposal
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_drop_proposals();

DROP TRIGGER IF EXISTS dashboards_figures_tranche_insert ON disbursement_tranche;
CREATE TRIGGER dashboards_figures_tranche_insert AFTER INSERT ON disbursement_tranche
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_tranches();

DROP TRIGGER IF EXISTS dashboards_figures_tranche_update ON disbursement_tranche;
CREATE TRIGGER dashboards_figures_tranche_update AFTER UPDATE ON disbursement_tranche
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_tranches();

DROP TRIGGER IF EXISTS dashboards_figures_tranche_delete ON disbursement_tranche;
CREATE TRIGGER dashboards_figures_tranche_delete AFTER DELETE ON disbursement_tranche
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_tranches();

DROP TRIGGER IF EXISTS dashboards_figures_plan_update ON programs_annualplan;
CREATE TRIGGER dashboards_figures_plan_update AFTER UPDATE ON programs_annualplan
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_plans();

DROP TRIGGER IF EXISTS dashboards_figures_activity_update ON programs_activity;
CREATE TRIGGER dashboards_figures_activity_update AFTER UPDATE ON programs_activity
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_figures_from_activities();

-- The rows follow the definitions above: rewritten whenever this file is installed (a
-- changed view or trigger never leaves rows computed the old way).
SELECT dashboards_figures_rebuild();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0003_sql_figures"),
        ("disbursement", "0009_sql_money_rules"),
        ("programs", "0007_advance_limits"),
        ("projects", "0006_stopped_status"),
    ]

    operations = [InstallSQL("figures.sql", SQL, REVERSE_SQL)]
