"""Installs disbursement/sql/money_rules.sql as it was when ``manage.py makesqlmigrations``
wrote this migration. Not to be edited: the SQL stays as it was, so a later change of the
file never changes history; the current definition is the file (README, "Rules in the
database")."""

from django.db import migrations

from core.sqlrules import InstallSQL

SQL = r"""
-- Rule: the money of a đề án, per funding source: paid ≤ contracted (the contract in force)
-- ≤ approved; accepted ≤ contracted; settled ≤ accepted; the work done in the liquidation
-- (thanh lý) ≤ its contract. A payment needs a contract in force and an approved đề án
-- (projects.models.FUNDED_STATES); a settlement (quyết toán) needs an acceptance (nghiệm
-- thu) and the contract's liquidation, and a settlement payment needs the acceptance.
-- Guards: disbursement_tranche, disbursement_contract, disbursement_acceptance,
-- disbursement_settlement, disbursement_liquidation (insert, update, delete) and
-- projects_proposal (update), the models disbursement.Tranche, Contract, Acceptance,
-- Settlement, Liquidation and projects.Proposal.
--
-- Deferred constraint triggers, checked at commit for every writer (a service writes a
-- contract and its tranches in any order; only the result must hold). Paid money is the sum
-- of the tranches in disbursement.models.PAID_STATES (a reversal is a paid negative record).
-- Each error is a check_violation named after the rule it breaks (an IntegrityError in
-- Django).
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION disbursement_check_proposal(pid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p record; c record; a record; s record; l record; paid record; src text;
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
        IF p.status NOT IN ('approved', 'amending', 'in_implementation', 'accepted', 'stopped', 'closed') THEN
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
    SELECT * INTO l FROM disbursement_liquidation WHERE proposal_id = pid;
    IF FOUND THEN
        SELECT * INTO c FROM disbursement_contract WHERE id = l.contract_id;
        IF l.kcqg > c.kcqg OR l.kcdp > c.kcdp OR l.counterpart > c.counterpart OR l.other > c.other THEN
            RAISE EXCEPTION 'liquidation of proposal % exceeds its contract', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'liquidated_within_contracted';
        END IF;
    END IF;
    SELECT * INTO s FROM disbursement_settlement WHERE proposal_id = pid;
    IF FOUND THEN
        IF l.id IS NULL THEN
            RAISE EXCEPTION 'proposal % is settled before its contract is liquidated', pid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_needs_liquidation';
        END IF;
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

CREATE OR REPLACE FUNCTION disbursement_check_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'projects_proposal' THEN
        PERFORM disbursement_check_proposal(COALESCE(NEW.id, OLD.id));
    ELSE
        PERFORM disbursement_check_proposal(COALESCE(NEW.proposal_id, OLD.proposal_id));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS tranche_money_rules ON disbursement_tranche;
CREATE CONSTRAINT TRIGGER tranche_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_tranche
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS contract_money_rules ON disbursement_contract;
CREATE CONSTRAINT TRIGGER contract_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_contract
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS acceptance_money_rules ON disbursement_acceptance;
CREATE CONSTRAINT TRIGGER acceptance_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_acceptance
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS settlement_money_rules ON disbursement_settlement;
CREATE CONSTRAINT TRIGGER settlement_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_settlement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS liquidation_money_rules ON disbursement_liquidation;
CREATE CONSTRAINT TRIGGER liquidation_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_liquidation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS proposal_money_rules ON projects_proposal;
CREATE CONSTRAINT TRIGGER proposal_money_rules AFTER UPDATE ON projects_proposal
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
"""

# Reverse: the previous version (0006_sql_money_rules), after dropping what this one adds.
REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS liquidation_money_rules ON disbursement_liquidation;
-- Rule: the money of a đề án, per funding source: paid ≤ contracted (the contract in force)
-- ≤ approved; accepted ≤ contracted; settled ≤ accepted. A payment needs a contract in force
-- and an approved đề án (projects.models.FUNDED_STATES); a settlement (quyết toán) needs an
-- acceptance (nghiệm thu), and so does a settlement payment.
-- Guards: disbursement_tranche, disbursement_contract, disbursement_acceptance,
-- disbursement_settlement (insert, update, delete) and projects_proposal (update), the models
-- disbursement.Tranche, Contract, Acceptance, Settlement and projects.Proposal.
--
-- Deferred constraint triggers, checked at commit for every writer (a service writes a
-- contract and its tranches in any order; only the result must hold). Paid money is the sum
-- of the tranches in disbursement.models.PAID_STATES (a reversal is a paid negative record).
-- Each error is a check_violation named after the rule it breaks (an IntegrityError in
-- Django).
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION disbursement_check_proposal(pid bigint) RETURNS void LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION disbursement_check_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'projects_proposal' THEN
        PERFORM disbursement_check_proposal(COALESCE(NEW.id, OLD.id));
    ELSE
        PERFORM disbursement_check_proposal(COALESCE(NEW.proposal_id, OLD.proposal_id));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS tranche_money_rules ON disbursement_tranche;
CREATE CONSTRAINT TRIGGER tranche_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_tranche
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS contract_money_rules ON disbursement_contract;
CREATE CONSTRAINT TRIGGER contract_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_contract
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS acceptance_money_rules ON disbursement_acceptance;
CREATE CONSTRAINT TRIGGER acceptance_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_acceptance
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS settlement_money_rules ON disbursement_settlement;
CREATE CONSTRAINT TRIGGER settlement_money_rules AFTER INSERT OR UPDATE OR DELETE ON disbursement_settlement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();

DROP TRIGGER IF EXISTS proposal_money_rules ON projects_proposal;
CREATE CONSTRAINT TRIGGER proposal_money_rules AFTER UPDATE ON projects_proposal
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION disbursement_check_trigger();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("disbursement", "0008_sql_advance_limits"),
        ("projects", "0006_stopped_status"),
    ]

    operations = [InstallSQL("money_rules.sql", SQL, REVERSE_SQL)]
