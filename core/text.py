"""Vietnamese text helpers: accent-insensitive search keys and ordering.

PostgreSQL's ICU collations (vi-x-icu) are not available in every build (the embedded
pgserver one has none), so the portal stores a folded copy of names it sorts or searches
on: "Phường Ô Chợ Dừa" -> "phuong o cho dua"."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, without tone marks or diacritics, đ -> d, spaces collapsed."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())
