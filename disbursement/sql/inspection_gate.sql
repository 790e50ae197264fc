-- Rule: a tranche that requires an inspection (requires_inspection) becomes paid only while
-- its đề án's compliance is "compliant". Once any tranche of a đề án has required it, every
-- payment of that đề án does (so the requirement cannot be dropped by rejecting the tranche
-- and recording the money again without it), and a tranche's requirement is never removed.
-- Guards: disbursement_tranche (insert, update), the model disbursement.Tranche; reads
-- projects_proposal.compliance.
--
-- For every writer, not only disbursement.services (which checks it first and says why in
-- Vietnamese). Checked when the row is written (BEFORE INSERT OR UPDATE): inserted as paid,
-- or moved to paid from another status. The đề án row is read FOR SHARE, so a conclusion
-- that changes the compliance waits for this transaction (and the other way round). The
-- error is a check_violation named paid_needs_compliant_inspection.
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION disbursement_tranche_inspection_gate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.requires_inspection AND NOT NEW.requires_inspection THEN
        RAISE EXCEPTION 'the inspection requirement of tranche % cannot be removed', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'paid_needs_compliant_inspection';
    END IF;
    IF NEW.status = 'paid'
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'paid')
       AND (NEW.requires_inspection OR EXISTS (
            SELECT 1 FROM disbursement_tranche t
             WHERE t.proposal_id = NEW.proposal_id AND t.requires_inspection
               AND t.id IS DISTINCT FROM NEW.id)) THEN
        SELECT compliance INTO state FROM projects_proposal WHERE id = NEW.proposal_id FOR SHARE;
        IF state IS DISTINCT FROM 'compliant' THEN
            RAISE EXCEPTION 'tranche of proposal % requires a compliant inspection before payment (compliance: %)',
                NEW.proposal_id, COALESCE(state, 'none')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'paid_needs_compliant_inspection';
        END IF;
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS tranche_inspection_gate ON disbursement_tranche;
CREATE TRIGGER tranche_inspection_gate BEFORE INSERT OR UPDATE ON disbursement_tranche
    FOR EACH ROW EXECUTE FUNCTION disbursement_tranche_inspection_gate();
