"""Báo cáo đăng ký kế hoạch khuyến công quốc gia: the Sở's registration batch sent to the
ministry (copy to the UBND tỉnh) — the previous year's results, this year's progress, next
year's direction, and the list of đề án proposed (danh sách đề án đề nghị) with their
grassroots appraisal score and the support asked from national funds (Thông tư
36/2013/TT-BCT)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.policies import visible
from core.formatting import amount_in_words
from cycle.models import RegistrationBatch
from projects.models import BudgetLine

from .common import ReportDataMissing, base_context

TEMPLATE = "pdf/reports/registration.html"
DOC_TYPE = "Báo cáo"


def build(job) -> dict:
    user = job.requested_by
    batch = (
        visible(user, RegistrationBatch.objects.all())
        .select_related("province", "call__plan")
        .filter(pk=(job.params or {}).get("batch"))
        .first()
    )
    if batch is None:
        raise ReportDataMissing(_("The registration batch does not exist or you may not see it."))
    items = list(
        batch.items.select_related("proposal__activity", "proposal__implementing_agency").order_by(
            "-score", "proposal__sequence"
        )
    )
    sums = {
        row["proposal"]: row
        for row in BudgetLine.objects.filter(proposal__in=[i.proposal_id for i in items])
        .values("proposal")
        .annotate(amount=Sum("amount"), kcqg=Sum("kcqg"), counterpart=Sum("counterpart"))
    }
    rows = []
    for number, item in enumerate(items, start=1):
        money = sums.get(item.proposal_id, {})
        rows.append(
            {
                "number": number,
                "proposal": item.proposal,
                "score": item.score,
                "amount": money.get("amount") or 0,
                "kcqg": money.get("kcqg") or 0,
                "counterpart": money.get("counterpart") or 0,
            }
        )
    totals = {k: sum(r[k] for r in rows) for k in ("amount", "kcqg", "counterpart")}
    context = base_context(
        job,
        doc_type=DOC_TYPE,
        default_summary=f"Đăng ký kế hoạch khuyến công quốc gia năm {batch.call.plan.year}",
        landscape=True,
    )
    context.update(
        {
            "batch": batch,
            "year": batch.call.plan.year,
            "rows": rows,
            "totals": totals,
            "kcqg_words": amount_in_words(totals["kcqg"]),
        }
    )
    return context
