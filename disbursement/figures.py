"""The money of a set of đề án, summed once: the one place where approved, contracted,
paid, pending and returned money is added up (core.measures defines what each means).

``money_figures(proposals)`` takes a queryset of đề án already scoped by
``accounts.policies.visible`` and returns a ``MoneyFigures`` (or one per group with
``by=``) in four queries, whatever the number of đề án or tranches. The money page of a
đề án, the execution tables of plans and provinces, their Excel exports, the centre's home
card and the disbursement / programme-results PDFs all read their figures from here, and
their rates from ``MoneyFigures`` (``core.measures.percent``): no page computes its own.

Per funding source (``core.funding.SOURCES``):

* approved — the approved amounts of the đề án whose approval is in force (FUNDED_STATES);
* contracted — the amounts of the contracts in force;
* paid — tranches paid, reversals (negative records) deducted (``PAID_STATES``), up to
  ``paid_to`` when given (cumulative "as at" a date), from ``paid_from`` when given (in a
  period);
* pending — tranches requested or approved and not yet paid;
* returned — the money to return fixed by the final settlement (quyết toán).

``MoneyFigures`` gives the measures on khuyến công funds (KCQG + KCĐP): ``approved``,
``paid`` … are sums over ``core.funding.KC_SOURCES``; the counterpart and other sources
are read separately (``counterpart``, ``other``, ``source(measure, s)``), never added in.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.funding import KC_SOURCES, NON_KC_SOURCES, SOURCES, kc_sum
from core.measures import excel_ratio, percent
from disbursement.models import PAID_STATES, Contract, DisbursementFlag, Settlement, Tranche
from projects.models import FUNDED_STATES

__all__ = ["FUNDED_STATES", "PAID_STATES", "PENDING_STATES", "MoneyFigures", "money_figures"]

# Tranches requested or approved, not yet paid (core.measures "pending").
PENDING_STATES = (Tranche.Status.REQUESTED, Tranche.Status.APPROVED)
MEASURES = ("approved", "contracted", "paid", "pending", "returned")


def _zero() -> dict[str, int]:
    return dict.fromkeys(SOURCES, 0)


@dataclass(frozen=True)
class MoneyFigures:
    """The money of a set of đề án per measure and source, with the published measures.

    ``amounts[measure][source]`` in đồng; ``allocated`` is the plan allocation per source
    when the scope has one (a plan, a province's plans of a year), else None."""

    amounts: Mapping[str, Mapping[str, int]] = field(
        default_factory=lambda: {m: _zero() for m in MEASURES}
    )
    allocated_by_source: Mapping[str, int] | None = None

    # --- reading ---

    def source(self, measure: str, source: str) -> int:
        if measure == "allocated":
            return int((self.allocated_by_source or {}).get(source) or 0)
        return int(self.amounts.get(measure, {}).get(source) or 0)

    def kc(self, measure: str) -> int:
        """The measure on khuyến công funds (KCQG + KCĐP)."""
        if measure == "allocated":
            return kc_sum(self.allocated_by_source or {})
        return kc_sum(self.amounts.get(measure, {}))

    @property
    def approved(self) -> int:
        return self.kc("approved")

    @property
    def contracted(self) -> int:
        return self.kc("contracted")

    @property
    def paid(self) -> int:
        return self.kc("paid")

    @property
    def pending(self) -> int:
        return self.kc("pending")

    @property
    def returned(self) -> int:
        return self.kc("returned")

    @property
    def allocated(self) -> int | None:
        return None if self.allocated_by_source is None else self.kc("allocated")

    @property
    def remaining(self) -> int:
        """Approved khuyến công funds minus disbursed."""
        return self.approved - self.paid

    @property
    def counterpart(self) -> int:
        """Approved counterpart money (not khuyến công funds)."""
        return self.source("approved", "counterpart")

    @property
    def other(self) -> int:
        return self.source("approved", "other")

    def beside(self) -> list[dict]:
        """One line per source that is not khuyến công funds and has any money: approved,
        contracted, paid, pending (shown beside the khuyến công total, never in it)."""
        lines = []
        for s in NON_KC_SOURCES:
            line = {m: self.source(m, s) for m in ("approved", "contracted", "paid", "pending")}
            if self.allocated_by_source is not None:
                line["allocated"] = self.source("allocated", s)
            if any(line.values()):
                lines.append({"source": s, **line})
        return lines

    # --- rates (core.measures: two decimals, half-up) ---

    @property
    def rate(self) -> Decimal | None:
        """Tỷ lệ giải ngân: paid ÷ approved khuyến công funds (DEFAULT_RATE)."""
        return percent(self.paid, self.approved)

    @property
    def rate_allocated(self) -> Decimal | None:
        """Tỷ lệ giải ngân so với kế hoạch: paid ÷ allocated khuyến công funds."""
        return None if self.allocated is None else percent(self.paid, self.allocated)

    @property
    def rate_ratio(self) -> float | None:
        """The exact ratio of ``rate`` for an Excel cell (EXCEL_PERCENT_FORMAT)."""
        return excel_ratio(self.paid, self.approved)

    @property
    def rate_allocated_ratio(self) -> float | None:
        return None if self.allocated is None else excel_ratio(self.paid, self.allocated)

    def __add__(self, other: MoneyFigures) -> MoneyFigures:
        amounts = {
            m: {s: self.source(m, s) + other.source(m, s) for s in SOURCES} for m in MEASURES
        }
        if self.allocated_by_source is None and other.allocated_by_source is None:
            allocated = None
        else:
            allocated = {
                s: self.source("allocated", s) + other.source("allocated", s) for s in SOURCES
            }
        return MoneyFigures(amounts, allocated)

    def with_allocated(self, allocated: Mapping[str, int]) -> MoneyFigures:
        return MoneyFigures(self.amounts, {s: int(allocated.get(s) or 0) for s in SOURCES})


# --- Aggregate expressions --------------------------------------------------------------------


def _sum(expression, condition: Q | None = None):
    return Coalesce(Sum(expression, filter=condition), Value(0), output_field=IntegerField())


def paid_filter(*, prefix: str = "", paid_from: datetime.date | None = None, paid_to=None) -> Q:
    """The tranches whose money counts as paid (``prefix`` when read through a relation)."""
    q = Q(**{f"{prefix}status__in": PAID_STATES})
    if paid_from:
        q &= Q(**{f"{prefix}paid_on__gte": paid_from})
    if paid_to:
        q &= Q(**{f"{prefix}paid_on__lte": paid_to})
    return q


def _grouped(qs: QuerySet, by: Mapping[str, str] | None, prefix: str, aggregates: dict) -> dict:
    """``aggregates`` of ``qs``, in one query: {group key tuple (or None): row}."""
    if not by:
        return {None: qs.aggregate(**aggregates)}
    names = list(by)
    rows = qs.order_by().values(**{f"g_{n}": F(prefix + path) for n, path in by.items()})
    return {tuple(r[f"g_{n}"] for n in names): r for r in rows.annotate(**aggregates)}


def money_figures(
    proposals: QuerySet,
    *,
    by: Mapping[str, str] | None = None,
    paid_from: datetime.date | None = None,
    paid_to: datetime.date | None = None,
):
    """The money of ``proposals`` (a queryset of đề án already scoped by ``visible``).

    Without ``by``: one ``MoneyFigures``. With ``by`` = {name: path from the đề án, e.g.
    {"activity": "activity", "parent": "activity__parent"}}: {key tuple: MoneyFigures}, one
    per group that has any money. Four queries either way."""
    ids = proposals.order_by().values("pk")
    approved = _grouped(
        proposals.model.objects.filter(pk__in=ids, status__in=FUNDED_STATES),
        by,
        "",
        {f"approved_{s}": _sum(f"approved_{s}") for s in SOURCES},
    )
    contracted = _grouped(
        Contract.objects.filter(proposal__in=ids, active=True),
        by,
        "proposal__",
        {f"contracted_{s}": _sum(s) for s in SOURCES},
    )
    paid_q = paid_filter(paid_from=paid_from, paid_to=paid_to)
    tranches = _grouped(
        Tranche.objects.filter(proposal__in=ids).filter(paid_q | Q(status__in=PENDING_STATES)),
        by,
        "proposal__",
        {
            **{f"paid_{s}": _sum("amount", paid_q & Q(source=s)) for s in SOURCES},
            **{
                f"pending_{s}": _sum("amount", Q(status__in=PENDING_STATES, source=s))
                for s in SOURCES
            },
        },
    )
    returned = _grouped(
        Settlement.objects.filter(proposal__in=ids),
        by,
        "proposal__",
        {f"returned_{s}": _sum(f"returned_{s}") for s in SOURCES},
    )
    parts = {
        "approved": approved,
        "contracted": contracted,
        "paid": tranches,
        "pending": tranches,
        "returned": returned,
    }
    keys = set().union(*(p.keys() for p in parts.values())) if by else {None}
    result = {}
    for key in keys:
        amounts = {
            m: {s: int((parts[m].get(key) or {}).get(f"{m}_{s}") or 0) for s in SOURCES}
            for m in MEASURES
        }
        result[key] = MoneyFigures(amounts)
    return result[None] if not by else result


# --- Per đề án, in one query (the centre's home card) -------------------------------------------


def _kc_expression(prefix: str = ""):
    return sum((F(f"{prefix}{s}") for s in KC_SOURCES[1:]), F(f"{prefix}{KC_SOURCES[0]}"))


def annotate_money(proposals: QuerySet) -> QuerySet:
    """Each đề án with its khuyến công funds contracted (``kc_contracted``) and paid
    (``kc_paid``), its next expected tranche (``next_due``) and its open warnings
    (``open_flags``): subqueries, so one query for the list whatever its length. The
    approved khuyến công funds are ``Proposal.approved_kc``."""

    def tranche_agg(expression, condition: Q):
        return Subquery(
            Tranche.objects.filter(condition, proposal=OuterRef("pk"))
            .order_by()
            .values("proposal")
            .annotate(v=expression)
            .values("v"),
        )

    contracted = Subquery(
        Contract.objects.filter(proposal=OuterRef("pk"), active=True)
        .annotate(t=_kc_expression())
        .values("t")[:1],
        output_field=IntegerField(),
    )
    flags = Subquery(
        DisbursementFlag.objects.filter(proposal=OuterRef("pk"), resolved_on__isnull=True)
        .order_by()
        .values("proposal")
        .annotate(n=Count("id"))
        .values("n"),
        output_field=IntegerField(),
    )
    return proposals.annotate(
        kc_contracted=Coalesce(contracted, Value(0)),
        kc_paid=Coalesce(
            tranche_agg(Sum("amount"), paid_filter() & Q(source__in=KC_SOURCES)),
            Value(0),
            output_field=IntegerField(),
        ),
        next_due=tranche_agg(Min("due_on"), Q(status__in=PENDING_STATES)),
        open_flags=Coalesce(flags, Value(0)),
    )
