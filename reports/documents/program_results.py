"""Báo cáo kết quả thực hiện chương trình khuyến công: the programme's targets
(``ProgramTarget``) against the outputs achieved by its đề án (``ProposalOutput``
achieved values, recorded at acceptance), year by year, with the outputs the approved
đề án committed to, and the money of each year's plan.

A provincial requester reading the national programme sees the contribution of the đề
án of their own province (the rows ``visible`` lets through)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from accounts.policies import is_national, visible
from core.formatting import amount_in_words, format_number
from disbursement.models import Tranche
from disbursement.selectors import PAID, rate
from programs.models import AnnualPlan, Indicator, Program, ProgramTarget
from projects.models import Proposal, ProposalOutput

from . import queries
from .common import ReportDataMissing, base_context

TEMPLATE = "pdf/reports/program_results.html"
DOC_TYPE = "Báo cáo"

PLAN_STATUS_LABELS = {
    "draft": "Dự thảo",
    "submitted": "Đã trình",
    "approved": "Đã phê duyệt",
    "amended": "Đã điều chỉnh",
}


def build(job) -> dict:
    user = job.requested_by
    program = (
        visible(user, Program.objects.all())
        .select_related("province", "decision")
        .filter(pk=(job.params or {}).get("program"))
        .first()
    )
    if program is None:
        raise ReportDataMissing(_("The programme does not exist or you may not see it."))
    years = list(program.years)
    targets = {
        t.indicator_id: t.target_value
        for t in ProgramTarget.objects.filter(program=program).only("indicator", "target_value")
    }
    proposals = visible(user, Proposal.objects.all()).filter(
        plan__program=program, status__in=queries.REPORTED_STATES
    )
    outputs = visible(user, ProposalOutput.objects.all()).filter(
        proposal__in=proposals.values("pk")
    )
    achieved: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (
        outputs.filter(achieved_value__isnull=False)
        .order_by()
        .values("indicator", year=F("proposal__plan__year"))
        .annotate(total=Sum("achieved_value"))
    ):
        achieved[r["indicator"]][r["year"]] = r["total"]
    committed = {
        r["indicator"]: r["total"]
        for r in outputs.order_by().values("indicator").annotate(total=Sum("target_value"))
    }
    indicators = Indicator.objects.filter(pk__in={*targets, *achieved, *committed}).order_by(
        "order", "code"
    )
    rows = []
    for number, indicator in enumerate(indicators, start=1):
        done = sum(achieved[indicator.pk].values())
        target = targets.get(indicator.pk)
        rows.append(
            {
                "number": number,
                "indicator": indicator,
                "target": format_number(target) if target is not None else "—",
                "committed": format_number(committed.get(indicator.pk, 0)),
                "years": [format_number(achieved[indicator.pk].get(y, 0)) for y in years],
                "achieved": format_number(done),
                "rate": queries.rate_text(rate(done, target)) if target else "—",
            }
        )

    # Money and đề án of each year's plan (only the đề án the requester may see).
    plans = {
        p.year: p
        for p in visible(user, AnnualPlan.objects.filter(program=program)).only(
            "year", "status", "decision_number", "decision_date", "province"
        )
    }
    by_year = {
        r["plan__year"]: r
        for r in proposals.order_by()
        .values("plan__year")
        .annotate(
            n=Count("id"),
            kcqg=Sum("approved_kcqg"),
            kcdp=Sum("approved_kcdp"),
            counterpart=Sum("approved_counterpart"),
            other=Sum("approved_other"),
        )
    }
    paid_by_year = {
        r["year"]: r["total"]
        for r in visible(user, Tranche.objects.all())
        .filter(proposal__in=proposals.values("pk"), status__in=PAID)
        .order_by()
        .values(year=F("proposal__plan__year"))
        .annotate(total=Sum("amount"))
    }
    year_rows = []
    totals = {"n": 0, "support": 0, "counterpart": 0, "paid": 0}
    for year in years:
        figures = by_year.get(year, {})
        support = (figures.get("kcqg") or 0) + (figures.get("kcdp") or 0)
        counterpart = (figures.get("counterpart") or 0) + (figures.get("other") or 0)
        paid = paid_by_year.get(year) or 0
        plan = plans.get(year)
        year_rows.append(
            {
                "year": year,
                "plan": plan,
                "plan_status": PLAN_STATUS_LABELS.get(plan.status, "") if plan else "",
                "n": figures.get("n", 0),
                "support": support,
                "counterpart": counterpart,
                "paid": paid,
                "rate": queries.rate_text(rate(paid, support + counterpart)),
            }
        )
        totals["n"] += figures.get("n", 0)
        totals["support"] += support
        totals["counterpart"] += counterpart
        totals["paid"] += paid

    totals["rate"] = queries.rate_text(
        rate(totals["paid"], totals["support"] + totals["counterpart"])
    )
    partial = program.province_id is None and not is_national(user)
    context = base_context(
        job,
        doc_type=DOC_TYPE,
        default_summary=f"Kết quả thực hiện {program.name[:1].lower()}{program.name[1:]}",
        landscape=True,
    )
    context.update(
        {
            "program": program,
            "years": years,
            "rows": rows,
            "year_rows": year_rows,
            "totals": totals,
            "partial_province": user.agency.province if partial and user.agency_id else None,
            "support_words": amount_in_words(totals["support"]),
            "paid_words": amount_in_words(totals["paid"]),
        }
    )
    return context
