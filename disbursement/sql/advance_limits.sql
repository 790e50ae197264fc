-- Rule: the advances (tạm ứng) of a đề án from one khuyến công source stay within the
-- advance limit in force (programs_advancelimit, programs.rules.advance_limit): the sum of
-- its advances not rejected nor reversed ≤ the rule's percent of the contract in force for
-- that source, rounded down to the đồng; and where the rule asks for it, an advance exists
-- only once the latest progress report (disbursement_progressreport) shows more than half
-- of the work done (Thông tư 36/2013/TT-BCT). KCQG follows the national rules, KCĐP the
-- local ones (the province's own first); the đề án's activity before its group, a group's
-- before the rule for every other activity, the latest start first. No rule: the contract
-- alone limits it here (the services also apply DISBURSEMENT_ADVANCE_MAX_SHARE).
-- Guards: disbursement_tranche (insert, update), the model disbursement.Tranche.
--
-- A deferred constraint trigger, checked at commit for every writer; the day a rule is
-- read for is the payment date of the tranche, or today for one not paid.
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION disbursement_check_advance(pid bigint, src text, on_day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p record; r record; lvl text; advanced bigint; contracted bigint; done integer;
BEGIN
    IF src = 'kcqg' THEN
        lvl := 'national';
    ELSIF src = 'kcdp' THEN
        lvl := 'local';
    ELSE
        RETURN;
    END IF;
    SELECT pr.id, pr.province_id, pr.activity_id, a.parent_id INTO p
      FROM projects_proposal pr JOIN programs_activity a ON a.id = pr.activity_id
     WHERE pr.id = pid;
    IF NOT FOUND THEN RETURN; END IF;
    -- The contracted amount of this source (lvl tells KCQG from KCĐP).
    SELECT CASE WHEN lvl = 'national' THEN kcqg ELSE kcdp END INTO contracted
      FROM disbursement_contract WHERE proposal_id = pid AND active;
    IF NOT FOUND THEN RETURN; END IF;
    SELECT l.percent, l.requires_more_than_half_done INTO r
      FROM programs_advancelimit l
     WHERE l.level = lvl AND l.valid_from <= on_day
       AND (l.valid_to IS NULL OR l.valid_to >= on_day)
       AND (l.activity_id = p.activity_id OR l.activity_id = p.parent_id OR l.activity_id IS NULL)
       AND (l.province_id IS NULL OR l.province_id = p.province_id)
     ORDER BY CASE WHEN l.activity_id = p.activity_id THEN 0
                   WHEN l.activity_id = p.parent_id THEN 1 ELSE 2 END,
              (l.province_id IS NULL), l.valid_from DESC
     LIMIT 1;
    IF NOT FOUND THEN RETURN; END IF;
    SELECT COALESCE(SUM(amount), 0) INTO advanced FROM disbursement_tranche
     WHERE proposal_id = pid AND source = src AND kind = 'advance'
       AND status <> 'rejected' AND status <> 'reversed';
    IF advanced = 0 THEN RETURN; END IF;
    IF advanced > floor(contracted * r.percent / 100) THEN
        RAISE EXCEPTION 'advances of proposal % from % exceed % %% of the contract', pid, src, r.percent
            USING ERRCODE = 'check_violation', CONSTRAINT = 'advance_within_limit';
    END IF;
    IF r.requires_more_than_half_done THEN
        SELECT percent_done INTO done FROM disbursement_progressreport
         WHERE proposal_id = pid ORDER BY reported_on DESC, id DESC LIMIT 1;
        IF done IS NULL OR done <= 50 THEN
            RAISE EXCEPTION 'advance of proposal % before more than half of the work is done', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'advance_needs_half_done';
        END IF;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION disbursement_advance_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'advance' THEN
        PERFORM disbursement_check_advance(NEW.proposal_id, NEW.source, COALESCE(NEW.paid_on, current_date));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS tranche_advance_limit ON disbursement_tranche;
CREATE CONSTRAINT TRIGGER tranche_advance_limit AFTER INSERT OR UPDATE ON disbursement_tranche
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_advance_trigger();
