"""A Sở Công Thương user imports an Excel file of establishments in a real browser: the
preview explains each bad row, nothing is written until confirmation, then exactly the
good rows are added."""

import pytest

from beneficiaries.models import Beneficiary
from tests.beneficiaries.factories import (
    commune_of,
    valid_tax_code,
    workbook_bytes,
    wrong_check_digit,
)
from tests.browser.test_login_as_each_role import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_user_imports_beneficiaries_from_excel(
    world, live_server, page, artifacts_dir, tmp_path
):
    commune = commune_of(14)
    good_codes = [valid_tax_code(), valid_tax_code()]
    rows = [
        {
            "name": "Hợp tác xã Dệt thổ cẩm Bản Mòng",
            "legal_form": "HTX",
            "tax_code": good_codes[0],
            "commune_code": commune.code,
            "sector": "det-may-da-giay",
            "workers": 25,
            "woman_owned": "x",
        },
        {
            "name": "Cơ sở Chế biến chè Shan tuyết Tà Xùa",
            "legal_form": "HKD",
            "tax_code": good_codes[1],
            "commune_name": commune.name,
            "sector": "nong-lam-thuy-san",
            "workers": 8,
        },
        {
            "name": "Công ty TNHH Sai mã số thuế",
            "legal_form": "DN",
            "tax_code": wrong_check_digit(valid_tax_code()),
            "commune_code": commune.code,
            "sector": "co-khi",
        },
        {
            "name": "Hợp tác xã Không có xã",
            "legal_form": "HTX",
            "tax_code": valid_tax_code(),
            "commune_name": "Xã Không Tồn Tại",
            "sector": "khac",
        },
    ]
    path = tmp_path / "co-so-son-la.xlsx"
    path.write_bytes(workbook_bytes(rows))
    before = Beneficiary.objects.filter(province__code=14).count()

    base = live_server.url
    log_in(page, base, "sct-sonla")
    page.get_by_test_id("nav-menu-shop").click()  # the registers' menu
    page.get_by_role("link", name="Cơ sở CNNT").first.click()
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    assert page.get_by_test_id("valid-count").inner_text() == "2"
    assert page.get_by_test_id("error-count").inner_text() == "2"
    body = page.locator("main").inner_text()
    assert "Chữ số kiểm tra của mã số thuế không đúng" in body  # in Vietnamese
    assert "Xã Không Tồn Tại" in body
    page.screenshot(path=str(artifacts_dir / "import-preview.png"), full_page=True)
    assert Beneficiary.objects.filter(province__code=14).count() == before  # nothing yet

    page.get_by_test_id("confirm").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts_dir / "import-confirmed.png"), full_page=True)
    added = Beneficiary.objects.filter(tax_code__in=good_codes)
    assert added.count() == 2
    assert Beneficiary.objects.filter(province__code=14).count() == before + 2
