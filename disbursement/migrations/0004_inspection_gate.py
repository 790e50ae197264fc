"""A tranche configured to require an inspection (``requires_inspection``) becomes paid
only while its đề án's compliance is "compliant" — for every writer, not only
``disbursement.services`` (which checks it first and says why in Vietnamese).

Checked when the row is written (BEFORE INSERT OR UPDATE): inserted as paid, or moved to
paid from another status. The đề án row is read FOR SHARE, so a conclusion that changes
the compliance waits for this transaction (and the other way round)."""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION disbursement_tranche_inspection_gate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    state text;
BEGIN
    IF NEW.status = 'paid' AND NEW.requires_inspection
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'paid') THEN
        SELECT compliance INTO state FROM projects_proposal WHERE id = NEW.proposal_id FOR SHARE;
        IF state IS DISTINCT FROM 'compliant' THEN
            RAISE EXCEPTION 'tranche of proposal % requires a compliant inspection before payment (compliance: %)',
                NEW.proposal_id, COALESCE(state, 'none')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'paid_needs_compliant_inspection';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER tranche_inspection_gate BEFORE INSERT OR UPDATE ON disbursement_tranche
    FOR EACH ROW EXECUTE FUNCTION disbursement_tranche_inspection_gate();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS tranche_inspection_gate ON disbursement_tranche;
DROP FUNCTION IF EXISTS disbursement_tranche_inspection_gate();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("disbursement", "0003_tranche_requires_inspection"),
        ("projects", "0004_proposal_compliance"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
