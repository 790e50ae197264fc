"""The dashboards' tables as an Excel workbook: one sheet per table, the same figures as
the page (they come from the same selector call), Vietnamese headings whatever the
page's language, and a first sheet saying which filters were applied."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from beneficiaries.excel import _header, _save

MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"

MEASURE_HEADERS = [
    ("Số đề án", 10, "count"),
    ("Số đề án được duyệt", 12, "funded"),
    ("Kinh phí được duyệt (đồng)", 20, "approved"),
    ("Đã giải ngân (đồng)", 20, "paid"),
    ("Tỷ lệ giải ngân (%)", 12, "rate"),
    ("Số đề án đã kiểm tra", 12, "inspected"),
    ("Số đề án tuân thủ", 12, "compliant"),
    ("Tỷ lệ tuân thủ (%)", 12, "compliance_rate"),
]
ISSUE_HEADERS = [
    ("Kiến nghị chưa khắc phục", 14, "findings"),
    ("Kiến nghị quá hạn", 12, "overdue"),
    ("Cảnh báo giải ngân", 12, "flags"),
]
ESTABLISHMENTS = [("Cơ sở CNNT được hỗ trợ", 14, "establishments")]
MONEY_KEYS = {"approved", "paid", "remaining", "target", "planned", "achieved"}
PERCENT_KEYS = {"rate", "compliance_rate", "share"}


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _measure_table(label: str, rows, *, extra=(), trailing=(), width=40) -> tuple:
    headers = [("STT", 6, None), (label, width, "label"), *extra, *MEASURE_HEADERS, *trailing]
    values = []
    for number, row in enumerate(rows, start=1):
        line = [number]
        for _h, _w, key in headers[1:]:
            if key == "label":
                line.append(str(row.label))
            elif key in ("region",):
                line.append(str(row.extra["province"].region.name))
            else:
                line.append(_number(getattr(row.m, key)))
        values.append(line)
    return headers, values


def tables_of(data: dict) -> dict:
    """key -> (sheet title, headers [(heading, width, key)], rows of values), in the order
    of the page. Only the tables the dashboard has."""
    total = data["total"]
    tables = {}
    summary_rows = [
        ("Số đề án", total.count),
        ("Số đề án được duyệt", total.funded),
        ("Kinh phí được duyệt (đồng)", total.approved),
        ("Đã giải ngân (đồng)", total.paid),
        ("Tỷ lệ giải ngân (%)", _number(total.rate)),
        ("Cơ sở CNNT được hỗ trợ", total.establishments),
        ("Số đề án đã kiểm tra", total.inspected),
        ("Tỷ lệ đề án tuân thủ (%)", _number(total.compliance_rate)),
        ("Kiến nghị chưa khắc phục", total.findings),
        ("Kiến nghị quá hạn", total.overdue),
        ("Cảnh báo giải ngân", total.flags),
    ]
    tables["summary"] = (
        "Tổng hợp",
        [("Chỉ tiêu", 36, None), ("Giá trị", 22, None)],
        [list(r) for r in summary_rows],
    )
    tables["sources"] = (
        "Theo nguồn kinh phí",
        [
            ("Nguồn kinh phí", 18, None),
            ("Kinh phí được duyệt (đồng)", 20, "approved"),
            ("Đã giải ngân (đồng)", 20, "paid"),
            ("Còn lại (đồng)", 20, "remaining"),
            ("Tỷ lệ giải ngân (%)", 12, "rate"),
        ],
        [
            [str(r["label"]), r["approved"], r["paid"], r["remaining"], _number(r["rate"])]
            for r in data["by_source"]
        ],
    )
    tables["statuses"] = (
        "Theo trạng thái",
        [("Trạng thái", 30, None), ("Số đề án", 12, None)],
        [[str(r["label"]), r["count"]] for r in data["statuses"]],
    )
    if "provinces" in data:
        tables["provinces"] = (
            "Theo tỉnh",
            *_measure_table(
                "Tỉnh, thành phố",
                data["provinces"],
                extra=[("Vùng", 30, "region")],
                trailing=[*ESTABLISHMENTS, *ISSUE_HEADERS],
                width=20,
            ),
        )
        tables["regions"] = (
            "Theo vùng",
            *_measure_table("Vùng", data["regions"], trailing=ISSUE_HEADERS),
        )
    if "agencies" in data:
        tables["agencies"] = (
            "Theo đơn vị thực hiện",
            *_measure_table("Đơn vị thực hiện", data["agencies"], trailing=ISSUE_HEADERS),
        )
        tables["communes"] = ("Theo xã, phường", *_measure_table("Xã, phường", data["communes"]))
    tables["years"] = ("Theo năm", *_measure_table("Năm", data["years"], width=10))
    tables["activities"] = (
        "Theo nội dung",
        *_measure_table("Nội dung hoạt động", data["activities"], width=60),
    )
    tables["kinds"] = ("Theo loại đề án", *_measure_table("Loại đề án", data["kinds"]))
    tables["levels"] = ("Theo cấp", *_measure_table("Cấp kinh phí", data["levels"], width=16))
    tables["outputs"] = (
        "Sản phẩm, chỉ tiêu",
        [
            ("Chỉ tiêu", 48, None),
            ("Đơn vị tính", 14, None),
            ("Mục tiêu của chương trình", 16, None),
            ("Theo đề án được duyệt", 16, None),
            ("Đã đạt (nghiệm thu)", 16, None),
            ("Đạt so với mục tiêu (%)", 14, "share"),
        ],
        [
            [
                r["indicator"].name,
                r["indicator"].unit,
                r["target"],
                r["planned"],
                r["achieved"],
                _number(r["share"]),
            ]
            for r in data["outputs"]
        ],
    )
    if "flags" in data:
        tables["flags"] = (
            "Cảnh báo giải ngân",
            [
                ("Mã đề án", 20, None),
                ("Tên đề án", 60, None),
                ("Cảnh báo", 40, None),
                ("Ngày phát sinh", 14, None),
            ],
            [
                [
                    f.proposal.code,
                    f.proposal.title,
                    str(f.get_kind_display()),
                    f.raised_on.strftime("%d/%m/%Y"),
                ]
                for f in data["flags"]["items"]
            ],
        )
    return tables


def _filters_sheet(workbook, form, province) -> None:
    sheet = workbook.active
    sheet.title = "Bộ lọc"
    _header(sheet, ["Bộ lọc", "Giá trị"], [30, 60])
    sheet.append(["Phạm vi", province.name if province else "Toàn quốc"])
    for name, value in form.filters().items():
        label = str(form.fields[name].label)
        if hasattr(form.fields[name], "choices") and not hasattr(value, "pk"):
            value = dict(form.fields[name].choices).get(value, value)
        sheet.append([label, str(value)])
    sheet.append(["Ngày lập", timezone.localtime().strftime("%d/%m/%Y %H:%M")])


def dashboard_workbook(data: dict, *, form, province=None, tables=None) -> bytes:
    """The workbook of a dashboard: the filters, then each table (or only ``tables``)."""
    workbook = Workbook()
    with translation.override("vi"):
        _filters_sheet(workbook, form, province)
        for key, (title, headers, rows) in tables_of(data).items():
            if tables is not None and key not in tables:
                continue
            sheet = workbook.create_sheet(title[:31])
            _header(sheet, [h for h, _w, _k in headers], [w for _h, w, _k in headers])
            for row in rows:
                sheet.append(row)
            for index, (_h, _w, k) in enumerate(headers, start=1):
                fmt = (
                    MONEY_FORMAT
                    if k in MONEY_KEYS
                    else PERCENT_FORMAT
                    if k in PERCENT_KEYS
                    else None
                )
                if fmt:
                    letter = get_column_letter(index)
                    for r in range(2, sheet.max_row + 1):
                        sheet[f"{letter}{r}"].number_format = fmt
    return _save(workbook)
