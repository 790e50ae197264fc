"""The catalogue of published measures: one definition of every figure the portal publishes.

A measure is declared here once — its name, what it adds up, its denominator, its period
semantics and its rounding — and every page, Excel export, dashboard and PDF takes its label
and its rounding from here. The queries that sum a measure live with the app that owns the
data (``disbursement.figures`` for money, ``dashboards.selectors`` over the summary table,
``inspections.selectors`` for inspections); they differ in the scope they are given, never in
the formula. ``tests/test_figures_consistency.py`` checks that every page, export and PDF of
one province shows the same numbers.

Decisions (README, "Figures"):

* Money figures are **khuyến công funds** (KCQG + KCĐP, ``core.funding.KC_SOURCES``): the
  state money that is planned, allocated, disbursed and settled. The establishments'
  counterpart money and other sources are shown beside them under their own names.
* **Tỷ lệ giải ngân** (the default rate, on every level: a đề án, a plan, a province, the
  nation, any dashboard row) = khuyến công funds paid ÷ khuyến công funds approved for the
  same đề án. It exists for every scope a page can choose, so one scope has one rate.
* **Tỷ lệ giải ngân so với kế hoạch** = khuyến công funds paid ÷ khuyến công funds allocated
  in the annual plan(s). Shown with its own name where a plan allocation exists (a plan, a
  province's plans of a year), beside the default rate, never instead of it.
* Rates are percentages with two decimals, rounded half-up, written with the Vietnamese
  decimal comma ("91,37 %"). Excel cells hold the exact ratio with a percent number format.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formatting import format_decimal

PERCENT_PLACES = 2
_QUANTUM = Decimal(1).scaleb(-PERCENT_PLACES)  # 0.01
# Excel number format of a rate cell: the cell holds the exact ratio (0.9137 for 91,37 %).
EXCEL_PERCENT_FORMAT = "0.00%"
# Between the number and the percent sign: a non-breaking space, so "91,37 %" never wraps.
_PERCENT_SEPARATOR = "\u00a0"


class Period(models.TextChoices):
    """How a measure relates to time."""

    IN_PERIOD = "in_period", _("in the period")
    AS_AT = "as_at", _("as at the date")
    CUMULATIVE = "cumulative", _("cumulative up to the date")


class Unit(models.TextChoices):
    VND = "vnd", _("đồng")
    COUNT = "count", _("count")
    PERCENT = "percent", _("%")


@dataclass(frozen=True)
class Measure:
    """One published measure. ``numerator``/``denominator`` name other measures (rates)."""

    key: str
    label: object  # lazy translation: the measure's name on every page, export and PDF
    unit: str
    period: str
    definition: object  # what it adds up, in a sentence (tooltips, README, report notes)
    numerator: str | None = None
    denominator: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.unit == Unit.PERCENT

    @property
    def denominator_label(self):
        return MEASURES[self.denominator].label if self.denominator else None


_KC = _("khuyến công funds (KCQG + KCĐP)")

MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "proposals",
            _("Proposals"),
            Unit.COUNT,
            Period.AS_AT,
            _("Every đề án in scope, whatever its status."),
        ),
        Measure(
            "funded",
            _("Approved proposals"),
            Unit.COUNT,
            Period.AS_AT,
            _(
                "Đề án whose approval is in force (approved, being amended, in "
                "implementation, accepted, settled, closed)."
            ),
        ),
        Measure(
            "allocated",
            _("Allocated in the plan"),
            Unit.VND,
            Period.AS_AT,
            _("Khuyến công funds allocated to activities by the approved annual plan(s)."),
        ),
        Measure(
            "approved",
            _("Approved funds"),
            Unit.VND,
            Period.AS_AT,
            _("Khuyến công funds (KCQG + KCĐP) approved for the approved đề án."),
        ),
        Measure(
            "counterpart",
            _("Counterpart funds"),
            Unit.VND,
            Period.AS_AT,
            _(
                "The establishments' own counterpart money approved for the approved "
                "đề án; not khuyến công funds, shown beside them."
            ),
        ),
        Measure(
            "other",
            _("Other sources"),
            Unit.VND,
            Period.AS_AT,
            _("Money from other sources approved for the approved đề án."),
        ),
        Measure(
            "contracted",
            _("Contracted"),
            Unit.VND,
            Period.AS_AT,
            _("Khuyến công funds of the contracts in force."),
        ),
        Measure(
            "paid",
            _("Disbursed"),
            Unit.VND,
            Period.CUMULATIVE,
            _(
                "Khuyến công funds paid: tranches paid, reversals (thu hồi, điều chỉnh "
                "giảm) deducted."
            ),
        ),
        Measure(
            "paid_in_period",
            _("Disbursed in the period"),
            Unit.VND,
            Period.IN_PERIOD,
            _("Khuyến công funds paid with a payment date in the period, reversals deducted."),
        ),
        Measure(
            "pending",
            _("Awaiting payment"),
            Unit.VND,
            Period.AS_AT,
            _("Khuyến công funds of tranches requested or approved and not yet paid."),
        ),
        Measure(
            "remaining",
            _("Remaining to disburse"),
            Unit.VND,
            Period.AS_AT,
            _("Approved khuyến công funds minus disbursed."),
        ),
        Measure(
            "returned",
            _("To be returned"),
            Unit.VND,
            Period.AS_AT,
            _("Khuyến công funds to be returned by the final settlement (quyết toán)."),
        ),
        Measure(
            "rate",
            _("Disbursement rate"),
            Unit.PERCENT,
            Period.CUMULATIVE,
            _("Disbursed ÷ approved khuyến công funds of the same đề án."),
            numerator="paid",
            denominator="approved",
        ),
        Measure(
            "rate_allocated",
            _("Disbursement rate against the plan"),
            Unit.PERCENT,
            Period.CUMULATIVE,
            _("Disbursed ÷ khuyến công funds allocated in the annual plan(s)."),
            numerator="paid",
            denominator="allocated",
        ),
        Measure(
            "inspected",
            _("Inspected"),
            Unit.COUNT,
            Period.AS_AT,
            _(
                "Đề án with at least one concluded inspection (the on-site appraisal before "
                "approval does not count)."
            ),
        ),
        Measure(
            "compliant",
            _("Compliant"),
            Unit.COUNT,
            Period.AS_AT,
            _("Đề án whose latest concluded inspection found them compliant."),
        ),
        Measure(
            "compliance_rate",
            _("Compliance rate"),
            Unit.PERCENT,
            Period.AS_AT,
            _("Compliant ÷ inspected đề án."),
            numerator="compliant",
            denominator="inspected",
        ),
        Measure(
            "open_findings",
            _("Open findings"),
            Unit.COUNT,
            Period.AS_AT,
            _("Recommendations of concluded inspections not yet remedied."),
        ),
        Measure(
            "typical_certificates",
            _("Typical product certificates"),
            Unit.COUNT,
            Period.IN_PERIOD,
            _(
                "Certificates of typical rural industrial products issued to the "
                "establishments in scope, by level and year of issue "
                "(typical_products.selectors.certificates_by_level_and_year)."
            ),
        ),
        Measure(
            "overdue_findings",
            _("Overdue findings"),
            Unit.COUNT,
            Period.AS_AT,
            _("Open findings past their deadline."),
        ),
    )
}

# The rate shown wherever a page shows one rate: the same for the same scope everywhere.
DEFAULT_RATE = "rate"


def measure(key: str) -> Measure:
    return MEASURES[key]


def label(key: str):
    return MEASURES[key].label


# --- Rounding and writing -----------------------------------------------------------------------


def ratio(part: int | None, whole: int | None) -> Decimal | None:
    """part ÷ whole, exact to 28 significant digits; None when there is no base."""
    if not whole:
        return None
    return Decimal(int(part or 0)) / Decimal(int(whole))


def percent(part: int | None, whole: int | None) -> Decimal | None:
    """part ÷ whole × 100, with two decimals rounded half-up (91.365 -> 91.37)."""
    value = ratio(part, whole)
    if value is None:
        return None
    return (value * 100).quantize(_QUANTUM, ROUND_HALF_UP)


def format_percent(value: Decimal | None, *, empty: str = "—") -> str:
    """A rounded percentage in Vietnamese: Decimal("91.37") -> "91,37 %"; None -> "—"."""
    if value is None or value == "":
        return empty
    return f"{format_decimal(value, PERCENT_PLACES)}{_PERCENT_SEPARATOR}%"


def rate_text(part: int | None, whole: int | None, *, empty: str = "—") -> str:
    """percent() written by format_percent(): the text of a rate on a page or in a PDF."""
    return format_percent(percent(part, whole), empty=empty)


def excel_ratio(part: int | None, whole: int | None) -> float | None:
    """The exact ratio for an Excel cell formatted with EXCEL_PERCENT_FORMAT (None: empty)."""
    value = ratio(part, whole)
    return None if value is None else float(value)
