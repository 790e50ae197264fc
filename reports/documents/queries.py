"""Reads shared by the reports: per đề án sums in one grouped query each, whatever the
number of đề án (no query per row). Every queryset goes through
``accounts.policies.visible`` for the requester, so a report shows only what its
requester may see, even when its parameters ask for more."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import QuerySet

from accounts.policies import visible
from core.formatting import format_number
from core.funding import KC_SOURCES, NON_KC_SOURCES, SOURCES, kc_sum
from core.measures import rate_text
from disbursement.figures import money_figures
from disbursement.models import Contract
from projects.models import FUNDED_STATES, ProposalBeneficiary

from .common import SOURCE_LABELS

# Đề án whose approved money is reported: those whose approval is in force (one
# definition, projects.models.FUNDED_STATES; an amendment in preparation keeps it).
REPORTED_STATES = FUNDED_STATES
# The label of the khuyến công sum line of a stacked money cell.
KC_SUM_LABEL = "Cộng KC"


def paid_by_proposal(
    user,
    proposals: QuerySet,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[int, dict[str, int]]:
    """Money paid per đề án and source (paid tranches, reversals deducted), with the
    payment date in [date_from, date_to] when given (disbursement.figures)."""
    groups = money_figures(
        visible(user, proposals.model.objects.filter(pk__in=proposals.values("pk"))),
        by={"pk": "pk"},
        paid_from=date_from,
        paid_to=date_to,
    )
    return {
        key[0]: {s: f.source("paid", s) for s in SOURCES}
        for key, f in groups.items()
        if any(f.source("paid", s) for s in SOURCES)
    }


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


def money_cell(columns: dict[str, dict[str, int]], *, rate_of=None) -> dict:
    """The stacked money cells of one row: one line per khuyến công source (KCQG, KCĐP)
    that has any amount in any of ``columns``, their sum "Cộng KC" when there is more than
    one line, then the counterpart and other sources on lines of their own, never added
    into the sum. Texts are formatted here, once (core.measures for rates).

    ``columns`` maps a measure ("approved", "paid" ...) to its amounts per source, in
    the order of the table's columns; ``rate_of`` = (part, whole) names the measures of
    the rate column (khuyến công lines only). Returns {"labels": [...], "columns": [[...],
    ...], "rates": [...]}, each item a (text, is_sum_line) pair."""

    def used(sources):
        return [s for s in sources if any(amounts.get(s, 0) for amounts in columns.values())]

    kc, beside = used(KC_SOURCES), used(NON_KC_SOURCES)
    keys: list[str | None] = list(kc)
    if len(kc) > 1 or (beside and not kc):
        keys.append(None)  # the "Cộng KC" line
    keys += beside

    def amount(measure: str, key: str | None) -> int:
        amounts = columns[measure]
        return kc_sum(amounts) if key is None else amounts.get(key, 0)

    labels = [(SOURCE_LABELS[k] if k else KC_SUM_LABEL, k is None) for k in keys]
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
            (
                rate_text(amount(part, k), amount(whole, k)) if k not in NON_KC_SOURCES else "",
                k is None,
            )
            for k in keys
        ] or [("—", False)]
    return cell


def total_of(amounts: dict[str, int]) -> int:
    """Khuyến công funds (KCQG + KCĐP) of amounts per source: the totals of the reports."""
    return kc_sum(amounts)
