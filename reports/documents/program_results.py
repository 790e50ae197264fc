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
from core.formatting import amount_in_words, date_in_words, format_number
from core.measures import rate_text
from disbursement.figures import MoneyFigures, money_figures
from programs.models import AnnualPlan, Indicator, Program, ProgramTarget
from projects.models import FUNDED_STATES, Proposal, ProposalOutput

from .common import ReportDataMissing, base_context, local_day

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
        plan__program=program, status__in=FUNDED_STATES
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
                "rate": rate_text(done, target),
            }
        )

    # Money and đề án of each year's plan (only the đề án the requester may see).
    plans = {
        p.year: p
        for p in visible(user, AnnualPlan.objects.filter(program=program)).only(
            "year", "status", "decision_number", "decision_date", "province"
        )
    }
    counts = {
        r["plan__year"]: r["n"]
        for r in proposals.order_by().values("plan__year").annotate(n=Count("id"))
    }
    # The money of each year's đề án (disbursement.figures: khuyến công funds, counterpart
    # and other sources apart; paid as at the report's date).
    money = {key[0]: f for key, f in money_figures(proposals, by={"year": "plan__year"}).items()}
    year_rows = []
    total = MoneyFigures()
    for year in years:
        figures = money.get(year, MoneyFigures())
        plan = plans.get(year)
        year_rows.append(
            {
                "year": year,
                "plan": plan,
                "plan_status": PLAN_STATUS_LABELS.get(plan.status, "") if plan else "",
                "n": counts.get(year, 0),
                "support": figures.approved,
                "counterpart": figures.counterpart + figures.other,
                "paid": figures.paid,
                "rate": rate_text(figures.paid, figures.approved),
            }
        )
        total = total + figures
    totals = {
        "n": sum(r["n"] for r in year_rows),
        "support": total.approved,
        "counterpart": total.counterpart + total.other,
        "paid": total.paid,
        "rate": rate_text(total.paid, total.approved),
    }
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
            "as_at": date_in_words(local_day(job.requested_at)),
        }
    )
    return context
