"""Nguồn kinh phí: the funding sources, declared once.

Every model field, form, Excel header, PDF column, generator and SQL trigger that names a
funding source takes it from here. Khuyến công funds (KCQG, KCĐP) are state money: what is
planned, allocated, disbursed and settled, and what every published rate is computed on.
The establishments' counterpart money (vốn đối ứng) and other sources are shown beside them,
never added in silently (see ``core.measures``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FundingSource(models.TextChoices):
    """Nguồn kinh phí."""

    KCQG = "kcqg", _("National industrial promotion funds (KCQG)")
    KCDP = "kcdp", _("Local industrial promotion funds (KCĐP)")
    COUNTERPART = "counterpart", _("Counterpart funds of the beneficiary")
    OTHER = "other", _("Other sources")


# Every source, in the order of columns and stacked cells.
SOURCES: tuple[str, ...] = tuple(FundingSource.values)
# Khuyến công funds: the state money every rate is computed on.
KC_SOURCES: tuple[str, ...] = (FundingSource.KCQG.value, FundingSource.KCDP.value)
# Money that is not khuyến công funds: shown beside them, never mixed in.
NON_KC_SOURCES: tuple[str, ...] = tuple(s for s in SOURCES if s not in KC_SOURCES)

# Short names for table columns, Excel headers, PDF cells and compact selects.
SOURCE_SHORT = {
    FundingSource.KCQG.value: _("KCQG"),
    FundingSource.KCDP.value: _("KCĐP"),
    # A context of their own: "Counterpart"/"Other" alone mean other things elsewhere.
    FundingSource.COUNTERPART.value: pgettext_lazy("funding source", "Counterpart"),
    FundingSource.OTHER.value: pgettext_lazy("funding source", "Other"),
}


def program_source(level: str) -> str:
    """The khuyến công source of a programme level: KCQG for national, KCĐP for local."""
    return FundingSource.KCQG.value if level == "national" else FundingSource.KCDP.value


def level_sources(level: str) -> list[str]:
    """The sources a plan or đề án of a level is split into: its programme's own
    khuyến công source (KCQG national, KCĐP local), then the counterpart and other sources."""
    return [program_source(level), *NON_KC_SOURCES]


def kc_sum(amounts: Mapping[str, int]) -> int:
    """Khuyến công funds (KCQG + KCĐP) of amounts per source."""
    return sum(int(amounts.get(s) or 0) for s in KC_SOURCES)


def sql_list(values) -> str:
    """``('a', 'b')`` for SQL written from these constants (values are fixed identifiers)."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
