import pytest

from reference.loader import PROVINCES, load_reference_data
from reference.models import Commune, Province, Region


@pytest.mark.django_db
def test_the_2025_map_is_loaded_by_the_migration(world):
    assert Region.objects.count() == 6
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    # Six centrally-run cities, each with its region; no province without one.
    cities = set(
        Province.objects.filter(division_type="thanh_pho_trung_uong").values_list(
            "short_name", flat=True
        )
    )
    assert cities == {"Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
    assert not Province.objects.filter(region__isnull=True).exists()
    assert sum(r.provinces.count() for r in Region.objects.all()) == 34


@pytest.mark.django_db
def test_communes_keep_their_type_and_province(world):
    hoan_kiem = Commune.objects.get(name="Phường Hoàn Kiếm")
    assert hoan_kiem.division_type == Commune.DivisionType.WARD
    assert hoan_kiem.province.short_name == "Hà Nội"
    assert Commune.objects.filter(division_type="dac_khu").exists()
    assert Commune.objects.filter(province__code=14).count() > 50


@pytest.mark.django_db
def test_loading_again_changes_nothing(world):
    before = dict(Commune.objects.values_list("code", "pk"))
    province_ids = dict(Province.objects.values_list("code", "pk"))
    counts = load_reference_data(Region, Province, Commune)
    assert counts == {"regions": 6, "provinces": 34, "communes": 3321}
    assert dict(Commune.objects.values_list("code", "pk")) == before
    assert dict(Province.objects.values_list("code", "pk")) == province_ids


@pytest.mark.django_db
def test_a_renamed_commune_is_corrected_in_place(world):
    commune = Commune.objects.get(name="Phường Hoàn Kiếm")
    Commune.objects.filter(pk=commune.pk).update(name="typo")
    load_reference_data(Region, Province, Commune)
    commune.refresh_from_db()
    assert commune.name == "Phường Hoàn Kiếm"


def test_every_province_has_a_unique_abbreviation():
    abbreviations = [abbr for abbr, _ in PROVINCES.values()]
    assert len(abbreviations) == len(set(abbreviations)) == 34


@pytest.mark.django_db
def test_commune_search_ignores_accents_and_order_follows_the_letters(world, users):
    from reference.selectors import commune_choices

    found = commune_choices(user=users["sct-hanoi"], query="o cho dua")
    assert [c.name for c in found] == ["Phường Ô Chợ Dừa"]
    names = [c.name for c in commune_choices(user=users["sct-hanoi"])]
    # "Ô Chợ Dừa" sorts among the O's, not after "Y" as a byte-wise sort would put it.
    assert names.index("Phường Ô Chợ Dừa") < names.index("Phường Phú Diễn")
    assert names.index("Phường Đống Đa") < names.index("Phường Giảng Võ")
