"""The đề án list as an Excel workbook, with the Vietnamese column headings of the
programme's own reports (approved amounts by funding source)."""

from __future__ import annotations

from django.utils import translation
from openpyxl import Workbook

from core.excel import MONEY_FORMAT, header_row, number_columns, workbook_bytes
from core.funding import SOURCE_SHORT
from core.measures import label


def export_headers() -> list[tuple[str, int]]:
    """Column headings and widths, in the active language. Money columns take their names
    from core.measures and core.funding, as the pages and PDFs do."""
    approved = label("approved")
    return [
        ("STT", 6),
        ("Mã đề án", 20),
        ("Tên đề án", 48),
        ("Kế hoạch", 30),
        ("Năm", 8),
        ("Tỉnh/thành phố", 18),
        ("Cấp kinh phí", 12),
        ("Loại đề án", 18),
        ("Nội dung hoạt động", 36),
        ("Đơn vị thực hiện", 34),
        ("Thời gian thực hiện", 24),
        ("Trạng thái", 20),
        ("Tổng dự toán (đồng)", 18),
        (f"{approved} – {SOURCE_SHORT['kcqg']} (đồng)", 20),
        (f"{approved} – {SOURCE_SHORT['kcdp']} (đồng)", 20),
        (f"{approved} (đồng)", 20),
        (f"{label('counterpart')} (đồng)", 18),
        (f"{label('other')} (đồng)", 18),
        ("Số quyết định phê duyệt", 20),
        ("Ngày quyết định", 14),
    ]


MONEY_COLUMNS = range(13, 19)


def export_workbook(proposals) -> bytes:
    """One row per đề án (from ``selectors.proposal_list``: ``requested_total`` annotated),
    in the given order. Labels are written in Vietnamese whatever the page's language."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đề án khuyến công"
    with translation.override("vi"):
        headers = export_headers()
        header_row(sheet, [h for h, _ in headers], [w for _, w in headers])
        for number, p in enumerate(proposals, start=1):
            sheet.append(
                [
                    number,
                    p.code,
                    p.title,
                    p.plan.title,
                    p.plan.year,
                    p.province.name if p.province_id else "",
                    str(p.get_level_display()),
                    str(p.get_kind_display()),
                    str(p.activity),
                    p.implementing_agency.name,
                    f"{p.start_date:%d/%m/%Y} - {p.end_date:%d/%m/%Y}",
                    str(p.get_status_display()),
                    getattr(p, "requested_total", None) or 0,
                    p.approved_kcqg,
                    p.approved_kcdp,
                    p.approved_kc,
                    p.approved_counterpart,
                    p.approved_other,
                    p.decision_number,
                    p.decision_date.strftime("%d/%m/%Y") if p.decision_date else "",
                ]
            )
    number_columns(sheet, MONEY_COLUMNS, MONEY_FORMAT)
    sheet.auto_filter.ref = sheet.dimensions
    return workbook_bytes(workbook)
