"""The selection pages: who opens what, the forms' errors next to their fields, and a bounded
number of queries on every list and detail page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.typical_products import factories as f
from typical_products.models import Entry, SelectionRound

D = datetime.date
pytestmark = pytest.mark.django_db


def test_sct_opens_a_provincial_round_and_enters_a_product(world, client, users):
    client.force_login(users["sct-hanoi"])
    hanoi = users["sct-hanoi"].agency.province
    response = client.post(
        reverse("typical-round-create"),
        {
            "level": "provincial",
            "year": 2026,
            "province": hanoi.pk,
            "title": "Bình chọn 2026",
            "organiser": "UBND thành phố Hà Nội",
            "decision_number": "1/KH-UBND",
            "decision_date": "01/03/2026",
            "opens_on": "05/03/2026",
            "closes_on": "30/04/2026",
        },
    )
    assert response.status_code == 302
    round_ = SelectionRound.objects.get(title="Bình chọn 2026")
    assert round_.pass_mark == 50 and round_.province == hanoi
    outsider = f.beneficiary_of(14)
    page = client.post(
        reverse("typical-round-detail", args=[round_.pk]),
        {"beneficiary": outsider.pk, "name": "Chè", "group": "food"},
    )
    assert page.status_code == 400
    assert "invalid-feedback" in page.content.decode()
    own = f.beneficiary_of(1)
    ok = client.post(
        reverse("typical-round-detail", args=[round_.pk]),
        {"beneficiary": own.pk, "name": "Gốm", "group": "handicraft"},
    )
    assert ok.status_code == 302
    assert Entry.objects.filter(round=round_, beneficiary=own).exists()


def test_round_form_refuses_closing_before_opening(world, client, users):
    client.force_login(users["ministry"])
    response = client.post(
        reverse("typical-round-create"),
        {
            "level": "regional",
            "year": 2026,
            "region": "north",
            "title": "Khu vực",
            "organiser": "Bộ Công Thương",
            "decision_number": "1",
            "decision_date": "01/03/2026",
            "opens_on": "05/03/2026",
            "closes_on": "01/03/2026",
        },
    )
    assert response.status_code == 200
    assert not SelectionRound.objects.filter(title="Khu vực").exists()
    assert "invalid-feedback" in response.content.decode()


def test_score_and_certificate_pages(world, client, users):
    round_ = f.provincial_round(1)
    entry = f.entered(round_, name="Trang chấm")
    f.judging(round_)
    client.force_login(users["sct-hanoi"])
    below = client.post(
        reverse("typical-entry-score", args=[entry.pk]),
        {
            "points_market": 10,
            "points_technical": 10,
            "points_culture": 10,
            "points_other": 1,
            "recognised": "1",
        },
    )
    assert below.status_code == 400
    response = client.post(
        reverse("typical-entry-score", args=[entry.pk]),
        {
            "points_market": 30,
            "points_technical": 20,
            "points_culture": 20,
            "points_other": 2,
            "recognised": "1",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("typical-certificate-issue", args=[entry.pk]),
        {
            "number": "7/GCN",
            "decision_number": "8/QĐ-UBND",
            "decision_date": "10/06/2025",
            "issued_on": "20/06/2025",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.certificate.valid_until == D(2028, 12, 31)
    client.force_login(users["ministry"])  # the ministry reads, does not act
    assert client.get(reverse("typical-round-detail", args=[round_.pk])).status_code == 200
    assert client.get(reverse("typical-entry-score", args=[entry.pk])).status_code == 403


def test_pages_have_bounded_queries(world, client, users, django_assert_max_num_queries):
    round_ = f.provincial_round(1)
    for i in range(5):
        f.entered(round_, name=f"Sản phẩm {i}")
    f.judging(round_)
    for entry in round_.entries.all():
        f.certified(f.scored(entry), number=f"{entry.pk}/GCN")
    client.force_login(users["sct-hanoi"])
    for name, args in [
        ("typical-round-list", []),
        ("typical-certificate-list", []),
        ("typical-round-detail", [round_.pk]),
    ]:
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name, args=args)).status_code == 200
