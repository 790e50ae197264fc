"""PDF rendering with WeasyPrint and a font that has every Vietnamese glyph."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from core.fonts import FACES, font_face_css


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render HTML to PDF bytes with Tinos (metric-compatible with Times New Roman).

    The fonts are built by the set-up step from the npm package @fontsource/tinos
    (see core.fonts); WeasyPrint embeds only the glyphs a document uses."""
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
    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR))
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
