"""The demo establishments: plausible, valid, in the right provinces, seeded once."""

import time

import pytest
from django.db.models import Count

from beneficiaries.models import Beneficiary, LegalForm
from beneficiaries.validators import tax_code_is_valid
from demo.beneficiaries import PER_PROVINCE, seed_beneficiaries
from villages.models import VillageMembership


@pytest.mark.django_db
def test_each_demo_province_has_its_beneficiaries(demo_beneficiaries):
    counts = dict(
        Beneficiary.objects.values_list("province__code").annotate(n=Count("id")).order_by()
    )
    assert counts == {1: PER_PROVINCE, 14: PER_PROVINCE, 66: PER_PROVINCE}
    assert PER_PROVINCE == 300


@pytest.mark.django_db
def test_demo_records_satisfy_the_registry_rules(demo_beneficiaries):
    rows = list(Beneficiary.objects.select_related("commune"))
    assert all(b.commune.province_id == b.province_id for b in rows)
    assert all(tax_code_is_valid(b.tax_code) for b in rows if b.tax_code)
    with_cccd = [b for b in rows if b.citizen_id]
    assert with_cccd and all(len(b.citizen_id) == 12 and b.citizen_id.isdigit() for b in with_cccd)
    assert all(b.legal_form in ("household_business", "artisan") for b in with_cccd)
    assert {b.legal_form for b in rows} == set(LegalForm.values)
    assert not any(b.craft_village_name for b in rows)  # members are in the register
    assert all(b.workers >= 1 for b in rows)


@pytest.mark.django_db
def test_each_province_has_its_own_trades(demo_beneficiaries):
    def names(code):
        return " ".join(
            Beneficiary.objects.filter(province__code=code).values_list("name", flat=True)
        )

    assert "cà phê" in names(66)
    assert "thổ cẩm" in names(14) and "chè" in names(14)
    hanoi_members = VillageMembership.objects.filter(village__province__code=1)
    assert hanoi_members.count() > 100
    sonla_minority = Beneficiary.objects.filter(province__code=14, ethnic_minority_owned=True)
    assert sonla_minority.count() > PER_PROVINCE // 2


@pytest.mark.django_db
def test_seeding_again_creates_nothing_and_is_quick(demo_beneficiaries):
    before = Beneficiary.objects.count()
    started = time.monotonic()
    report = seed_beneficiaries(seed=2026)
    elapsed = time.monotonic() - started
    assert Beneficiary.objects.count() == before
    assert report == f"Establishments: 0 created, {before} in all."
    assert elapsed < 3


@pytest.mark.django_db
def test_seeding_an_empty_registry_reports_what_it_made(world):
    Beneficiary.objects.all().delete()
    assert seed_beneficiaries(seed=2026) == "Establishments: 900 created, 900 in all."
