"""The four official documents rendered end to end (data → HTML → WeasyPrint → PDF) and
read back with pypdf: Vietnamese text intact, the Nghị định 30 layout (header, number,
page numbers from page 2, landscape for wide tables), totals and amounts in words, the
verification code on every page. PNGs of the pages land in artifacts/reports/."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.models import User
from bench.datasets import compliance_dataset
from core.formatting import amount_in_words, date_in_words, format_number
from core.measures import format_percent, percent
from demo import seeding
from disbursement.models import Contract, Tranche
from inspections.models import Inspection, InspectionAnswer, InspectionPhoto, Recommendation
from programs.models import Program
from projects.models import FUNDED_STATES, Proposal, ProposalOutput
from reference.models import Province
from reports.documents import (
    PROGRESS_DATA,
    PROGRESS_HTML,
    PROGRESS_PDF,
    PROGRESS_STARTED,
    render_html,
)
from reports.documents.common import (
    COMPLIANCE_LABELS,
    INSPECTION_KIND_LABELS,
    RESULT_LABELS,
    ReportDataMissing,
)
from reports.models import ReportJob
from tests.reports.documents_support import (
    check_deferred_constraints,
    render,
    rolled_back,
    save_artifacts,
)

# The documents are rendered once for the module (see ``docs``); the mark makes pytest-django
# create the test database and wraps each test in a savepoint inside that transaction.
pytestmark = pytest.mark.django_db

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
IDEAL = "Độc lập - Tự do - Hạnh phúc"
A4 = (210, 297)
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


def jpeg(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), color).save(buffer, "JPEG")
    return buffer.getvalue()


def inspection_with_everything(proposal: Proposal, inspector: User) -> Inspection:
    """A concluded inspection of ``proposal`` with answers, two photos (one with GPS), a
    contract and its tranches in scope, and two recommendations."""
    contract = Contract.objects.get(proposal=proposal, active=True)
    inspection = Inspection.objects.create(
        proposal=proposal,
        kind="unannounced",
        status="concluded",
        planned_on=datetime.date(2026, 9, 8),
        inspected_on=datetime.date(2026, 9, 9),
        place="Xưởng sấy nông sản, xã Sóc Sơn, thành phố Hà Nội",
        team="Phạm Thanh Bình, Thanh tra viên, Sở Công Thương thành phố Hà Nội\n"
        "Lê Quang Hùng, Cán bộ, Trung tâm Khuyến công thành phố Hà Nội",
        inspected_party="Nguyễn Thị Thơm, Chủ hộ kinh doanh\nĐỗ Văn Cường, Kế toán",
        contract=contract,
        conclusion="partly",
        conclusion_text="Máy sấy đã lắp đặt và vận hành đúng công suất.\n"
        "Hồ sơ chứng từ thanh toán đợt 2 còn thiếu hóa đơn.",
        number="07/BB-SCT",
        created_by=inspector,
        concluded_by=inspector,
        concluded_at=timezone.now(),
    )
    inspection.tranches.set(Tranche.objects.filter(contract=contract))
    InspectionAnswer.objects.bulk_create(
        [
            InspectionAnswer(
                inspection=inspection,
                text="Đúng đối tượng thụ hưởng theo quyết định phê duyệt",
                result="compliant",
                order=1,
            ),
            InspectionAnswer(
                inspection=inspection,
                text="Chứng từ thanh toán hợp lệ, đúng mục đích",
                result="partly",
                note="Thiếu hóa đơn giá trị gia tăng của đợt thanh toán thứ hai",
                order=2,
            ),
        ]
    )
    for n, (color, gps) in enumerate([((180, 120, 40), True), ((40, 120, 180), False)]):
        photo = InspectionPhoto(
            inspection=inspection,
            caption=f"Máy sấy năng lượng mặt trời, góc chụp {n + 1}",
            taken_at=timezone.make_aware(datetime.datetime(2026, 9, 9, 9, 30 + n)),
            latitude="21.254312" if gps else None,
            longitude="105.849877" if gps else None,
            original_name=f"IMG_{n}.jpg",
            size=1,
            sha256="0" * 64,
            uploaded_by=inspector,
        )
        photo.image.save(f"IMG_{n}.jpg", ContentFile(jpeg(color)), save=False)
        photo.save()
    Recommendation.objects.create(
        inspection=inspection,
        text="Bổ sung hóa đơn giá trị gia tăng của đợt thanh toán thứ hai",
        responsible="Trung tâm Khuyến công thành phố Hà Nội",
        deadline=datetime.date(2026, 10, 15),
    )
    Recommendation.objects.create(
        inspection=inspection,
        text="Lập sổ theo dõi vận hành máy sấy",
        responsible="Hộ kinh doanh Nguyễn Thị Thơm",
        deadline=datetime.date(2027, 1, 31),
    )
    Proposal.objects.filter(pk=proposal.pk).update(compliance="remedy_pending")
    return inspection


@pytest.fixture(scope="module")
def docs(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with (
        rolled_back(django_db_blocker),
        override_settings(STORAGES=storages, PORTAL_BASE_URL="https://khuyencong.example.vn"),
    ):
        seeding.seed_all(seed=2026, beneficiaries=False)
        users = {u.username: u for u in User.objects.select_related("agency__province")}
        hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
        data = compliance_dataset(
            provinces=[hanoi, sonla], per_province=14, actor=users["admin"], seed=11
        )
        first = (
            Proposal.objects.filter(province=hanoi, contracts__active=True, code__startswith="KCĐP")
            .order_by("code")
            .first()
        )
        Proposal.objects.filter(pk=first.pk).update(
            title="Ứng dụng máy sấy năng lượng mặt trời trong chế biến nông sản ở Sóc Sơn"
        )
        inspection = inspection_with_everything(first, users["inspector-hanoi"])
        check_deferred_constraints()
        rendered = {
            "compliance_hanoi": render(
                users["sct-hanoi"],
                "compliance",
                {"province": None, **PERIOD},
                title="Báo cáo tình hình sử dụng kinh phí khuyến công năm 2026",
                number="15/BC-SCT",
            ),
            "compliance_national": render(
                users["ministry"], "compliance", {"province": None, **PERIOD}, number="3/BC-CĐMST"
            ),
            "disbursement_plan": render(
                users["ttkc-hanoi"], "disbursement", {"plan": data.plans[0].pk}, number="21/BC-TTKC"
            ),
            "disbursement_period": render(
                users["ministry"],
                "disbursement",
                {"province": None, "date_from": "2026-07-01", "date_to": "2026-12-31"},
            ),
            "program_results": render(
                users["sct-sonla"], "program_results", {"program": data.programs[1].pk}
            ),
            "inspection_record": render(
                users["inspector-hanoi"], "inspection_record", {"inspection": inspection.pk}
            ),
        }
        for name, doc in rendered.items():
            save_artifacts(name, doc, pages=(1, 2) if doc.page_count > 1 else (1,))
        yield {
            "docs": rendered,
            "data": data,
            "users": users,
            "inspection": inspection,
            "proposal": Proposal.objects.get(pk=first.pk),
        }


ALL = [
    "compliance_hanoi",
    "compliance_national",
    "disbursement_plan",
    "disbursement_period",
    "program_results",
    "inspection_record",
]


@pytest.mark.parametrize("name", ALL)
def test_header_motto_and_vietnamese_text_read_back(docs, name):
    doc = docs["docs"][name]
    first = doc.pages[0]
    assert MOTTO in first
    assert IDEAL in first
    # Nghị định 30/2020: a day below 10 and the months 1 and 2 take a leading zero.
    assert re.search(r"ngày \d{2} tháng (0[12]|[3-9]|1[012]) năm \d{4}", first)


@pytest.mark.parametrize("name", ALL)
def test_verification_code_and_link_on_every_page(docs, name):
    doc = docs["docs"][name]
    code = doc.job.verification_code
    line = f"Mã xác thực: {code} — kiểm tra tại https://khuyencong.example.vn/reports/verify/?code={code}"
    for number, page in enumerate(doc.pages, start=1):
        assert line in " ".join(page.split()), f"page {number} of {name}"


@pytest.mark.parametrize("name", ALL)
def test_page_numbers_from_page_two_only(docs, name):
    doc = docs["docs"][name]
    assert "1" not in doc.pages[0].splitlines()
    for number, page in enumerate(doc.pages[1:], start=2):
        assert str(number) in page.splitlines(), f"page {number} of {name}"


@pytest.mark.parametrize("name", ALL)
def test_progress_is_reported_between_the_stages(docs, name):
    doc = docs["docs"][name]
    assert doc.progress == [PROGRESS_STARTED, PROGRESS_DATA, PROGRESS_HTML, PROGRESS_PDF]
    assert doc.page_count == len(doc.pages)


@pytest.mark.parametrize(
    "name,landscape",
    [
        ("compliance_hanoi", True),
        ("compliance_national", True),
        ("disbursement_plan", True),
        ("disbursement_period", True),
        ("program_results", True),
        ("inspection_record", False),
    ],
)
def test_a4_landscape_for_the_wide_tables(docs, name, landscape):
    width, height = docs["docs"][name].page_size_mm()
    expected = (A4[1], A4[0]) if landscape else A4
    assert (round(width), round(height)) == expected


def test_issuer_is_the_requesters_agency_under_its_superior(docs):
    sct = docs["docs"]["compliance_hanoi"].pages[0]
    assert "UBND THÀNH PHỐ HÀ NỘI" in sct
    assert "SỞ CÔNG THƯƠNG" in sct
    assert "Số: 15/BC-SCT" in sct
    assert "Hà Nội, ngày" in sct
    centre = docs["docs"]["disbursement_plan"].pages[0]
    assert "SỞ CÔNG THƯƠNG THÀNH PHỐ HÀ NỘI" in centre
    assert "TRUNG TÂM KHUYẾN CÔNG" in centre
    ministry = " ".join(docs["docs"]["compliance_national"].pages[0].split())
    assert "BỘ CÔNG THƯƠNG" in ministry
    assert "CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG" in ministry
    assert "Số: 3/BC-CĐMST" in ministry
    sonla = docs["docs"]["program_results"].pages[0]
    assert "UBND TỈNH SƠN LA" in sonla
    assert "Sơn La, ngày" in sonla


def test_compliance_report_rows_totals_and_amounts_in_words(docs):
    doc = docs["docs"]["compliance_hanoi"]
    assert doc.flat.startswith(MOTTO) or MOTTO in doc.flat
    assert "BÁO CÁO" in doc.text
    assert "Tình hình sử dụng kinh phí khuyến công năm 2026" in doc.flat
    assert "Ứng dụng máy sấy năng lượng mặt trời trong chế biến nông sản ở Sóc Sơn" in doc.flat
    hanoi = Proposal.objects.filter(province__code=1, code__startswith="KCĐP")
    # Khuyến công funds only (KCQG + KCĐP); the counterpart is shown beside, never added in.
    approved = sum(p.approved_kcqg + p.approved_kcdp for p in hanoi)
    counterpart = sum(p.approved_counterpart for p in hanoi)
    assert counterpart  # the dataset has counterpart money: leaving it out matters
    paid = sum(
        t.amount
        for t in Tranche.objects.filter(
            proposal__in=hanoi, status__in=["paid", "reversed"], source__in=["kcqg", "kcdp"]
        )
    )
    assert f"TỔNG CỘNG ({hanoi.count()} đề án)" in doc.flat
    assert f"Tổng kinh phí khuyến công được duyệt: {format_number(approved)} đồng" in doc.flat
    assert f"(Bằng chữ: {amount_in_words(approved)})" in doc.flat
    assert "Tổng kinh phí khuyến công đã giải ngân tính đến" in doc.flat
    assert f": {format_number(paid)} đồng (Bằng chữ: {amount_in_words(paid)})" in doc.flat
    assert f"vốn đối ứng của cơ sở {format_number(counterpart)} đồng" in doc.flat
    # The rate: two decimals, decimal comma, its denominator named.
    rate = " ".join(format_percent(percent(paid, approved)).split())  # as flat writes it
    assert f"đạt {rate} so với kinh phí khuyến công được duyệt" in doc.flat
    # The finding of the inspection is listed with its deadline, overdue on the report day.
    assert "Bổ sung hóa đơn giá trị gia tăng của đợt thanh toán thứ hai" in doc.flat
    assert "15/10/2026" in doc.flat
    assert "Quá hạn" in doc.flat
    assert COMPLIANCE_LABELS["remedy_pending"] in doc.flat


def test_national_compliance_report_groups_by_province_with_subtotals(docs):
    doc = docs["docs"]["compliance_national"]
    assert "I Thành phố Hà Nội (14 đề án)" in doc.flat
    assert "II Tỉnh Sơn La (14 đề án)" in doc.flat
    assert "Cộng thành phố Hà Nội" in doc.flat
    assert "Cộng tỉnh Sơn La" in doc.flat
    assert "TỔNG CỘNG (28 đề án)" in doc.flat
    assert "Phạm vi: toàn quốc" in doc.flat
    # Without a title, the summary names the period.
    assert "BÁO CÁO Tình hình sử dụng kinh phí khuyến công năm 2026" in doc.flat


def test_a_provincial_requester_gets_only_their_province(docs):
    """sct-hanoi asked with national-looking parameters (province null)."""
    doc = docs["docs"]["compliance_hanoi"]
    assert "KCĐP-HNI-2026-" in doc.text
    assert "KCĐP-SLA-2026-" not in doc.text
    assert "Phạm vi: thành phố Hà Nội" in doc.flat
    assert "TỔNG CỘNG (14 đề án)" in doc.flat


KC = ("kcqg", "kcdp")
PAID = ("paid", "reversed")


def _kc_money(proposals) -> tuple[int, int, int]:
    """(approved, paid, counterpart) of ``proposals`` computed from the rows: khuyến công
    funds only for the first two, paid tranches with reversals deducted."""
    funded = [p for p in proposals if p.status in FUNDED_STATES]
    approved = sum(p.approved_kcqg + p.approved_kcdp for p in funded)
    counterpart = sum(p.approved_counterpart for p in funded)
    paid = sum(
        t.amount
        for t in Tranche.objects.filter(proposal__in=proposals, status__in=PAID, source__in=KC)
    )
    return approved, paid, counterpart


def _half_up_text(part: int, whole: int) -> str:
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value}".replace(".", ",") + " %"


def test_disbursement_report_for_a_plan(docs):
    doc = docs["docs"]["disbursement_plan"]
    data = docs["data"]
    plan = data.plans[0]
    assert "Tình hình giải ngân kế hoạch khuyến công địa phương năm 2026" in doc.flat
    assert "GIẢI NGÂN THEO NỘI DUNG HOẠT ĐỘNG" in doc.flat
    assert "Kinh phí được giao theo kế hoạch" in doc.flat
    proposals = list(Proposal.objects.filter(plan=plan))
    approved, paid, counterpart = _kc_money(proposals)
    assert paid and counterpart
    # The sentence and the columns name the same denominator; two decimals, half-up.
    rate = _half_up_text(paid, approved)
    assert (
        f"tổng kinh phí khuyến công được duyệt {format_number(approved)} đồng; lũy kế giải "
        f"ngân {format_number(paid)} đồng, đạt {rate} kinh phí khuyến công được duyệt"
    ) in doc.flat
    assert "Tỷ lệ giải ngân (so với kinh phí khuyến công được duyệt)" in doc.flat
    assert "Tỷ lệ giải ngân so với kế hoạch" in doc.flat
    assert f"Vốn đối ứng của cơ sở: {format_number(counterpart)} đồng" in doc.flat
    assert "bằng" not in doc.flat.split("TỔNG HỢP THEO NGUỒN KINH PHÍ")[1][:400]
    assert "Lũy kế kinh phí khuyến công đã giải ngân tính đến ngày" in doc.flat
    assert f": {format_number(paid)} đồng (Bằng chữ: {amount_in_words(paid)})" in doc.flat
    signed = Contract.objects.filter(proposal__plan=plan, active=True).order_by("number").first()
    assert f"HĐ số {signed.number}" in doc.flat
    if Proposal.objects.filter(plan=plan, contracts__isnull=True).exists():
        assert "chưa ký hợp đồng" in doc.flat
    assert "KCĐP-SLA" not in doc.text


def test_disbursement_report_for_a_period_counts_payments_in_the_period(docs):
    doc = docs["docs"]["disbursement_period"]
    assert "Giải ngân trong kỳ" in doc.flat
    assert "BÁO CÁO Tình hình giải ngân kinh phí khuyến công 6 tháng cuối năm 2026" in doc.flat
    assert "Kỳ báo cáo: từ ngày 01 tháng 7 năm 2026 đến ngày 31 tháng 12 năm 2026" in doc.flat
    # Cumulative figures are as at the end of the period, or the report's day if earlier.
    as_at = min(datetime.date(2026, 12, 31), timezone.localdate())
    assert f"Lũy kế giải ngân tính đến {date_in_words(as_at)}" in doc.flat
    kc_paid = Tranche.objects.filter(status__in=PAID, source__in=KC)
    in_period = sum(
        t.amount
        for t in kc_paid.filter(
            paid_on__gte=datetime.date(2026, 7, 1), proposal__code__contains="-2026-"
        )
    )
    advances = sum(t.amount for t in kc_paid.filter(paid_on__lt=datetime.date(2026, 7, 1)))
    assert in_period and advances  # both parts exist, so the two columns differ
    assert format_number(in_period) in doc.flat
    assert format_number(in_period + advances) in doc.flat
    assert "Cộng tỉnh Sơn La" in doc.flat


def test_program_results_report(docs):
    doc = docs["docs"]["program_results"]
    program: Program = docs["data"].programs[1]
    assert (
        "Kết quả thực hiện chương trình khuyến công tỉnh Sơn La giai đoạn 2026 - 2030" in doc.flat
    )
    assert "Mô hình trình diễn kỹ thuật, chuyển giao công nghệ" in doc.flat
    assert "Máy móc, thiết bị, dây chuyền được hỗ trợ" in doc.flat
    models = ProposalOutput.objects.filter(
        proposal__plan__program=program, indicator__code="models", achieved_value__isnull=False
    ).aggregate(total=Sum("achieved_value"))["total"]
    committed = ProposalOutput.objects.filter(
        proposal__plan__program=program, indicator__code="models"
    ).aggregate(total=Sum("target_value"))["total"]
    assert models
    # Target 14 models for the period (2026-2030); achieved in 2026 only; rate = ÷ 14.
    rate = _half_up_text(models, 14)
    assert (
        f"Mô hình trình diễn kỹ thuật, chuyển giao công nghệ mô hình 14 {committed} "
        f"{models} 0 0 0 0 {models} {rate}"
    ) in doc.flat
    for year in program.years:
        assert str(year) in doc.flat
    # The money: khuyến công funds, the rate on the same denominator as its column.
    sonla = docs["users"]["sct-sonla"].agency.province
    proposals = list(
        Proposal.objects.filter(
            plan__program=program, plan__year__in=list(program.years), province=sonla
        )
    )
    approved, paid, _counterpart = _kc_money(proposals)
    assert approved and paid
    assert "Tỷ lệ giải ngân (so với kinh phí khuyến công được duyệt)" in doc.flat
    assert (
        f"{format_number(paid)} đồng (Bằng chữ: {amount_in_words(paid)}), đạt "
        f"{_half_up_text(paid, approved)} kinh phí khuyến công được duyệt"
    ) in doc.flat


def test_inspection_record_contents(docs):
    doc = docs["docs"]["inspection_record"]
    proposal = docs["proposal"]
    flat = doc.flat
    assert "BIÊN BẢN" in doc.text
    assert f"Kiểm tra việc sử dụng kinh phí khuyến công của đề án {proposal.code}" in flat
    assert "Số: 07/BB-SCT" in flat
    assert "Hà Nội, ngày 09 tháng 9 năm 2026" in flat
    assert "Hôm nay, ngày 09 tháng 9 năm 2026" in flat  # the body: NĐ 30/2020 too
    assert "Xưởng sấy nông sản, xã Sóc Sơn" in flat
    assert "Phạm Thanh Bình, Thanh tra viên" in flat
    assert "Nguyễn Thị Thơm, Chủ hộ kinh doanh" in flat
    assert proposal.title in flat
    assert proposal.decision_number in flat
    contract = Contract.objects.get(proposal=proposal, active=True)
    assert f"Số {contract.number} ký ngày 01/02/2026" in flat
    assert "Tạm ứng" in flat  # a tranche in scope
    assert "Thiếu hóa đơn giá trị gia tăng của đợt thanh toán thứ hai" in flat
    assert RESULT_LABELS["partly"] in flat  # the item's result and the conclusion
    assert f"Hình thức kiểm tra {INSPECTION_KIND_LABELS['unannounced']}" in flat
    assert "21.25431, 105.84988" in flat
    assert "09:30 09/09/2026" in flat
    assert "Lập sổ theo dõi vận hành máy sấy" in flat and "31/01/2027" in flat
    assert "TRƯỞNG ĐOÀN KIỂM TRA" in flat and "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA" in flat
    # The two photos are embedded as images (pages may share one resource dictionary).
    images = {
        hashlib.sha256(image.data).hexdigest() for page in doc.reader.pages for image in page.images
    }
    assert len(images) == 2


def test_render_html_is_the_same_document_without_the_pdf(docs):
    job = docs["docs"]["compliance_hanoi"].job
    html = render_html(job)
    assert html.lstrip().startswith("<!doctype html>")
    assert job.verification_code in html
    assert "Ứng dụng máy sấy năng lượng mặt trời" in html


def test_an_object_outside_the_scope_is_not_reported(docs):
    users = docs["users"]
    job = ReportJob.objects.create(
        kind="inspection_record",
        params={"inspection": docs["inspection"].pk},
        title="",
        requested_by=users["sct-sonla"],
    )
    with pytest.raises(ReportDataMissing):
        render_html(job)


# --- The compliance report: one date for every status, counts and rows from one rule -----------


def _compliance_context(user, date_from, date_to):
    from django.utils import translation

    from reports.documents import compliance

    job = ReportJob.objects.create(
        kind="compliance",
        params={"province": None, "date_from": date_from, "date_to": date_to},
        title="",
        requested_by=user,
    )
    with translation.override("vi"):
        return compliance.build(job), render_html(job)


def _rows(context):
    return {row["proposal"].code: row for group in context["groups"] for row in group["rows"]}


def test_the_compliance_report_states_its_period_and_the_date_it_is_as_at(docs):
    flat = docs["docs"]["compliance_hanoi"].flat
    today = timezone.localdate()
    assert "Kỳ báo cáo: từ ngày 01 tháng 01 năm 2026 đến ngày 31 tháng 12 năm 2026" in flat
    # The period ends after the day of the report: the statuses are as at that day.
    assert today < datetime.date(2026, 12, 31)
    assert (
        "kết quả kiểm tra, tình trạng tuân thủ và kiến nghị tính đến "
        f"{date_in_words(today)} (ngày lập báo cáo)"
    ) in flat
    assert f"Tình trạng tuân thủ đến {today:%d/%m/%Y}" in flat


def test_compliance_counts_and_rows_come_from_one_definition_as_at_the_period_end(docs):
    """The first half of 2026: an inspection dated after 30/06 does not count yet, a
    recommendation remedied after 30/06 was still open then, and the on-site appraisal
    never counts; the counts of section I are those of the rows."""
    user = docs["users"]["sct-hanoi"]
    inspector = docs["users"]["inspector-hanoi"]
    in_scope = list(
        Proposal.objects.filter(
            province__code=1,
            code__startswith="KCĐP",
            decision_date__lte=datetime.date(2026, 6, 30),
            end_date__gte=datetime.date(2026, 1, 1),
        ).order_by("code")
    )
    fresh = [p for p in in_scope if not p.inspections.exists()]
    later, remedied = fresh[0], fresh[1]

    def inspection(proposal, day, conclusion, kind="periodic"):
        return Inspection.objects.create(
            proposal=proposal,
            kind=kind,
            status="concluded",
            planned_on=day,
            inspected_on=day,
            team="Phạm Thanh Bình, Thanh tra viên",
            conclusion=conclusion,
            conclusion_text="Kết luận.",
            created_by=inspector,
            concluded_by=inspector,
            concluded_at=timezone.now(),
        )

    inspection(later, datetime.date(2026, 7, 15), "compliant")
    inspection(later, datetime.date(2026, 5, 2), "compliant", kind="appraisal")
    first = inspection(remedied, datetime.date(2026, 5, 10), "partly")
    Recommendation.objects.create(
        inspection=first,
        text="Bổ sung biên bản bàn giao máy",
        deadline=datetime.date(2026, 6, 1),
        status="remedied",
        remedied_on=datetime.date(2026, 8, 1),
    )
    inspection(remedied, datetime.date(2026, 9, 1), "compliant")

    half, half_html = _compliance_context(user, "2026-01-01", "2026-06-30")
    year, _html = _compliance_context(user, "2026-01-01", "2026-12-31")
    assert half["as_at"] == datetime.date(2026, 6, 30)
    labels = dict(COMPLIANCE_LABELS.items())

    rows = _rows(half)
    assert rows[later.code]["compliance"] == labels["not_inspected"]
    assert rows[later.code]["inspection"] is None  # the appraisal is not an inspection here
    assert rows[remedied.code]["compliance"] == labels["remedy_pending"]
    assert rows[remedied.code]["inspection"]["last_on"] == datetime.date(2026, 5, 10)
    finding = [r for r in half["recommendations"] if r["proposal"].pk == remedied.pk]
    assert len(finding) == 1 and finding[0]["overdue_days"] == 29  # 01/06 → 30/06
    rows_year = _rows(year)
    assert rows_year[later.code]["compliance"] == labels["compliant"]
    assert rows_year[remedied.code]["compliance"] == labels["compliant"]
    assert not [r for r in year["recommendations"] if r["proposal"].pk == remedied.pk]

    for context in (half, year):
        from collections import Counter

        by_rows = Counter(row["compliance"] for row in _rows(context).values())
        counts = dict(context["compliance_counts"])
        assert sum(counts.values()) == context["count"] == len(_rows(context))
        assert {k: v for k, v in counts.items() if v} == dict(by_rows)
        inspected_rows = sum(1 for row in _rows(context).values() if row["inspection"])
        assert context["inspected"] == inspected_rows
        assert counts[labels["not_inspected"]] == context["count"] - context["inspected"]
    # The sentence of section I says the same.
    text = " ".join(half_html.split())
    assert f"{half['inspected']}/{half['count']} đề án đã được kiểm tra" in text
    n = dict(half["compliance_counts"])[labels["not_inspected"]]
    assert f"{labels['not_inspected']}: {n} đề án" in text
    assert "tính đến ngày 30 tháng 6 năm 2026" in text


def test_the_compliance_report_money_is_paid_as_at_its_date(docs):
    """Payments after the as-at date are not in the report's paid column."""
    user = docs["users"]["sct-hanoi"]
    half, _html = _compliance_context(user, "2026-01-01", "2026-06-30")
    codes = set(_rows(half))
    expected = sum(
        t.amount
        for t in Tranche.objects.filter(
            proposal__code__in=codes,
            status__in=["paid", "reversed"],
            source__in=["kcqg", "kcdp"],
            paid_on__lte=datetime.date(2026, 6, 30),
        )
    )
    assert half["paid_sum"] == expected
    assert half["total_money"]["paid"] == sum(r["money"]["paid"] for r in _rows(half).values())
    assert half["total_money"]["approved"] == sum(
        r["money"]["approved"] for r in _rows(half).values()
    )
