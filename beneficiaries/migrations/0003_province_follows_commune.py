"""The province of an establishment is a copy of its commune's (for scoping and filters).

A CHECK constraint cannot look at another table, so a trigger refuses a row whose province
differs from its commune's; it raises SQLSTATE 23514 (check_violation), which Django
reports as an IntegrityError, like the other constraints.

History: the current definition lives in beneficiaries/sql/province_follows_commune.sql,
installed by the migrations `manage.py makesqlmigrations` generates from it (README, "Rules
in the database")."""

from django.db import migrations

CREATE = """
CREATE FUNCTION beneficiaries_province_follows_commune() RETURNS trigger AS $$
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
$$ LANGUAGE plpgsql;

CREATE TRIGGER beneficiary_province_follows_commune
    BEFORE INSERT OR UPDATE OF province_id, commune_id ON beneficiaries_beneficiary
    FOR EACH ROW EXECUTE FUNCTION beneficiaries_province_follows_commune();
"""

DROP = """
DROP TRIGGER IF EXISTS beneficiary_province_follows_commune ON beneficiaries_beneficiary;
DROP FUNCTION IF EXISTS beneficiaries_province_follows_commune();
"""


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0002_sectors")]

    operations = [migrations.RunSQL(CREATE, DROP)]
