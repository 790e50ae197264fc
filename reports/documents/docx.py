"""The editable Word copy of an official report, in the same Nghị định 30/2020/NĐ-CP
layout as the PDF: officials edit and sign in Word, the PDF stays the verified copy.

The .docx is built from the very HTML the PDF is printed from (the same context builder
and template of ``reports.documents``), so every figure, row and total is computed once:
the header comes from the context (issuer with its parent agency on the left, national
motto on the right, number and place-date line below), the body is walked element by
element (headings, paragraphs, lists and the data tables with their header rows repeated
on every page), the closing blocks (recipients and signature, or the two signatures of a
biên bản) become borderless two-column tables, and the footer carries the verification
code with a note that the PDF is the verified copy."""

from __future__ import annotations

import base64
import io

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import render_parts
from .common import verification_line

FONT = "Times New Roman"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_IDEAL = "Độc lập - Tự do - Hạnh phúc"
VERIFIED_COPY_NOTE = "Bản Word để chỉnh sửa, ký; bản PDF có mã xác thực là bản được xác thực."

BOLD_TAGS = {"b", "strong", "th"}
ITALIC_TAGS = {"i", "em"}
UNDERLINE_TAGS = {"u"}
INLINE_TAGS = {"b", "strong", "i", "em", "u", "span", "br"}
BOLD_CLASSES = {"bold", "overdue", "role", "authority", "name", "label"}
ITALIC_CLASSES = {"italic", "hint", "words", "scope", "unit-line", "prepared", "place-date"}
UPPER_CLASSES = {"upper", "role", "authority"}
SKIPPED_CLASSES = {"rule", "subtitle-rule", "header"}
CLOSING_CLASSES = {"closing", "signatures"}


def build_docx(job) -> bytes:
    """The .docx of a report job, from the same context and template as its PDF (read
    now: the worker stores the copy made with the PDF, ``docx_from_parts``)."""
    return docx_from_parts(*render_parts(job))


def docx_from_parts(context: dict, html: str) -> bytes:
    """The .docx from a report's context and the HTML its PDF is printed from."""
    writer = _Writer(landscape=context.get("landscape", False))
    writer.header(context)
    root = lxml.html.document_fromstring(html)
    for element in root.find("body"):
        writer.block(element)
    writer.footer(context["verification_code"])
    out = io.BytesIO()
    writer.document.save(out)
    return out.getvalue()


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        tag = OxmlElement(f"w:{edge}")
        tag.set(qn("w:val"), "nil")
        borders.append(tag)
    table._tbl.tblPr.append(borders)


def _trim(paragraph) -> None:
    """No space at the start or end of a paragraph (the template's indentation)."""
    runs = [run for run in paragraph.runs if run.text]
    if runs:
        runs[0].text = runs[0].text.lstrip(" ")
        runs[-1].text = runs[-1].text.rstrip(" ")


def _repeat_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


class _Writer:
    def __init__(self, *, landscape: bool):
        self.document = Document()
        section = self.document.sections[0]
        # A4, margins of Phụ lục I: top/bottom 20 mm, left 30 mm, right 15 mm.
        width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        self.width = width - Mm(45)
        style = self.document.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(13)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        style.paragraph_format.space_after = Pt(3)
        style.paragraph_format.space_before = Pt(0)

    # --- Header and footer ----------------------------------------------------------------

    def header(self, context: dict) -> None:
        """The two-column NĐ 30 header, without borders: issuer / motto on the first row,
        number / place-date line on the second."""
        table = self.document.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _no_borders(table)
        left = 0.36 if context.get("landscape") else 0.40
        for row in table.rows:
            row.cells[0].width = int(self.width * left)
            row.cells[1].width = int(self.width * (1 - left))
        issuer = table.cell(0, 0)
        lines = []
        if context.get("parent_agency"):
            lines.append((context["parent_agency"].upper(), False))
        lines.append(((context.get("issuing_agency") or "").upper(), True))
        self._cell_lines(issuer, [(text, bold, False, 12.5) for text, bold in lines])
        self._rule(issuer)
        motto = table.cell(0, 1)
        self._cell_lines(
            motto, [(MOTTO_NATION, True, False, 12.5), (MOTTO_IDEAL, True, False, 13.5)]
        )
        self._rule(motto)
        if context.get("number"):
            self._cell_lines(table.cell(1, 0), [(f"Số: {context['number']}", False, False, 13)])
        self._cell_lines(table.cell(1, 1), [(context.get("place_date", ""), False, True, 13)])

    def _cell_lines(self, cell, lines) -> None:
        first = True
        for text, bold, italic, size in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            run.bold, run.italic, run.font.size = bold, italic, Pt(size)

    def _rule(self, cell) -> None:
        """The short line under the issuer and under the motto."""
        paragraph = cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run("―――――")
        run.font.size = Pt(8)

    def footer(self, code: str) -> None:
        line = f"{verification_line(code)}. {VERIFIED_COPY_NOTE}"
        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.italic, run.font.size = True, Pt(9)

    # --- Body -----------------------------------------------------------------------------

    def block(self, element, container=None) -> None:
        if not isinstance(element.tag, str):
            return
        container = container if container is not None else self.document
        classes = _classes(element)
        tag = element.tag
        if classes & SKIPPED_CLASSES:
            return
        if tag == "h1":
            self._paragraph(container, element, align="center", size=14, bold=True, upper=True)
        elif "subtitle" in classes:
            self._paragraph(container, element, align="center", size=14, bold=True)
        elif tag in ("h2", "h3"):
            paragraph = self._paragraph(container, element, bold=True, italic=tag == "h3")
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.space_before = Pt(6)
        elif tag == "p":
            indent = "flat" not in classes and "words" not in classes
            self._paragraph(container, element, align="justify", indent=indent)
        elif tag in ("ul", "ol"):
            for number, item in enumerate(element.findall("li"), start=1):
                prefix = f"{number}. " if tag == "ol" else "- "
                self._paragraph(container, item, prefix=prefix)
        elif tag == "table":
            self._table(container, element)
        elif classes & CLOSING_CLASSES:
            self._columns(container, element)
        elif tag == "div" and any(
            isinstance(child.tag, str) and child.tag not in INLINE_TAGS for child in element
        ):
            for child in element:
                self.block(child, container)
        elif tag in ("div", "span") and (_text(element) or "name" in classes):
            align = {"scope": "center", "unit-line": "right"}.get(
                next(iter(classes & {"scope", "unit-line"}), ""), None
            )
            if container is not self.document and align is None:
                align = "center" if "sign" in classes or self._centred else None
            paragraph = self._paragraph(container, element, align=align)
            if "name" in classes and container is not self.document:
                paragraph.paragraph_format.space_before = Pt(60)  # room to sign and stamp
        elif tag == "img":
            self._image(container, element)

    _centred = False

    def _paragraph(
        self,
        container,
        element,
        *,
        align=None,
        size=None,
        bold=False,
        upper=False,
        indent=False,
        prefix="",
        italic=False,
    ):
        paragraph = container.add_paragraph()
        if align:
            paragraph.alignment = {
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
                "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            }[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Mm(10)
        if prefix:
            paragraph.add_run(prefix)
        classes = _classes(element)
        self._runs(
            paragraph,
            element,
            bold=bold or bool(classes & BOLD_CLASSES),
            italic=italic or bool(classes & ITALIC_CLASSES),
            upper=upper or bool(classes & UPPER_CLASSES),
            size=size,
        )
        _trim(paragraph)
        return paragraph

    def _runs(self, paragraph, element, *, bold, italic, upper, size, underline=False) -> None:
        def add(text):
            # HTML whitespace: any run of it is one space, kept at the edges too (between
            # an inline element and the text after it).
            words = " ".join(text.split())
            if words and text[:1].isspace():
                words = " " + words
            if text and text[-1:].isspace():
                words += " "
            if not words:
                return
            run = paragraph.add_run(words.upper() if upper else words)
            run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
            if size:
                run.font.size = Pt(size)

        add(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                if child.tag == "br":
                    paragraph.add_run().add_break()
                else:
                    classes = _classes(child)
                    self._runs(
                        paragraph,
                        child,
                        bold=bold or child.tag in BOLD_TAGS or bool(classes & BOLD_CLASSES),
                        italic=italic or child.tag in ITALIC_TAGS or bool(classes & ITALIC_CLASSES),
                        upper=upper or bool(classes & UPPER_CLASSES),
                        size=size,
                        underline=underline or child.tag in UNDERLINE_TAGS,
                    )
            add(child.tail or "")

    def _image(self, container, element) -> None:
        source = element.get("src") or ""
        if not source.startswith("data:") or "," not in source:
            return
        data = base64.b64decode(source.split(",", 1)[1])
        paragraph = container.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(data), width=Mm(25))

    def _table(self, container, element) -> None:
        """A data table: the same rows and cells (colspan and rowspan merged), bordered,
        the header rows repeated on every page, numbers right-aligned, totals bold."""
        rows = []  # (tr, is_header)
        for part in element:
            if not isinstance(part.tag, str):
                continue
            if part.tag in ("thead", "tbody", "tfoot"):
                rows += [(tr, part.tag == "thead") for tr in part.findall("tr")]
            elif part.tag == "tr":
                rows.append((part, False))
        if not rows:
            return
        # Lay the cells on a grid (an HTML cell may span rows and columns).
        grid: dict[tuple[int, int], object] = {}
        spans = []
        for r, (tr, _header) in enumerate(rows):
            c = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                colspan = int(cell.get("colspan") or 1)
                rowspan = int(cell.get("rowspan") or 1)
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = cell
                spans.append((r, c, rowspan, colspan, cell, tr))
                c += colspan
        columns = max(c for _r, c in grid) + 1
        table = container.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, (_tr, header) in enumerate(rows):
            if header:
                _repeat_header(table.rows[r])
        small = "small" in _classes(element)
        # The cells are listed once: ``table.cell(r, c)`` walks the whole table each time,
        # which makes a long table quadratic. The spans do not overlap, so merging one
        # leaves the corner cells of the others in place.
        grid_cells = [list(row.cells) for row in table.rows]
        for r, c, rowspan, colspan, cell, tr in spans:
            target = grid_cells[r][c]
            if rowspan > 1 or colspan > 1:
                target = target.merge(grid_cells[r + rowspan - 1][c + colspan - 1])
            self._fill(target, cell, tr, small=small)

    def _fill(self, target, cell, tr, *, small: bool) -> None:
        classes = _classes(cell) | _classes(tr)
        paragraph = target.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        if cell.tag == "th" or "c" in classes or "index" in classes:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif "num" in classes:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        bold = cell.tag == "th" or bool(classes & {"total", "group", "subtotal"})
        italic = bool(classes & {"subtotal", "index"})
        self._runs(paragraph, cell, bold=bold, italic=italic, upper=False, size=9 if small else 11)
        _trim(paragraph)
        for image in cell.iter("img"):
            source = image.get("src") or ""
            if source.startswith("data:") and "," in source:
                data = base64.b64decode(source.split(",", 1)[1])
                paragraph.add_run().add_picture(io.BytesIO(data), width=Mm(20))

    def _columns(self, container, element) -> None:
        """Recipients and signature (or two signatures) side by side, without borders."""
        parts = [child for child in element if isinstance(child.tag, str)]
        if not parts:
            return
        table = container.add_table(rows=1, cols=len(parts))
        _no_borders(table)
        for index, part in enumerate(parts):
            cell = table.cell(0, index)
            first = cell.paragraphs[0]
            self._centred = "recipients" not in _classes(part)
            for child in part:
                self.block(child, cell)
            self._centred = False
            if not first.text and len(cell.paragraphs) > 1:
                first._element.getparent().remove(first._element)
            for paragraph in cell.paragraphs:
                if "recipients" in _classes(part):
                    for run in paragraph.runs:
                        run.font.size = Pt(11)
