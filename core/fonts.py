"""Builds the PDF fonts from the npm package @fontsource/tinos.

Fontsource ships each style as separate subset files (latin, latin-ext, vietnamese) tied
together by CSS unicode-range. WeasyPrint mixes up glyphs when one style comes from several
files (diacritics turn into wrong letters), so the set-up step merges the subsets of each
style into one TrueType file with fontTools (a WeasyPrint dependency)::

    python -m core.fonts node_modules/@fontsource/tinos/files static/vendor/fonts
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

SUBSETS = ("latin", "latin-ext", "vietnamese")
STYLES = {
    "Tinos-Regular.ttf": "400-normal",
    "Tinos-Bold.ttf": "700-normal",
    "Tinos-Italic.ttf": "400-italic",
    "Tinos-BoldItalic.ttf": "700-italic",
}
FACES = {  # file -> (font-weight, font-style)
    "Tinos-Regular.ttf": (400, "normal"),
    "Tinos-Bold.ttf": (700, "normal"),
    "Tinos-Italic.ttf": (400, "italic"),
    "Tinos-BoldItalic.ttf": (700, "italic"),
}


def merge_subsets(sources: list[Path], target: Path) -> int:
    from fontTools.merge import Merger, Options
    from fontTools.ttLib import TTFont

    with tempfile.TemporaryDirectory() as tmp:
        plain = []
        for source in sources:
            font = TTFont(str(source))
            font.flavor = None  # woff2 -> plain TrueType
            path = Path(tmp) / (source.stem + ".ttf")
            font.save(str(path))
            plain.append(str(path))
        merged = Merger(options=Options(drop_tables=["vhea", "vmtx"])).merge(plain)
        target.parent.mkdir(parents=True, exist_ok=True)
        merged.save(str(target))
        return len(merged.getGlyphOrder())


def build(source_dir: Path, target_dir: Path) -> None:
    for filename, style in STYLES.items():
        sources = [source_dir / f"tinos-{subset}-{style}.woff2" for subset in SUBSETS]
        glyphs = merge_subsets(sources, target_dir / filename)
        print(f"{target_dir / filename}: {glyphs} glyphs")


def font_face_css(font_dir: Path) -> str:
    return "\n".join(
        f"@font-face {{ font-family: Tinos; src: url({(font_dir / name).as_uri()}); "
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, (weight, style) in FACES.items()
    )


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
