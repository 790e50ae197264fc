"""The dashboards' tables as an Excel workbook: one sheet per table, the same figures as
the page (they come from the same selector call), Vietnamese headings whatever the
page's language, and a first sheet saying which filters were applied.

Every heading of a measure is its name in core.measures; money is whole đồng with a
thousands format (khuyến công funds, the counterpart and other sources in columns of their
own); a rate cell holds the exact ratio (core.measures.excel_ratio) with a percent format,
so Excel re-computes and sums without the page's rounding; each table of rows ends with
its total row, which is the sum of the rows (the selection's total)."""

from __future__ import annotations

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.excel import COUNT_FORMAT, MONEY_FORMAT, header_row, workbook_bytes
from core.funding import SOURCE_SHORT
from core.measures import EXCEL_PERCENT_FORMAT, excel_ratio, label

TOTAL = "Tổng cộng"

# key -> (numerator, denominator) of the Measures attributes behind a rate cell.
RATES = {"rate": ("paid", "approved"), "compliance_rate": ("compliant", "inspected")}
MONEY_KEYS = {"approved", "paid", "remaining", "counterpart", "other"}
PERCENT_KEYS = {"rate", "compliance_rate", "share"}
COUNT_KEYS = {
    "count",
    "funded",
    "inspected",
    "compliant",
    "beneficiaries",
    "findings",
    "overdue",
    "flags",
    "target",
    "planned",
    "achieved",
}
# The non-measure columns (their own words: not published measures of core.measures).
BENEFICIARIES = "Cơ sở CNNT được hỗ trợ (đếm không trùng)"
FLAGS = "Cảnh báo giải ngân"


def _money(key: str, source: str | None) -> str:
    """A money heading: the measure's name, the chosen source when there is one, the unit."""
    scope = f" — {source}" if source else ""
    return f"{label(key)}{scope} (đồng)"


def measure_headers(source: str | None = None) -> list[tuple]:
    """(heading, width, key) of the measure columns of a table of rows."""
    scope = f" — {source}" if source else ""
    return [
        (str(label("proposals")), 10, "count"),
        (str(label("funded")), 12, "funded"),
        (_money("approved", source), 20, "approved"),
        (_money("paid", source), 20, "paid"),
        (_money("remaining", source), 20, "remaining"),
        (f"{label('rate')}{scope}", 12, "rate"),
        (_money("counterpart", None), 18, "counterpart"),
        (_money("other", None), 16, "other"),
        (str(label("inspected")), 12, "inspected"),
        (str(label("compliant")), 12, "compliant"),
        (str(label("compliance_rate")), 12, "compliance_rate"),
    ]


def issue_headers() -> list[tuple]:
    return [
        (str(label("open_findings")), 14, "findings"),
        (str(label("overdue_findings")), 12, "overdue"),
        (FLAGS, 12, "flags"),
    ]


def _value(m, key: str):
    """The cell of ``key`` for Measures ``m``: the exact ratio for a rate."""
    if key in RATES:
        part, whole = RATES[key]
        return excel_ratio(getattr(m, part), getattr(m, whole))
    return getattr(m, key)


def _measure_table(
    first: str, rows, total, *, source=None, extra=(), trailing=(), width=40
) -> tuple:
    """Headers and lines of a table of rows, ending with the total row (``total``: the
    Measures of the selection, which the rows add up to)."""
    headers = [
        ("STT", 6, None),
        (first, width, "label"),
        *extra,
        *measure_headers(source),
        *trailing,
    ]
    lines = []
    for number, row in enumerate(rows, start=1):
        line = [number]
        for _h, _w, key in headers[1:]:
            if key == "label":  # a province by its full name (Tỉnh Sơn La)
                province = row.extra.get("province")
                line.append(province.name if province else str(row.label))
            elif key == "region":
                province = row.extra.get("province")
                line.append(str(province.region.name) if province else "")
            else:
                line.append(_value(row.m, key))
        lines.append(line)
    if total is not None:
        line = [None]
        for _h, _w, key in headers[1:]:
            if key == "label":
                line.append(TOTAL)
            elif key == "region":
                line.append(None)
            else:
                line.append(_value(total, key))
        lines.append(line)
    return headers, lines


def _source_line(r: dict) -> list:
    return [
        str(r["label"]),
        r["approved"],
        r["paid"],
        r["remaining"],
        excel_ratio(r["paid"], r["approved"]),
    ]


def tables_of(data: dict, *, source: str | None = None) -> dict:
    """key -> (sheet title, headers [(heading, width, key)], rows of values), in the order
    of the page. Only the tables the dashboard has. ``source``: the funding source chosen
    in the filters (the money columns are its own, and say so)."""
    short = str(SOURCE_SHORT[source]) if source else None
    total = data["total"]
    tables = {}
    summary = [
        (str(label("proposals")), total.count, "count"),
        (str(label("funded")), total.funded, "count"),
        (_money("approved", short), total.approved, "approved"),
        (_money("paid", short), total.paid, "paid"),
        (_money("remaining", short), total.remaining, "remaining"),
        (f"{label('rate')}{f' — {short}' if short else ''}", _value(total, "rate"), "rate"),
        (_money("counterpart", None), total.counterpart, "counterpart"),
        (_money("other", None), total.other, "other"),
        (BENEFICIARIES, total.beneficiaries, "count"),
        (str(label("inspected")), total.inspected, "count"),
        (str(label("compliant")), total.compliant, "count"),
        (str(label("compliance_rate")), _value(total, "compliance_rate"), "compliance_rate"),
        (str(label("open_findings")), total.findings, "count"),
        (str(label("overdue_findings")), total.overdue, "count"),
        (FLAGS, total.flags, "count"),
    ]
    tables["summary"] = (
        "Tổng hợp",
        [("Chỉ tiêu", 44, None), ("Giá trị", 22, "by_row")],
        [[heading, value] for heading, value, _k in summary],
        [k for _h, _v, k in summary],  # the format of each row's value
    )
    by_source = data["by_source"]
    tables["sources"] = (
        "Theo nguồn kinh phí",
        [
            ("Nguồn kinh phí", 40, None),
            (_money("approved", None), 20, "approved"),
            (_money("paid", None), 20, "paid"),
            (_money("remaining", None), 20, "remaining"),
            (str(label("rate")), 12, "rate"),
        ],
        [
            *(_source_line(r) for r in by_source["kc"]),
            _source_line(by_source["kc_total"]),
            ["Ngoài kinh phí khuyến công (không cộng vào tổng trên)", None, None, None, None],
            *(_source_line(r) for r in by_source["beside"]),
        ],
    )
    tables["statuses"] = (
        "Theo trạng thái",
        [("Trạng thái", 30, None), (str(label("proposals")), 12, "count")],
        [[str(r["label"]), r["count"]] for r in data["statuses"]]
        + [[TOTAL, sum(r["count"] for r in data["statuses"])]],
    )
    common = {"source": short}
    if "provinces" in data:
        tables["provinces"] = (
            "Theo tỉnh",
            *_measure_table(
                "Tỉnh, thành phố",
                data["provinces"],
                total,
                extra=[("Vùng", 30, "region")],
                trailing=[(BENEFICIARIES, 14, "beneficiaries"), *issue_headers()],
                width=20,
                **common,
            ),
        )
        tables["regions"] = (
            "Theo vùng",
            *_measure_table("Vùng", data["regions"], total, trailing=issue_headers(), **common),
        )
    if "agencies" in data:
        tables["agencies"] = (
            "Theo đơn vị thực hiện",
            *_measure_table(
                "Đơn vị thực hiện", data["agencies"], total, trailing=issue_headers(), **common
            ),
        )
        tables["communes"] = (
            "Theo xã, phường",
            *_measure_table("Xã, phường", data["communes"], total, **common),
        )
    tables["years"] = (
        "Theo năm",
        *_measure_table("Năm", data["years"], total, width=10, **common),
    )
    tables["activities"] = (
        "Theo nội dung",
        *_measure_table("Nội dung hoạt động", data["activities"], total, width=60, **common),
    )
    tables["kinds"] = (
        "Theo loại đề án",
        *_measure_table("Loại đề án", data["kinds"], total, **common),
    )
    tables["levels"] = (
        "Theo cấp",
        *_measure_table("Cấp kinh phí", data["levels"], total, width=16, **common),
    )
    tables["outputs"] = (
        "Sản phẩm, chỉ tiêu",
        [
            ("Chỉ tiêu", 48, None),
            ("Đơn vị tính", 14, None),
            ("Mục tiêu của chương trình", 16, "target"),
            ("Theo đề án được duyệt", 16, "planned"),
            ("Đã đạt (nghiệm thu)", 16, "achieved"),
            ("Đạt so với mục tiêu", 14, "share"),
        ],
        [
            [
                r["indicator"].name,
                r["indicator"].unit,
                r["target"],
                r["planned"],
                r["achieved"],
                excel_ratio(r["achieved"], r["target"]),
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
    header_row(sheet, ["Bộ lọc", "Giá trị"], [30, 60])
    sheet.append(["Phạm vi", province.name if province else "Toàn quốc"])
    for name, value in form.filters().items():
        field_label = str(form.fields[name].label)
        if hasattr(form.fields[name], "choices") and not hasattr(value, "pk"):
            value = dict(form.fields[name].choices).get(value, value)
        sheet.append([field_label, str(value)])
    sheet.append(
        [
            "Cách tính",
            "Kinh phí và tỷ lệ tính trên kinh phí khuyến công (KCQG + KCĐP) trừ khi đã chọn "
            "một nguồn; vốn đối ứng và nguồn khác ghi riêng, không cộng vào.",
        ]
    )
    sheet.append(["Ngày lập", timezone.localtime().strftime("%d/%m/%Y %H:%M")])


def _format(key: str | None) -> str | None:
    if key in MONEY_KEYS:
        return MONEY_FORMAT
    if key in PERCENT_KEYS:
        return EXCEL_PERCENT_FORMAT
    if key in COUNT_KEYS:
        return COUNT_FORMAT
    return None


def dashboard_workbook(data: dict, *, form, province=None, tables=None) -> bytes:
    """The workbook of a dashboard: the filters, then each table (or only ``tables``)."""
    workbook = Workbook()
    source = form.filters().get("source")
    with translation.override("vi"):
        _filters_sheet(workbook, form, province)
        for key, (title, headers, rows, *row_formats) in tables_of(data, source=source).items():
            if tables is not None and key not in tables:
                continue
            sheet = workbook.create_sheet(title[:31])
            header_row(sheet, [h for h, _w, _k in headers], [w for _h, w, _k in headers])
            for row in rows:
                sheet.append(row)
            for index, (_h, _w, k) in enumerate(headers, start=1):
                letter = get_column_letter(index)
                for r in range(2, sheet.max_row + 1):
                    fmt = _format(row_formats[0][r - 2] if k == "by_row" else k)
                    if fmt:
                        sheet[f"{letter}{r}"].number_format = fmt
            if rows and TOTAL in rows[-1][:2]:  # the total row
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
    return workbook_bytes(workbook)
