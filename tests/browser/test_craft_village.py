"""A province's administrator registers a craft village with its UBND tỉnh decision, an
establishment in a ward of Hà Nội joins it, and a đề án for that establishment — refused
before, as a ward of a centrally-run city — passes the eligibility check, which names the
village and its decision (Decree 45/2012 as amended by Decree 235/2025)."""

import pytest

from accounts.models import Agency
from demo.councils import council_members
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.browser.test_login_as_each_role import log_in
from tests.projects.factories import make_proposal, tmp_media  # noqa: F401
from villages.models import CraftVillage, VillageMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_province_administrator_registers_a_village_and_its_member_becomes_eligible(
    world,
    live_server,
    page,
    artifacts_dir,
    tmp_path,
    tmp_media,  # noqa: F811
):
    council_members(Agency.objects.get(kind="department", province__code=1))  # the chair
    ward = commune_of(1, "phuong")
    member = BeneficiaryFactory(commune=ward, name="Hợp tác xã Lụa tơ tằm Vạn Phúc")
    proposal = make_proposal(1, national=True, year=2025, beneficiaries=[member])
    scan = tmp_path / "quyet-dinh.pdf"
    scan.write_bytes(b"%PDF-1.4 quyet dinh cong nhan lang nghe")
    base = live_server.url

    # Before: a ward of Hà Nội, outside any village — not eligible since 15/10/2025.
    log_in(page, base, "hd-hanoi-chu-tich")
    page.goto(f"{base}/proposals/{proposal.pk}/")
    eligibility = page.locator("[data-testid='check-eligibility']").first
    assert eligibility.get_attribute("data-state") == "fail"
    assert ward.name in eligibility.inner_text()

    # The administrator registers the village with its decision.
    page.goto(f"{base}/")
    page.get_by_test_id("nav-menu-shop").click()  # the registers' menu
    page.get_by_role("link", name="Cơ sở CNNT").first.click()
    page.get_by_test_id("villages").click()
    page.get_by_test_id("create").click()
    page.get_by_label("Tên").fill("Làng lụa Vạn Phúc")
    page.get_by_label("Loại").select_option("traditional")
    page.get_by_label("Ngành nghề").select_option(label=member.sector.name)
    page.get_by_label("Xã/phường").select_option(str(ward.pk))
    page.get_by_label("Số quyết định công nhận").fill("2345/QĐ-UBND")
    page.get_by_label("Ngày quyết định công nhận").fill("2015-06-01")
    page.get_by_label("Bản scan quyết định (PDF hoặc ảnh)").set_input_files(str(scan))
    page.get_by_role("button", name="Lưu").click()
    page.get_by_test_id("recognition").wait_for()
    village = CraftVillage.objects.get(name="Làng lụa Vạn Phúc")
    assert village.province.code == 1 and village.decision_file
    assert "2345/QĐ-UBND" in page.get_by_test_id("recognition").inner_text()

    # The establishment of the ward joins it.
    form = page.get_by_test_id("member-add")
    form.get_by_label("Cơ sở").select_option(str(member.pk))
    form.get_by_label("Là thành viên từ").fill("2016-01-01")
    form.get_by_role("button", name="Thêm thành viên").click()
    page.get_by_test_id("members").get_by_text(member.name).wait_for()
    assert VillageMembership.objects.filter(village=village, beneficiary=member).exists()
    page.screenshot(path=str(artifacts_dir / "craft-village.png"), full_page=True)

    # The đề án passes the eligibility check, naming the village and its decision.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    eligibility = page.locator("[data-testid='check-eligibility']").first
    assert eligibility.get_attribute("data-state") == "ok"
    text = eligibility.inner_text()
    assert "Làng lụa Vạn Phúc" in text and "2345/QĐ-UBND" in text and "01/06/2015" in text
    page.screenshot(path=str(artifacts_dir / "craft-village-checks.png"), full_page=True)
