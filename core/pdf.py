"""PDF rendering with WeasyPrint and a font that has every Vietnamese glyph."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def font_stylesheets():
    from weasyprint import CSS

    missing = [str(p) for p in settings.PDF_FONT_CSS if not p.exists()]
    if missing:
        raise RuntimeError(
            "PDF fonts are missing ("
            + ", ".join(missing)
            + "). Run `make vendor` to copy them from npm into static/vendor/."
        )
    return [CSS(filename=str(p)) for p in settings.PDF_FONT_CSS]


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    base = base_url or str(settings.BASE_DIR)
    return HTML(string=html, base_url=base).write_pdf(stylesheets=font_stylesheets())


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
