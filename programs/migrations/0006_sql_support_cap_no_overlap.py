"""Installs programs/sql/support_cap_no_overlap.sql as it was when ``manage.py
makesqlmigrations`` wrote this migration. Not to be edited: the SQL stays as it was, so a
later change of the file never changes history; the current definition is the file (README,
"Rules in the database")."""

from django.db import migrations

from core.sqlrules import InstallSQL

SQL = r"""
-- Rule: support caps (mức hỗ trợ tối đa) for the same activity, level and province never
-- overlap in time, so exactly one cap applies to a đề án on a given date.
-- Guards: programs_supportcap (insert, update), the model programs.SupportCap.
--
-- An exclusion constraint would need the btree_gist extension (the embedded PostgreSQL has
-- none), so a row trigger checks it; the error is an exclusion_violation named
-- supportcap_no_overlap (an IntegrityError in Django).
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION programs_supportcap_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM programs_supportcap c
         WHERE c.id <> NEW.id
           AND c.activity_id = NEW.activity_id
           AND c.level = NEW.level
           AND c.province_id IS NOT DISTINCT FROM NEW.province_id
           AND daterange(c.effective_from, c.effective_to, '[]')
               && daterange(NEW.effective_from, NEW.effective_to, '[]')
    ) THEN
        RAISE EXCEPTION 'support cap overlaps another rule for the same activity, level and province'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'supportcap_no_overlap';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS supportcap_no_overlap ON programs_supportcap;
CREATE TRIGGER supportcap_no_overlap
    BEFORE INSERT OR UPDATE ON programs_supportcap
    FOR EACH ROW EXECUTE FUNCTION programs_supportcap_no_overlap();
"""

# Reverse: nothing to undo: programs.0002_database_rules created these objects (its reverse
# drops them).
REVERSE_SQL = migrations.RunSQL.noop


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_sql_plan_within_budget"),
    ]

    operations = [InstallSQL("support_cap_no_overlap.sql", SQL, REVERSE_SQL)]
