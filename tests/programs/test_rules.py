"""Which support cap applies: by date, province, level and activity group, at boundaries."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from programs.models import Activity, LegalDocument, SupportCap
from programs.rules import cap_check, cap_rule_for, support_limit
from reference.models import Province

D = datetime.date


@pytest.fixture
def model_activity(world):
    return Activity.objects.get(code="03.1")


@pytest.fixture
def daklak(world):
    return Province.objects.get(code=66)


def test_the_national_example_rule_applies_where_a_province_has_none(model_activity):
    sonla = Province.objects.get(code=14)
    rule = cap_rule_for(
        activity=model_activity, level="local", province=sonla, on_date=D(2026, 6, 1)
    )
    assert rule is None  # no local rule for Sơn La in the examples
    rule = cap_rule_for(
        activity=model_activity, level="national", province=sonla, on_date=D(2026, 6, 1)
    )
    assert rule.province is None and rule.max_amount == 1_000_000_000
    assert rule.legal_document.number == "28/2018/TT-BTC"


def test_a_province_rule_wins_from_its_first_day(model_activity, daklak):
    """Đắk Lắk's example rule (30 %, 800 million) is in force from 01/01/2025."""
    before = cap_rule_for(
        activity=model_activity, level="local", province=daklak, on_date=D(2024, 12, 31)
    )
    on_day = cap_rule_for(
        activity=model_activity, level="local", province=daklak, on_date=D(2025, 1, 1)
    )
    assert before is None
    assert on_day.province == daklak and on_day.max_amount == 800_000_000


def test_rules_change_on_their_boundary_dates(model_activity, daklak):
    doc = LegalDocument.objects.get(number="64/2024/TT-BTC")
    old = SupportCap.objects.get(activity=model_activity, level="national", province=None)
    old.effective_to = D(2026, 6, 30)
    old.save()
    new = SupportCap.objects.create(
        activity=model_activity,
        level="national",
        max_percent=40,
        max_amount=1_200_000_000,
        unit="model",
        effective_from=D(2026, 7, 1),
        legal_document=doc,
    )
    rule = lambda day: cap_rule_for(  # noqa: E731
        activity=model_activity, level="national", province=daklak, on_date=day
    )
    assert rule(D(2026, 6, 30)) == old
    assert rule(D(2026, 7, 1)) == new


def test_a_sub_activity_without_a_rule_takes_its_groups(world):
    group = Activity.objects.get(code="05")
    fairs = Activity.objects.get(code="05.2")
    cap = SupportCap.objects.create(
        activity=group,
        level="national",
        max_percent=50,
        unit="event",
        effective_from=D(2020, 1, 1),
        legal_document=LegalDocument.objects.get(number="28/2018/TT-BTC"),
    )
    assert (
        cap_rule_for(activity=fairs, level="national", province=None, on_date=D(2026, 1, 1)) == cap
    )


def test_support_limit_is_the_lower_of_share_and_amount(model_activity):
    rule = SupportCap(max_percent=30, max_amount=1_000_000_000, unit="model")
    assert support_limit(rule, eligible_cost=2_000_000_000) == 600_000_000
    assert support_limit(rule, eligible_cost=5_000_000_000) == 1_000_000_000
    assert support_limit(rule, eligible_cost=5_000_000_000, units=2) == 1_500_000_000
    # Rounded down to the đồng.
    assert (
        support_limit(SupportCap(max_percent=30, unit="model"), eligible_cost=1_000_001) == 300_000
    )


def test_cap_check_at_the_cap_and_one_dong_above(model_activity, daklak):
    common = dict(activity=model_activity, level="local", province=daklak, on_date=D(2026, 3, 1))
    at_cap = cap_check(**common, eligible_cost=4_000_000_000, requested=800_000_000)
    assert at_cap.ok and at_cap.limit == 800_000_000
    above = cap_check(**common, eligible_cost=4_000_000_000, requested=800_000_001)
    assert not above.ok
    # The message cites the rule and its document, in the user's language.
    assert "800.000.000 ₫" in above.message and "1 ₫" in above.message
    assert "NQ-HĐND-ĐẮK-LẮK-2025" in above.message


def test_overlapping_rules_are_refused_by_the_database(model_activity, daklak):
    doc = LegalDocument.objects.get(number="28/2018/TT-BTC")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportCap.objects.create(
            activity=model_activity,
            level="local",
            province=daklak,
            max_percent=20,
            unit="model",
            effective_from=D(2026, 1, 1),
            legal_document=doc,
        )
    # Another province, or the national level, does not clash.
    SupportCap.objects.create(
        activity=model_activity,
        level="local",
        province=Province.objects.get(code=14),
        max_percent=20,
        unit="model",
        effective_from=D(2026, 1, 1),
        legal_document=doc,
    )
