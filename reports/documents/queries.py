"""Reads shared by the reports: per đề án sums in one grouped query each, whatever the
number of đề án (no query per row). Every queryset goes through
``accounts.policies.visible`` for the requester, so a report shows only what its
requester may see, even when its parameters ask for more."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.policies import visible
from core.formatting import format_number
from disbursement.models import SOURCES, Contract, Tranche
from disbursement.selectors import APPROVED_STATES, PAID, rate
from projects.models import Proposal, ProposalBeneficiary

from .common import SOURCE_LABELS

# Đề án whose approved money is reported: approved and later, and approved ones being
# amended (their approved amounts stay in force until the amendment is approved).
REPORTED_STATES = (*APPROVED_STATES, Proposal.Status.AMENDING)


def _by_source(field: str) -> dict:
    return {
        s: Coalesce(Sum(field, filter=Q(source=s)), Value(0), output_field=IntegerField())
        for s in SOURCES
    }


def paid_by_proposal(
    user,
    proposals: QuerySet,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[int, dict[str, int]]:
    """Money paid per đề án and source (paid tranches and reversals), with the payment
    date in [date_from, date_to] when given. One query."""
    tranches = visible(user, Tranche.objects.all()).filter(
        proposal__in=proposals.values("pk"), status__in=PAID
    )
    if date_from:
        tranches = tranches.filter(paid_on__gte=date_from)
    if date_to:
        tranches = tranches.filter(paid_on__lte=date_to)
    rows = tranches.order_by().values("proposal").annotate(**_by_source("amount"))
    return {r["proposal"]: {s: r[s] for s in SOURCES} for r in rows}


def contracts_by_proposal(user, proposals: QuerySet) -> dict[int, tuple[str, dict[str, int]]]:
    """The number and amounts per source of each đề án's contract in force. One query."""
    rows = (
        visible(user, Contract.objects.all())
        .filter(proposal__in=proposals.values("pk"), active=True)
        .values("proposal", "number", *SOURCES)
    )
    return {r["proposal"]: (r["number"], {s: r[s] for s in SOURCES}) for r in rows}


def beneficiaries_by_proposal(user, proposals: QuerySet) -> dict[int, list[tuple[int, str]]]:
    """(id, name) of the establishments of each đề án, in the đề án's order. One query."""
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        visible(user, ProposalBeneficiary.objects.all())
        .filter(proposal__in=proposals.values("pk"))
        .order_by("proposal_id", "id")
        .values_list("proposal_id", "beneficiary_id", "beneficiary__name")
    )
    for proposal_id, beneficiary_id, name in rows:
        result[proposal_id].append((beneficiary_id, name))
    return result


def abbreviate_names(names: list[str], shown: int = 2) -> str:
    """ "HTX A; Cơ sở B và 3 cơ sở khác" — the list cell of a wide table stays short."""
    if not names:
        return ""
    head = "; ".join(names[:shown])
    rest = len(names) - shown
    return f"{head} và {rest} cơ sở khác" if rest > 0 else head


def zero() -> dict[str, int]:
    return dict.fromkeys(SOURCES, 0)


def add_into(total: dict[str, int], amounts: dict[str, int]) -> None:
    for s in SOURCES:
        total[s] += amounts.get(s, 0)


def rate_text(value) -> str:
    """45.3 -> "45,3" (Vietnamese decimal comma); no base -> "—"."""
    return "—" if value is None else str(value).replace(".", ",")


def money_cell(columns: dict[str, dict[str, int]], *, rate_of=None) -> dict:
    """The stacked money cells of one row: one line per funding source that has any
    amount in any of ``columns`` (in the order of SOURCES), then "Cộng" when there is
    more than one. Texts are formatted here, once, rather than by filters per cell.

    ``columns`` maps a measure ("approved", "paid" ...) to its amounts per source, in
    the order of the table's columns; ``rate_of`` = (part, whole) names the measures of
    the rate column. Returns {"labels": [...], "columns": [[...], ...], "rates": [...]},
    each item a (text, is_sum_line) pair."""
    used = [s for s in SOURCES if any(amounts.get(s, 0) for amounts in columns.values())]
    keys: list[str | None] = list(used)
    if len(used) > 1:
        keys.append(None)  # the "Cộng" line

    def amount(measure: str, key: str | None) -> int:
        amounts = columns[measure]
        if key is None:
            return sum(amounts.get(s, 0) for s in SOURCES)
        return amounts.get(key, 0)

    labels = [(SOURCE_LABELS[k] if k else "Cộng", k is None) for k in keys]
    cell = {
        "labels": labels or [("—", False)],
        "columns": [
            [(format_number(amount(m, k)), k is None) for k in keys] or [("0", False)]
            for m in columns
        ],
    }
    if rate_of:
        part, whole = rate_of
        cell["rates"] = [
            (rate_text(rate(amount(part, k), amount(whole, k))), k is None) for k in keys
        ] or [("—", False)]
    return cell


def total_of(amounts: dict[str, int]) -> int:
    return sum(amounts.get(s, 0) for s in SOURCES)
