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
