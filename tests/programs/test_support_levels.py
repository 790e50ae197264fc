"""The national support levels of Thông tư 28/2018/TT-BTC (programs.catalogue.NATIONAL_CAPS):
each at its highest ceiling and one đồng above, where each was read, what stays example
data; a province's rule applies only to the local funds of that province."""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from core.formatting import format_vnd
from programs import catalogue
from programs.models import Activity, LegalDocument, SupportCap
from programs.rules import cap_check, cap_rule_for
from programs.services import cap_save
from reference.models import Province

D = datetime.date
ON = D(2026, 6, 1)  # a day every loaded level is in force
pytestmark = pytest.mark.django_db


def cost_where_the_amount_binds(row: catalogue.NationalCap) -> int:
    """An eligible cost at which the amount per unit, not the share, is the limit."""
    if row.percent is None:
        return row.amount * 10
    share = Decimal(row.percent) / 100
    return int((Decimal(row.amount) / share).to_integral_value(ROUND_CEILING)) * 2


@pytest.mark.parametrize("row", catalogue.NATIONAL_CAPS, ids=lambda r: r.activity)
def test_the_highest_national_ceiling_passes_and_one_dong_above_fails(world, row):
    activity = Activity.objects.get(code=row.activity)
    if row.amount is not None:
        cost, limit = cost_where_the_amount_binds(row), row.amount
    else:  # a share only (fairs abroad: 100 % of the costs)
        cost = 1_000_000_000
        limit = int(Decimal(cost) * Decimal(row.percent) / 100)
    common = dict(
        activity=activity, level="national", province=Province.objects.get(code=14), on_date=ON
    )
    at = cap_check(**common, eligible_cost=cost, requested=limit)
    assert at.ok and at.limit == limit
    assert at.rule.article == row.article and at.rule.legal_document.number == row.document
    above = cap_check(**common, eligible_cost=cost, requested=limit + 1)
    assert not above.ok
    assert format_vnd(limit) in above.message and format_vnd(1) in above.message
    # The message cites the article and the circular.
    assert row.article in above.message and "28/2018/TT-BTC" in above.message
    if row.example:
        assert "ví dụ" in above.message.lower()


def test_every_level_says_where_it_was_read_or_that_it_is_an_example(world):
    rows = SupportCap.objects.filter(level="national").select_related("activity")
    loaded = {(c.activity.code, c.effective_from): c for c in rows}
    for row in catalogue.NATIONAL_CAPS:
        cap = loaded[(row.activity, row.since)]
        assert cap.article.startswith("Điều 8"), row
        assert cap.source_url.startswith(("http://", "https://")), row
        assert cap.is_example == row.example
        if row.example:
            assert "Ví dụ" in cap.notes
    # The verified levels read in a published text (README, "Support levels").
    verified = {r.activity: (r.percent, r.amount) for r in catalogue.NATIONAL_CAPS if not r.example}
    assert verified == {
        "03.1": ("30", 1_000_000_000),
        "03.2": ("50", 300_000_000),
        "02.1": (None, 10_000_000),
        "05.4": ("100", None),
    }


def test_the_catalogue_does_not_overwrite_a_level_an_administrator_saved(world):
    cap = SupportCap.objects.get(activity__code="03.2", level="national")
    cap.created_by = User.objects.get(username="admin")
    cap.max_amount = 320_000_000
    cap.save()
    from django.apps import apps as django_apps

    catalogue.national_caps_load(django_apps)
    cap.refresh_from_db()
    assert cap.max_amount == 320_000_000


def test_the_former_example_row_becomes_the_verified_one(world):
    """What migration 0008 does to a database loaded with the example national cap."""
    from django.apps import apps as django_apps

    cap = SupportCap.objects.get(activity__code="03.1", level="national")
    SupportCap.objects.filter(pk=cap.pk).update(is_example=True, article="", notes="Ví dụ")
    catalogue.national_caps_load(django_apps)
    cap.refresh_from_db()
    assert not cap.is_example and cap.article == "Điều 8 khoản 2"
    assert "thuvienphapluat.vn" in cap.source_url


# --- A province's rule: its local funds only ---------------------------------------------------


def test_national_funds_follow_the_national_rule_even_where_a_province_has_its_own(world):
    """Đắk Lắk's rule for models (local funds, 800 million) never limits national funds."""
    daklak = Province.objects.get(code=66)
    model = Activity.objects.get(code="03.1")
    local = cap_rule_for(activity=model, level="local", province=daklak, on_date=ON)
    national = cap_rule_for(activity=model, level="national", province=daklak, on_date=ON)
    assert local.province == daklak and local.max_amount == 800_000_000
    assert national.province is None and national.max_amount == 1_000_000_000


def test_the_database_refuses_a_national_level_rule_for_one_province(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportCap.objects.create(
            activity=Activity.objects.get(code="01"),
            level="national",
            province=Province.objects.get(code=14),
            max_percent=10,
            unit="course",
            effective_from=D(2026, 1, 1),
            legal_document=LegalDocument.objects.get(number="28/2018/TT-BTC"),
        )


@pytest.fixture
def sonla_admin(users):
    return User.objects.create_user(
        "admin-sonla", password="x", role="province_admin", agency=users["sct-sonla"].agency
    )


def test_a_province_admin_cannot_save_a_rule_for_national_funds(world, sonla_admin):
    from django.core.exceptions import ValidationError

    cap = SupportCap(
        activity=Activity.objects.get(code="01"),
        level="national",
        province=Province.objects.get(code=14),
        max_percent=50,
        unit="course",
        effective_from=D(2026, 1, 1),
        legal_document=LegalDocument.objects.get(number="28/2018/TT-BTC"),
    )
    with pytest.raises(ValidationError) as exc:
        cap_save(actor=sonla_admin, cap=cap)
    assert "level" in exc.value.message_dict


def test_the_cap_form_fixes_the_province_and_the_local_level_for_a_province_admin(
    client, world, sonla_admin
):
    """Whatever is posted, a province administrator's rule is its province's, for local
    funds."""
    client.force_login(sonla_admin)
    hanoi = Province.objects.get(code=1)
    response = client.post(
        reverse("cap-create"),
        {
            "activity": Activity.objects.get(code="01").pk,
            "level": "national",
            "province": hanoi.pk,
            "max_percent": "50",
            "max_amount": "20.000.000",
            "unit": "course",
            "effective_from": "01/01/2026",
            "legal_document": LegalDocument.objects.get(number="28/2018/TT-BTC").pk,
            "article": "Điều 3 khoản 1",
            "source_url": "https://example.gov.vn/nq",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cap = SupportCap.objects.get(activity__code="01", created_by=sonla_admin)
    assert (cap.province.code, cap.level, cap.article) == (14, "local", "Điều 3 khoản 1")
    # It applies to Sơn La's local funds only.
    course = Activity.objects.get(code="01")
    sonla = Province.objects.get(code=14)
    assert cap_rule_for(activity=course, level="local", province=sonla, on_date=ON) == cap
    assert cap_rule_for(activity=course, level="national", province=sonla, on_date=ON) is None
    assert cap_rule_for(activity=course, level="local", province=hanoi, on_date=ON) is None


def test_the_caps_page_shows_the_article_and_the_source(client, world, users):
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("cap-list"))
    page = response.content.decode()
    assert response.status_code == 200
    for row in catalogue.NATIONAL_CAPS:
        assert row.article in page
    assert catalogue.SOURCE_TVPL_MODELS.replace("&", "&amp;") in page
