from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, router
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Role, User
from accounts.policies import has_perm, is_national, visible
from core.funding import KC_SOURCES, SOURCE_SHORT, SOURCES
from core.measures import percent
from cycle.selectors import calls_open_now
from dashboards.models import ProposalFigures
from disbursement.models import DisbursementFlag
from inspections.selectors import compliance_summary
from periodic.selectors import owed as periodic_owed
from programs.models import (
    Activity,
    AnnualPlan,
    Indicator,
    Level,
    Program,
    ProgramTarget,
)
from projects.models import Proposal
from projects.selectors import proposal_todo, sheets_waiting
from reference.models import Commune, Province, Region


def home_summary(*, user) -> dict:
    """Counts and lists for the home page; every query is scoped to the user's province."""
    national = is_national(user)
    communes = visible(user, Commune.objects.all()).aggregate(
        total=Count("id"),
        wards=Count("id", filter=Q(division_type=Commune.DivisionType.WARD)),
    )
    summary = {
        "national": national,
        "province": None if national else (user.agency.province if user.agency_id else None),
        "province_count": visible(user, Province.objects.all()).count(),
        "commune_count": communes["total"],
        "ward_count": communes["wards"],
        "agency_count": visible(user, Agency.objects.all()).count(),
        "user_count": visible(user, User.objects.filter(is_active=True)).count(),
        "agencies": visible(user, Agency.objects.all())
        .select_related("province")
        .annotate(user_count=Count("users", filter=Q(users__is_active=True)))
        .order_by("-user_count", "province__code", "kind")[:12],
    }
    plans = visible(user, AnnualPlan.objects.all())
    summary["plans"] = plans.select_related("province", "program").order_by(
        "-year", "province__code"
    )[:8]
    summary["plan_status_counts"] = {
        row["status"]: row["n"] for row in plans.values("status").annotate(n=Count("id"))
    }
    summary["plans_waiting"] = plans.filter(status=AnnualPlan.Status.SUBMITTED).count()
    summary.update(proposal_todo_summary(user=user))
    summary.update(compliance_summary(user=user))
    # The annual cycle's reminders: the open calls and their deadlines, the score sheets
    # the user owes to a council.
    summary["open_calls"] = calls_open_now(user=user) if has_perm(user, "cycle.view") else []
    summary["sheets_waiting"] = sheets_waiting(user=user)
    # The periodic reports due soon (or late) for the user's province or the Cục.
    summary["reports_due"] = periodic_owed(user=user) if has_perm(user, "periodic.view") else []
    if not national and user.role == Role.CENTRE_STAFF:
        from disbursement.selectors import tracking

        summary.update(tracking(user=user))
    if national:
        summary["regions"] = Region.objects.annotate(
            province_count=Count("provinces", distinct=True),
            commune_count=Count("provinces__communes"),
        )
    return summary


def proposal_todo_summary(*, user, limit: int = 10) -> dict:
    """ "Việc cần làm": the đề án waiting for an action this user may take
    (projects.workflow.todo_filter, within what the user sees), with counts per status."""
    todo = proposal_todo(user=user)
    counts = {
        row["status"]: row["n"] for row in todo.order_by().values("status").annotate(n=Count("id"))
    }
    labels = dict(Proposal.Status.choices)
    return {
        "todo": list(todo[:limit]),
        "todo_count": sum(counts.values()),
        "todo_counts": [(status, labels[status], n) for status, n in sorted(counts.items())],
    }


# --- National and provincial dashboards (issue 7) ---------------------------------------------
#
# Every figure is summed in PostgreSQL from ``dashboards.ProposalFigures`` (one row per đề án,
# kept exact by triggers), restricted first by ``accounts.policies.visible`` and then by the
# filters; the breakdowns come from one GROUPING SETS query, so a page costs the same
# number of queries whatever the number of đề án, tranches or provinces.
#
# Definitions: the measures of core.measures (partials/definitions.html lists their labels
# and definitions from there). Money is khuyến công funds (KCQG + KCĐP): approved money is
# the approved amounts of approved đề án (FUNDED_STATES), paid money their tranches paid or
# reversed (reversals are negative rows), the rate paid ÷ approved (core.measures.percent).
# The establishments' counterpart money and other sources are summed beside, never added
# in. With a funding source chosen, only đề án approved with money from that source count,
# and approved, paid and the rate are that source's.
#
# Every table adds up to the total of the selection: a đề án without a province (or
# commune, or implementing unit) is in an "unassigned" row, a đề án carried out in several
# communes in a "several communes" row. Establishments are a distinct count (not additive).


@dataclass
class Measures:
    """The figures of one row of a dashboard table (money in đồng)."""

    count: int = 0
    funded: int = 0
    approved: int = 0  # khuyến công funds (or the chosen source's)
    paid: int = 0  # khuyến công funds (or the chosen source's)
    inspected: int = 0
    compliant: int = 0
    counterpart: int = 0  # approved counterpart money, beside (never in ``approved``)
    other: int = 0  # approved money from other sources, beside
    beneficiaries: int | None = None
    findings: int = 0
    overdue: int = 0
    flags: int = 0

    # The fields a sum of rows adds up (beneficiaries are a distinct count).
    ADDITIVE = (
        "count",
        "funded",
        "approved",
        "paid",
        "inspected",
        "compliant",
        "counterpart",
        "other",
        "findings",
        "overdue",
        "flags",
    )

    @property
    def rate(self) -> Decimal | None:
        """Tỷ lệ giải ngân: paid ÷ approved, two decimals half-up (core.measures)."""
        return percent(self.paid, self.approved)

    @property
    def compliance_rate(self) -> Decimal | None:
        return percent(self.compliant, self.inspected)

    @property
    def remaining(self) -> int:
        return self.approved - self.paid

    def add(self, other: Measures) -> None:
        for name in self.ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Row:
    """A labelled row: ``key`` is the value of ``param`` in the drill-down link (None for
    the row of đề án without a value: it has no link)."""

    key: object
    label: object  # a string, or a lazy translation (rendered in the page's language)
    m: Measures = field(default_factory=Measures)
    extra: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)  # drill-down URLs, set by the view


SOURCE_KEYS = SOURCES
# The years of the two national programmes (QĐ 1881/QĐ-TTg and QĐ 2646/QĐ-BCT): the trend.
DASHBOARD_YEARS = range(2021, 2031)
MAP_MEASURES = ("rate", "approved", "count")
# The measures of core.measures the dashboards show, in the order of their explanation.
DASHBOARD_MEASURES = (
    "proposals",
    "funded",
    "approved",
    "paid",
    "remaining",
    "rate",
    "counterpart",
    "other",
    "inspected",
    "compliant",
    "compliance_rate",
    "open_findings",
    "overdue_findings",
)
UNASSIGNED = {
    "province": _("No province (national level)"),
    "region": _("No region"),
    "agency": _("No implementing unit"),
    "commune": _("No commune recorded"),
}
SEVERAL_COMMUNES = _("Several communes")


def dashboard_figures(*, user, filters: dict) -> QuerySet[ProposalFigures]:
    """The figure rows ``user`` may see (accounts.policies.visible), filtered. ``filters``
    (all optional): ``year_from``, ``year_to``, ``program``, ``region``, ``province``,
    ``activity`` (a group includes its sub-activities), ``level``, ``kind``, ``source``
    (đề án approved with money from it)."""
    qs = visible(user, ProposalFigures.objects.all())
    if filters.get("year_from"):
        qs = qs.filter(year__gte=filters["year_from"])
    if filters.get("year_to"):
        qs = qs.filter(year__lte=filters["year_to"])
    for name, lookup in (
        ("program", "program"),
        ("region", "province__region"),
        ("province", "province"),
        ("level", "level"),
        ("kind", "kind"),
    ):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{lookup: filters[name]})
    if filters.get("activity"):
        activity = filters["activity"]
        qs = qs.filter(Q(activity=activity) | Q(activity_group=activity))
    source = filters.get("source")
    if source:
        qs = qs.filter(funded=True, **{f"approved_{source}__gt": 0})
    return qs


FIGURE_COLUMNS = (
    "proposal_id",
    "province_id",
    "year",
    "activity_group_id",
    "implementing_agency_id",
    "level",
    "kind",
    "status",
    "compliance",
    "funded",
    *(f"approved_{s}" for s in SOURCE_KEYS),
    *(f"paid_{s}" for s in SOURCE_KEYS),
)


def _subquery(qs: QuerySet[ProposalFigures]) -> tuple[str, tuple]:
    sql, params = qs.values(*FIGURE_COLUMNS).query.sql_with_params()
    return f"({sql})", tuple(params)


def _money(prefix: str, source: str | None) -> str:
    """The money column(s) a measure adds: the chosen source's, or khuyến công funds."""
    if source:
        return f"f.{prefix}_{source}"
    return "(" + " + ".join(f"f.{prefix}_{s}" for s in KC_SOURCES) + ")"


def _fetch(sql: str, params) -> list[tuple]:
    # Raw SQL takes the alias the router gives (the replica inside core.replica's scope).
    with connections[router.db_for_read(ProposalFigures)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _by_sets(dims: list[str], aggregates: str, source_sql: str, params) -> dict:
    """``SELECT aggregates source_sql GROUP BY GROUPING SETS ((), (dim) …)`` in one query.
    Returns {None: values of the whole selection, name: {value: values}} where ``name``
    is the last part of each dimension ("f.province_id" -> "province_id")."""
    columns = ", ".join(dims)
    sets = ", ".join(["()", *(f"({d})" for d in dims)])
    rows = _fetch(
        f"SELECT GROUPING({columns}), {columns}, {aggregates} {source_sql} "
        f"GROUP BY GROUPING SETS ({sets})",
        params,
    )
    n = len(dims)
    everything = (1 << n) - 1
    positions = {everything ^ (1 << (n - 1 - i)): i for i in range(n)}
    names = [d.rsplit(".", 1)[-1] for d in dims]
    result: dict = {None: None, **{name: {} for name in names}}
    for row in rows:
        values = tuple(int(v or 0) for v in row[n + 1 :])
        if row[0] == everything:
            result[None] = values
        else:
            i = positions[row[0]]
            result[names[i]][row[1 + i]] = values
    return result


def _measures_sql(source: str | None) -> str:
    """The columns of Measures, in order (count … compliant, counterpart, other)."""
    return f"""COUNT(*), COUNT(*) FILTER (WHERE f.funded),
               COALESCE(SUM({_money("approved", source)}) FILTER (WHERE f.funded), 0),
               COALESCE(SUM({_money("paid", source)}), 0),
               COUNT(*) FILTER (WHERE f.compliance <> 'not_inspected'),
               COUNT(*) FILTER (WHERE f.compliance = 'compliant'),
               COALESCE(SUM(f.approved_counterpart) FILTER (WHERE f.funded), 0),
               COALESCE(SUM(f.approved_other) FILTER (WHERE f.funded), 0)"""


def _grouped(qs, dims: list[str], source: str | None) -> dict:
    """One query: the measures of the whole selection and of each value of each of
    ``dims`` (GROUPING SETS). Returns {None: Measures, dim: {value: Measures}}."""
    inner, params = _subquery(qs)
    sets = _by_sets([f"f.{d}" for d in dims], _measures_sql(source), f"FROM {inner} f", params)
    return {
        None: Measures(*(sets[None] or ())),
        **{d: {k: Measures(*v) for k, v in sets[d].items()} for d in dims},
    }


def _source_row(source, label, approved: int, paid: int) -> dict:
    return {
        "source": source,
        "label": label,
        "approved": approved,
        "paid": paid,
        "remaining": approved - paid,
        "rate": percent(paid, approved),
        "kc": source in KC_SOURCES,
    }


def _by_source(qs) -> dict:
    """Approved, paid, remaining and rate per funding source (one query): ``rows`` (one per
    source, ``kc`` telling khuyến công funds), ``kc_total`` (KCQG + KCĐP: the sum of the
    khuyến công rows, the headline's money) and ``beside`` (counterpart and other sources,
    listed separately, never added in)."""
    inner, params = _subquery(qs)
    sums = ", ".join(
        f"COALESCE(SUM(f.approved_{s}) FILTER (WHERE f.funded), 0), COALESCE(SUM(f.paid_{s}), 0)"
        for s in SOURCE_KEYS
    )
    values = _fetch(f"SELECT {sums} FROM {inner} f", params)[0]
    rows = [
        _source_row(s, SOURCE_SHORT[s], int(values[2 * i]), int(values[2 * i + 1]))
        for i, s in enumerate(SOURCE_KEYS)
    ]
    kc = [r for r in rows if r["kc"]]
    total = _source_row(
        None,
        _("Total of khuyến công funds (KCQG + KCĐP)"),
        sum(r["approved"] for r in kc),
        sum(r["paid"] for r in kc),
    )
    return {"rows": rows, "kc": kc, "kc_total": total, "beside": [r for r in rows if not r["kc"]]}


def _beneficiaries(qs) -> dict:
    """Distinct establishments on approved đề án, in all and per province (one query).
    An establishment supported in two provinces counts in each, and once in the total;
    so regions show none (a sum of provinces could count one twice, and a distinct count
    per region costs as much again as this query)."""
    inner, params = _subquery(qs)
    sets = _by_sets(
        ["f.province_id"],
        "COUNT(DISTINCT l.beneficiary_id)",
        f"""FROM projects_proposalbeneficiary l
              JOIN {inner} f ON f.proposal_id = l.proposal_id
             WHERE f.funded""",
        params,
    )
    return {
        None: (sets[None] or (0,))[0],
        "province_id": {k: v[0] for k, v in sets["province_id"].items()},
    }


def _findings_and_flags(qs, dims: list[str], today) -> dict:
    """Open recommendations of concluded inspections — findings not yet remedied — (and
    those past their deadline) and open flags of
    the daily disbursement job, in all and per value of ``dims`` (one query; each branch
    starts from the selected đề án, so a province's page reads only its own rows)."""
    inner, params = _subquery(qs)
    columns = ", ".join(f"f.{d}" for d in dims)
    sets = _by_sets(
        [f"x.{d}" for d in dims],
        """COUNT(*) FILTER (WHERE x.what = 'finding'),
           COUNT(*) FILTER (WHERE x.what = 'finding' AND x.deadline < %s),
           COUNT(*) FILTER (WHERE x.what = 'flag')""",
        f"""FROM (SELECT {columns}, 'finding' AS what, r.deadline
                    FROM {inner} f
                    JOIN inspections_inspection i ON i.proposal_id = f.proposal_id
                    JOIN inspections_recommendation r ON r.inspection_id = i.id
                   WHERE r.status = 'open' AND i.status = 'concluded'
                  UNION ALL
                  SELECT {columns}, 'flag', NULL
                    FROM {inner} f
                    JOIN disbursement_disbursementflag d ON d.proposal_id = f.proposal_id
                   WHERE d.resolved_on IS NULL) x""",
        (today, *params, *params),
    )
    return {None: sets[None] or (0, 0, 0), **{d: sets[d] for d in dims}}


def _outputs(qs, programs: QuerySet[Program]) -> list[dict]:
    """Per indicator: the programmes' targets, what approved đề án plan and what accepted
    ones achieved (two queries)."""
    inner, params = _subquery(qs)
    planned = {
        indicator_id: (int(target or 0), int(achieved or 0))
        for indicator_id, target, achieved in _fetch(
            f"""
            SELECT o.indicator_id, SUM(o.target_value), SUM(o.achieved_value)
              FROM projects_proposaloutput o
              JOIN {inner} f ON f.proposal_id = o.proposal_id
             WHERE f.funded
             GROUP BY o.indicator_id""",
            params,
        )
    }
    targets = {
        r["indicator"]: r["total"]
        for r in ProgramTarget.objects.filter(program__in=programs)
        .values("indicator")
        .annotate(total=Sum("target_value"))
        .order_by()
    }
    rows = []
    for indicator in Indicator.objects.all():
        target = targets.get(indicator.pk)
        plan, achieved = planned.get(indicator.pk, (0, 0))
        if not (target or plan or achieved):
            continue
        rows.append(
            {
                "indicator": indicator,
                "target": target,
                "planned": plan,
                "achieved": achieved,
                "share": percent(achieved, target) if target else None,
            }
        )
    return rows


def target_programs(*, user, filters: dict, province=None) -> QuerySet[Program]:
    """The programmes whose targets the selection is measured against: the chosen
    programme, or those of the chosen level, period and place — national programmes only
    when no province or region is chosen (their targets are not split by province)."""
    programs = visible(user, Program.objects.all())
    if filters.get("program"):
        return programs.filter(pk=filters["program"].pk)
    if filters.get("level"):
        programs = programs.filter(level=filters["level"])
    if filters.get("year_from"):
        programs = programs.filter(end_year__gte=filters["year_from"])
    if filters.get("year_to"):
        programs = programs.filter(start_year__lte=filters["year_to"])
    place = province or filters.get("province")
    if place is not None:
        programs = programs.filter(province=place)
    elif filters.get("region"):
        programs = programs.filter(province__region=filters["region"])
    elif not is_national(user):
        programs = programs.filter(province_id=user.province_id)
    return programs


def _statuses(counts: dict) -> list[dict]:
    return [
        {"status": value, "label": label, "count": counts[value].count}
        for value, label in Proposal.Status.choices
        if value in counts
    ]


def _rows(measures: dict, labels: list[tuple]) -> list[Row]:
    """Rows in the order of ``labels`` ((key, label, extra) tuples), every one shown."""
    return [Row(key, label, measures.get(key, Measures()), extra) for key, label, extra in labels]


def _unassigned(rows: list[Row], measures: dict, what: str) -> list[Row]:
    """``rows`` plus the row of the đề án with no value of the dimension (key None), when
    there are any: so the rows add up to the total."""
    if None in measures and measures[None].count:
        rows.append(Row(None, UNASSIGNED[what], measures[None]))
    return rows


def _summary(grouped: dict, by_source: dict, beneficiaries: int, flags: tuple) -> dict:
    total: Measures = grouped[None]
    total.beneficiaries = beneficiaries
    total.findings, total.overdue, total.flags = flags
    return {"total": total, "by_source": by_source, "statuses": _statuses(grouped["status"])}


def _common_rows(grouped: dict, year_range) -> dict:
    groups = list(Activity.objects.filter(parent__isnull=True))
    known = {a.pk for a in groups}
    # Years outside the programmes' range (none unless data says so) keep their own row.
    years = sorted(set(year_range) | {y for y in grouped["year"] if y is not None})
    return {
        "years": _rows(grouped["year"], [(y, str(y), {}) for y in years]),
        "activities": [
            r
            for r in _rows(
                grouped["activity_group_id"],
                [(a.pk, str(a), {}) for a in groups]
                + [(k, str(k), {}) for k in grouped["activity_group_id"] if k not in known],
            )
            if r.m.count
        ],
        "kinds": _rows(grouped["kind"], [(k, label, {}) for k, label in Proposal.Kind.choices]),
        "levels": _rows(grouped["level"], [(k, label, {}) for k, label in Level.choices]),
    }


def _years(filters: dict) -> range:
    first = filters.get("year_from") or DASHBOARD_YEARS.start
    last = filters.get("year_to") or DASHBOARD_YEARS.stop - 1
    return range(first, last + 1)


def national_dashboard(*, user, filters: dict) -> dict:
    """Everything the national dashboard shows, for a ministry user: headline figures,
    the 34 provinces (table and tile map), the six regions, activities, years, kinds and
    levels, outputs against targets, compliance and open findings. Nine queries."""
    qs = dashboard_figures(user=user, filters=filters)
    source = filters.get("source")
    grouped = _grouped(
        qs, ["province_id", "year", "activity_group_id", "kind", "level", "status"], source
    )
    beneficiaries = _beneficiaries(qs)
    issues = _findings_and_flags(qs, ["province_id"], timezone.localdate())
    provinces = list(visible(user, Province.objects.select_related("region")))
    by_province = grouped["province_id"]
    province_rows = []
    for p in [*provinces, None]:
        key = p.pk if p else None
        if p is None and not (key in by_province and by_province[key].count):
            continue
        m = by_province.get(key, Measures())
        m.beneficiaries = beneficiaries["province_id"].get(key, 0)
        m.findings, m.overdue, m.flags = issues["province_id"].get(key, (0, 0, 0))
        if p is None:
            province_rows.append(Row(None, UNASSIGNED["province"], m, {"province": None}))
        else:
            province_rows.append(Row(p.pk, p.short_name, m, {"province": p}))
    regions = {}
    for row in province_rows:
        region = row.extra["province"].region if row.extra["province"] else None
        key = region.pk if region else None
        label = region.name if region else UNASSIGNED["region"]
        target = regions.setdefault(key, Row(key, label, Measures()))
        target.m.add(row.m)
    region_order = {p.region.pk: p.region.order for p in provinces}
    region_rows = sorted(regions.values(), key=lambda r: (r.key is None, region_order.get(r.key)))
    return {
        **_summary(grouped, _by_source(qs), beneficiaries[None], issues[None]),
        "provinces": province_rows,
        "regions": region_rows,
        **_common_rows(grouped, _years(filters)),
        "outputs": _outputs(qs, target_programs(user=user, filters=filters)),
    }


def province_dashboard(*, user, province: Province, filters: dict) -> dict:
    """The same for one province (already checked visible to ``user``), down to its
    communes and implementing units, with the open warnings of the disbursement job."""
    filters = {**filters, "province": province, "region": None}
    qs = dashboard_figures(user=user, filters=filters)
    source = filters.get("source")
    grouped = _grouped(
        qs,
        ["year", "activity_group_id", "kind", "level", "status", "implementing_agency_id"],
        source,
    )
    beneficiaries = _beneficiaries(qs)
    issues = _findings_and_flags(qs, ["implementing_agency_id"], timezone.localdate())
    by_agency = grouped["implementing_agency_id"]
    agencies = Agency.objects.filter(pk__in=[k for k in by_agency if k is not None]).order_by(
        "kind", "name"
    )
    agency_rows = [Row(agency.pk, agency.name, by_agency[agency.pk]) for agency in agencies]
    _unassigned(agency_rows, by_agency, "agency")
    for row in agency_rows:
        m = row.m
        m.findings, m.overdue, m.flags = issues["implementing_agency_id"].get(row.key, (0, 0, 0))
    return {
        **_summary(grouped, _by_source(qs), beneficiaries[None], issues[None]),
        "agencies": agency_rows,
        "communes": _communes(qs, source),
        **_common_rows(grouped, _years(filters)),
        "outputs": _outputs(qs, target_programs(user=user, filters=filters, province=province)),
        "flags": _open_flags(user=user, qs=qs),
    }


def _communes(qs, source: str | None) -> list[Row]:
    """Per commune, each đề án counted once, so the rows add up to the province's total:
    a đề án carried out in one commune in that commune's row, one carried out in several
    communes in the row "several communes" (key "several"), one with no commune recorded in
    the row "no commune" (key None)."""
    inner, params = _subquery(qs)
    rows = _fetch(
        f"""
        SELECT c.id, c.name, f.place, {_measures_sql(source)}
          FROM (SELECT f.*,
                       CASE WHEN l.n = 0 THEN 'none' WHEN l.n = 1 THEN 'one'
                            ELSE 'several' END AS place,
                       CASE WHEN l.n = 1 THEN l.commune_id END AS commune_id
                  FROM {inner} f
                  CROSS JOIN LATERAL (SELECT MIN(pc.commune_id) AS commune_id, COUNT(*) AS n
                                        FROM projects_proposal_communes pc
                                       WHERE pc.proposal_id = f.proposal_id) l) f
          LEFT JOIN reference_commune c ON c.id = f.commune_id
         GROUP BY f.place, c.id, c.name, c.name_folded
         ORDER BY f.place = 'one' DESC, f.place = 'several' DESC, c.name_folded, c.id""",
        params,
    )
    result = []
    for commune_id, name, place, *values in rows:
        m = Measures(*(int(v) for v in values))
        if place == "one":
            result.append(Row(commune_id, name, m))
        elif place == "several":
            result.append(Row("several", SEVERAL_COMMUNES, m))
        else:
            result.append(Row(None, UNASSIGNED["commune"], m))
    return result


def _open_flags(*, user, qs, limit: int = 50) -> dict:
    flags = visible(user, DisbursementFlag.objects.all()).filter(
        resolved_on__isnull=True, proposal__in=qs.values("proposal_id")
    )
    return {
        "items": list(
            flags.select_related("proposal").order_by("-raised_on", "proposal__code")[:limit]
        ),
        "limit": limit,
    }


def map_tiles(rows: list[Row], measure: str) -> dict:
    """The tile grid of Vietnam: each province at its place (dashboards.tiles), coloured
    in five equal steps of ``measure`` from the smallest to the largest value shown (the
    legend gives each step's range); a province without a value (no approved money for
    a rate) is grey. The rows of đề án without a province have no tile."""
    from dashboards.tiles import TILE_POSITIONS

    rows = [r for r in rows if r.extra.get("province") is not None]

    def value(row: Row):
        if measure == "rate":
            return row.m.rate
        return row.m.approved if measure == "approved" else row.m.count

    values = [value(r) for r in rows if value(r) is not None]
    low, high = (min(values), max(values)) if values else (0, 0)
    width = (high - low) / 5
    tiles = []
    for row in rows:
        v = value(row)
        if v is None:
            step = None
        elif high == low:
            step = 4 if v else 0
        else:
            step = min(4, int((v - low) / width))
        position = TILE_POSITIONS.get(row.extra["province"].code)
        if position is not None:
            tiles.append({"row": row, "value": v, "step": step, "y": position[0], "x": position[1]})
    legend = [
        {"step": i, "low": low + width * i, "high": low + width * (i + 1)}
        for i in range(5 if high != low else 0)
    ]
    return {"tiles": tiles, "legend": legend}


def figures_mismatches(limit: int = 20) -> list[tuple]:
    """Rows of dashboards_proposalfigures that differ from a recomputation from the
    source tables (the view dashboards_figures_expected), both ways. Empty when exact."""
    # Every column of the summary table (the view has the same ones).
    columns = ", ".join(f.column for f in ProposalFigures._meta.concrete_fields)
    return _fetch(
        f"""
        (SELECT 'stored' AS side, {columns} FROM dashboards_proposalfigures
         EXCEPT SELECT 'stored', {columns} FROM dashboards_figures_expected)
        UNION ALL
        (SELECT 'expected', {columns} FROM dashboards_figures_expected
         EXCEPT SELECT 'expected', {columns} FROM dashboards_proposalfigures)
        LIMIT %s""",
        [limit],
    )
