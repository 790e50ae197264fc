"""The money rules of a đề án, in the database for every writer (deferred constraint
triggers, checked at commit; plain PL/pgSQL, no extension needed):

per đề án and funding source, paid ≤ contracted (active contract) ≤ approved; accepted ≤
contracted; settled ≤ accepted; a paid tranche needs an approved đề án; a settlement needs
an acceptance, and so does a settlement payment. Deleting rows is checked too.

History: the current definition lives in disbursement/sql/money_rules.sql, installed by the
migrations `manage.py makesqlmigrations` generates from it (README, "Rules in the
database")."""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION disbursement_check_proposal(pid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p record; c record; a record; s record; paid record; src text;
BEGIN
    SELECT * INTO p FROM projects_proposal WHERE id = pid;
    IF NOT FOUND THEN RETURN; END IF;
    SELECT * INTO c FROM disbursement_contract WHERE proposal_id = pid AND active;
    SELECT COALESCE(SUM(amount) FILTER (WHERE source = 'kcqg'), 0) AS kcqg,
           COALESCE(SUM(amount) FILTER (WHERE source = 'kcdp'), 0) AS kcdp,
           COALESCE(SUM(amount) FILTER (WHERE source = 'counterpart'), 0) AS counterpart,
           COALESCE(SUM(amount) FILTER (WHERE source = 'other'), 0) AS other,
           COUNT(*) AS n
      INTO paid
      FROM disbursement_tranche WHERE proposal_id = pid AND status IN ('paid', 'reversed');
    IF c.id IS NOT NULL THEN
        IF c.kcqg > p.approved_kcqg OR c.kcdp > p.approved_kcdp
           OR c.counterpart > p.approved_counterpart OR c.other > p.approved_other THEN
            RAISE EXCEPTION 'contract of proposal % exceeds the approved amounts', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'contracted_within_approved';
        END IF;
    END IF;
    IF paid.n > 0 THEN
        IF c.id IS NULL THEN
            RAISE EXCEPTION 'proposal % has payments but no contract in force', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'paid_needs_contract';
        END IF;
        IF p.status NOT IN ('approved', 'amending', 'in_implementation', 'accepted', 'settled', 'closed') THEN
            RAISE EXCEPTION 'proposal % is not approved', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'paid_needs_approval';
        END IF;
        IF paid.kcqg > c.kcqg OR paid.kcdp > c.kcdp
           OR paid.counterpart > c.counterpart OR paid.other > c.other THEN
            RAISE EXCEPTION 'payments of proposal % exceed the contract', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'paid_within_contracted';
        END IF;
    END IF;
    SELECT * INTO a FROM disbursement_acceptance WHERE proposal_id = pid;
    IF NOT FOUND AND EXISTS (
        SELECT 1 FROM disbursement_tranche
         WHERE proposal_id = pid AND kind = 'settlement' AND status IN ('paid', 'reversed')
    ) THEN
        RAISE EXCEPTION 'proposal % has a settlement payment before its acceptance', pid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_payment_needs_acceptance';
    END IF;
    IF FOUND AND c.id IS NOT NULL AND (a.kcqg > c.kcqg OR a.kcdp > c.kcdp
           OR a.counterpart > c.counterpart OR a.other > c.other) THEN
        RAISE EXCEPTION 'acceptance of proposal % exceeds the contract', pid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'accepted_within_contracted';
    END IF;
    SELECT * INTO s FROM disbursement_settlement WHERE proposal_id = pid;
    IF FOUND THEN
        IF a.id IS NULL THEN
            RAISE EXCEPTION 'proposal % is settled without acceptance', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_needs_acceptance';
        END IF;
        IF s.kcqg > a.kcqg OR s.kcdp > a.kcdp OR s.counterpart > a.counterpart OR s.other > a.other THEN
            RAISE EXCEPTION 'settlement of proposal % exceeds the accepted amounts', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'settled_within_accepted';
        END IF;
    END IF;
END $$;

CREATE FUNCTION disbursement_check_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'projects_proposal' THEN
        PERFORM disbursement_check_proposal(COALESCE(NEW.id, OLD.id));
    ELSE
        PERFORM disbursement_check_proposal(COALESCE(NEW.proposal_id, OLD.proposal_id));
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER tranche_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_tranche
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
CREATE CONSTRAINT TRIGGER contract_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_contract
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
CREATE CONSTRAINT TRIGGER acceptance_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_acceptance
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
CREATE CONSTRAINT TRIGGER settlement_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_settlement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
CREATE CONSTRAINT TRIGGER proposal_money_rules AFTER UPDATE ON projects_proposal
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS proposal_money_rules ON projects_proposal;
DROP TRIGGER IF EXISTS settlement_money_rules ON disbursement_settlement;
DROP TRIGGER IF EXISTS acceptance_money_rules ON disbursement_acceptance;
DROP TRIGGER IF EXISTS contract_money_rules ON disbursement_contract;
DROP TRIGGER IF EXISTS tranche_money_rules ON disbursement_tranche;
DROP FUNCTION IF EXISTS disbursement_check_trigger();
DROP FUNCTION IF EXISTS disbursement_check_proposal(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("disbursement", "0001_initial"), ("projects", "0003_proposal_title_folded")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
