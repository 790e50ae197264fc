"""Báo cáo tình hình giải ngân: for an annual plan, or for a province (or the whole
country) and a period — per đề án and funding source, the money approved, contracted and
paid, what remains and the disbursement rate; for a plan also the execution by activity
against the plan's allocations (``disbursement.selectors.plan_execution``, the figures
of the plan's page and its Excel export).

Every figure comes from ``disbursement.figures`` (the money pages' definitions): totals
and rates are khuyến công funds (KCQG + KCĐP); the counterpart and other sources are
stated on lines of their own, never added in. Tỷ lệ giải ngân = paid ÷ approved
khuyến công funds; for a plan also "so với kế hoạch" = paid ÷ allocated; both named in
the column headings and the sentence, two decimals (core.measures).

Period report scope: đề án approved on or before the end of the period whose
implementation overlaps the period or that received a payment in it. "Paid in the
period" counts payments dated in the period; "cumulative" everything paid up to its end
(reversals deducted). Approved and contracted money are as at the report's date."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.policies import is_national, visible
from core.formatting import amount_in_words, date_in_words, format_date, format_number
from core.funding import KC_SOURCES, NON_KC_SOURCES, SOURCES
from core.measures import format_percent, rate_text
from disbursement.figures import MoneyFigures, money_figures, paid_filter
from disbursement.models import Tranche
from disbursement.selectors import plan_execution
from programs.models import AnnualPlan
from projects.models import FUNDED_STATES, Proposal

from . import queries
from .common import (
    PROPOSAL_STATUS_LABELS,
    SOURCE_NAMES,
    ReportDataMissing,
    base_context,
    local_day,
    period_phrase,
    period_text,
    roman,
)
from .scope import as_at_date, report_period, report_province, scope_label

TEMPLATE = "pdf/reports/disbursement.html"
DOC_TYPE = "Báo cáo"


def _plan(user, plan_id) -> AnnualPlan:
    plan = (
        visible(user, AnnualPlan.objects.all())
        .select_related("program", "province")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise ReportDataMissing(_("The annual plan does not exist or you may not see it."))
    return plan


def _owns_plan(user, plan: AnnualPlan) -> bool:
    """May the report show the plan's figures by activity (they cover every province of
    a national plan, so only national users and the plan's own province see them)?"""
    return is_national(user) or (
        plan.province_id is not None and plan.province_id == user.province_id
    )


def _columns(figures: MoneyFigures, measures: list[str], period: MoneyFigures | None) -> dict:
    """The amounts per source of one row's columns, in the order of ``measures``."""
    columns = {}
    for m in measures:
        source = period if m == "period" else figures
        measure = "paid" if m == "period" else m
        columns[m] = {s: source.source(measure, s) for s in SOURCES}
    columns["remaining"] = {
        s: figures.source("approved", s) - figures.source("paid", s) for s in SOURCES
    }
    return columns


def build(job) -> dict:
    user = job.requested_by
    params = job.params or {}
    plan = None
    province = None
    date_from = date_to = None
    as_at = local_day(job.requested_at)
    if params.get("plan") not in (None, ""):
        plan = _plan(user, params["plan"])
        proposals = visible(user, Proposal.objects.all()).filter(
            plan=plan, status__in=FUNDED_STATES
        )
        where = plan.title
    else:
        province = report_province(user, params.get("province"))
        date_from, date_to = report_period(params, job.requested_at)
        paid_in_period = Tranche.objects.filter(
            paid_filter(paid_from=date_from, paid_to=date_to), proposal=OuterRef("pk")
        )
        proposals = visible(user, Proposal.objects.all()).filter(
            Q(end_date__gte=date_from) | Exists(paid_in_period),
            status__in=FUNDED_STATES,
            decision_date__lte=date_to,
        )
        if province is not None:
            proposals = proposals.filter(province=province)
        where = scope_label(province)

    items = list(
        proposals.select_related("province", "implementing_agency", "plan")
        .only(
            "plan__year",
            "code",
            "title",
            "status",
            "level",
            "decision_number",
            "decision_date",
            "province__code",
            "province__name",
            "province__short_name",
            "province__division_type",
            "implementing_agency__name",
            "implementing_agency__short_name",
        )
        .order_by("province__code", "code")
    )
    # One definition of every figure: disbursement.figures, per đề án, summed here.
    # Cumulative figures are "as at" the end of the period, or the day of the report when
    # the period ends later (reports.documents.scope.as_at_date, as the compliance report).
    paid_as_at = as_at_date(date_to, as_at) if date_to else as_at
    cumulative = money_figures(proposals, by={"pk": "pk"}, paid_to=paid_as_at)
    in_period = (
        money_figures(proposals, by={"pk": "pk"}, paid_from=date_from, paid_to=date_to)
        if date_from
        else None
    )
    contracts = queries.contracts_by_proposal(user, proposals)
    measures = ["approved", "contracted", *(["period"] if in_period is not None else []), "paid"]
    empty = MoneyFigures()
    totals, totals_period = MoneyFigures(), MoneyFigures()
    groups: list[dict] = []
    # The same đề án by the year of their plan: a period report also carries đề án of
    # earlier plans still paid in the period; each year's line is the scope of the
    # province's execution page and the dashboards for that year.
    by_year: dict[int, dict] = {}
    for number, p in enumerate(items, start=1):
        if not groups or groups[-1]["province"] != p.province:
            groups.append({"province": p.province, "rows": [], "figures": empty, "period": empty})
        group = groups[-1]
        figures = cumulative.get((p.pk,), empty)
        period = (in_period or {}).get((p.pk,), empty)
        contract_number = contracts[p.pk][0] if p.pk in contracts else ""
        group["rows"].append(
            {
                "number": number,
                "proposal": p,
                "agency": p.implementing_agency.short_name or p.implementing_agency.name,
                "money": queries.money_cell(
                    _columns(figures, measures, period), rate_of=("paid", "approved")
                ),
                "contract_number": contract_number,
                "notes": PROPOSAL_STATUS_LABELS.get(p.status, "")
                + ("" if contract_number else "; chưa ký hợp đồng"),
            }
        )
        group["figures"] = group["figures"] + figures
        group["period"] = group["period"] + period
        year = by_year.setdefault(p.plan.year, {"year": p.plan.year, "count": 0, "figures": empty})
        year["count"] += 1
        year["figures"] = year["figures"] + figures
        totals = totals + figures
        totals_period = totals_period + period

    for index, group in enumerate(groups, start=1):
        group["roman"] = roman(index)
        group["money"] = queries.money_cell(
            _columns(group["figures"], measures, group["period"]), rate_of=("paid", "approved")
        )
        group["count"] = len(group["rows"])
        group["name"] = (
            group["province"].administrative_name if group["province"] else "không gắn với tỉnh"
        )
        group["label"] = group["name"][:1].upper() + group["name"][1:]

    # Part II (and the allocation of part I): the plan's execution, as on its page, when
    # the requester owns the plan.
    execution = plan_execution(plan) if (plan is not None and _owns_plan(user, plan)) else None
    if execution is not None:
        totals = totals.with_allocated(execution["figures"].allocated_by_source)

    def source_row(s: str, name: str) -> dict:
        row = {m: totals.source(m, s) for m in ("approved", "contracted", "paid")}
        row["period"] = totals_period.source("paid", s)
        row["allocated"] = totals.source("allocated", s) if execution else None
        kc = s in KC_SOURCES
        return {
            **row,
            "name": name,
            "kc": kc,
            "texts": [format_number(row[m]) for m in measures],
            # The rates of one source, as the total's (core.measures, khuyến công only).
            "rate": rate_text(row["paid"], row["approved"]) if kc else "",
            "rate_allocated": rate_text(row["paid"], row["allocated"]) if kc and execution else "",
            "any": any(v for k, v in row.items() if k != "allocated") or bool(row["allocated"]),
        }

    by_source = [r for r in (source_row(s, SOURCE_NAMES[s]) for s in KC_SOURCES) if r["any"]]
    beside = [r for r in (source_row(s, SOURCE_NAMES[s]) for s in NON_KC_SOURCES) if r["any"]]
    summary = {
        "allocated": totals.allocated,
        "texts": [
            format_number(totals_period.paid if m == "period" else totals.kc(m)) for m in measures
        ],
        "rate": format_percent(totals.rate),
        "rate_allocated": format_percent(totals.rate_allocated),
    }

    if plan is not None:
        default = f"Tình hình giải ngân {plan.title[:1].lower()}{plan.title[1:]}"
        period = ""
    else:
        period = period_text(date_from, date_to)
        default = (
            f"Tình hình giải ngân kinh phí khuyến công {period_phrase(date_from, date_to)}"
            + (f" trên địa bàn {where}" if province is not None else "")
        )
    context = base_context(job, doc_type=DOC_TYPE, default_summary=default, landscape=True)
    context.update(
        {
            "plan": plan,
            "scope": where,
            "period": period,
            "date_to": date_to,
            "as_at": format_date(as_at),
            "paid_as_at": date_in_words(paid_as_at),
            "with_period": in_period is not None,
            "measures": measures,
            "groups": groups,
            "grouped": len(groups) > 1,
            "count": len(items),
            "total_money": queries.money_cell(
                _columns(totals, measures, totals_period), rate_of=("paid", "approved")
            ),
            "by_source": by_source,
            "by_year": [
                {
                    **y,
                    "approved": y["figures"].approved,
                    "paid": y["figures"].paid,
                    "rate": format_percent(y["figures"].rate),
                }
                for _year, y in sorted(by_year.items())
            ]
            if plan is None and len(by_year) > 1
            else [],
            "beside": beside,
            "summary": summary,
            "execution": execution,
            "execution_hidden": plan is not None and execution is None,
            "figures": totals,
            "paid_sum": totals.paid,
            "approved_sum": totals.approved,
            "allocated_sum": totals.allocated,
            "counterpart_sum": totals.counterpart,
            "other_sum": totals.other,
            "paid_words": amount_in_words(totals.paid),
            "approved_words": amount_in_words(totals.approved),
            "rate": format_percent(totals.rate),
            "rate_allocated": format_percent(totals.rate_allocated),
        }
    )
    return context
