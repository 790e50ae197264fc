"""The demo's periodic reports of the first half of the demo year: Sơn La's six-month report
signed and sent to the ministry, Hà Nội's in draft with its text being written, Đắk Lắk's
not started (the national view shows it missing), and the Cục's national report in draft,
adding up what Sơn La sent. Seeding twice adds nothing."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile

from core.pdf import html_to_pdf_file
from demo.projects import YEAR
from demo.seeding import demo_user
from periodic import services
from periodic.models import PeriodicReport
from reference.models import Province

SIGNED_ON = datetime.date(YEAR, 7, 10)
SENT_ON = datetime.date(YEAR, 7, 12)

SONLA_TEXT = {
    "assessment": (
        "<p>Sáu tháng đầu năm, Sở Công Thương phối hợp với Trung tâm Khuyến công triển khai "
        "các đề án theo kế hoạch được duyệt; các mô hình trình diễn chế biến nông sản được "
        "cơ sở đón nhận, <b>giải ngân đúng tiến độ hợp đồng</b>.</p>"
    ),
    "causes": (
        "<ul><li>Thời tiết mưa kéo dài ảnh hưởng tiến độ lắp đặt thiết bị.</li>"
        "<li>Một số cơ sở chậm bố trí vốn đối ứng.</li></ul>"
    ),
    "direction": (
        f"<p>Hoàn thành nghiệm thu các đề án năm {YEAR}; chuẩn bị hồ sơ đăng ký kế hoạch "
        f"khuyến công quốc gia năm {YEAR + 1}.</p>"
    ),
    "recommendations": (
        f"<p>Đề nghị Bộ Công Thương sớm thông báo kinh phí khuyến công quốc gia năm {YEAR + 1}.</p>"
    ),
}


def _scan(number: str) -> ContentFile:
    html = (
        "<html><body style='font-family: Tinos; font-size: 13pt'>"
        f"<p>Bản chụp báo cáo số {number} (dữ liệu mẫu).</p></body></html>"
    )
    return ContentFile(html_to_pdf_file(html).content, name="ban-ky.pdf")


def _report(user, kind, province):
    found = PeriodicReport.objects.filter(kind=kind, province=province, year=YEAR).first()
    return found or services.report_start(actor=user, kind=kind, province=province, year=YEAR)


def seed_periodic() -> str:
    sonla, hanoi = Province.objects.get(code=14), Province.objects.get(code=1)
    sct = demo_user(sonla, "province_staff")
    report = _report(sct, "six_month", sonla)
    version = report.versions.order_by("-number").first()
    if version.status == "draft":
        version = services.version_update(version=version, actor=sct, sections=SONLA_TEXT)
        version = services.version_review(version=version, actor=sct)
    if version.status == "reviewed":
        version = services.version_sign(
            version=version,
            actor=sct,
            document_number="128/BC-SCT",
            signed_on=SIGNED_ON,
            signer="Hoàng Văn Quý",
            signer_title="Giám đốc",
            scan=_scan("128/BC-SCT"),
        )
    if version.status == "signed":
        services.version_send(version=version, actor=sct, sent_on=SENT_ON)

    hanoi_report = _report(demo_user(hanoi, "province_staff"), "six_month", hanoi)
    draft = hanoi_report.versions.get()
    if not draft.sections.get("assessment"):
        services.version_update(
            version=draft,
            actor=demo_user(hanoi, "centre_staff"),
            sections={
                **draft.sections,
                "assessment": "<p>Trung tâm Khuyến công đang tổng hợp kết quả 6 tháng.</p>",
            },
        )
    from accounts.models import User

    ministry = User.objects.get(username="ministry")
    _report(ministry, "six_month", None)
    return (
        f"Periodic reports {YEAR}: Sơn La's six-month report sent on "
        f"{SENT_ON:%d/%m/%Y}, Hà Nội's in draft, Đắk Lắk's not started, the national one in draft."
    )
