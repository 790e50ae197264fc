"""The figures of a periodic report, computed from the portal in one place.

``compute(report)`` returns a plain dict (stored as JSON when a version is signed, so the
copy sent stays as sent). Every amount comes from ``disbursement.figures.money_figures`` and
is one of the published measures of ``core.measures`` (approved, allocated, paid in the
period, paid cumulatively — khuyến công funds KCQG + KCĐP, counterpart and other sources
apart); the documents and pages take the measures' labels and rates from there.

A province's report covers the đề án of the province (national and local) in the plans of
the report's years; the previous period is the same period a year earlier, for the đề án of
that year. The national report (``consolidate``) adds up the figures frozen in the latest
sent version of every province's report and the figures of the national đề án that belong
to no province, and lists the provinces that have not sent."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, Sum
from django.utils import timezone

from core.funding import KC_SOURCES, SOURCES
from disbursement.figures import money_figures
from disbursement.models import Acceptance
from programs.models import Activity, Indicator, PlanAllocation, ProgramTarget
from projects.models import FUNDED_STATES, Proposal, ProposalBeneficiary, ProposalOutput
from reference.models import Province

from . import rules
from .rules import Kind

FORMAT = 1  # the shape of the stored dict; bump when it changes
# The money columns of every row (amounts in đồng), in the order of the tables.
ROW_KEYS = (
    "funded",
    "approved_kcqg",
    "approved_kcdp",
    "counterpart",
    "other",
    "allocated",
    "paid_period",
    "paid",
    # Paid for the đề án of the plans whose allocations are in "allocated" (the rate against
    # the plan compares these two, as the execution tables do: disbursement.selectors).
    "paid_in_plans",
    "prev_funded",
    "prev_paid_period",
)
OUTPUT_KEYS = ("target", "planned", "achieved", "previous", "cumulative")


def _row() -> dict:
    return dict.fromkeys(ROW_KEYS, 0)


# The scope of the national period summary: every đề án, whatever its province.
EVERYWHERE = "all"


def _place(province_id, prefix: str = "") -> Q:
    """A province's rows; with None the rows of no province (the national đề án of central
    units); with EVERYWHERE all rows."""
    if province_id == EVERYWHERE:
        return Q()
    if province_id is None:
        return Q(**{f"{prefix}province__isnull": True})
    return Q(**{f"{prefix}province_id": province_id})


def _scope(province_id, years) -> Q:
    """The đề án a report covers: of the province (see ``_place``), in the plans of
    ``years``."""
    return _place(province_id) & Q(plan__year__in=list(years))


def _plan_level(province_id) -> str | None:
    """The level of the đề án whose plans' allocations ``_allocated`` reads: a province's
    local plans, the national plans (national own), or every plan (None)."""
    if province_id == EVERYWHERE:
        return None
    return "national" if province_id is None else "local"


def _money_rows(
    proposals, *, start, end, into: dict, sources: dict | None = None, plan_level=None
) -> None:
    """Add the money of ``proposals`` to ``into[(activity, kind, level)]``: approved by
    source and paid cumulatively to ``end``, paid in [start, end] (with ``sources``, also
    per funding source). Without ``sources``: the previous period, only "prev_" cells."""
    group = {"activity": "activity", "kind": "kind", "level": "level"}
    prefix = "" if sources is not None else "prev_"
    in_period = money_figures(proposals, by=group, paid_from=start, paid_to=end)
    for key, f in in_period.items():
        into[key][f"{prefix}paid_period"] += f.paid
        if sources is not None:
            for s in SOURCES:
                sources[s]["paid_period"] += f.source("paid", s)
    if sources is None:
        return
    cumulative = money_figures(proposals, by=group, paid_to=end)
    for key, f in cumulative.items():
        row = into[key]
        row["approved_kcqg"] += f.source("approved", "kcqg")
        row["approved_kcdp"] += f.source("approved", "kcdp")
        row["counterpart"] += f.counterpart
        row["other"] += f.other
        row["paid"] += f.paid
        if plan_level is None or key[2] == plan_level:
            row["paid_in_plans"] += f.paid
        for s in SOURCES:
            sources[s]["approved"] += f.source("approved", s)
            sources[s]["paid"] += f.source("paid", s)


def _counts(proposals, into: dict, key: str) -> None:
    for r in (
        proposals.filter(status__in=FUNDED_STATES)
        .order_by()
        .values("activity", "kind", "level")
        .annotate(n=Sum(1))
    ):
        into[(r["activity"], r["kind"], r["level"])][key] += r["n"]


def _allocated(province_id, years) -> dict[int, int]:
    """Khuyến công funds allocated to each activity by the annual plans of ``years``: a
    province's local plans, or (national own) the national plans."""
    rows = (
        PlanAllocation.objects.filter(
            _place(province_id, "plan__"), plan__year__in=list(years), source__in=KC_SOURCES
        )
        .filter(plan__status__in=["approved", "amended"])
        .order_by()
        .values("activity")
        .annotate(total=Sum("amount"))
    )
    return {r["activity"]: int(r["total"] or 0) for r in rows}


def _groups() -> dict[int, Activity]:
    """activity id → its group (the Article 4 heading the tables are by)."""
    activities = Activity.objects.select_related("parent")
    return {a.pk: a.group for a in activities}


def _outputs(province_id, years, prev_years, program, start, end, by_year=False) -> list[dict]:
    """Per indicator: the programme's target, what the funded đề án of the period committed
    to, what was achieved (đề án accepted by the period's end), the previous period, and
    the cumulative achievement since the programme's first year; with ``by_year`` (a period
    summary) also what was achieved by the đề án of each plan year."""
    funded = Proposal.objects.filter(status__in=FUNDED_STATES)
    accepted_by_end = Acceptance.objects.filter(accepted_on__lte=end).values("proposal")

    def sums(years, field, accepted_only):
        qs = ProposalOutput.objects.filter(proposal__in=funded.filter(_scope(province_id, years)))
        if accepted_only:
            qs = qs.filter(proposal__in=accepted_by_end, achieved_value__isnull=False)
        return {
            r["indicator"]: int(r["total"] or 0)
            for r in qs.order_by().values("indicator").annotate(total=Sum(field))
        }

    planned = sums(years, "target_value", False)
    achieved = sums(years, "achieved_value", True)
    previous = sums(prev_years, "achieved_value", True) if prev_years else {}
    program_years = range(program.start_year, end.year + 1) if program else years
    cumulative = sums(program_years, "achieved_value", True)
    targets = (
        {t.indicator_id: t.target_value for t in ProgramTarget.objects.filter(program=program)}
        if program
        else {}
    )
    yearly: dict[int, dict[str, int]] = defaultdict(dict)
    if by_year:
        for r in (
            ProposalOutput.objects.filter(
                proposal__in=funded.filter(_scope(province_id, years)).filter(
                    pk__in=accepted_by_end
                ),
                achieved_value__isnull=False,
            )
            .order_by()
            .values("indicator", "proposal__plan__year")
            .annotate(total=Sum("achieved_value"))
        ):
            yearly[r["indicator"]][str(r["proposal__plan__year"])] = int(r["total"] or 0)
    rows = []
    for indicator in Indicator.objects.filter(
        pk__in={*targets, *planned, *achieved, *previous, *cumulative}
    ).order_by("order", "code"):
        i = indicator.pk
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "target": targets.get(i),
                "planned": planned.get(i, 0),
                "achieved": achieved.get(i, 0),
                "previous": previous.get(i, 0),
                "cumulative": cumulative.get(i, 0),
                **({"by_year": yearly.get(i, {})} if by_year else {}),
            }
        )
    return rows


def _rollup(cells: dict, groups: dict[int, Activity], allocated: dict[int, int]) -> dict:
    """The (activity, kind, level) cells rolled up by activity group, kind and level."""
    by_activity: dict[int, dict] = defaultdict(_row)
    by_kind: dict[str, dict] = defaultdict(_row)
    by_level: dict[str, dict] = defaultdict(_row)
    total = _row()
    for (activity_id, kind, level), row in cells.items():
        for target in (
            by_activity[groups[activity_id].pk],
            by_kind[kind],
            by_level[level],
            total,
        ):
            for k in ROW_KEYS:
                target[k] += row[k]
    for activity_id, amount in allocated.items():
        group = groups[activity_id].pk
        by_activity[group]["allocated"] += amount
        total["allocated"] += amount
    ordered = sorted((groups[g] for g in by_activity), key=lambda a: (a.order, a.code))
    return {
        "activities": [{"code": a.code, "name": a.name, **by_activity[a.pk]} for a in ordered],
        "kinds": [{"code": k, **by_kind[k]} for k in Proposal.Kind.values if k in by_kind],
        "levels": [{"code": v, **by_level[v]} for v in ("national", "local") if v in by_level],
        "totals": total,
    }


def portal_figures(*, province_id, kind: str, year: int, program=None) -> dict:
    """The figures of one scope (a province, or the national đề án of no province)."""
    start_year = program.start_year if (kind == Kind.PERIOD_SUMMARY and program) else year
    start, end = rules.period(kind, year, start_year)
    years = range(start_year, year + 1)
    previous = rules.previous_period(kind, year)
    prev_years = [year - 1] if previous else []
    groups = _groups()
    cells: dict = defaultdict(_row)
    sources = {s: {"source": s, "approved": 0, "paid_period": 0, "paid": 0} for s in SOURCES}
    proposals = Proposal.objects.filter(_scope(province_id, years))
    _money_rows(
        proposals,
        start=start,
        end=end,
        into=cells,
        sources=sources,
        plan_level=_plan_level(province_id),
    )
    _counts(proposals, cells, "funded")
    if previous:
        prev = Proposal.objects.filter(_scope(province_id, prev_years))
        _money_rows(prev, start=previous[0], end=previous[1], into=cells)
        _counts(prev, cells, "prev_funded")
    result = {
        **_rollup(cells, groups, _allocated(province_id, years)),
        "sources": list(sources.values()),
        "outputs": _outputs(
            province_id,
            years,
            prev_years,
            program,
            start,
            end,
            by_year=kind == Kind.PERIOD_SUMMARY,
        ),
        "beneficiaries": ProposalBeneficiary.objects.filter(
            proposal__in=proposals.filter(status__in=FUNDED_STATES)
        )
        .values("beneficiary")
        .distinct()
        .count(),
    }
    if kind == Kind.PERIOD_SUMMARY:
        result["years"] = _years(province_id, years, groups)
        result["activity_names"] = {a.code: a.name for a in set(groups.values())}
    return result


def _years(province_id, years, groups) -> list[dict]:
    """A period summary's table by year: per plan year, the funded đề án, approved and paid
    khuyến công funds, by activity group."""
    rows = []
    codes = {a.pk: a.code for a in groups.values()}
    cumulative = money_figures(
        Proposal.objects.filter(_scope(province_id, years)),
        by={"year": "plan__year", "activity": "activity"},
    )
    counts = {
        (r["plan__year"], r["activity"]): r["n"]
        for r in Proposal.objects.filter(_scope(province_id, years), status__in=FUNDED_STATES)
        .order_by()
        .values("plan__year", "activity")
        .annotate(n=Sum(1))
    }
    for year in years:
        by_group: dict[int, dict] = defaultdict(lambda: {"funded": 0, "approved": 0, "paid": 0})
        for (y, activity_id), f in cumulative.items():
            if y == year:
                cell = by_group[groups[activity_id].pk]
                cell["approved"] += f.approved
                cell["paid"] += f.paid
        for (y, activity_id), n in counts.items():
            if y == year:
                by_group[groups[activity_id].pk]["funded"] += n
        rows.append(
            {
                "year": year,
                "activities": {codes[g]: cell for g, cell in by_group.items()},
                "funded": sum(c["funded"] for c in by_group.values()),
                "approved": sum(c["approved"] for c in by_group.values()),
                "paid": sum(c["paid"] for c in by_group.values()),
            }
        )
    return rows


def _add(target: dict, row: dict, keys) -> None:
    for k in keys:
        if row.get(k) is not None:
            target[k] = (target.get(k) or 0) + row[k]


def consolidate(report, provincial_versions) -> dict:
    """The national report: the frozen figures of the provinces' sent versions plus the
    national đề án of no province (computed now), and the provinces missing."""
    own = portal_figures(
        province_id=None, kind=report.kind, year=report.year, program=report.program
    )
    parts = [v.figures for v in provincial_versions] + [own]
    activities: dict[str, dict] = {}
    kinds: dict[str, dict] = {}
    levels: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    sources = {s: {"source": s, "approved": 0, "paid_period": 0, "paid": 0} for s in SOURCES}
    totals = _row()
    for part in parts:
        for row in part["activities"]:
            _add(
                activities.setdefault(row["code"], {"code": row["code"], "name": row["name"]}),
                row,
                ROW_KEYS,
            )
        for row in part["kinds"]:
            _add(kinds.setdefault(row["code"], {"code": row["code"]}), row, ROW_KEYS)
        for row in part["levels"]:
            _add(levels.setdefault(row["code"], {"code": row["code"]}), row, ROW_KEYS)
        for row in part["sources"]:
            _add(sources[row["source"]], row, ("approved", "paid_period", "paid"))
        for row in part["outputs"]:
            entry = outputs.setdefault(
                row["code"], {"code": row["code"], "name": row["name"], "unit": row["unit"]}
            )
            _add(entry, row, ("planned", "achieved", "previous", "cumulative"))
        _add(totals, part["totals"], ROW_KEYS)
    # The targets are the national programme's (the provinces' are their own programmes').
    for row in own["outputs"]:
        outputs.setdefault(
            row["code"], {"code": row["code"], "name": row["name"], "unit": row["unit"]}
        )
    targets = (
        {
            t.indicator.code: t.target_value
            for t in ProgramTarget.objects.filter(program=report.program).select_related(
                "indicator"
            )
        }
        if report.program
        else {}
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    order = {code: (i.order, code) for code, i in indicators.items()}
    activity_order = {a.code: (a.order, a.code) for a in Activity.objects.all()}
    for code in targets:
        outputs.setdefault(code, {"code": code, **{k: 0 for k in OUTPUT_KEYS}})
    output_rows = []
    for code in sorted(outputs, key=lambda c: order.get(c, (999, c))):
        row = {k: 0 for k in ("planned", "achieved", "previous", "cumulative")} | outputs[code]
        row["target"] = targets.get(code)
        if "name" not in row:  # a target nobody reported on yet
            row.update(name=indicators[code].name, unit=indicators[code].unit)
        output_rows.append(row)
    return {
        "activities": [
            activities[c] for c in sorted(activities, key=lambda c: activity_order.get(c, (999, c)))
        ],
        "kinds": [kinds[k] for k in Proposal.Kind.values if k in kinds],
        "levels": [levels[v] for v in ("national", "local") if v in levels],
        "sources": list(sources.values()),
        "outputs": output_rows,
        "totals": totals,
        "beneficiaries": sum(p["beneficiaries"] for p in parts),
        "own": own["totals"],
        # Which version of each province's report was added up, and who has not sent.
        "consolidated": [
            {
                "province": v.report.province.name,
                "version": v.number,
                "number": v.document_number,
                "sent_on": v.sent_on.isoformat(),
            }
            for v in provincial_versions
        ],
        "missing": [
            p.name
            for p in Province.objects.exclude(
                pk__in=[v.report.province_id for v in provincial_versions]
            ).order_by("code")
        ],
    }


def compute(report, *, provincial_versions=None) -> dict:
    """The figures of ``report`` now, with the period they cover."""
    if report.is_national and report.kind != Kind.PERIOD_SUMMARY:
        body = consolidate(report, provincial_versions or [])
    else:
        # A province's reports; the national period summary covers every đề án.
        body = portal_figures(
            province_id=EVERYWHERE if report.is_national else report.province_id,
            kind=report.kind,
            year=report.year,
            program=report.program,
        )
    start_year = (
        report.program.start_year
        if (report.kind == Kind.PERIOD_SUMMARY and report.program)
        else report.year
    )
    start, end = rules.period(report.kind, report.year, start_year)
    previous = rules.previous_period(report.kind, report.year)
    return {
        "format": FORMAT,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "previous": [d.isoformat() for d in previous] if previous else None,
        "computed_on": timezone.localdate().isoformat(),
        **body,
    }
