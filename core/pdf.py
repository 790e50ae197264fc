"""PDF rendering with WeasyPrint and a font that has every Vietnamese glyph."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from core.fonts import FACES, font_face_css


@dataclass(frozen=True)
class PdfFile:
    """A rendered PDF and its number of pages (known from the layout, no re-parsing)."""

    content: bytes
    page_count: int


def html_to_pdf_file(html: str, *, base_url: str | None = None) -> PdfFile:
    """Render HTML to a PDF with Tinos (metric-compatible with Times New Roman).

    The fonts are built by the set-up step from the npm package @fontsource/tinos
    (see core.fonts); WeasyPrint embeds only the glyphs a document uses."""
    document = html_to_document(html, base_url=base_url)
    return PdfFile(content=document.write_pdf(), page_count=len(document.pages))


def html_to_document(html: str, *, base_url: str | None = None):
    """The laid-out WeasyPrint ``Document`` of the HTML, in Tinos (its ``pages`` can be
    written in part: ``document.copy(pages).write_pdf()``)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_dir = settings.PDF_FONT_DIR
    missing = [name for name in FACES if not (font_dir / name).exists()]
    if missing:
        raise RuntimeError(
            f"PDF fonts are missing in {font_dir} ({', '.join(missing)}). "
            "Run `make vendor` to build them from the npm package @fontsource/tinos."
        )
    font_config = FontConfiguration()
    fonts = CSS(string=font_face_css(font_dir), font_config=font_config)
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render(
        stylesheets=[fonts], font_config=font_config
    )


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render HTML to PDF bytes (see :func:`html_to_pdf_file`)."""
    return html_to_pdf_file(html, base_url=base_url).content


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
