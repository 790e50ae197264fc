"""Installs villages/sql/membership_no_overlap.sql as it was when ``manage.py
makesqlmigrations`` wrote this migration. Not to be edited: the SQL stays as it was, so a
later change of the file never changes history; the current definition is the file (README,
"Rules in the database")."""

from django.db import migrations

from core.sqlrules import InstallSQL

SQL = r"""
-- Rule: an establishment (cơ sở CNNT) belongs to at most one craft village at a time: the
-- periods of its memberships (joined_on to left_on, both days included; no left_on = still a
-- member) never overlap, whichever villages they are of.
-- Guards: villages_villagemembership (insert, update), the model villages.VillageMembership.
--
-- An exclusion constraint would need the btree_gist extension (the embedded PostgreSQL has
-- none), so a row trigger checks it, after taking a lock on the establishment's row so two
-- memberships written at once are checked one after the other; the error is an
-- exclusion_violation named membership_no_overlap (an IntegrityError in Django).
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION villages_membership_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM beneficiaries_beneficiary WHERE id = NEW.beneficiary_id FOR UPDATE;
    IF EXISTS (
        SELECT 1 FROM villages_villagemembership m
         WHERE m.id <> NEW.id
           AND m.beneficiary_id = NEW.beneficiary_id
           AND daterange(m.joined_on, m.left_on, '[]')
               && daterange(NEW.joined_on, NEW.left_on, '[]')
    ) THEN
        RAISE EXCEPTION 'establishment % already belongs to a craft village in that period',
            NEW.beneficiary_id
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'membership_no_overlap';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS membership_no_overlap ON villages_villagemembership;
CREATE TRIGGER membership_no_overlap
    BEFORE INSERT OR UPDATE ON villages_villagemembership
    FOR EACH ROW EXECUTE FUNCTION villages_membership_no_overlap();
"""

# Reverse: drops what this file creates.
REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS membership_no_overlap ON villages_villagemembership;
DROP FUNCTION IF EXISTS villages_membership_no_overlap;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0006_craft_village_register_replaces_checkbox"),
        ("villages", "0001_craft_village_register"),
    ]

    operations = [InstallSQL("membership_no_overlap.sql", SQL, REVERSE_SQL)]
