"""Báo cáo tình hình giải ngân: for an annual plan, or for a province (or the whole
country) and a period — per đề án and funding source, the money approved, contracted and
paid, what remains and the disbursement rate; for a plan also the execution by activity
against the plan's allocations (``disbursement.selectors.execution_table``).

Period report scope: đề án approved on or before the end of the period whose
implementation overlaps the period or that received a payment in it. "Paid in the
period" counts payments dated in the period; "cumulative" everything paid up to its end
(reversals deducted)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.policies import is_national, visible
from core.formatting import amount_in_words, format_number
from disbursement.models import SOURCES, Tranche
from disbursement.selectors import PAID, execution_table, rate
from programs.models import AnnualPlan
from programs.selectors import plan_sources
from projects.models import Proposal

from . import queries
from .common import (
    PROPOSAL_STATUS_LABELS,
    SOURCE_NAMES,
    ReportDataMissing,
    base_context,
    period_phrase,
    period_text,
    roman,
)
from .scope import report_period, report_province, scope_label

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


def build(job) -> dict:
    user = job.requested_by
    params = job.params or {}
    plan = None
    province = None
    date_from = date_to = None
    if params.get("plan") not in (None, ""):
        plan = _plan(user, params["plan"])
        sources = [str(s) for s in plan_sources(plan)]
        proposals = visible(user, Proposal.objects.all()).filter(
            plan=plan, status__in=queries.REPORTED_STATES
        )
        where = plan.title
    else:
        province = report_province(user, params.get("province"))
        date_from, date_to = report_period(params, job.requested_at)
        sources = list(SOURCES)
        paid_in_period = Tranche.objects.filter(
            proposal=OuterRef("pk"),
            status__in=PAID,
            paid_on__gte=date_from,
            paid_on__lte=date_to,
        )
        proposals = visible(user, Proposal.objects.all()).filter(
            Q(end_date__gte=date_from) | Exists(paid_in_period),
            status__in=queries.REPORTED_STATES,
            decision_date__lte=date_to,
        )
        if province is not None:
            proposals = proposals.filter(province=province)
        where = scope_label(province)

    items = list(
        proposals.select_related("province", "implementing_agency")
        .only(
            "code",
            "title",
            "status",
            "level",
            "decision_number",
            "decision_date",
            "approved_kcqg",
            "approved_kcdp",
            "approved_counterpart",
            "approved_other",
            "province__code",
            "province__name",
            "province__short_name",
            "province__division_type",
            "implementing_agency__name",
            "implementing_agency__short_name",
        )
        .order_by("province__code", "code")
    )
    contracts = queries.contracts_by_proposal(user, proposals)
    cumulative = queries.paid_by_proposal(user, proposals, date_to=date_to)
    in_period = (
        queries.paid_by_proposal(user, proposals, date_from=date_from, date_to=date_to)
        if date_from
        else None
    )
    measures = ["approved", "contracted", *(["period"] if in_period is not None else []), "paid"]
    totals = {m: queries.zero() for m in measures}
    groups: list[dict] = []
    for number, p in enumerate(items, start=1):
        if not groups or groups[-1]["province"] != p.province:
            groups.append(
                {"province": p.province, "rows": [], **{m: queries.zero() for m in measures}}
            )
        group = groups[-1]
        amounts = {
            "approved": p.approved_by_source(),
            "contracted": contracts[p.pk][1] if p.pk in contracts else queries.zero(),
            "period": (in_period or {}).get(p.pk, queries.zero()),
            "paid": cumulative.get(p.pk, queries.zero()),
        }
        columns = {m: amounts[m] for m in measures}
        columns["remaining"] = {s: amounts["approved"][s] - amounts["paid"][s] for s in SOURCES}
        contract_number = contracts[p.pk][0] if p.pk in contracts else ""
        group["rows"].append(
            {
                "number": number,
                "proposal": p,
                "agency": p.implementing_agency.short_name or p.implementing_agency.name,
                "money": queries.money_cell(columns, rate_of=("paid", "approved")),
                "contract_number": contract_number,
                "notes": PROPOSAL_STATUS_LABELS.get(p.status, "")
                + ("" if contract_number else "; chưa ký hợp đồng"),
            }
        )
        for m in measures:
            queries.add_into(group[m], amounts[m])
            queries.add_into(totals[m], amounts[m])

    def cell(figures: dict) -> dict:
        columns = {m: figures[m] for m in measures}
        columns["remaining"] = {s: figures["approved"][s] - figures["paid"][s] for s in SOURCES}
        return queries.money_cell(columns, rate_of=("paid", "approved"))

    for index, group in enumerate(groups, start=1):
        group["roman"] = roman(index)
        group["money"] = cell(group)
        group["count"] = len(group["rows"])
        group["name"] = (
            group["province"].administrative_name if group["province"] else "không gắn với tỉnh"
        )
        group["label"] = group["name"][:1].upper() + group["name"][1:]

    # Part I: by funding source (the plan's allocation when the requester owns the plan).
    execution = (
        execution_table(AnnualPlan.objects.filter(pk=plan.pk), sources)
        if (plan is not None and _owns_plan(user, plan))
        else None
    )
    allocated = {r["source"]: r["allocated"] for r in execution["by_source"]} if execution else {}
    by_source = []
    for s in sources:
        row = {m: totals[m][s] for m in measures}
        row["allocated"] = allocated.get(s)
        if not any(row.values()):
            continue
        base = row["allocated"] if execution else row["approved"]
        row.update(
            {
                "name": SOURCE_NAMES[s],
                "rate": queries.rate_text(rate(row["paid"], base)),
                "texts": [format_number(row[m]) for m in measures],
            }
        )
        by_source.append(row)
    paid_sum = queries.total_of(totals["paid"])
    approved_sum = queries.total_of(totals["approved"])
    allocated_sum = sum(allocated.values()) if execution else None
    summary = {
        "allocated": allocated_sum,
        "texts": [format_number(queries.total_of(totals[m])) for m in measures],
        "rate": queries.rate_text(rate(paid_sum, allocated_sum if execution else approved_sum)),
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
            "with_period": in_period is not None,
            "measures": measures,
            "groups": groups,
            "grouped": len(groups) > 1,
            "count": len(items),
            "total_money": cell(totals),
            "by_source": by_source,
            "summary": summary,
            "execution": execution,
            "execution_hidden": plan is not None and execution is None,
            "paid_sum": paid_sum,
            "approved_sum": approved_sum,
            "paid_words": amount_in_words(paid_sum),
            "approved_words": amount_in_words(approved_sum),
            "rate": rate(paid_sum, approved_sum),
        }
    )
    return context
