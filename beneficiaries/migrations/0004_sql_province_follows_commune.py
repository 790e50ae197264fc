"""Installs beneficiaries/sql/province_follows_commune.sql as it was when ``manage.py
makesqlmigrations`` wrote this migration. Not to be edited: the SQL stays as it was, so a
later change of the file never changes history; the current definition is the file (README,
"Rules in the database")."""

from django.db import migrations

from core.sqlrules import InstallSQL

SQL = r"""
-- Rule: the province of an establishment (cơ sở CNNT) is its commune's province; the column
-- is a copy kept for scoping and filters.
-- Guards: beneficiaries_beneficiary (insert, update of province_id or commune_id), the model
-- beneficiaries.Beneficiary; reads reference_commune.
--
-- A CHECK constraint cannot look at another table, so a trigger refuses a row whose province
-- differs from its commune's; it raises SQLSTATE 23514 (check_violation), which Django
-- reports as an IntegrityError, like the other constraints.
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION beneficiaries_province_follows_commune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.province_id IS DISTINCT FROM
       (SELECT province_id FROM reference_commune WHERE id = NEW.commune_id) THEN
        RAISE EXCEPTION 'beneficiary % : province % is not the province of commune %',
            NEW.id, NEW.province_id, NEW.commune_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'beneficiary_province_follows_commune';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS beneficiary_province_follows_commune ON beneficiaries_beneficiary;
CREATE TRIGGER beneficiary_province_follows_commune
    BEFORE INSERT OR UPDATE OF province_id, commune_id ON beneficiaries_beneficiary
    FOR EACH ROW EXECUTE FUNCTION beneficiaries_province_follows_commune();
"""

# Reverse: nothing to undo: beneficiaries.0003_province_follows_commune created these
# objects (its reverse drops them).
REVERSE_SQL = migrations.RunSQL.noop


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0003_province_follows_commune"),
        ("reference", "0002_load_reference_data"),
    ]

    operations = [InstallSQL("province_follows_commune.sql", SQL, REVERSE_SQL)]
