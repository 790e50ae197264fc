"""Installs typical_products/sql/selection_rules.sql as it was when ``manage.py
makesqlmigrations`` wrote this migration. Not to be edited: the SQL stays as it was, so a
later change of the file never changes history; the current definition is the file (README,
"Rules in the database")."""

from django.db import migrations

from core.sqlrules import InstallSQL

SQL = r"""
-- Rules of the selection of typical rural industrial products (Thông tư 26/2014/TT-BCT as
-- amended by Thông tư 14/2018/TT-BCT; typical_products/rules.py).
-- Guards: typical_products_entry (insert, update), typical_products_certificate (insert,
-- update of entry_id), the models typical_products.Entry and typical_products.Certificate;
-- reads typical_products_selectionround, its provinces and beneficiaries_beneficiary.
--
-- * An entry's establishment is in the round's place: the province of a provincial round,
--   one of the provinces a regional round lists (a national round takes every province).
-- * A recognised entry reaches its round's pass mark (the total is held to the sum of the
--   criteria by the CHECK constraint entry_total_is_the_sum).
-- * A certificate is issued only for a recognised entry, and an entry with a certificate
--   stays recognised.
-- Each raises SQLSTATE 23514 (check_violation), which Django reports as an IntegrityError.
--
-- The current definition: edit it here, run `manage.py makesqlmigrations` and commit the
-- migration it writes (README, "Rules in the database").

CREATE OR REPLACE FUNCTION typical_products_entry_eligible_and_passed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r typical_products_selectionround%ROWTYPE;
    establishment_province bigint;
BEGIN
    SELECT * INTO r FROM typical_products_selectionround WHERE id = NEW.round_id;
    SELECT province_id INTO establishment_province
      FROM beneficiaries_beneficiary WHERE id = NEW.beneficiary_id;
    IF (r.level = 'provincial' AND establishment_province IS DISTINCT FROM r.province_id)
       OR (r.level = 'regional' AND NOT EXISTS (
               SELECT 1 FROM typical_products_selectionround_provinces p
                WHERE p.selectionround_id = r.id AND p.province_id = establishment_province)) THEN
        RAISE EXCEPTION 'entry % : the establishment is not in the place of round %',
            NEW.id, NEW.round_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'entry_establishment_in_round_place';
    END IF;
    IF NEW.result = 'recognised' AND (NEW.total_points IS NULL OR NEW.total_points < r.pass_mark) THEN
        RAISE EXCEPTION 'entry % : % points, below the pass mark % of round %',
            NEW.id, NEW.total_points, r.pass_mark, NEW.round_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'entry_recognised_reaches_pass_mark';
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS entry_eligible_and_passed ON typical_products_entry;
CREATE TRIGGER entry_eligible_and_passed
    AFTER INSERT OR UPDATE ON typical_products_entry
    FOR EACH ROW EXECUTE FUNCTION typical_products_entry_eligible_and_passed();

CREATE OR REPLACE FUNCTION typical_products_entry_keeps_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.result <> 'recognised'
       AND EXISTS (SELECT 1 FROM typical_products_certificate WHERE entry_id = NEW.id) THEN
        RAISE EXCEPTION 'entry % has a certificate: it stays recognised', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'entry_with_certificate_recognised';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS entry_keeps_certificate ON typical_products_entry;
CREATE TRIGGER entry_keeps_certificate
    BEFORE UPDATE OF result ON typical_products_entry
    FOR EACH ROW EXECUTE FUNCTION typical_products_entry_keeps_certificate();

CREATE OR REPLACE FUNCTION typical_products_certificate_for_recognised_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT result FROM typical_products_entry WHERE id = NEW.entry_id) IS DISTINCT FROM 'recognised' THEN
        RAISE EXCEPTION 'certificate % : entry % is not recognised', NEW.id, NEW.entry_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'certificate_for_recognised_entry';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS certificate_for_recognised_entry ON typical_products_certificate;
CREATE TRIGGER certificate_for_recognised_entry
    BEFORE INSERT OR UPDATE OF entry_id ON typical_products_certificate
    FOR EACH ROW EXECUTE FUNCTION typical_products_certificate_for_recognised_entry();
"""

# Reverse: drops what this file creates.
REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS certificate_for_recognised_entry ON typical_products_certificate;
DROP TRIGGER IF EXISTS entry_eligible_and_passed ON typical_products_entry;
DROP TRIGGER IF EXISTS entry_keeps_certificate ON typical_products_entry;
DROP FUNCTION IF EXISTS typical_products_certificate_for_recognised_entry;
DROP FUNCTION IF EXISTS typical_products_entry_eligible_and_passed;
DROP FUNCTION IF EXISTS typical_products_entry_keeps_certificate;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0005_import_rows"),
        ("typical_products", "0001_selection"),
    ]

    operations = [InstallSQL("selection_rules.sql", SQL, REVERSE_SQL)]
