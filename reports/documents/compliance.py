"""Báo cáo tình hình sử dụng kinh phí khuyến công: for a province (or nationally, for the
ministry) and a period, the đề án with their beneficiaries, the money approved and paid
by funding source, the inspection results (right beneficiary, right purpose, lawful —
Chỉ thị 04/CT-BCT) and the findings not yet remedied.

Scope: đề án approved (decision dated on or before the end of the period), whose
implementation period overlaps the reporting period. Paid = paid tranches (reversals
deducted) dated up to the end of the period. Inspections: those concluded up to the end
of the period. Recommendations: those still open when the report is produced."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Max

from accounts.policies import is_national, visible
from core.formatting import amount_in_words, format_date
from disbursement.selectors import rate
from inspections.models import Inspection, Recommendation
from projects.models import Proposal

from . import queries
from .common import (
    COMPLIANCE_LABELS,
    PROPOSAL_STATUS_LABELS,
    RESULT_LABELS,
    base_context,
    local_day,
    period_phrase,
    period_text,
    roman,
)
from .scope import report_period, report_province, scope_label

TEMPLATE = "pdf/reports/compliance.html"
DOC_TYPE = "Báo cáo"


def proposals_in_scope(user, province, date_from, date_to):
    """Đề án of the report, scoped to the requester (no ordering: used in subqueries)."""
    proposals = visible(user, Proposal.objects.all()).filter(
        status__in=queries.REPORTED_STATES,
        decision_date__lte=date_to,
        end_date__gte=date_from,
    )
    if province is not None:
        proposals = proposals.filter(province=province)
    return proposals


def inspections_by_proposal(user, proposals, date_to) -> dict[int, dict]:
    """Number of concluded inspections and the last one's date and conclusion. Two
    queries."""
    concluded = (
        visible(user, Inspection.objects.all())
        .filter(
            proposal__in=proposals.values("pk"),
            status=Inspection.Status.CONCLUDED,
            inspected_on__lte=date_to,
        )
        .order_by()
    )
    result = {
        r["proposal"]: {"count": r["n"], "last_on": r["last_on"]}
        for r in concluded.values("proposal").annotate(n=Count("id"), last_on=Max("inspected_on"))
    }
    latest = concluded.order_by("proposal_id", "-inspected_on", "-id").distinct("proposal_id")
    for proposal_id, conclusion in latest.values_list("proposal_id", "conclusion"):
        result[proposal_id]["last_result"] = RESULT_LABELS.get(conclusion, conclusion)
    return result


def open_recommendations(user, proposals, today) -> list[dict]:
    rows = (
        visible(user, Recommendation.objects.all())
        .filter(
            status=Recommendation.Status.OPEN,
            inspection__status=Inspection.Status.CONCLUDED,  # issued findings only
            inspection__proposal__in=proposals.values("pk"),
        )
        .select_related("inspection__proposal")
        .only(
            "text",
            "responsible",
            "deadline",
            "inspection__inspected_on",
            "inspection__number",
            "inspection__proposal__code",
            "inspection__proposal__title",
        )
        .order_by("deadline", "inspection__proposal__code", "id")
    )
    result = []
    for r in rows:
        late = (today - r.deadline).days
        result.append(
            {
                "proposal": r.inspection.proposal,
                "inspection": r.inspection,
                "text": r.text,
                "responsible": r.responsible,
                "deadline": r.deadline,
                "overdue_days": late if late > 0 else 0,
            }
        )
    return result


def build(job) -> dict:
    user = job.requested_by
    params = job.params or {}
    province = report_province(user, params.get("province"))
    date_from, date_to = report_period(params, job.requested_at)
    today = local_day(job.requested_at)
    national = province is None and is_national(user)

    proposals = proposals_in_scope(user, province, date_from, date_to)
    items = list(
        proposals.select_related("province", "implementing_agency")
        .only(
            "code",
            "title",
            "status",
            "decision_number",
            "decision_date",
            "compliance",
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
    paid = queries.paid_by_proposal(user, proposals, date_to=date_to)
    beneficiaries = queries.beneficiaries_by_proposal(user, proposals)
    inspections = inspections_by_proposal(user, proposals, date_to)
    recommendations = open_recommendations(user, proposals, today)
    open_by_proposal = Counter(r["proposal"].pk for r in recommendations)
    overdue_by_proposal = Counter(r["proposal"].pk for r in recommendations if r["overdue_days"])

    groups: list[dict] = []
    total_approved, total_paid = queries.zero(), queries.zero()
    compliance_counts = Counter()
    all_beneficiaries: set[int] = set()
    number = 0
    for p in items:
        if not groups or groups[-1]["province"] != p.province:
            groups.append(
                {
                    "province": p.province,
                    "rows": [],
                    "approved": queries.zero(),
                    "paid": queries.zero(),
                }
            )
        group = groups[-1]
        approved = p.approved_by_source()
        paid_p = paid.get(p.pk, queries.zero())
        links = beneficiaries.get(p.pk, [])
        all_beneficiaries.update(b for b, _ in links)
        inspection = inspections.get(p.pk)
        notes = [PROPOSAL_STATUS_LABELS.get(p.status, "")]
        if open_by_proposal[p.pk]:
            note = f"{open_by_proposal[p.pk]} kiến nghị chưa khắc phục"
            if overdue_by_proposal[p.pk]:
                note += f" ({overdue_by_proposal[p.pk]} quá hạn)"
            notes.append(note)
        number += 1
        group["rows"].append(
            {
                "number": number,
                "proposal": p,
                "agency": p.implementing_agency.short_name or p.implementing_agency.name,
                "beneficiary_count": len(links),
                "beneficiary_names": queries.abbreviate_names([n for _, n in links]),
                "money": queries.money_cell(
                    {"approved": approved, "paid": paid_p}, rate_of=("paid", "approved")
                ),
                "compliance": COMPLIANCE_LABELS.get(p.compliance, p.compliance),
                "inspection": inspection,
                "notes": "; ".join(n for n in notes if n),
            }
        )
        queries.add_into(group["approved"], approved)
        queries.add_into(group["paid"], paid_p)
        queries.add_into(total_approved, approved)
        queries.add_into(total_paid, paid_p)
        compliance_counts[p.compliance] += 1

    for index, group in enumerate(groups, start=1):
        group["roman"] = roman(index)
        group["money"] = queries.money_cell(
            {"approved": group["approved"], "paid": group["paid"]}, rate_of=("paid", "approved")
        )
        group["count"] = len(group["rows"])
        group["name"] = (
            group["province"].administrative_name if group["province"] else "đề án cấp quốc gia"
        )
        group["label"] = group["name"][:1].upper() + group["name"][1:]
    approved_sum = queries.total_of(total_approved)
    paid_sum = queries.total_of(total_paid)
    where = scope_label(province)
    period = period_text(date_from, date_to)
    context = base_context(
        job,
        doc_type=DOC_TYPE,
        default_summary=(
            f"Tình hình sử dụng kinh phí khuyến công {period_phrase(date_from, date_to)}"
            + (f" trên địa bàn {where}" if province is not None else "")
        ),
        landscape=True,
    )
    context.update(
        {
            "scope": where,
            "period": period,
            "date_from": date_from,
            "date_to": date_to,
            "today": today,
            "national": national,
            "groups": groups,
            "grouped": national and len(groups) > 1,
            "count": len(items),
            "beneficiary_total": len(all_beneficiaries),
            "total_money": queries.money_cell(
                {"approved": total_approved, "paid": total_paid}, rate_of=("paid", "approved")
            ),
            "approved_sum": approved_sum,
            "paid_sum": paid_sum,
            "approved_words": amount_in_words(approved_sum),
            "paid_words": amount_in_words(paid_sum),
            "rate": rate(paid_sum, approved_sum),
            "compliance_counts": [
                (label, compliance_counts.get(key, 0)) for key, label in COMPLIANCE_LABELS.items()
            ],
            "inspected": sum(1 for p in items if p.pk in inspections),
            "recommendations": recommendations,
            "overdue_count": sum(1 for r in recommendations if r["overdue_days"]),
            "date_to_text": format_date(date_to),
        }
    )
    return context
