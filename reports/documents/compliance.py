"""Báo cáo tình hình sử dụng kinh phí khuyến công: for a province (or nationally, for the
ministry) and a period, the đề án with their beneficiaries, the khuyến công funds approved
and disbursed, the inspection results (right beneficiary, right purpose, lawful — Chỉ thị
04/CT-BCT) and the findings not yet remedied.

Scope: đề án whose approval is in force (decision dated on or before the end of the
period) and whose implementation period overlaps the reporting period.

Every figure and every row is stated **as at one date** (``as_at``): the end of the
period, or the day of the report when the period ends later. Paid = khuyến công funds paid
(reversals deducted) up to that date; compliance = ``inspections.compliance.compliance_derive``
(the rule the pages use) over the inspections dated on or before it and the
recommendations still open on it; the counts of section I are counted from the same rows,
so they cannot contradict them. The inspections dated within the period are counted
beside, under their own name.

Money (``core.measures``): the figures and the rate are on khuyến công funds (KCQG +
KCĐP); the counterpart and other sources are shown in their own column, never added in;
the rate is paid ÷ approved khuyến công funds, two decimals, and says so."""

from __future__ import annotations

from collections import Counter, defaultdict

from accounts.policies import is_national, visible
from core.formatting import amount_in_words, date_in_words, format_date
from core.funding import KC_SOURCES
from core.measures import format_percent
from disbursement.figures import MoneyFigures, money_figures
from inspections.compliance import compliance_derive, counts, is_open, latest
from inspections.models import Inspection, Recommendation
from projects.models import FUNDED_STATES, Proposal

from . import queries
from .common import (
    COMPLIANCE_LABELS,
    PROPOSAL_STATUS_LABELS,
    RESULT_LABELS,
    SOURCE_LABELS,
    base_context,
    local_day,
    period_phrase,
    period_text,
    roman,
)
from .scope import as_at_date, report_period, report_province, scope_label

TEMPLATE = "pdf/reports/compliance.html"
DOC_TYPE = "Báo cáo"


def proposals_in_scope(user, province, date_from, date_to):
    """Đề án of the report, scoped to the requester (no ordering: used in subqueries)."""
    proposals = visible(user, Proposal.objects.all()).filter(
        status__in=FUNDED_STATES,
        decision_date__lte=date_to,
        end_date__gte=date_from,
    )
    if province is not None:
        proposals = proposals.filter(province=province)
    return proposals


def row_count(job) -> int:
    """The đề án the report will list (reports.documents.limits: checked before it is
    rendered). One query."""
    user = job.requested_by
    params = job.params or {}
    date_from, date_to = report_period(params, job.requested_at)
    province = report_province(user, params.get("province"))
    return proposals_in_scope(user, province, date_from, date_to).count()


def inspection_facts(user, proposals, as_at) -> tuple[dict, dict]:
    """The concluded inspections of the đề án dated on or before ``as_at``, and their
    recommendations, by đề án. Two queries."""
    inspections: dict[int, list[Inspection]] = defaultdict(list)
    rows = (
        visible(user, Inspection.objects.all())
        .filter(
            proposal__in=proposals.values("pk"),
            status=Inspection.Status.CONCLUDED,
            inspected_on__lte=as_at,
        )
        .only("proposal_id", "kind", "status", "inspected_on", "conclusion", "number")
        .order_by("proposal_id", "inspected_on", "id")
    )
    by_id = {}
    for inspection in rows:
        inspections[inspection.proposal_id].append(inspection)
        by_id[inspection.pk] = inspection
    recommendations: dict[int, list[Recommendation]] = defaultdict(list)
    for r in (
        visible(user, Recommendation.objects.all())
        .filter(inspection__in=list(by_id))
        .only("inspection_id", "text", "responsible", "deadline", "status", "remedied_on")
        .order_by("deadline", "id")
    ):
        r.inspection = by_id[r.inspection_id]
        recommendations[r.inspection.proposal_id].append(r)
    return inspections, recommendations


def _money(figures: MoneyFigures) -> dict:
    return {
        "approved": figures.approved,
        "paid": figures.paid,
        "rate": format_percent(figures.rate),
        "beside": figures.counterpart + figures.other,
    }


def build(job) -> dict:
    user = job.requested_by
    params = job.params or {}
    province = report_province(user, params.get("province"))
    date_from, date_to = report_period(params, job.requested_at)
    today = local_day(job.requested_at)
    as_at = as_at_date(date_to, today)
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
    money = money_figures(proposals, by={"proposal": "pk"}, paid_to=as_at)
    beneficiaries = queries.beneficiaries_by_proposal(user, proposals)
    inspections, recommendations = inspection_facts(user, proposals, as_at)

    groups: list[dict] = []
    total = MoneyFigures()
    compliance_counts: Counter = Counter()
    all_beneficiaries: set[int] = set()
    findings: list[dict] = []
    inspected = in_period = inspected_in_period = 0
    for number, p in enumerate(items, start=1):
        if not groups or groups[-1]["province"] != p.province:
            groups.append({"province": p.province, "rows": [], "figures": MoneyFigures()})
        group = groups[-1]
        figures = money.get((p.pk,), MoneyFigures())
        links = beneficiaries.get(p.pk, [])
        all_beneficiaries.update(b for b, _ in links)

        # Compliance as at the date, by the rule the pages use; the row's inspection
        # facts and the counts of section I come from the same inspections.
        own = inspections.get(p.pk, [])
        own_recommendations = recommendations.get(p.pk, [])
        compliance = compliance_derive(own, own_recommendations, as_at)
        compliance_counts[compliance] += 1
        counted = [i for i in own if counts(i, as_at)]
        decisive = latest(counted, as_at)
        if counted:
            inspected += 1
        period_count = sum(1 for i in counted if i.inspected_on >= date_from)
        in_period += period_count
        inspected_in_period += 1 if period_count else 0
        open_now = []
        for r in own_recommendations:
            if is_open(r, as_at):
                late = (as_at - r.deadline).days
                finding = {
                    "proposal": p,
                    "inspection": r.inspection,
                    "text": r.text,
                    "responsible": r.responsible,
                    "deadline": r.deadline,
                    "overdue_days": late if late > 0 else 0,
                }
                open_now.append(finding)
        findings.extend(open_now)

        notes = [PROPOSAL_STATUS_LABELS.get(p.status, "")]
        if open_now:
            note = f"{len(open_now)} kiến nghị chưa khắc phục"
            overdue = sum(1 for f in open_now if f["overdue_days"])
            if overdue:
                note += f" ({overdue} quá hạn)"
            notes.append(note)
        group["rows"].append(
            {
                "number": number,
                "proposal": p,
                "agency": p.implementing_agency.short_name or p.implementing_agency.name,
                "beneficiary_count": len(links),
                "beneficiary_names": queries.abbreviate_names([n for _, n in links]),
                "sources": ", ".join(
                    SOURCE_LABELS[s] for s in KC_SOURCES if getattr(p, f"approved_{s}")
                ),
                "money": _money(figures),
                "compliance": COMPLIANCE_LABELS[compliance],
                "inspection": (
                    {
                        "count": len(counted),
                        "last_on": decisive.inspected_on,
                        "last_result": RESULT_LABELS.get(decisive.conclusion, ""),
                        "last_number": decisive.number,
                    }
                    if decisive
                    else None
                ),
                "notes": "; ".join(n for n in notes if n),
            }
        )
        group["figures"] = group["figures"] + figures
        total = total + figures

    for index, group in enumerate(groups, start=1):
        group["roman"] = roman(index)
        group["money"] = _money(group["figures"])
        group["count"] = len(group["rows"])
        group["name"] = (
            group["province"].administrative_name if group["province"] else "đề án cấp quốc gia"
        )
        group["label"] = group["name"][:1].upper() + group["name"][1:]
    findings.sort(key=lambda f: (f["deadline"], f["proposal"].code))
    where = scope_label(province)
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
            "period": period_text(date_from, date_to),
            "date_from": date_from,
            "date_to": date_to,
            "as_at": as_at,
            "as_at_words": date_in_words(as_at),
            "as_at_text": format_date(as_at),
            "as_at_is_today": as_at < date_to,
            "today": today,
            "national": national,
            "groups": groups,
            "grouped": national and len(groups) > 1,
            "count": len(items),
            "beneficiary_total": len(all_beneficiaries),
            "total_money": _money(total),
            "approved_sum": total.approved,
            "paid_sum": total.paid,
            "counterpart_sum": total.counterpart,
            "other_sum": total.other,
            "approved_words": amount_in_words(total.approved),
            "paid_words": amount_in_words(total.paid),
            "rate_text": format_percent(total.rate),
            "compliance_counts": [
                (label, compliance_counts.get(key, 0)) for key, label in COMPLIANCE_LABELS.items()
            ],
            "inspected": inspected,
            "inspections_in_period": in_period,
            "inspected_in_period": inspected_in_period,
            "recommendations": findings,
            "overdue_count": sum(1 for f in findings if f["overdue_days"]),
        }
    )
    return context
