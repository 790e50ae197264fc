"""Long reports printed in sections, in bounded memory (issue 16, point 3).

WeasyPrint lays a whole document out in memory, and a table of thousands of rows costs it
far more than its share (the national compliance report at 7,400 đề án: 4.4 GB and
385 s). So a document whose tables hold more than ``REPORT_SECTION_ROWS`` rows is laid
out a section at a time: the HTML is cut between the rows of its long tables, each section
is rendered as a document of its own (the same ``<head>``, so the same page style; a cut
table keeps its ``<colgroup>`` and ``<thead>``, repeated on every page as before), its
pages are written to a temporary file and the section is dropped before the next one;
the files are joined with pypdf at the end.

What the reader sees does not change:

* the page numbers run on: each section after the first starts its page counter at the
  page it continues (``@page :first { counter-reset: page N }``) and prints the number on
  its first page (only the document's first page has none, Nghị định 30/2020/NĐ-CP);
* no half-empty page at a cut: a section's last page is not kept — its rows go to the
  next section, which starts on a fresh page with them — unless the cut would not move
  forward (then the page stays as it is);
* the official header, section I and the title are in the first section, the closing
  block in the last; the verification line is in the page style, on every page.
"""

from __future__ import annotations

import copy
import ctypes
import gc
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from django.conf import settings

from core.pdf import PdfFile, html_to_document, html_to_pdf_file

# The attribute that marks where each unit of the document starts (read back from the
# layout to find the first row of a section's last page; never printed).
UNIT = "data-kc-unit"


@dataclass
class _Unit:
    """A piece of the body that is never cut: a block outside the long tables, a row of
    a long table, or a ``tbody.keep`` (a group's heading with its first row)."""

    elements: list
    table: object | None = None  # the long table the rows belong to
    tbody: object | None = None  # their row group
    weight: int = 1  # its table rows


def body_rows(table) -> int:
    return sum(len(tbody.findall("tr")) for tbody in table.findall("tbody"))


def long_tables(body, limit: int) -> list:
    return [t for t in body.iter("table") if body_rows(t) > limit]


def _units(body, tables: list) -> list[_Unit]:
    """The body as a sequence of units, in document order. A long table must be a child
    of the body (as in every report template); one nested deeper stays a single block."""
    units: list[_Unit] = []
    for child in body:
        if child not in tables:
            units.append(_Unit([child], weight=len(child.findall(".//tr"))))
            continue
        for tbody in child.findall("tbody"):
            rows = tbody.findall("tr")
            groups = [rows] if "keep" in (tbody.get("class") or "").split() else [[r] for r in rows]
            for group in groups:
                if group:
                    units.append(_Unit(group, child, tbody, weight=len(group)))
    for index, unit in enumerate(units):
        unit.elements[0].set(UNIT, str(index))
    return units


def _shell(element):
    """An empty copy of ``element``: tag, attributes and text, no children."""
    shell = lxml.html.Element(element.tag, dict(element.attrib))
    shell.text = element.text
    return shell


def _section_html(root, units: list[_Unit], start: int, end: int, first_page: int) -> str:
    """The HTML of units[start:end]: the document's head, and the units in a body of
    their own, each table cut keeping its column widths and repeated header."""
    head = copy.deepcopy(root.find("head"))
    if first_page > 1:
        style = lxml.html.Element("style")
        style.text = (
            f"@page :first {{ counter-reset: page {first_page}; "
            "@top-center { content: counter(page); } }"
        )
        head.append(style)
    html = _shell(root)
    html.append(head)
    body = _shell(root.find("body"))
    html.append(body)
    table_copy = tbody_copy = None
    table_of = tbody_of = None  # the originals the copies stand for
    for unit in units[start:end]:
        if unit.table is None:
            body.append(copy.deepcopy(unit.elements[0]))
            table_copy = table_of = None
            continue
        if table_of is not unit.table:
            table_copy, table_of = _shell(unit.table), unit.table
            for part in unit.table:
                if part.tag in ("caption", "colgroup", "col", "thead"):
                    table_copy.append(copy.deepcopy(part))
            if not len(body):  # a table continued at the top of a page: no margin there
                table_copy.set("style", "margin-top: 0")
            body.append(table_copy)
            tbody_of = None
        if tbody_of is not unit.tbody:
            tbody_copy, tbody_of = _shell(unit.tbody), unit.tbody
            table_copy.append(tbody_copy)
        for row in unit.elements:
            tbody_copy.append(copy.deepcopy(row))
    return lxml.html.tostring(html, encoding="unicode", doctype="<!doctype html>")


def _units_on(page) -> set[int] | None:
    """The units with some part on a laid-out page, read from WeasyPrint's page box tree
    (its version is pinned in requirements.txt); None if it cannot be read."""
    try:
        return {
            int(box.element.get(UNIT))
            for box in page._page_box.descendants()
            if box.element is not None
            and hasattr(box.element, "get")
            and (box.element.get(UNIT) or "").isdigit()
        }
    except AttributeError:
        return None


def _carried(pages: list, start: int) -> int | None:
    """The unit the next section starts with when this section's last page is dropped:
    the first one on that page, if it starts there (a unit cut across the page break, a
    row or paragraph taller than what was left, would be printed twice) and the section
    keeps at least one page."""
    if len(pages) < 2:
        return None
    last, before = _units_on(pages[-1]), _units_on(pages[-2])
    if not last or before is None:
        return None
    first = min(last)
    return first if first > start and first not in before else None


def _release_memory() -> None:
    """Free the section's layout (reference cycles) and give the freed heap back to the
    system (glibc), so the next section reuses it rather than the process growing."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _end_of_section(units: list[_Unit], start: int, budget: int) -> int:
    """Units from ``start`` holding about ``budget`` table rows (one unit at least)."""
    end, weight = start, 0
    while end < len(units) and (end == start or weight + units[end].weight <= budget):
        weight += units[end].weight
        end += 1
    return end


def html_to_pdf_sections(
    html: str,
    *,
    rows_per_section: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> PdfFile:
    """The PDF of ``html``; laid out in sections when its tables are longer than
    ``rows_per_section`` (default ``settings.REPORT_SECTION_ROWS``). ``progress(done)``
    is called after each section with the share of the units printed (0..1)."""
    from pypdf import PdfReader, PdfWriter

    budget = rows_per_section or settings.REPORT_SECTION_ROWS
    root = lxml.html.document_fromstring(html)
    body = root.find("body")
    tables = long_tables(body, budget)
    if not tables:
        return html_to_pdf_file(html)
    units = _units(body, tables)

    writer = PdfWriter()
    with tempfile.TemporaryDirectory(prefix="kc-report-") as folder:
        start, pages_done, index = 0, 0, 0
        while start < len(units):
            end = _end_of_section(units, start, budget)
            document = html_to_document(_section_html(root, units, start, end, pages_done + 1))
            pages = document.pages
            next_start = end
            carried = _carried(pages, start) if end < len(units) else None
            if carried is not None:
                pages, next_start = pages[:-1], carried
            path = f"{folder}/{index:04d}.pdf"
            document.copy(pages).write_pdf(path)
            pages_done += len(pages)
            del document, pages
            _release_memory()
            reader = PdfReader(path)
            if index == 0 and reader.metadata:
                writer.add_metadata(reader.metadata)  # the title WeasyPrint wrote
            writer.append(reader)
            start, index = next_start, index + 1
            if progress:
                progress(start / len(units))
        buffer = io.BytesIO()
        writer.write(buffer)
    return PdfFile(content=buffer.getvalue(), page_count=pages_done)
