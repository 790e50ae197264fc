-- Rule: the dashboards' rollups (dashboards.models FiguresRollup, ReachRollup,
-- OutputsRollup) are the sums of their definitions at every moment, for every writer:
-- dashboards_figuresrollup sums dashboards_proposalfigures by cell (the filters' grain, the
-- implementing unit, the status); dashboards_reachrollup holds each establishment of a funded
-- đề án once per cell, with its number of links; dashboards_outputsrollup sums the funded đề
-- án's outputs per indicator and cell; dashboards_reachprovince holds each establishment once
-- per province it is supported in (with its number of cells) and dashboards_reachtotal once
-- (with its number of provinces), so the distinct counts of the whole country or of a
-- province are counts of rows; dashboards_findingsrollup counts the open findings (open
-- recommendations of concluded inspections) per deadline and the open flags of the
-- disbursement job per cell. A cell whose count falls to zero is deleted.
-- Guards: triggers on dashboards_proposalfigures (insert, update, delete: it follows every
-- đề án, tranche, plan and activity change, dashboards/sql/figures.sql), on
-- projects_proposalbeneficiary, projects_proposaloutput, inspections_recommendation,
-- inspections_inspection and disbursement_disbursementflag (insert, update, delete), on
-- dashboards_reachrollup and dashboards_reachprovince (insert, delete); the models name them.
--
-- A change read together with another table's rows (a link with its đề án's figures row, a
-- recommendation with its inspection) first locks those rows FOR SHARE: a concurrent change
-- of them (an approval, an inspection concluded) waits, then sees this one, so neither
-- misses the other.
--
-- Statement-level triggers: the rows a statement changed are summed per cell with a sign (+1
-- for the new rows, -1 for the old ones), and each cell's change is added to it under its row
-- lock (INSERT … ON CONFLICT DO UPDATE SET n = n + change), cells in key order, so
-- concurrent writers never lose each other's change. The views dashboards_*rollup_expected
-- are the definitions, computed from the source tables (dashboards_figures_expected and the
-- links and outputs); dashboards_rollups_rebuild() rewrites the tables from them and
-- dashboards.selectors.rollup_mismatches compares both ways. Edit here, then run
-- `manage.py makesqlmigrations` (README, "Rules in the database").

CREATE OR REPLACE VIEW dashboards_figuresrollup_expected AS
SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
       f.funded AND f.approved_kcqg > 0 AS with_kcqg,
       f.funded AND f.approved_kcdp > 0 AS with_kcdp,
       f.implementing_agency_id, f.status, f.funded,
       COUNT(*)::integer AS proposals,
       (COUNT(*) FILTER (WHERE f.compliance <> 'not_inspected'))::integer AS inspected,
       (COUNT(*) FILTER (WHERE f.compliance = 'compliant'))::integer AS compliant,
       SUM(f.approved_kcqg)::bigint AS approved_kcqg,
       SUM(f.approved_kcdp)::bigint AS approved_kcdp,
       SUM(f.approved_counterpart)::bigint AS approved_counterpart,
       SUM(f.approved_other)::bigint AS approved_other,
       SUM(f.paid_kcqg)::bigint AS paid_kcqg,
       SUM(f.paid_kcdp)::bigint AS paid_kcdp,
       SUM(f.paid_counterpart)::bigint AS paid_counterpart,
       SUM(f.paid_other)::bigint AS paid_other
  FROM dashboards_figures_expected f
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;

CREATE OR REPLACE VIEW dashboards_reachrollup_expected AS
SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
       f.approved_kcqg > 0 AS with_kcqg, f.approved_kcdp > 0 AS with_kcdp,
       l.beneficiary_id, COUNT(*)::integer AS links
  FROM dashboards_figures_expected f
  JOIN projects_proposalbeneficiary l ON l.proposal_id = f.proposal_id
 WHERE f.funded
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

CREATE OR REPLACE VIEW dashboards_outputsrollup_expected AS
SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
       f.approved_kcqg > 0 AS with_kcqg, f.approved_kcdp > 0 AS with_kcdp,
       o.indicator_id, COUNT(*)::integer AS proposals,
       SUM(o.target_value)::bigint AS target,
       COALESCE(SUM(o.achieved_value), 0)::bigint AS achieved
  FROM dashboards_figures_expected f
  JOIN projects_proposaloutput o ON o.proposal_id = f.proposal_id
 WHERE f.funded
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

CREATE OR REPLACE VIEW dashboards_reachprovince_expected AS
SELECT province_id, beneficiary_id, COUNT(*)::integer AS cells
  FROM dashboards_reachrollup_expected
 GROUP BY 1, 2;

CREATE OR REPLACE VIEW dashboards_reachtotal_expected AS
SELECT beneficiary_id, COUNT(*)::integer AS provinces
  FROM dashboards_reachprovince_expected
 GROUP BY 1;

-- The open items of a đề án: findings (open recommendations of concluded inspections, with
-- their deadline) and open flags of the disbursement job.
CREATE OR REPLACE VIEW dashboards_findingsrollup_expected AS
SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
       f.funded AND f.approved_kcqg > 0 AS with_kcqg,
       f.funded AND f.approved_kcdp > 0 AS with_kcdp,
       f.implementing_agency_id, x.what, x.deadline, COUNT(*)::integer AS items
  FROM dashboards_figures_expected f
  JOIN (SELECT i.proposal_id, 'finding'::text AS what, r.deadline
          FROM inspections_recommendation r
          JOIN inspections_inspection i ON i.id = r.inspection_id
         WHERE r.status = 'open' AND i.status = 'concluded'
        UNION ALL
        SELECT d.proposal_id, 'flag', NULL
          FROM disbursement_disbursementflag d
         WHERE d.resolved_on IS NULL) x ON x.proposal_id = f.proposal_id
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;

-- Adding changes (jsonb arrays of cells with signed measures) to the tables.
CREATE OR REPLACE FUNCTION dashboards_figuresrollup_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO dashboards_figuresrollup AS r
            (province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
             with_kcdp, implementing_agency_id, status, funded, proposals, inspected,
             compliant, approved_kcqg, approved_kcdp, approved_counterpart, approved_other,
             paid_kcqg, paid_kcdp, paid_counterpart, paid_other)
        SELECT d.* FROM jsonb_to_recordset(changes) AS d(
                   province_id bigint, year integer, program_id bigint,
                   activity_group_id bigint, level text, kind text, with_kcqg boolean,
                   with_kcdp boolean, implementing_agency_id bigint, status text,
                   funded boolean, proposals integer, inspected integer, compliant integer,
                   approved_kcqg bigint, approved_kcdp bigint, approved_counterpart bigint,
                   approved_other bigint, paid_kcqg bigint, paid_kcdp bigint,
                   paid_counterpart bigint, paid_other bigint)
         ORDER BY d.province_id, d.year, d.program_id, d.activity_group_id, d.level, d.kind,
                  d.with_kcqg, d.with_kcdp, d.implementing_agency_id, d.status, d.funded
        ON CONFLICT ON CONSTRAINT figures_rollup_cell DO UPDATE SET
            proposals = r.proposals + EXCLUDED.proposals,
            inspected = r.inspected + EXCLUDED.inspected,
            compliant = r.compliant + EXCLUDED.compliant,
            approved_kcqg = r.approved_kcqg + EXCLUDED.approved_kcqg,
            approved_kcdp = r.approved_kcdp + EXCLUDED.approved_kcdp,
            approved_counterpart = r.approved_counterpart + EXCLUDED.approved_counterpart,
            approved_other = r.approved_other + EXCLUDED.approved_other,
            paid_kcqg = r.paid_kcqg + EXCLUDED.paid_kcqg,
            paid_kcdp = r.paid_kcdp + EXCLUDED.paid_kcdp,
            paid_counterpart = r.paid_counterpart + EXCLUDED.paid_counterpart,
            paid_other = r.paid_other + EXCLUDED.paid_other
        RETURNING r.id, r.proposals)
    SELECT array_agg(id) INTO emptied FROM up WHERE proposals = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM dashboards_figuresrollup WHERE id = ANY (emptied) AND proposals = 0;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION dashboards_reachrollup_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO dashboards_reachrollup AS r
            (province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
             with_kcdp, beneficiary_id, links)
        SELECT d.* FROM jsonb_to_recordset(changes) AS d(
                   province_id bigint, year integer, program_id bigint,
                   activity_group_id bigint, level text, kind text, with_kcqg boolean,
                   with_kcdp boolean, beneficiary_id bigint, links integer)
         ORDER BY d.province_id, d.year, d.program_id, d.activity_group_id, d.level, d.kind,
                  d.with_kcqg, d.with_kcdp, d.beneficiary_id
        ON CONFLICT ON CONSTRAINT reach_rollup_cell DO UPDATE SET
            links = r.links + EXCLUDED.links
        RETURNING r.id, r.links)
    SELECT array_agg(id) INTO emptied FROM up WHERE links = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM dashboards_reachrollup WHERE id = ANY (emptied) AND links = 0;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION dashboards_outputsrollup_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO dashboards_outputsrollup AS r
            (province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
             with_kcdp, indicator_id, proposals, target, achieved)
        SELECT d.* FROM jsonb_to_recordset(changes) AS d(
                   province_id bigint, year integer, program_id bigint,
                   activity_group_id bigint, level text, kind text, with_kcqg boolean,
                   with_kcdp boolean, indicator_id bigint, proposals integer, target bigint,
                   achieved bigint)
         ORDER BY d.province_id, d.year, d.program_id, d.activity_group_id, d.level, d.kind,
                  d.with_kcqg, d.with_kcdp, d.indicator_id
        ON CONFLICT ON CONSTRAINT outputs_rollup_cell DO UPDATE SET
            proposals = r.proposals + EXCLUDED.proposals,
            target = r.target + EXCLUDED.target,
            achieved = r.achieved + EXCLUDED.achieved
        RETURNING r.id, r.proposals)
    SELECT array_agg(id) INTO emptied FROM up WHERE proposals = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM dashboards_outputsrollup WHERE id = ANY (emptied) AND proposals = 0;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION dashboards_reachprovince_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO dashboards_reachprovince AS r (province_id, beneficiary_id, cells)
        SELECT d.* FROM jsonb_to_recordset(changes)
                   AS d(province_id bigint, beneficiary_id bigint, cells integer)
         ORDER BY d.province_id, d.beneficiary_id
        ON CONFLICT ON CONSTRAINT reach_province_cell DO UPDATE SET
            cells = r.cells + EXCLUDED.cells
        RETURNING r.id, r.cells)
    SELECT array_agg(id) INTO emptied FROM up WHERE cells = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM dashboards_reachprovince WHERE id = ANY (emptied) AND cells = 0;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION dashboards_reachtotal_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO dashboards_reachtotal AS r (beneficiary_id, provinces)
        SELECT d.* FROM jsonb_to_recordset(changes) AS d(beneficiary_id bigint, provinces integer)
         ORDER BY d.beneficiary_id
        ON CONFLICT (beneficiary_id) DO UPDATE SET provinces = r.provinces + EXCLUDED.provinces
        RETURNING r.beneficiary_id, r.provinces)
    SELECT array_agg(beneficiary_id) INTO emptied FROM up WHERE provinces = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM dashboards_reachtotal WHERE beneficiary_id = ANY (emptied) AND provinces = 0;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION dashboards_findingsrollup_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE emptied bigint[];
BEGIN
    WITH up AS (
        INSERT INTO dashboards_findingsrollup AS r
            (province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
             with_kcdp, implementing_agency_id, what, deadline, items)
        SELECT d.* FROM jsonb_to_recordset(changes) AS d(
                   province_id bigint, year integer, program_id bigint,
                   activity_group_id bigint, level text, kind text, with_kcqg boolean,
                   with_kcdp boolean, implementing_agency_id bigint, what text, deadline date,
                   items integer)
         ORDER BY d.province_id, d.year, d.program_id, d.activity_group_id, d.level, d.kind,
                  d.with_kcqg, d.with_kcdp, d.implementing_agency_id, d.what, d.deadline
        ON CONFLICT ON CONSTRAINT findings_rollup_cell DO UPDATE SET
            items = r.items + EXCLUDED.items
        RETURNING r.id, r.items)
    SELECT array_agg(id) INTO emptied FROM up WHERE items = 0;
    IF emptied IS NOT NULL THEN
        DELETE FROM dashboards_findingsrollup WHERE id = ANY (emptied) AND items = 0;
    END IF;
END $$;


-- A statement on dashboards_proposalfigures: its rows' changes to the rollups. The
-- transition tables are read through EXECUTE, so one text serves inserts, updates and
-- deletes: c is the statement's rows with their sign.
CREATE OR REPLACE FUNCTION dashboards_rollups_from_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.* FROM new_rows n UNION ALL SELECT -1, o.* FROM old_rows o'
    END;
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT c.province_id, c.year, c.program_id, c.activity_group_id, c.level, c.kind,
                   c.funded AND c.approved_kcqg > 0 AS with_kcqg,
                   c.funded AND c.approved_kcdp > 0 AS with_kcdp,
                   c.implementing_agency_id, c.status, c.funded,
                   SUM(c.sign) AS proposals,
                   SUM(CASE WHEN c.compliance <> 'not_inspected' THEN c.sign ELSE 0 END)
                       AS inspected,
                   SUM(CASE WHEN c.compliance = 'compliant' THEN c.sign ELSE 0 END)
                       AS compliant,
                   SUM(c.sign * c.approved_kcqg) AS approved_kcqg,
                   SUM(c.sign * c.approved_kcdp) AS approved_kcdp,
                   SUM(c.sign * c.approved_counterpart) AS approved_counterpart,
                   SUM(c.sign * c.approved_other) AS approved_other,
                   SUM(c.sign * c.paid_kcqg) AS paid_kcqg,
                   SUM(c.sign * c.paid_kcdp) AS paid_kcdp,
                   SUM(c.sign * c.paid_counterpart) AS paid_counterpart,
                   SUM(c.sign * c.paid_other) AS paid_other
              FROM c
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
            HAVING SUM(c.sign) <> 0
                OR SUM(CASE WHEN c.compliance <> 'not_inspected' THEN c.sign ELSE 0 END) <> 0
                OR SUM(CASE WHEN c.compliance = 'compliant' THEN c.sign ELSE 0 END) <> 0
                OR SUM(c.sign * c.approved_kcqg) <> 0 OR SUM(c.sign * c.approved_kcdp) <> 0
                OR SUM(c.sign * c.approved_counterpart) <> 0
                OR SUM(c.sign * c.approved_other) <> 0
                OR SUM(c.sign * c.paid_kcqg) <> 0 OR SUM(c.sign * c.paid_kcdp) <> 0
                OR SUM(c.sign * c.paid_counterpart) <> 0 OR SUM(c.sign * c.paid_other) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_figuresrollup_add(changes);
    END IF;

    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT c.province_id, c.year, c.program_id, c.activity_group_id, c.level, c.kind,
                   c.approved_kcqg > 0 AS with_kcqg, c.approved_kcdp > 0 AS with_kcdp,
                   l.beneficiary_id, SUM(c.sign) AS links
              FROM c JOIN projects_proposalbeneficiary l ON l.proposal_id = c.proposal_id
             WHERE c.funded
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            HAVING SUM(c.sign) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_reachrollup_add(changes);
    END IF;

    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT c.province_id, c.year, c.program_id, c.activity_group_id, c.level, c.kind,
                   c.approved_kcqg > 0 AS with_kcqg, c.approved_kcdp > 0 AS with_kcdp,
                   o.indicator_id, SUM(c.sign) AS proposals,
                   SUM(c.sign * o.target_value) AS target,
                   SUM(c.sign * COALESCE(o.achieved_value, 0)) AS achieved
              FROM c JOIN projects_proposaloutput o ON o.proposal_id = c.proposal_id
             WHERE c.funded
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            HAVING SUM(c.sign) <> 0 OR SUM(c.sign * o.target_value) <> 0
                OR SUM(c.sign * COALESCE(o.achieved_value, 0)) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_outputsrollup_add(changes);
    END IF;

    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT c.province_id, c.year, c.program_id, c.activity_group_id, c.level, c.kind,
                   c.funded AND c.approved_kcqg > 0 AS with_kcqg,
                   c.funded AND c.approved_kcdp > 0 AS with_kcdp,
                   c.implementing_agency_id, x.what, x.deadline, SUM(c.sign) AS items
              FROM c
              JOIN (SELECT i.proposal_id, 'finding'::text AS what, r.deadline
                      FROM inspections_recommendation r
                      JOIN inspections_inspection i ON i.id = r.inspection_id
                     WHERE r.status = 'open' AND i.status = 'concluded'
                       AND i.proposal_id IN (SELECT proposal_id FROM c)
                    UNION ALL
                    SELECT d.proposal_id, 'flag', NULL
                      FROM disbursement_disbursementflag d
                     WHERE d.resolved_on IS NULL
                       AND d.proposal_id IN (SELECT proposal_id FROM c)) x
                ON x.proposal_id = c.proposal_id
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
            HAVING SUM(c.sign) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_findingsrollup_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on a đề án's establishments: their links, counted in the cell of their đề
-- án's figures row when it is funded.
CREATE OR REPLACE FUNCTION dashboards_rollups_from_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.proposal_id, n.beneficiary_id FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.proposal_id, o.beneficiary_id FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.proposal_id, n.beneficiary_id FROM new_rows n
              UNION ALL SELECT -1, o.proposal_id, o.beneficiary_id FROM old_rows o'
    END;
    EXECUTE format($q$
        SELECT 1 FROM dashboards_proposalfigures
         WHERE proposal_id IN (SELECT proposal_id FROM (%s) c)
         ORDER BY proposal_id FOR SHARE $q$, signed);
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
                   f.approved_kcqg > 0 AS with_kcqg, f.approved_kcdp > 0 AS with_kcdp,
                   c.beneficiary_id, SUM(c.sign) AS links
              FROM c JOIN dashboards_proposalfigures f ON f.proposal_id = c.proposal_id
             WHERE f.funded
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            HAVING SUM(c.sign) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_reachrollup_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on a đề án's outputs: counted in the cell of their đề án when it is funded.
CREATE OR REPLACE FUNCTION dashboards_rollups_from_outputs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.* FROM new_rows n UNION ALL SELECT -1, o.* FROM old_rows o'
    END;
    EXECUTE format($q$
        SELECT 1 FROM dashboards_proposalfigures
         WHERE proposal_id IN (SELECT proposal_id FROM (%s) c)
         ORDER BY proposal_id FOR SHARE $q$, signed);
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
                   f.approved_kcqg > 0 AS with_kcqg, f.approved_kcdp > 0 AS with_kcdp,
                   c.indicator_id, SUM(c.sign) AS proposals,
                   SUM(c.sign * c.target_value) AS target,
                   SUM(c.sign * COALESCE(c.achieved_value, 0)) AS achieved
              FROM c JOIN dashboards_proposalfigures f ON f.proposal_id = c.proposal_id
             WHERE f.funded
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            HAVING SUM(c.sign) <> 0 OR SUM(c.sign * c.target_value) <> 0
                OR SUM(c.sign * COALESCE(c.achieved_value, 0)) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_outputsrollup_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on dashboards_reachrollup: a cell that appears or disappears adds or removes
-- one from its (province, establishment) row.
CREATE OR REPLACE FUNCTION dashboards_reachprovince_from_cells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.province_id, n.beneficiary_id FROM new_rows n'
        ELSE 'SELECT -1 AS sign, o.province_id, o.beneficiary_id FROM old_rows o'
    END;
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT c.province_id, c.beneficiary_id, SUM(c.sign) AS cells
              FROM c GROUP BY 1, 2 HAVING SUM(c.sign) <> 0) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_reachprovince_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on dashboards_reachprovince: a province that appears or disappears for an
-- establishment adds or removes one from its total row.
CREATE OR REPLACE FUNCTION dashboards_reachtotal_from_provinces() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.beneficiary_id FROM new_rows n'
        ELSE 'SELECT -1 AS sign, o.beneficiary_id FROM old_rows o'
    END;
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT c.beneficiary_id, SUM(c.sign) AS provinces
              FROM c GROUP BY 1 HAVING SUM(c.sign) <> 0) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_reachtotal_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on recommendations: the open ones of concluded inspections, counted in the
-- cell of their đề án's figures row.
CREATE OR REPLACE FUNCTION dashboards_findings_from_recommendations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.inspection_id, n.status, n.deadline FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.inspection_id, o.status, o.deadline FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.inspection_id, n.status, n.deadline FROM new_rows n
              UNION ALL SELECT -1, o.inspection_id, o.status, o.deadline FROM old_rows o'
    END;
    EXECUTE format($q$
        SELECT 1 FROM inspections_inspection
         WHERE id IN (SELECT inspection_id FROM (%s) c) ORDER BY id FOR SHARE $q$, signed);
    EXECUTE format($q$
        SELECT 1 FROM dashboards_proposalfigures
         WHERE proposal_id IN (SELECT i.proposal_id FROM inspections_inspection i
                                WHERE i.id IN (SELECT inspection_id FROM (%s) c))
         ORDER BY proposal_id FOR SHARE $q$, signed);
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
                   f.funded AND f.approved_kcqg > 0 AS with_kcqg,
                   f.funded AND f.approved_kcdp > 0 AS with_kcdp,
                   f.implementing_agency_id, 'finding' AS what, c.deadline,
                   SUM(c.sign) AS items
              FROM c
              JOIN inspections_inspection i ON i.id = c.inspection_id
              JOIN dashboards_proposalfigures f ON f.proposal_id = i.proposal_id
             WHERE c.status = 'open' AND i.status = 'concluded'
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
            HAVING SUM(c.sign) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_findingsrollup_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on inspections: the open recommendations of those concluded (before, after),
-- counted in the cell of the inspected đề án.
CREATE OR REPLACE FUNCTION dashboards_findings_from_inspections() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.id, n.proposal_id, n.status FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.id, o.proposal_id, o.status FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.id, n.proposal_id, n.status FROM new_rows n
              UNION ALL SELECT -1, o.id, o.proposal_id, o.status FROM old_rows o'
    END;
    EXECUTE format($q$
        SELECT 1 FROM dashboards_proposalfigures
         WHERE proposal_id IN (SELECT proposal_id FROM (%s) c)
         ORDER BY proposal_id FOR SHARE $q$, signed);
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
                   f.funded AND f.approved_kcqg > 0 AS with_kcqg,
                   f.funded AND f.approved_kcdp > 0 AS with_kcdp,
                   f.implementing_agency_id, 'finding' AS what, r.deadline,
                   SUM(c.sign) AS items
              FROM c
              JOIN inspections_recommendation r ON r.inspection_id = c.id
              JOIN dashboards_proposalfigures f ON f.proposal_id = c.proposal_id
             WHERE r.status = 'open' AND c.status = 'concluded'
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
            HAVING SUM(c.sign) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_findingsrollup_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- A statement on the disbursement job's flags: the open ones, in their đề án's cell.
CREATE OR REPLACE FUNCTION dashboards_findings_from_flags() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    signed text;
    changes jsonb;
BEGIN
    signed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.proposal_id, n.resolved_on FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.proposal_id, o.resolved_on FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.proposal_id, n.resolved_on FROM new_rows n
              UNION ALL SELECT -1, o.proposal_id, o.resolved_on FROM old_rows o'
    END;
    EXECUTE format($q$
        SELECT 1 FROM dashboards_proposalfigures
         WHERE proposal_id IN (SELECT proposal_id FROM (%s) c)
         ORDER BY proposal_id FOR SHARE $q$, signed);
    EXECUTE format($q$
        WITH c AS (%s)
        SELECT jsonb_agg(to_jsonb(d)) FROM (
            SELECT f.province_id, f.year, f.program_id, f.activity_group_id, f.level, f.kind,
                   f.funded AND f.approved_kcqg > 0 AS with_kcqg,
                   f.funded AND f.approved_kcdp > 0 AS with_kcdp,
                   f.implementing_agency_id, 'flag' AS what, NULL::date AS deadline,
                   SUM(c.sign) AS items
              FROM c JOIN dashboards_proposalfigures f ON f.proposal_id = c.proposal_id
             WHERE c.resolved_on IS NULL
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            HAVING SUM(c.sign) <> 0
        ) d $q$, signed) INTO changes;
    IF changes IS NOT NULL THEN
        PERFORM dashboards_findingsrollup_add(changes);
    END IF;
    RETURN NULL;
END $$;

-- Every rollup rewritten from its definition (after a bulk load with triggers off).
CREATE OR REPLACE FUNCTION dashboards_rollups_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    DELETE FROM dashboards_figuresrollup;
    INSERT INTO dashboards_figuresrollup
        (province_id, year, program_id, activity_group_id, level, kind, with_kcqg, with_kcdp,
         implementing_agency_id, status, funded, proposals, inspected, compliant,
         approved_kcqg, approved_kcdp, approved_counterpart, approved_other, paid_kcqg,
         paid_kcdp, paid_counterpart, paid_other)
    SELECT province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
           with_kcdp, implementing_agency_id, status, funded, proposals, inspected, compliant,
           approved_kcqg, approved_kcdp, approved_counterpart, approved_other, paid_kcqg,
           paid_kcdp, paid_counterpart, paid_other
      FROM dashboards_figuresrollup_expected;
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM dashboards_reachrollup;
    INSERT INTO dashboards_reachrollup
        (province_id, year, program_id, activity_group_id, level, kind, with_kcqg, with_kcdp,
         beneficiary_id, links)
    SELECT province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
           with_kcdp, beneficiary_id, links
      FROM dashboards_reachrollup_expected;
    DELETE FROM dashboards_outputsrollup;
    INSERT INTO dashboards_outputsrollup
        (province_id, year, program_id, activity_group_id, level, kind, with_kcqg, with_kcdp,
         indicator_id, proposals, target, achieved)
    SELECT province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
           with_kcdp, indicator_id, proposals, target, achieved
      FROM dashboards_outputsrollup_expected;
    -- The coarse establishment tables follow the cells by trigger; rewritten here as well.
    DELETE FROM dashboards_reachprovince;
    DELETE FROM dashboards_reachtotal;
    INSERT INTO dashboards_reachprovince (province_id, beneficiary_id, cells)
    SELECT province_id, beneficiary_id, cells FROM dashboards_reachprovince_expected;
    DELETE FROM dashboards_reachtotal;
    INSERT INTO dashboards_reachtotal (beneficiary_id, provinces)
    SELECT beneficiary_id, provinces FROM dashboards_reachtotal_expected;
    DELETE FROM dashboards_findingsrollup;
    INSERT INTO dashboards_findingsrollup
        (province_id, year, program_id, activity_group_id, level, kind, with_kcqg, with_kcdp,
         implementing_agency_id, what, deadline, items)
    SELECT province_id, year, program_id, activity_group_id, level, kind, with_kcqg,
           with_kcdp, implementing_agency_id, what, deadline, items
      FROM dashboards_findingsrollup_expected;
    RETURN n;
END $$;

DROP TRIGGER IF EXISTS dashboards_rollups_figures_insert ON dashboards_proposalfigures;
CREATE TRIGGER dashboards_rollups_figures_insert AFTER INSERT ON dashboards_proposalfigures
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_figures();

DROP TRIGGER IF EXISTS dashboards_rollups_figures_update ON dashboards_proposalfigures;
CREATE TRIGGER dashboards_rollups_figures_update AFTER UPDATE ON dashboards_proposalfigures
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_figures();

DROP TRIGGER IF EXISTS dashboards_rollups_figures_delete ON dashboards_proposalfigures;
CREATE TRIGGER dashboards_rollups_figures_delete AFTER DELETE ON dashboards_proposalfigures
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_figures();

DROP TRIGGER IF EXISTS dashboards_rollups_links_insert ON projects_proposalbeneficiary;
CREATE TRIGGER dashboards_rollups_links_insert AFTER INSERT ON projects_proposalbeneficiary
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_links();

DROP TRIGGER IF EXISTS dashboards_rollups_links_update ON projects_proposalbeneficiary;
CREATE TRIGGER dashboards_rollups_links_update AFTER UPDATE ON projects_proposalbeneficiary
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_links();

DROP TRIGGER IF EXISTS dashboards_rollups_links_delete ON projects_proposalbeneficiary;
CREATE TRIGGER dashboards_rollups_links_delete AFTER DELETE ON projects_proposalbeneficiary
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_links();

DROP TRIGGER IF EXISTS dashboards_rollups_outputs_insert ON projects_proposaloutput;
CREATE TRIGGER dashboards_rollups_outputs_insert AFTER INSERT ON projects_proposaloutput
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_outputs();

DROP TRIGGER IF EXISTS dashboards_rollups_outputs_update ON projects_proposaloutput;
CREATE TRIGGER dashboards_rollups_outputs_update AFTER UPDATE ON projects_proposaloutput
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_outputs();

DROP TRIGGER IF EXISTS dashboards_rollups_outputs_delete ON projects_proposaloutput;
CREATE TRIGGER dashboards_rollups_outputs_delete AFTER DELETE ON projects_proposaloutput
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_rollups_from_outputs();

DROP TRIGGER IF EXISTS dashboards_rollups_reach_insert ON dashboards_reachrollup;
CREATE TRIGGER dashboards_rollups_reach_insert AFTER INSERT ON dashboards_reachrollup
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_reachprovince_from_cells();

DROP TRIGGER IF EXISTS dashboards_rollups_reach_delete ON dashboards_reachrollup;
CREATE TRIGGER dashboards_rollups_reach_delete AFTER DELETE ON dashboards_reachrollup
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_reachprovince_from_cells();

DROP TRIGGER IF EXISTS dashboards_rollups_reachprovince_insert ON dashboards_reachprovince;
CREATE TRIGGER dashboards_rollups_reachprovince_insert AFTER INSERT ON dashboards_reachprovince
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_reachtotal_from_provinces();

DROP TRIGGER IF EXISTS dashboards_rollups_reachprovince_delete ON dashboards_reachprovince;
CREATE TRIGGER dashboards_rollups_reachprovince_delete AFTER DELETE ON dashboards_reachprovince
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_reachtotal_from_provinces();

DROP TRIGGER IF EXISTS dashboards_rollups_recommendations_insert ON inspections_recommendation;
CREATE TRIGGER dashboards_rollups_recommendations_insert AFTER INSERT ON inspections_recommendation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_recommendations();

DROP TRIGGER IF EXISTS dashboards_rollups_recommendations_update ON inspections_recommendation;
CREATE TRIGGER dashboards_rollups_recommendations_update AFTER UPDATE ON inspections_recommendation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_recommendations();

DROP TRIGGER IF EXISTS dashboards_rollups_recommendations_delete ON inspections_recommendation;
CREATE TRIGGER dashboards_rollups_recommendations_delete AFTER DELETE ON inspections_recommendation
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_recommendations();

DROP TRIGGER IF EXISTS dashboards_rollups_inspections_insert ON inspections_inspection;
CREATE TRIGGER dashboards_rollups_inspections_insert AFTER INSERT ON inspections_inspection
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_inspections();

DROP TRIGGER IF EXISTS dashboards_rollups_inspections_update ON inspections_inspection;
CREATE TRIGGER dashboards_rollups_inspections_update AFTER UPDATE ON inspections_inspection
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_inspections();

DROP TRIGGER IF EXISTS dashboards_rollups_inspections_delete ON inspections_inspection;
CREATE TRIGGER dashboards_rollups_inspections_delete AFTER DELETE ON inspections_inspection
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_inspections();

DROP TRIGGER IF EXISTS dashboards_rollups_flags_insert ON disbursement_disbursementflag;
CREATE TRIGGER dashboards_rollups_flags_insert AFTER INSERT ON disbursement_disbursementflag
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_flags();

DROP TRIGGER IF EXISTS dashboards_rollups_flags_update ON disbursement_disbursementflag;
CREATE TRIGGER dashboards_rollups_flags_update AFTER UPDATE ON disbursement_disbursementflag
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_flags();

DROP TRIGGER IF EXISTS dashboards_rollups_flags_delete ON disbursement_disbursementflag;
CREATE TRIGGER dashboards_rollups_flags_delete AFTER DELETE ON disbursement_disbursementflag
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_findings_from_flags();

-- The rows follow the definitions above: rewritten whenever this file is installed.
SELECT dashboards_rollups_rebuild();
