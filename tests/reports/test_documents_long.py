"""A national compliance report of 1,000 đề án: a sensible number of pages, the table
header repeated on every page, the verification code and the page number on each."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import User
from bench.datasets import compliance_dataset
from demo import seeding
from reference.models import Province
from tests.reports.documents_support import (
    check_deferred_constraints,
    render,
    rolled_back,
    save_artifacts,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TABLE_HEADER = "Đề án (mã, tên, quyết định phê duyệt)"
RECOMMENDATIONS_HEADER = "Nội dung kiến nghị"
# Measured: this dataset (1,000 đề án, 500 in Hà Nội and 500 in Sơn La, 1-3 establishments
# each, seed 1000) gives 174 pages: about 6-7 rows per landscape page (a row is 4-6 lines
# of 9-pt text: code and title, the decision, the compliance as at the report's date with
# the last inspection and its record number), so ~158 pages of đề án, then the ~160
# recommendations not yet remedied (~15 pages) with the closing. The range leaves room for
# font metrics and wording, and fails if rows stop sharing pages (1,000+) or text goes
# missing (fewer pages).
PAGES = range(140, 200)


@pytest.fixture(scope="module")
def long_report(django_db_setup, django_db_blocker):
    with (
        rolled_back(django_db_blocker),
        override_settings(PORTAL_BASE_URL="https://khuyencong.example.vn"),
    ):
        seeding.seed_all(seed=2026, beneficiaries=False)
        ministry = User.objects.get(username="ministry")
        data = compliance_dataset(
            provinces=list(Province.objects.filter(code__in=[1, 14]).order_by("code")),
            per_province=500,
            actor=ministry,
            seed=1000,
        )
        check_deferred_constraints()
        doc = render(
            ministry,
            "compliance",
            {"province": None, "date_from": "2026-01-01", "date_to": "2026-12-31"},
            number="12/BC-CĐMST",
        )
        save_artifacts("compliance_1000", doc, pages=(1, 2, doc.page_count // 2, doc.page_count))
        yield doc, data


def test_one_thousand_rows_on_a_sensible_number_of_pages(long_report):
    doc, data = long_report
    assert data.proposals == 1000
    assert doc.page_count in PAGES, doc.page_count
    assert "TỔNG CỘNG (1000 đề án)" in doc.flat
    assert "KCĐP-HNI-2026-0500" in doc.flat and "KCĐP-SLA-2026-0500" in doc.flat


def test_the_table_header_is_repeated_on_every_page(long_report):
    doc, _ = long_report
    section_three = next(i for i, page in enumerate(doc.pages) if "III. CÁC KIẾN NGHỊ" in page)
    for index, page in enumerate(doc.pages[1:], start=1):
        flat = " ".join(page.split())
        if flat.startswith("II. CHI TIẾT"):
            continue  # the section starts on a page of its own: its table begins there
        if index < section_three:
            assert flat.startswith(f"STT {TABLE_HEADER}"), f"page {index + 1}"
        elif index > section_three:
            assert flat.startswith(f"STT Đề án {RECOMMENDATIONS_HEADER}"), f"page {index + 1}"


def test_every_page_has_its_number_and_the_verification_code(long_report):
    doc, _ = long_report
    code = doc.job.verification_code
    assert "1" not in doc.pages[0].splitlines()
    for number, page in enumerate(doc.pages, start=1):
        assert f"Mã xác thực: {code}" in page, f"page {number}"
        if number > 1:
            assert str(number) in page.splitlines(), f"page {number}"
