"""The draft text a new report starts from: what the portal knows, written out for the
officer to rewrite — the đề án running late, the inspection findings not remedied, the money
to be returned, and (nationally) the provinces that have not reported. Sanitised HTML in the
sections of ``periodic.rules.SECTIONS``."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.html import escape

from core.formatting import format_number
from core.funding import KC_SOURCES
from disbursement.models import Settlement
from inspections.models import Recommendation
from projects.models import Proposal

from . import rules
from .figures import EVERYWHERE, _place

LIST_LIMIT = 30
# Đề án that should have been accepted by the period's end and are still running.
RUNNING = (Proposal.Status.APPROVED, Proposal.Status.IN_IMPLEMENTATION, Proposal.Status.AMENDING)


def _items(lines: list[str], more: int) -> str:
    if not lines:
        return ""
    tail = f"<li>… và {more} mục khác.</li>" if more > 0 else ""
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + tail + "</ul>"


def prefill(report, *, missing_provinces=()) -> dict[str, str]:
    place = EVERYWHERE if report.is_national else report.province_id
    start_year = (
        report.program.start_year
        if report.program and report.kind == rules.Kind.PERIOD_SUMMARY
        else report.year
    )
    start, end = rules.period(report.kind, report.year, start_year)

    late = Proposal.objects.filter(_place(place), status__in=RUNNING, end_date__lt=end).order_by(
        "end_date", "code"
    )
    late_lines = [
        f"{escape(p.code)} — {escape(p.title)} (kết thúc theo kế hoạch {p.end_date:%d/%m/%Y})"
        for p in late[:LIST_LIMIT]
    ]
    findings = (
        Recommendation.objects.filter(
            _place(place, "inspection__proposal__"),
            status__in=[Recommendation.Status.OPEN],
            deadline__lte=end,
        )
        .select_related("inspection__proposal")
        .order_by("deadline", "pk")
    )
    finding_lines = [
        f"{escape(r.inspection.proposal.code)}: {escape(r.text)} (hạn {r.deadline:%d/%m/%Y})"
        for r in findings[:LIST_LIMIT]
    ]
    returned = Settlement.objects.filter(
        _place(place, "proposal__"), settled_on__range=(start, end)
    ).aggregate(**{s: Sum(f"returned_{s}") for s in KC_SOURCES})
    returned_total = sum(int(v or 0) for v in returned.values())

    shortcomings = []
    if late_lines:
        shortcomings.append(
            f"<p>{late.count()} đề án chậm tiến độ so với kế hoạch "
            f"(đến {end:%d/%m/%Y} chưa nghiệm thu):</p>"
            + _items(late_lines, late.count() - len(late_lines))
        )
    if finding_lines:
        shortcomings.append(
            f"<p>{findings.count()} kiến nghị sau kiểm tra chưa được khắc phục:</p>"
            + _items(finding_lines, findings.count() - len(finding_lines))
        )
    if returned_total:
        shortcomings.append(
            f"<p>Kinh phí khuyến công phải thu hồi, nộp trả theo quyết toán trong kỳ: "
            f"{format_number(returned_total)} đồng.</p>"
        )
    if missing_provinces:
        names = ", ".join(escape(p.name) for p in missing_provinces)
        shortcomings.append(f"<p>Các địa phương chưa gửi báo cáo: {names}.</p>")
    return {
        "assessment": "",
        "shortcomings": "".join(shortcomings),
        "causes": "",
        "direction": "",
        "recommendations": "",
    }
