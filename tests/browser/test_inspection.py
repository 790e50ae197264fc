"""The inspector of Hà Nội inspects a đề án in implementation in a real browser: plans
the inspection from the đề án's page, fills the checklist, adds a photo taken on site
(a JPEG carrying its capture time and GPS position) and a recommendation without losing
what was typed in the checklist, concludes, finds the đề án's compliance on its page,
then asks for the biên bản, waits for the Celery worker to produce it and downloads it.

Elements are found by name, id and data-testid, not by their (translated) labels."""

import datetime
import hashlib
import io

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from PIL import ExifTags, Image
from pypdf import PdfReader

from inspections.catalogue import load_catalogue as load_checklist
from inspections.models import Inspection, InspectionPhoto, Recommendation
from projects.catalogue import load_catalogue
from projects.models import Proposal
from reports.models import ReportJob
from tests.browser.conftest import confirm_in_dialog
from tests.browser.test_login_as_each_role import log_in
from tests.disbursement.factories import contracted
from tests.projects.factories import advance, make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def site_photo(taken: datetime.datetime) -> bytes:
    """A photo "taken" in Bát Tràng: DateTimeOriginal and a GPS position in its EXIF."""
    image = Image.new("RGB", (960, 720), (150, 110, 70))
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (20.0, 58.0, 33.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 54.0, 44.46)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.timeout(600)
def test_inspector_plans_records_and_concludes_an_inspection(
    world, live_server, page, artifacts_dir, celery_worker_process, tmp_path
):
    load_catalogue(django_apps)  # a transactional test before may have flushed them
    load_checklist(django_apps)
    proposal = advance(make_proposal(1), "approved")
    contracted(proposal)
    today = timezone.localdate()
    base = live_server.url
    log_in(page, base, "inspector-hanoi")

    # 1. From the đề án's page: its Inspections card (loaded by HTMX) offers to plan one.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    card = page.get_by_test_id("inspections-card")
    card.locator("[data-compliance='not_inspected']").wait_for()
    card.get_by_test_id("plan-inspection").click()
    page.wait_for_url(f"**/inspections/proposals/{proposal.pk}/plan/")
    page.locator("[name='kind']").select_option("periodic")
    page.locator("[name='planned_on']").fill(today.strftime("%d/%m/%Y"))
    page.locator("[name='place']").fill("Xã Bát Tràng, thành phố Hà Nội")
    page.locator("[name='team']").fill(
        "Phạm Thanh Bình, Thanh tra viên, Sở Công Thương (trưởng đoàn)\n"
        "Lê Quang Hùng, Cán bộ, Trung tâm Khuyến công"
    )
    page.screenshot(path=str(artifacts_dir / "inspection-plan.png"), full_page=True)
    page.get_by_test_id("submit-plan").click()
    page.locator("[data-testid='inspection-status'][data-status='planned']").wait_for()
    inspection = Inspection.objects.get(proposal=proposal)
    answers = list(inspection.answers.order_by("order"))
    assert len(answers) >= 8

    # 2. The checklist: everything compliant but the counterpart money, partly spent.
    page.locator("[name='inspected_on']").fill(today.strftime("%d/%m/%Y"))
    page.locator("[name='inspected_party']").fill("Ông Nguyễn Văn Hải, chủ cơ sở")
    partly = next(a for a in answers if a.item.code == "von-doi-ung")
    for answer in answers:
        choice = 1 if answer == partly else 0  # 0 compliant, 1 partly, 2 not compliant
        page.locator(f"label[for='id_result_{answer.pk}_{choice}']").click()
    page.locator(f"[name='note_{partly.pk}']").fill("Vốn đối ứng mới chi 60 % dự toán")

    # 3. A photo taken on site, added without leaving the page (HTMX).
    taken = datetime.datetime.combine(today, datetime.time(9, 41, 7))
    page.locator("[name='image']").set_input_files(
        files=[{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": site_photo(taken)}]
    )
    page.locator("[name='caption']").fill("Lò nung mới lắp đặt")
    page.get_by_test_id("submit-photo").click()
    photo_card = page.get_by_test_id("photo")
    photo_card.wait_for()
    assert taken.strftime("%H:%M %d/%m/%Y") in photo_card.get_by_test_id("photo-taken").inner_text()
    gps = photo_card.get_by_test_id("photo-gps").inner_text()
    assert "20,975833" in gps and "105,912350" in gps
    thumbnail = photo_card.locator("img").element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail)

    # 4. A recommendation with its deadline, also by HTMX.
    deadline = today + datetime.timedelta(days=30)
    # Sent empty, the form comes back with the reasons next to its fields (a 400 reply that
    # htmx would otherwise drop), and nothing is added.
    page.get_by_test_id("submit-recommendation").click()
    errors = page.get_by_test_id("form-recommendation").locator(".invalid-feedback")
    errors.first.wait_for()
    assert errors.count() >= 1 and errors.first.inner_text().strip()
    assert page.get_by_test_id("recommendation").count() == 0
    page.locator("[name='text']").fill("Hoàn thành chi vốn đối ứng và gửi chứng từ về Trung tâm")
    page.locator("[name='responsible']").fill("Cơ sở thụ hưởng")
    page.locator("[name='deadline']").fill(deadline.strftime("%d/%m/%Y"))
    page.get_by_test_id("submit-recommendation").click()
    page.get_by_test_id("recommendation").wait_for()
    # What was typed in the checklist is still there (nothing was reloaded).
    assert page.locator(f"#id_result_{partly.pk}_1").is_checked()
    assert page.locator(f"#id_result_{answers[0].pk}_0").is_checked()
    assert "60 %" in page.locator(f"[name='note_{partly.pk}']").input_value()
    page.screenshot(path=str(artifacts_dir / "inspection-checklist.png"), full_page=True)
    assert page.evaluate("document.querySelector('main').scrollWidth") <= 1366

    # 5. Conclude: partly compliant, with the text of the team and the record number.
    page.locator("label[for='id_conclusion_1']").click()
    page.locator("[name='conclusion_text']").fill(
        "Đề án thực hiện đúng đối tượng, đúng mục đích; vốn đối ứng chưa chi đủ."
    )
    page.locator("[name='number']").fill("07/BB-SCT")
    page.get_by_test_id("conclude").click()
    confirm_in_dialog(page, "biên bản không sửa được nữa")
    page.locator("[data-testid='inspection-status'][data-status='concluded']").wait_for()
    assert "vốn đối ứng chưa chi đủ" in page.get_by_test_id("conclusion-text").inner_text()
    assert page.locator("[data-testid='compliance'][data-compliance='remedy_pending']").count()
    assert page.locator("[data-testid='answer'][data-result='partly']").count() == 1
    assert page.locator("[data-testid='answer'][data-result='compliant']").count() == (
        len(answers) - 1
    )
    assert page.locator("[data-testid^='follow-up-']").count() == 1  # follow-up now possible
    page.screenshot(path=str(artifacts_dir / "inspection-concluded.png"), full_page=True)

    # 6. The đề án's page shows the compliance, the inspection and the timeline.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    card = page.get_by_test_id("inspections-card")
    card.locator("[data-compliance='remedy_pending']").wait_for()
    card.locator("[data-testid='proposal-inspection']").wait_for()
    assert "07/BB-SCT" in card.inner_text()
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "inspection-proposal-card.png"), full_page=True)

    inspection = Inspection.objects.get(pk=inspection.pk)
    assert inspection.status == "concluded" and inspection.conclusion == "partly"
    assert inspection.inspected_on == today and inspection.number == "07/BB-SCT"
    assert inspection.created_by.username == inspection.concluded_by.username == "inspector-hanoi"
    partly.refresh_from_db()
    assert (partly.result, partly.note) == ("partly", "Vốn đối ứng mới chi 60 % dự toán")
    photo = InspectionPhoto.objects.get(inspection=inspection)
    assert timezone.localtime(photo.taken_at).replace(tzinfo=None) == taken
    assert (str(photo.latitude), str(photo.longitude)) == ("20.975833", "105.912350")
    recommendation = Recommendation.objects.get(inspection=inspection)
    assert recommendation.deadline == deadline and recommendation.status == "open"
    assert Proposal.objects.get(pk=proposal.pk).compliance == "remedy_pending"

    # 7. The biên bản: asked for from the inspection page, produced by a real Celery
    # worker while the page follows the progress, then downloaded and read back.
    page.goto(f"{base}/inspections/{inspection.pk}/")
    page.get_by_test_id("request-record").click()
    page.wait_for_url(f"{base}/reports/*/")
    job = ReportJob.objects.get(kind="inspection_record", params__inspection=inspection.pk)
    card = page.get_by_test_id("report-progress")
    card.and_(page.locator('[data-status="done"]')).wait_for(timeout=180_000)
    page.screenshot(path=str(artifacts_dir / "inspection-record-ready.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    saved = tmp_path / "bien-ban.pdf"
    download_info.value.save_as(saved)
    job.refresh_from_db()
    assert job.status == "done" and job.requested_by.username == "inspector-hanoi"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == job.sha256
    text = "\n".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "BIÊN BẢN" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert proposal.code in text and "vốn đối ứng chưa chi đủ" in text
    assert "Hoàn thành chi vốn đối ứng" in text  # the recommendation
    assert job.verification_code in text
