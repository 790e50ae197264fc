"""Place names from before 1 July 2025 land on today's communes (reference.legacy)."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from reference.legacy import PlaceIndex, commune_key, district_key, legacy_load, legacy_units
from reference.models import Commune, LegacyCommune, Province

HANOI, HAIPHONG = 1, 31


@pytest.mark.django_db
def test_every_old_unit_of_the_official_list_is_loaded_once(world):
    units = legacy_units()
    assert len(units) == LegacyCommune.objects.count() == 10_040
    # Codes identify the old communes; only the five island districts without any have none.
    assert LegacyCommune.objects.filter(code__isnull=True).count() == 5
    # Every unit's province of today is its commune's province.
    assert not LegacyCommune.objects.exclude(province_id=F("commune__province_id")).exists()
    # Divided communes name the other communes of today that took a part.
    divided = sum(1 for unit in units if unit["also"])
    assert LegacyCommune.objects.filter(also_in__isnull=False).distinct().count() == divided


@pytest.mark.django_db
def test_loading_again_changes_nothing(world):
    before = set(LegacyCommune.objects.values_list("pk", "code", "commune_id"))
    links = LegacyCommune.also_in.through.objects.count()
    assert legacy_load(LegacyCommune, Commune, Province) == len(before)
    assert set(LegacyCommune.objects.values_list("pk", "code", "commune_id")) == before
    assert LegacyCommune.also_in.through.objects.count() == links


@pytest.mark.parametrize(
    "text,key",
    [
        ("Thị trấn Đông Anh", "dong anh"),
        ("TT. Đông Anh", "dong anh"),
        ("Phường 3", "3"),
        ("P.3", "3"),
        ("xã  Kim   Chung", "kim chung"),
        ("Xã Ea H’Leo", "ea hleo"),
        ("Xã Ea H'leo", "ea hleo"),
    ],
)
def test_commune_keys_ignore_kind_accents_and_punctuation(text, key):
    assert commune_key(text) == key


@pytest.mark.parametrize(
    "text,key",
    [("Huyện Đông Anh", "dong anh"), ("TX. Sơn Tây", "son tay"), ("Quận Ba Đình", "ba dinh")],
)
def test_district_keys(text, key):
    assert district_key(text) == key


@pytest.fixture
def hanoi(world):
    return PlaceIndex(Province.objects.get(code=HANOI))


@pytest.mark.django_db
def test_an_old_ward_lands_on_its_ward_of_today_and_keeps_its_old_name(hanoi):
    place = hanoi.resolve("Phường Phúc Xá", "Quận Ba Đình")
    unit = LegacyCommune.objects.get(name="Phường Phúc Xá", district_name="Quận Ba Đình")
    assert place.commune == unit.commune and place.legacy == unit
    assert place.legacy.label == "Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội"
    assert place.written == "Phường Phúc Xá, Quận Ba Đình"
    assert not place.error and not place.warning


@pytest.mark.django_db
def test_todays_names_are_taken_as_they_are(hanoi):
    place = hanoi.resolve("Phường Ba Đình")
    assert place.commune == Commune.objects.get(province__code=HANOI, name="Phường Ba Đình")
    assert place.legacy is None


@pytest.mark.django_db
def test_an_old_name_shared_by_two_districts_asks_for_the_district(hanoi):
    place = hanoi.resolve("Xã Kim Chung")
    assert place.commune is None
    assert "Huyện Đông Anh" in place.error and "Huyện Hoài Đức" in place.error
    place = hanoi.resolve("Xã Kim Chung", "Huyện Hoài Đức")
    assert place.legacy.district_name == "Huyện Hoài Đức" and not place.error


@pytest.mark.django_db
def test_a_divided_commune_is_placed_in_its_first_part_with_a_warning(hanoi):
    unit = LegacyCommune.objects.filter(province__code=HANOI, also_in__isnull=False).first()
    place = hanoi.resolve(unit.name, unit.district_name)
    assert place.commune == unit.commune
    assert unit.commune.name in place.warning
    for other in unit.also_in.all():
        assert other.name in place.warning


@pytest.mark.django_db
def test_an_old_unit_of_a_merged_province_is_found_in_the_province_of_today(world):
    # Hải Dương was merged into Hải Phòng on 1 July 2025.
    unit = LegacyCommune.objects.filter(province_name="Tỉnh Hải Dương").first()
    assert unit.province.code == HAIPHONG
    place = PlaceIndex(unit.province).resolve(unit.name, unit.district_name)
    assert place.commune == unit.commune
    # Another province does not know it.
    assert PlaceIndex(Province.objects.get(code=HANOI)).resolve(unit.name, unit.district_name).error


@pytest.mark.django_db
def test_an_island_district_without_communes_lands_on_its_special_zone(world):
    unit = LegacyCommune.objects.get(district_name="Huyện Côn Đảo")
    place = PlaceIndex(unit.province).resolve("", "Huyện Côn Đảo")
    assert place.commune.name == "Đặc khu Côn Đảo"


@pytest.mark.django_db
def test_unknown_places_get_a_reason(hanoi):
    assert "Giáp Bát Mới" in hanoi.resolve("Phường Giáp Bát Mới").error
    assert hanoi.resolve("Xã Kim Chung", "Huyện Sóc Sơn").error
    assert hanoi.resolve("").error


@pytest.mark.django_db
def test_the_index_answers_from_memory(hanoi):
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            hanoi.resolve("Phường Phúc Xá", "Quận Ba Đình")
            hanoi.resolve("Xã Kim Chung")
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_kind_written_tells_a_commune_from_a_township_of_the_same_name(world):
    sonla = PlaceIndex(Province.objects.get(code=14))
    township = sonla.resolve("Thị trấn Hát Lót", "Huyện Mai Sơn")
    commune = sonla.resolve("Xã Hát Lót", "Huyện Mai Sơn")
    assert township.legacy.name == "Thị trấn Hát Lót" and commune.legacy.name == "Xã Hát Lót"
    # Without the kind, the district is not enough: the error names both.
    assert "Thị trấn Hát Lót" in sonla.resolve("Hát Lót", "Huyện Mai Sơn").error
