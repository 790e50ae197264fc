"""The tables of a periodic report, from its figures (``periodic.figures``), as the page and
the documents print them: labels from ``core.measures`` and the model choices, rates from
``core.measures.rate_text``. The page and the PDF/Word differ in markup only."""

from __future__ import annotations

import datetime

from core.funding import KC_SOURCES, SOURCE_SHORT
from core.measures import label, rate_text
from programs.models import Level
from projects.models import Proposal

from .rules import Kind


def _kc_approved(row: dict) -> int:
    return row["approved_kcqg"] + row["approved_kcdp"]


def _money_row(name: str, row: dict) -> dict:
    approved = _kc_approved(row)
    return {
        "name": name,
        "funded": row["funded"],
        "approved_kcqg": row["approved_kcqg"],
        "approved_kcdp": row["approved_kcdp"],
        "approved": approved,
        "counterpart": row["counterpart"] + row.get("other", 0),
        "allocated": row["allocated"],
        "paid_period": row["paid_period"],
        "paid": row["paid"],
        "rate": rate_text(row["paid"], approved),
        "rate_allocated": rate_text(row.get("paid_in_plans", 0), row["allocated"])
        if row["allocated"]
        else "—",
        "prev_funded": row["prev_funded"],
        "prev_paid_period": row["prev_paid_period"],
    }


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def present(figures: dict, kind: str) -> dict:
    kinds = dict(Proposal.Kind.choices)
    levels = dict(Level.choices)
    previous = figures.get("previous")
    return {
        "start": _day(figures["start"]),
        "end": _day(figures["end"]),
        "previous": (_day(previous[0]), _day(previous[1])) if previous else None,
        "computed_on": _day(figures.get("computed_on")),
        "has_previous": bool(previous),
        "activities": [_money_row(f"{a['code']}. {a['name']}", a) for a in figures["activities"]],
        "total": _money_row("Tổng cộng", figures["totals"]),
        "kinds_levels": [
            *(_money_row(str(kinds.get(k["code"], k["code"])), k) for k in figures["kinds"]),
            *(_money_row(str(levels.get(v["code"], v["code"])), v) for v in figures["levels"]),
        ],
        "consolidated": [
            {**c, "sent_on": _day(c["sent_on"])} for c in figures.get("consolidated") or []
        ],
        "sources": [
            {
                "name": str(SOURCE_SHORT[s["source"]]),
                "source": s["source"],
                "approved": s["approved"],
                "paid_period": s["paid_period"],
                "paid": s["paid"],
                # The disbursement rate is a measure of khuyến công funds only.
                "rate": rate_text(s["paid"], s["approved"]) if s["source"] in KC_SOURCES else "—",
            }
            for s in figures["sources"]
        ],
        "outputs": [
            {
                **o,
                "years": [
                    (o.get("by_year") or {}).get(str(y["year"]), 0)
                    for y in figures.get("years") or []
                ],
                "share": rate_text(o["cumulative"], o["target"]) if o.get("target") else "—",
                "rate": rate_text(o["achieved"], o["planned"]),
            }
            for o in figures["outputs"]
        ],
        "beneficiaries": figures.get("beneficiaries", 0),
        "years": figures.get("years") or [],
        "year_matrix": _year_matrix(figures),
        "own": _money_row("Đề án của các đơn vị trung ương", figures["own"])
        if figures.get("own")
        else None,
        "is_summary": kind == Kind.PERIOD_SUMMARY,
    }


def _year_matrix(figures: dict) -> list[dict]:
    """A period summary by activity group (rows) and plan year (columns): the funded đề án
    and the khuyến công funds paid, with a total per row."""
    years = figures.get("years") or []
    names = figures.get("activity_names") or {}
    codes = sorted({code for y in years for code in y["activities"]})
    rows = []
    for code in codes:
        cells = [y["activities"].get(code, {"funded": 0, "approved": 0, "paid": 0}) for y in years]
        rows.append(
            {
                "name": f"{code}. {names.get(code, '')}".strip(". "),
                "cells": cells,
                "funded": sum(c["funded"] for c in cells),
                "paid": sum(c["paid"] for c in cells),
            }
        )
    return rows


# The column headings: the published measures' names (core.measures), one definition.
def headings() -> dict:
    return {
        "approved": label("approved"),
        "allocated": label("allocated"),
        "paid_period": label("paid_in_period"),
        "paid": label("paid"),
        "rate": label("rate"),
        "rate_allocated": label("rate_allocated"),
        "counterpart": label("counterpart"),
        "funded": label("funded"),
    }
