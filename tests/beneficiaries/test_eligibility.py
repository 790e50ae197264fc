"""Who is a beneficiary, on each side of 15/10/2025 (Decree 45/2012 vs Decree 235/2025)."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from beneficiaries.eligibility import (
    DECREE_235_EFFECTIVE,
    RULE_DECREE_45,
    RULE_DECREE_235,
    RULES,
    beneficiary_eligibility,
    rule_for,
)
from beneficiaries.models import Beneficiary, LegalForm
from reference.models import Commune
from villages.models import CraftVillage

BEFORE = date(2025, 10, 14)
FROM = date(2025, 10, 15)


def _beneficiary(commune_name, province_code, **kwargs):
    commune = Commune.objects.select_related("province").get(
        name=commune_name, province__code=province_code
    )
    return Beneficiary(
        commune=commune,
        province=commune.province,
        legal_form=kwargs.pop("legal_form", LegalForm.COOPERATIVE),
        name="Cơ sở thử nghiệm",
        **kwargs,
    )


def test_the_boundary_is_the_day_decree_235_takes_effect():
    assert DECREE_235_EFFECTIVE == date(2025, 10, 15)


VAN_PHUC = CraftVillage(
    name="Làng lụa Vạn Phúc", decision_number="123/QĐ-UBND", decision_date=date(2015, 6, 1)
)

# (commune, province code, extra fields) -> (eligible before, eligible from)
CASES = [
    pytest.param("Phường Hoàn Kiếm", 1, {}, (False, False), id="ward-of-hanoi"),
    pytest.param("Phường Chiềng Cơi", 14, {}, (True, True), id="ward-of-a-province"),
    pytest.param("Xã Bát Tràng", 1, {}, (True, True), id="commune-of-hanoi"),
    pytest.param("Xã Tà Xùa", 14, {}, (True, True), id="commune-of-a-province"),
    pytest.param(
        "Phường Hà Đông",
        1,
        {"village": VAN_PHUC},
        (False, True),
        id="craft-village-member-in-a-city-ward",
    ),
    pytest.param(
        "Xã Tà Xùa", 14, {"legal_form": LegalForm.ARTISAN}, (False, True), id="artisan-commune"
    ),
    pytest.param(
        "Phường Hoàn Kiếm",
        1,
        {"legal_form": LegalForm.ARTISAN},
        (False, False),
        id="artisan-in-a-city-ward",
    ),
    # The special zones replace island districts (huyện), which Decree 45 covered.
    pytest.param("Đặc khu Cát Hải", 31, {}, (True, True), id="special-zone-of-a-city"),
    pytest.param("Đặc khu Vân Đồn", 22, {}, (True, True), id="special-zone-of-a-province"),
    pytest.param(
        "Xã Bát Tràng",
        1,
        {"legal_form": LegalForm.HOUSEHOLD_BUSINESS},
        (True, True),
        id="household-business",
    ),
    # Decree 45 named cooperatives, not their unions; Decree 235 adds them.
    pytest.param(
        "Xã Tà Xùa",
        14,
        {"legal_form": LegalForm.COOPERATIVE_UNION},
        (False, True),
        id="union-of-cooperatives",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("commune,province_code,extra,expected", CASES)
def test_eligibility_on_both_sides_of_the_boundary(world, commune, province_code, extra, expected):
    village = extra.pop("village", None)
    beneficiary = _beneficiary(commune, province_code, **extra)
    before = beneficiary_eligibility(beneficiary, BEFORE, village=village)
    after = beneficiary_eligibility(beneficiary, FROM, village=village)
    assert (before.eligible, after.eligible) == expected
    assert before.rule == RULE_DECREE_45
    assert after.rule == RULE_DECREE_235
    # Long after the boundary the new rule still applies; long before, the old one.
    later = beneficiary_eligibility(beneficiary, date(2030, 1, 1), village=village)
    assert later.eligible == expected[1]
    earlier = beneficiary_eligibility(beneficiary, date(2013, 1, 1), village=village)
    assert earlier.eligible == expected[0]


@pytest.mark.django_db
def test_the_reason_names_the_decree_and_the_place(world):
    beneficiary = _beneficiary("Phường Hoàn Kiếm", 1)
    with translation.override("en"):
        after = beneficiary_eligibility(beneficiary, FROM)
        before = beneficiary_eligibility(beneficiary, BEFORE)
    assert "235/2025/NĐ-CP" in after.reason and "Phường Hoàn Kiếm" in after.reason
    assert "45/2012/NĐ-CP" in before.reason and "235/2025" not in before.reason.split(":")[0]
    assert after.reason.startswith("Not eligible")


@pytest.mark.django_db
def test_artisans_before_the_amendment_are_refused_for_their_form(world):
    beneficiary = _beneficiary("Xã Bát Tràng", 1, legal_form=LegalForm.ARTISAN)
    with translation.override("en"):
        reason = beneficiary_eligibility(beneficiary, BEFORE).reason
    assert "the legal form “Artisan” is not among those it names" in reason
    assert "Cooperative group" in reason and "45/2012/NĐ-CP, Article 1, clause 2" in reason


@pytest.mark.django_db
def test_reasons_are_vietnamese_by_default(world):
    """The reason is a translated sentence: with the catalogue merged it reads in Vietnamese.
    Without it the English msgid is returned; either way it is never empty."""
    beneficiary = _beneficiary("Xã Bát Tràng", 1)
    with translation.override("vi"):
        reason = beneficiary_eligibility(beneficiary, FROM).reason
    assert "Xã Bát Tràng" in reason and "235/2025/NĐ-CP" in reason


@pytest.mark.django_db
def test_the_craft_village_is_cited_only_where_it_decides(world):
    with translation.override("en"):
        city_ward = beneficiary_eligibility(
            _beneficiary("Phường Hà Đông", 1), FROM, village=VAN_PHUC
        )
        province_ward = beneficiary_eligibility(
            _beneficiary("Phường Chiềng Cơi", 14), FROM, village=VAN_PHUC
        )
    assert "Làng lụa Vạn Phúc" in city_ward.reason and "123/QĐ-UBND" in city_ward.reason
    assert "01/06/2015" in city_ward.reason and city_ward.village is VAN_PHUC
    assert "Làng lụa Vạn Phúc" not in province_ward.reason and province_ward.eligible


@pytest.mark.django_db
def test_a_ward_of_a_province_before_the_amendment_carries_the_grade_1_condition(world):
    """Decree 45 covered wards of grade-1 cities only if converted from a commune less
    than 5 years before: the 2025 map cannot tell, so it is eligible with a condition."""
    ward = _beneficiary("Phường Chiềng Cơi", 14)
    before = beneficiary_eligibility(ward, BEFORE)
    assert before.eligible and "5" in before.condition
    assert beneficiary_eligibility(ward, FROM).condition == ""


def test_the_rules_cover_every_day_and_every_place_once():
    """The table has no gap and no overlap in time, and each rule decides every kind of
    place of a province and of a centrally-run city exactly once."""
    assert RULES[0].valid_from is None and RULES[-1].valid_to is None
    for earlier, later in zip(RULES, RULES[1:], strict=False):
        assert earlier.valid_to + timedelta(days=1) == later.valid_from
    assert rule_for(BEFORE).code == RULE_DECREE_45 and rule_for(FROM).code == RULE_DECREE_235
    for rule in RULES:
        keys = [(p.in_city, p.division) for p in rule.places]
        assert len(keys) == len(set(keys)) == 2 * len(Commune.DivisionType)
        assert rule.source_url.startswith("http") and rule.article
