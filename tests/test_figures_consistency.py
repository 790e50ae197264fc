"""Issue 11, "How it is checked": one province, two plan years, KCĐP and KCQG đề án,
counterpart money, plans whose allocation differs from the approved total, payments and a
reversal (tests/figures_scenario.py). Every rate and total that the province's pages, the
ministry's dashboards, the Excel exports and the PDFs show for one scope must equal an
independent computation (plain integer arithmetic over the scenario's declarations) and
therefore each other:

* money figures and rates are on khuyến công funds (KCQG + KCĐP); the counterpart is never
  inside the approved total;
* "Tỷ lệ giải ngân" = paid ÷ approved khuyến công funds, on every page, for the same scope;
  "so với kế hoạch" = paid ÷ allocated where a plan exists;
* rates with two decimals rounded half-up, written "91,37 %" (non-breaking space); Excel
  cells hold the exact ratio with the format "0.00%";
* a total equals the sum of its rows.

Each surface collects its mismatches and reports them all at once (the failure message lists
page, figure, shown value and expected value).
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pytest
import tinyhtml5
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from tests import figures_scenario as sc

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
EXCEL_PERCENT = "0.00%"


# --- The scenario, built once for the module ----------------------------------------------------


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    from demo import seeding

    media = tmp_path_factory.mktemp("media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    with rolled_back(django_db_blocker), override_settings(STORAGES=storages):
        seeding.seed_all(seed=2026, beneficiaries=False)
        data = sc.build()
        with connection.cursor() as cursor:  # the deferred money triggers fire now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield data


@contextmanager
def rolled_back(django_db_blocker):
    """One transaction for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(user, language="en") -> Client:
    """A logged-in client; English so headers are the source strings (numbers are
    written the Vietnamese way whatever the language)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


class Problems(list):
    """Mismatches of one surface: (where, figure, shown, expected)."""

    def check(self, where: str, figure: str, shown, expected) -> None:
        if shown != expected:
            self.append(f"{where}: {figure} shows {shown!r}, expected {expected!r}")

    def verify(self) -> None:
        assert not self, "\n" + "\n".join(self)


# --- Parsing -------------------------------------------------------------------------------------


def amount(text: str | None) -> int | None:
    """ "1.250.000 ₫" / "1.250.000" -> 1250000; "—" or empty -> None."""
    if text is None:
        return None
    text = text.strip()
    digits = re.sub(r"[^\d-]", "", text)
    if not digits or digits == "-":
        return None
    return int(digits)


def rate_of(text: str | None) -> str | None:
    """The rate written in a cell, whitespace normalised except the non-breaking space
    before % (kept: it is part of the format)."""
    if text is None:
        return None
    found = re.search(r"-?[\d.]+(?:,\d+)?[ \u00a0]?%|—", text)
    return found.group(0) if found else text.strip()


def _text(element) -> str:
    return " ".join("".join(element.itertext()).replace(NBSP, "\x00").split()).replace("\x00", NBSP)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def html_root(response):
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return tinyhtml5.parse(response.content.decode())


def by_testid(root, value: str) -> list:
    return [el for el in root.iter() if el.get("data-testid") == value]


def one_testid(root, value: str, problems: Problems, where: str):
    found = by_testid(root, value)
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} elements with data-testid={value!r} (want 1)")
        return None
    return found[0]


def _cells(tr) -> list:
    cells = []
    for cell in tr:
        if _local(cell.tag) in ("td", "th"):
            cells.extend([cell] * int(cell.get("colspan") or 1))
    return cells


def column_kind(header: str) -> str | None:
    """Which measure a column holds, from its header (English or Vietnamese)."""
    h = header.lower()
    money = any(w in h for w in ("đồng", "₫", "kinh phí", "funds", "amount"))
    if "rate" in h or "tỷ lệ" in h:
        if "complian" in h or "tuân thủ" in h or "đúng quy định" in h:
            return None
        if "÷ approved" in h or "được duyệt" in h:
            return "rate"
        if "plan" in h or "allocat" in h or "kế hoạch" in h:
            return "rate_plan"
        return "rate"
    if "counterpart" in h or "đối ứng" in h:
        return "counterpart"
    if "allocat" in h or "phân bổ" in h or "kế hoạch" in h or "plan" in h:
        return "allocated"
    if "contract" in h or "hợp đồng" in h:
        return "contracted"
    if "approved" in h or "duyệt" in h:
        counts = "proposal" in h or "đề án" in h
        return "approved" if money or not counts else None
    if "paid" in h or "disbursed" in h or "giải ngân" in h:
        return None if "remaining" in h or "còn" in h else "paid"
    return None


def table_columns(table) -> dict[str, int]:
    """measure -> column index, from the last header row of ``table``."""
    header_rows = [
        tr for tr in table.iter() if _local(tr.tag) == "tr" and tr.find(".//*") is not None
    ]
    thead = [el for el in table.iter() if _local(el.tag) == "thead"]
    if thead:
        header_rows = [tr for tr in thead[0].iter() if _local(tr.tag) == "tr"]
    columns: dict[str, int] = {}
    for index, cell in enumerate(_cells(header_rows[-1])):
        kind = column_kind(_text(cell))
        if kind and kind not in columns:
            columns[kind] = index
    return columns


def row_figures(tr, columns: dict[str, int]) -> dict:
    cells = _cells(tr)
    figures = {}
    for kind, index in columns.items():
        if index >= len(cells):
            continue
        value = _text(cells[index])
        figures[kind] = rate_of(value) if kind.startswith("rate") else amount(value)
    return figures


# --- The scenario itself --------------------------------------------------------------------------


def test_scenario_is_what_the_database_holds(built):
    """The declarations the expected figures are computed from are what was created
    (read from the raw rows, not through a selector)."""
    from disbursement.models import Tranche
    from programs.models import PlanAllocation

    problems = Problems()
    for spec in sc.PROPOSALS:
        p = built.proposals[spec.key]
        p.refresh_from_db()
        own, other = ("kcqg", "kcdp") if spec.national else ("kcdp", "kcqg")
        problems.check(spec.key, "approved KC", getattr(p, f"approved_{own}"), spec.kc)
        problems.check(spec.key, "other KC", getattr(p, f"approved_{other}"), 0)
        problems.check(spec.key, "counterpart", p.approved_counterpart, spec.counterpart)
        problems.check(spec.key, "province", p.province.code, spec.province)
        problems.check(spec.key, "plan", p.plan_id, built.plans[spec.plan_key].pk)
        rows = Tranche.objects.filter(proposal=p)
        paid = sum(t.amount for t in rows if t.status in ("paid", "reversed"))
        pending = sum(t.amount for t in rows if t.status in ("requested", "approved"))
        problems.check(spec.key, "paid", paid, spec.paid)
        problems.check(spec.key, "pending", pending, spec.pending)
        if spec.reversed:
            problems.check(spec.key, "reversals", rows.filter(kind="reversal").count(), 1)
        if spec.amend:
            problems.check(spec.key, "status", p.status, "amending")
        if spec.inspect:
            problems.check(spec.key, "compliance", p.compliance, "compliant")
    for key, plan in built.plans.items():
        spec = sc.PLANS[key]
        kc = sum(
            a.amount for a in PlanAllocation.objects.filter(plan=plan, source__in=("kcqg", "kcdp"))
        )
        problems.check(key, "allocated KC", kc, spec.allocated)
        problems.check(key, "status", plan.status, "approved")
    problems.verify()


def test_independent_computation():
    """The arithmetic the other tests compare with: half-up at the boundary, the
    counterpart outside the approved total, the plan rate on the plan's đề án."""
    alone = sc._figures([sc.PROPOSALS[0]], [])
    assert (alone.paid, alone.approved) == (91_365_000, 100_000_000)
    assert alone.rate_text == "91,37\u00a0%"  # 91,365 -> 91,37 (half-up, not 91,36)
    sl29 = sc._figures([sc.PROPOSALS[3]], [])
    assert sl29.rate_text == "64,29\u00a0%"  # 64,285 -> 64,29
    assert sc.rate_text(sc.rate_hundredths(1, 3)) == "33,33\u00a0%"
    assert sc.rate_text(sc.rate_hundredths(2, 3)) == "66,67\u00a0%"
    year = sc.expected_province(sc.SONLA, 2028)
    assert year.approved == sum(p.kc for p in sc.PROPOSALS if (p.province, p.year) == (14, 2028))
    assert year.counterpart > 0 and year.approved + year.counterpart != year.approved
    # The scopes differ from each other, so a page showing another scope's figure fails.
    rates = {
        sc.expected_province(sc.SONLA, 2028).rate,
        sc.expected_province(sc.SONLA, 2029).rate,
        sc.expected_province(sc.SONLA).rate,
        sc.expected_nation(2028).rate,
        sc.expected_nation(2029).rate,
        sc.expected_program_local(sc.SONLA, 2028).rate,
        sc.expected_province(sc.SONLA, 2028).rate_plan,
        sc.expected_province(sc.SONLA, 2029).rate_plan,
    }
    assert len(rates) == 8
    # The old definitions give other numbers: counterpart in the base, local plans only.
    y = sc.expected_province(sc.SONLA, 2028)
    assert sc.rate_hundredths(y.paid, y.approved + y.counterpart) != y.rate
    local = sc.expected_program_local(sc.SONLA, 2028)
    assert local.rate != y.rate


# --- Execution pages (disbursement) -------------------------------------------------------------


def _execution(root, where: str, problems: Problems):
    """The execution table's total row and its KC rows, read by header."""
    table = one_testid(root, "execution", problems, where)
    total = one_testid(root, "execution-total", problems, where)
    if table is None or total is None:
        return None, []
    columns = table_columns(table)
    for needed in ("approved", "paid", "rate", "allocated", "rate_plan"):
        if needed not in columns:
            problems.append(f"{where}: no column for {needed!r} (headers: {columns})")
    rows = [
        row_figures(tr, columns) | {"_cells": [_text(c) for c in _cells(tr)]}
        for tr in by_testid(root, "execution-row")
    ]
    return row_figures(total, columns), rows


def _check_execution(where, shown, rows, expected: sc.Figures, problems: Problems):
    if shown is None:
        return
    problems.check(where, "approved KC", shown.get("approved"), expected.approved)
    problems.check(where, "paid KC", shown.get("paid"), expected.paid)
    problems.check(where, "Tỷ lệ giải ngân", shown.get("rate"), expected.rate_text)
    problems.check(where, "allocated KC", shown.get("allocated"), expected.allocated)
    problems.check(where, "so với kế hoạch", shown.get("rate_plan"), expected.rate_plan_text)
    kc_rows = [r for r in rows if {"KCQG", "KCĐP"} & set(r["_cells"])]
    for measure in ("approved", "paid", "allocated"):
        if measure in shown:
            problems.check(
                where,
                f"sum of the KC rows' {measure}",
                sum(r.get(measure) or 0 for r in kc_rows),
                shown[measure],
            )


@pytest.mark.parametrize("year", sc.YEARS)
def test_province_execution_page(built, year):
    where = f"province execution page {year}"
    problems = Problems()
    response = client_for(built.users["sct-sonla"]).get(
        reverse("province-execution", args=[built.sonla.pk]), {"year": year}
    )
    root = html_root(response)
    shown, rows = _execution(root, where, problems)
    expected = sc.expected_province(sc.SONLA, year)
    _check_execution(where, shown, rows, expected, problems)
    _check_counterpart_beside(root, where, expected, problems)
    problems.verify()


def _check_counterpart_beside(root, where, expected: sc.Figures, problems: Problems):
    """The counterpart is shown (under its own name), never added into the KC total."""
    text = _text(root)
    mixed = expected.approved + expected.counterpart
    if _vn(mixed) in text:
        problems.append(f"{where}: approved KC + counterpart ({_vn(mixed)}) appears as a figure")
    if _vn(expected.counterpart) not in text:
        problems.append(f"{where}: the counterpart {_vn(expected.counterpart)} is not shown beside")


def _vn(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@pytest.mark.parametrize(
    "key,username",
    [("local-14-2028", "sct-sonla"), ("local-14-2029", "sct-sonla"), ("national-2028", "ministry")],
)
def test_plan_execution_page(built, key, username):
    where = f"plan execution page {key}"
    problems = Problems()
    response = client_for(built.users[username]).get(
        reverse("plan-execution", args=[built.plans[key].pk])
    )
    shown, rows = _execution(html_root(response), where, problems)
    _check_execution(where, shown, rows, sc.expected_plan(key), problems)
    problems.verify()


# --- Excel exports of the execution pages --------------------------------------------------------


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def _sheet_table(sheet):
    """(header row index, {measure: column}, rows as lists of cells) of a sheet whose
    header row is the first containing "STT" (or the first row)."""
    header_row = 1
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 6)):
        if any(str(c.value or "").strip() == "STT" for c in row):
            header_row = row[0].row
            break
    columns = {}
    for cell in sheet[header_row]:
        kind = column_kind(str(cell.value or ""))
        if kind and kind not in columns:
            columns[kind] = cell.column - 1
    rows = [list(r) for r in sheet.iter_rows(min_row=header_row + 1)]
    return header_row, columns, rows


def _excel_rate(where, figure, cell, part, whole, problems: Problems):
    if cell is None:
        problems.append(f"{where}: no cell for {figure}")
        return
    exact = part / whole
    if not isinstance(cell.value, (int, float)) or abs(cell.value - exact) > 1e-12:
        problems.append(
            f"{where}: {figure} cell holds {cell.value!r}, expected the ratio {exact!r}"
        )
    if cell.number_format != EXCEL_PERCENT:
        problems.append(
            f"{where}: {figure} cell format {cell.number_format!r}, expected {EXCEL_PERCENT!r}"
        )


def _check_execution_sheet(where, sheet, expected: sc.Figures, problems: Problems):
    _header, columns, rows = _sheet_table(sheet)
    for needed in ("approved", "paid", "rate", "allocated", "rate_plan"):
        if needed not in columns:
            problems.append(f"{where}: no column for {needed!r} (found {sorted(columns)})")
    totals = [
        r
        for r in rows
        if any(str(c.value or "").strip().lower().startswith("tổng cộng") for c in r)
    ]
    if len(totals) != 1:
        problems.append(f"{where}: {len(totals)} 'Tổng cộng' rows")
        return
    total = totals[0]

    def cell(kind):
        return total[columns[kind]] if kind in columns else None

    for kind, value in (
        ("approved", expected.approved),
        ("paid", expected.paid),
        ("allocated", expected.allocated),
    ):
        if kind in columns:
            problems.check(where, f"{kind} KC", cell(kind).value, value)
    _excel_rate(where, "Tỷ lệ giải ngân", cell("rate"), expected.paid, expected.approved, problems)
    _excel_rate(
        where,
        "so với kế hoạch",
        cell("rate_plan"),
        expected.paid_in_plans,
        expected.allocated,
        problems,
    )
    kc_rows = [
        r
        for r in rows
        if r is not total and any(str(c.value or "").strip() in ("KCQG", "KCĐP") for c in r)
    ]
    for kind in ("approved", "paid", "allocated"):
        if kind in columns:
            problems.check(
                where,
                f"sum of the KC rows' {kind}",
                sum(int(r[columns[kind]].value or 0) for r in kc_rows),
                cell(kind).value,
            )


@pytest.mark.parametrize(
    "key,username",
    [("local-14-2028", "sct-sonla"), ("local-14-2029", "sct-sonla"), ("national-2028", "ministry")],
)
def test_plan_execution_export(built, key, username):
    where = f"plan execution Excel {key}"
    problems = Problems()
    response = client_for(built.users[username]).get(
        reverse("plan-execution-export", args=[built.plans[key].pk])
    )
    sheet = _workbook(response).worksheets[0]
    _check_execution_sheet(where, sheet, sc.expected_plan(key), problems)
    problems.verify()


@pytest.mark.parametrize("year", sc.YEARS)
def test_province_execution_export(built, year):
    where = f"province execution Excel {year}"
    problems = Problems()
    try:
        url = reverse("province-execution-export", args=[built.sonla.pk])
    except NoReverseMatch:
        pytest.fail(f"{where}: no URL named 'province-execution-export'")
    response = client_for(built.users["sct-sonla"]).get(url, {"year": year})
    sheet = _workbook(response).worksheets[0]
    _check_execution_sheet(where, sheet, sc.expected_province(sc.SONLA, year), problems)
    problems.verify()


# --- Dashboards -----------------------------------------------------------------------------------


def _headline(root, where, problems: Problems) -> dict:
    figures = {}
    approved = one_testid(root, "total-approved", problems, where)
    paid = one_testid(root, "total-paid", problems, where)
    rate = one_testid(root, "total-rate", problems, where)
    # The exact amount: data-value, else the tooltip, else the text.
    for key, element in (("approved", approved), ("paid", paid)):
        if element is not None:
            figures[key] = amount(
                element.get("data-value") or element.get("title") or _text(element)
            )
    if rate is not None:
        figures["rate"] = rate_of(_text(rate))
    return figures


def _measure_row(root, table: str, key, where, problems: Problems) -> dict | None:
    """A dashboard table's row (data-key): approved and paid from data-value, the rate."""
    found = one_testid(root, f"table-{table}", problems, where)
    if found is None:
        return None
    rows = [tr for tr in found.iter() if _local(tr.tag) == "tr" and tr.get("data-key") == str(key)]
    if len(rows) != 1:
        problems.append(f"{where}: {len(rows)} rows with data-key={key} in table-{table}")
        return None
    figures = {}
    for el in rows[0].iter():
        measure = el.get("data-measure")
        if measure in ("approved", "paid"):
            figures[measure] = int(el.get("data-value")) if el.get("data-value") else None
        elif measure == "rate":
            figures["rate"] = rate_of(_text(el))
    return figures


def _table_total(root, table: str, where, problems: Problems) -> tuple[dict, list[dict]]:
    """The figures of a dashboard table's rows (data-value) and of its total row."""
    found = one_testid(root, f"table-{table}", problems, where)
    if found is None:
        return {}, []
    rows = []
    for tr in found.iter():
        if _local(tr.tag) == "tr" and tr.get("data-key"):
            figures = {}
            for el in tr.iter():
                if el.get("data-measure") in ("approved", "paid") and el.get("data-value"):
                    figures[el.get("data-measure")] = int(el.get("data-value"))
            rows.append(figures)
    tfoot = [el for el in found.iter() if _local(el.tag) == "tfoot"]
    total = {}
    if tfoot:
        columns = table_columns(found)
        tr = next(el for el in tfoot[0].iter() if _local(el.tag) == "tr")
        total = row_figures(tr, columns)
    return total, rows


def _check(where, shown: dict | None, expected: sc.Figures, problems: Problems):
    if shown is None:
        return
    problems.check(where, "approved KC", shown.get("approved"), expected.approved)
    problems.check(where, "paid KC", shown.get("paid"), expected.paid)
    problems.check(where, "Tỷ lệ giải ngân", shown.get("rate"), expected.rate_text)


@pytest.mark.parametrize("year", sc.YEARS)
def test_province_dashboard(built, year):
    where = f"province dashboard {year}"
    problems = Problems()
    response = client_for(built.users["sct-sonla"]).get(
        reverse("dashboard-province", args=[built.sonla.pk]),
        {"year_from": year, "year_to": year},
    )
    root = html_root(response)
    expected = sc.expected_province(sc.SONLA, year)
    _check(f"{where}, headline", _headline(root, where, problems), expected, problems)
    _check(
        f"{where}, years table",
        _measure_row(root, "years", year, where, problems),
        expected,
        problems,
    )
    for table in ("years", "levels", "activities", "agencies"):
        total, rows = _table_total(root, table, f"{where}, table {table}", problems)
        for measure in ("approved", "paid"):
            problems.check(
                f"{where}, table {table}",
                f"sum of the rows' {measure}",
                sum(r.get(measure, 0) for r in rows),
                getattr(expected, measure),
            )
            if total:
                problems.check(
                    f"{where}, table {table}",
                    f"total {measure}",
                    total.get(measure),
                    getattr(expected, measure),
                )
    _check_counterpart_beside(root, where, expected, problems)
    problems.verify()


def test_province_dashboard_all_years(built):
    where = "province dashboard, all years"
    problems = Problems()
    response = client_for(built.users["sct-sonla"]).get(
        reverse("dashboard-province", args=[built.sonla.pk])
    )
    root = html_root(response)
    expected = sc.expected_province(sc.SONLA)
    _check(f"{where}, headline", _headline(root, where, problems), expected, problems)
    for year in sc.YEARS:
        _check(
            f"{where}, years table {year}",
            _measure_row(root, "years", year, where, problems),
            sc.expected_province(sc.SONLA, year),
            problems,
        )
    problems.verify()


@pytest.mark.parametrize("year", sc.YEARS)
def test_national_dashboard(built, year):
    where = f"national dashboard {year}"
    problems = Problems()
    client = client_for(built.users["ministry"])
    url = reverse("dashboard-national")
    root = html_root(client.get(url, {"year_from": year, "year_to": year}))
    nation = sc.expected_nation(year)
    _check(f"{where}, headline", _headline(root, where, problems), nation, problems)
    for province, code in ((built.sonla, sc.SONLA), (built.daklak, sc.DAKLAK)):
        expected = sc.expected_province(code, year)
        if expected.count:
            _check(
                f"{where}, provinces table row {province.short_name}",
                _measure_row(root, "provinces", province.pk, where, problems),
                expected,
                problems,
            )
    total, rows = _table_total(root, "provinces", f"{where}, provinces table", problems)
    for measure in ("approved", "paid"):
        problems.check(
            f"{where}, provinces table",
            f"sum of the rows' {measure}",
            sum(r.get(measure, 0) for r in rows),
            getattr(nation, measure),
        )
    # The headline with the province filter: the province's scope.
    root = html_root(
        client.get(url, {"year_from": year, "year_to": year, "province": built.sonla.pk})
    )
    _check(
        f"{where}, headline filtered to Sơn La",
        _headline(root, where, problems),
        sc.expected_province(sc.SONLA, year),
        problems,
    )
    problems.verify()


def _summary_sheet(workbook) -> dict:
    sheet = workbook["Tổng hợp"]
    return {str(r[0].value): r[1] for r in sheet.iter_rows(min_row=2) if r[0].value}


def _check_summary_sheet(where, workbook, expected: sc.Figures, problems: Problems):
    try:
        cells = _summary_sheet(workbook)
    except KeyError:
        problems.append(f"{where}: no sheet 'Tổng hợp' ({workbook.sheetnames})")
        return
    kinds = {label: column_kind(label) for label in cells}
    approved = next((cells[k] for k, v in kinds.items() if v == "approved"), None)
    paid = next((cells[k] for k, v in kinds.items() if v == "paid"), None)
    rate = next((cells[k] for k, v in kinds.items() if v == "rate"), None)
    problems.check(where, "approved KC", approved.value if approved else None, expected.approved)
    problems.check(where, "paid KC", paid.value if paid else None, expected.paid)
    _excel_rate(where, "Tỷ lệ giải ngân", rate, expected.paid, expected.approved, problems)


def _check_measure_sheet(where, workbook, title, label, expected: sc.Figures, problems):
    if title not in workbook.sheetnames:
        problems.append(f"{where}: no sheet {title!r} ({workbook.sheetnames})")
        return
    _header, columns, rows = _sheet_table(workbook[title])
    found = [r for r in rows if any(str(c.value or "").strip() == label for c in r)]
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} rows labelled {label!r} in {title!r}")
        return
    row = found[0]
    for kind in ("approved", "paid"):
        if kind not in columns:
            problems.append(f"{where}: no {kind} column in {title!r}")
        else:
            problems.check(
                f"{where} {title!r}",
                f"{kind} KC",
                row[columns[kind]].value,
                getattr(expected, kind),
            )
    _excel_rate(
        f"{where} {title!r}",
        "Tỷ lệ giải ngân",
        row[columns["rate"]] if "rate" in columns else None,
        expected.paid,
        expected.approved,
        problems,
    )


@pytest.mark.parametrize("year", sc.YEARS)
def test_dashboard_exports(built, year):
    where = f"dashboard Excel {year}"
    problems = Problems()
    query = {"year_from": year, "year_to": year}
    province = sc.expected_province(sc.SONLA, year)
    workbook = _workbook(
        client_for(built.users["sct-sonla"]).get(
            reverse("dashboard-province-export", args=[built.sonla.pk]), query
        )
    )
    _check_summary_sheet(f"{where}, province export", workbook, province, problems)
    _check_measure_sheet(
        f"{where}, province export", workbook, "Theo năm", str(year), province, problems
    )
    ministry = client_for(built.users["ministry"])
    workbook = _workbook(ministry.get(reverse("dashboard-national-export"), query))
    _check_summary_sheet(f"{where}, national export", workbook, sc.expected_nation(year), problems)
    _check_measure_sheet(
        f"{where}, national export",
        workbook,
        "Theo tỉnh",
        built.sonla.name,
        province,
        problems,
    )
    workbook = _workbook(
        ministry.get(reverse("dashboard-national-export"), {**query, "province": built.sonla.pk})
    )
    _check_summary_sheet(
        f"{where}, national export filtered to Sơn La", workbook, province, problems
    )
    problems.verify()


# --- PDFs (rendered in-process, as the report task does) --------------------------------------


def render(user, kind: str, params: dict):
    """The report rendered by reports.documents.render_report, as the Celery task does
    (imported here: the module is being changed while these tests are written)."""
    from tests.reports.documents_support import render as render_job

    return render_job(user, kind, params)


# The closing lines of the reports: "Tổng kinh phí khuyến công được duyệt: … đồng",
# "Lũy kế kinh phí khuyến công đã giải ngân đến ngày …: … đồng".
APPROVED_LINE = r"Tổng kinh phí (?:khuyến công )?được duyệt:\s*([\d.]+)\s*đồng"
PAID_LINE = r"(?:Lũy kế|Tổng) kinh phí (?:khuyến công )?đã giải ngân[^:]{0,60}:\s*([\d.]+)\s*đồng"


def _pdf_text(rendered) -> str:
    return " ".join(rendered.text.replace(NBSP, " ").replace("-\n", "-").split())


def _sentence_rate(text: str) -> list[str]:
    """The rates written in the sentences ("bằng 35,80 %", "đạt 35,80 %")."""
    return re.findall(r"(?:bằng|đạt)\s+(\d+(?:,\d+)?)\s?%", text)


def _check_pdf(where, text, expected: sc.Figures, problems: Problems, *, rate_plan=False):
    """Totals in the closing lines, the rate of the sentence, no KC + counterpart total."""
    approved = re.search(APPROVED_LINE, text)
    paid = re.search(PAID_LINE, text)
    problems.check(
        where, "approved KC", amount(approved.group(1)) if approved else None, expected.approved
    )
    problems.check(where, "paid KC", amount(paid.group(1)) if paid else None, expected.paid)
    number = expected.rate_text.replace(NBSP, " ").removesuffix(" %")
    sentences = _sentence_rate(text)
    if number not in sentences:
        problems.append(f"{where}: the sentence's rate is {sentences}, expected {number!r}")
    if expected.rate_plan is not None and rate_plan:
        plan_number = expected.rate_plan_text.replace(NBSP, " ").removesuffix(" %")
        if plan_number not in text:
            problems.append(f"{where}: the rate against the plan {plan_number} is not printed")
    mixed = _vn(expected.approved + expected.counterpart)
    if mixed in text:
        problems.append(f"{where}: approved KC + counterpart ({mixed}) is printed as a total")
    if _vn(expected.counterpart) not in text:
        problems.append(f"{where}: the counterpart {_vn(expected.counterpart)} is not printed")


@pytest.mark.parametrize(
    "key,username",
    [("local-14-2028", "sct-sonla"), ("local-14-2029", "sct-sonla"), ("national-2028", "ministry")],
)
def test_disbursement_pdf_of_a_plan(built, key, username):
    where = f"disbursement PDF, plan {key}"
    problems = Problems()
    rendered = render(built.users[username], "disbursement", {"plan": built.plans[key].pk})
    _check_pdf(where, _pdf_text(rendered), sc.expected_plan(key), problems, rate_plan=True)
    problems.verify()


# The period reports select đề án by dates (approved by the end of the period, implemented
# in it or paid in it): the scenario's đề án of 2029 end on 30/11/2029 and the 2028 ones
# on 30/11/2028, and every payment is dated 2026, so the period 2029 holds exactly the
# plan year 2029 and 2028–2029 every year of the province.
PERIODS = {
    "2029": ({"date_from": "2029-01-01", "date_to": "2029-12-31"}, 2029),
    "2028-2029": ({"date_from": "2028-01-01", "date_to": "2029-12-31"}, None),
}


@pytest.mark.parametrize("period", sorted(PERIODS))
def test_disbursement_pdf_of_a_province_period(built, period):
    params, year = PERIODS[period]
    where = f"disbursement PDF, Sơn La {period}"
    problems = Problems()
    rendered = render(
        built.users["sct-sonla"], "disbursement", {"province": built.sonla.pk, **params}
    )
    _check_pdf(where, _pdf_text(rendered), sc.expected_province(sc.SONLA, year), problems)
    problems.verify()


def test_a_period_pdf_gives_each_plan_year_the_figures_of_its_pages(built):
    """A period of two years: the report's line per plan year carries the execution page's
    and the dashboards' figures of that year (approved KC, paid KC, rate), and the lines
    add up to the report's total."""
    params, _year = PERIODS["2028-2029"]
    where = "disbursement PDF, Sơn La 2028-2029, by plan year"
    problems = Problems()
    rendered = render(
        built.users["sct-sonla"], "disbursement", {"province": built.sonla.pk, **params}
    )
    text = _pdf_text(rendered)
    assert "Theo năm kế hoạch của đề án" in text
    for year in sc.YEARS:
        figures = sc.expected_province(sc.SONLA, year)
        pattern = (
            rf"\b{year}\s+{figures.count}\s+{re.escape(_vn(figures.approved))}\s+"
            rf"{re.escape(_vn(figures.paid))}\s+(\S+)"
        )
        row = re.search(pattern, text)
        problems.check(
            where,
            f"year {year}: rate",
            row.group(1) if row else None,
            figures.rate_text.replace(NBSP, " ").removesuffix(" %"),
        )
    problems.verify()


@pytest.mark.parametrize("period", sorted(PERIODS))
def test_compliance_pdf(built, period):
    params, year = PERIODS[period]
    where = f"compliance PDF, Sơn La {period}"
    problems = Problems()
    rendered = render(
        built.users["sct-sonla"], "compliance", {"province": built.sonla.pk, **params}
    )
    text = _pdf_text(rendered)
    expected = sc.expected_province(sc.SONLA, year)
    _check_pdf(where, text, expected, problems)
    inspected = sum(
        1 for p in sc.PROPOSALS if p.province == sc.SONLA and p.inspect and (year in (None, p.year))
    )
    found = re.search(r"(\d+)/(\d+) đề án", text)
    shown = (int(found.group(1)), int(found.group(2))) if found else None
    problems.check(where, "inspected / đề án", shown, (inspected, expected.count))
    problems.verify()


def test_program_results_pdf(built):
    """The province's local programme (KCĐP đề án only), by plan year and in total."""
    where = "programme results PDF, Sơn La local programme"
    problems = Problems()
    program = built.local_programs[sc.SONLA]
    rendered = render(built.users["sct-sonla"], "program_results", {"program": program.pk})
    text = _pdf_text(rendered)
    expected = sc.expected_program_local(sc.SONLA)
    approved = re.search(APPROVED_LINE, text)
    paid = re.search(PAID_LINE, text)
    problems.check(
        where, "approved KC", amount(approved.group(1)) if approved else None, expected.approved
    )
    problems.check(where, "paid KC", amount(paid.group(1)) if paid else None, expected.paid)
    for year in (None, *sc.YEARS):
        figures = sc.expected_program_local(sc.SONLA, year)
        label = "Tổng cộng" if year is None else str(year)
        # The year's (or total) row: approved KC, counterpart, paid, rate — in this order.
        pattern = (
            rf"{label}\b.*?{re.escape(_vn(figures.approved))}\s+"
            rf"{re.escape(_vn(figures.counterpart))}\s+{re.escape(_vn(figures.paid))}\s+"
            rf"(\S+)"
        )
        row = re.search(pattern, text)
        shown = row.group(1) if row else None
        problems.check(
            where,
            f"row {label}: Tỷ lệ giải ngân",
            shown,
            figures.rate_text.replace(NBSP, " ").removesuffix(" %"),
        )
    problems.verify()


# --- Across surfaces: one scope, one figure ------------------------------------------------------


def test_same_scope_same_rate_everywhere(built):
    """Sơn La 2029 read from the execution page, the province dashboard, the national
    dashboard's row and the province-period PDF: one rate (what the issue saw differ)."""
    year = 2029
    seen = {}
    problems = Problems()
    sct = client_for(built.users["sct-sonla"])
    root = html_root(sct.get(reverse("province-execution", args=[built.sonla.pk]), {"year": year}))
    total, _rows = _execution(root, "execution page", problems)
    seen["execution page"] = (total or {}).get("rate")
    root = html_root(
        sct.get(
            reverse("dashboard-province", args=[built.sonla.pk]),
            {"year_from": year, "year_to": year},
        )
    )
    seen["province dashboard"] = _headline(root, "province dashboard", problems).get("rate")
    root = html_root(
        client_for(built.users["ministry"]).get(
            reverse("dashboard-national"), {"year_from": year, "year_to": year}
        )
    )
    seen["national dashboard row"] = (
        _measure_row(root, "provinces", built.sonla.pk, "national dashboard", problems) or {}
    ).get("rate")
    rendered = render(
        built.users["sct-sonla"], "disbursement", {"province": built.sonla.pk, **PERIODS["2029"][0]}
    )
    rates = _sentence_rate(_pdf_text(rendered))
    seen["disbursement PDF"] = f"{rates[0]}{NBSP}%" if rates else None
    expected = sc.expected_province(sc.SONLA, year).rate_text
    assert set(seen.values()) == {expected}, seen
    problems.verify()


# --- One đề án, and the centre's home card --------------------------------------------------------


@pytest.mark.parametrize("key", [p.key for p in sc.PROPOSALS if p.province == sc.SONLA])
def test_money_page_of_a_proposal(built, key):
    """The đề án's own rate (91,37 % and 64,29 % sit on the half-up boundary)."""
    spec = next(p for p in sc.PROPOSALS if p.key == key)
    expected = sc._figures([spec], [])
    where = f"money page {key}"
    problems = Problems()
    root = html_root(
        client_for(built.users["sct-sonla"]).get(
            reverse("proposal-money", args=[built.proposals[key].pk])
        )
    )
    paid = one_testid(root, "paid-total", problems, where)
    rate = one_testid(root, "rate-total", problems, where)
    problems.check(where, "paid KC", amount(_text(paid)) if paid is not None else None, spec.paid)
    problems.check(
        where,
        "Tỷ lệ giải ngân",
        rate_of(_text(rate)) if rate is not None else None,
        expected.rate_text,
    )
    problems.verify()


def test_centre_home_card(built):
    """The centre's tracking card: đề án approved or in implementation, every plan year
    (the amending one is not on it), khuyến công funds only; total = sum of its rows."""
    tracked = [p for p in sc.PROPOSALS if p.province == sc.SONLA and not p.amend]
    expected = sc._figures(tracked, [])
    where = "centre home card"
    problems = Problems()
    root = html_root(client_for(built.users["ttkc-sonla"]).get(reverse("home")))
    card = one_testid(root, "tracking", problems, where)
    total = one_testid(root, "tracking-total", problems, where)
    if card is not None and total is not None:
        table = next(el for el in card.iter() if _local(el.tag) == "table")
        columns = table_columns(table)
        shown = row_figures(total, columns)
        problems.check(where, "approved KC", shown.get("approved"), expected.approved)
        problems.check(where, "paid KC", shown.get("paid"), expected.paid)
        problems.check(where, "Tỷ lệ giải ngân", shown.get("rate"), expected.rate_text)
        rows = [row_figures(tr, columns) for tr in by_testid(root, "tracking-item")]
        problems.check(where, "rows", len(rows), len(tracked))
        for measure in ("approved", "paid"):
            problems.check(
                where,
                f"sum of the rows' {measure}",
                sum(r.get(measure) or 0 for r in rows),
                shown.get(measure),
            )
    _check_counterpart_beside(root, where, expected, problems)
    problems.verify()
