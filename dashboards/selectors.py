from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Case, Count, DateField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Role, User
from accounts.policies import has_perm, is_national, visible
from core.funding import KC_SOURCES, SOURCE_SHORT, SOURCES
from core.measures import percent
from cycle.selectors import calls_open_now
from dashboards.models import (
    FiguresRollup,
    FindingsRollup,
    OutputsRollup,
    ProposalFigures,
    ReachProvince,
    ReachRollup,
    ReachTotal,
)
from disbursement.models import DisbursementFlag
from inspections.models import Recommendation
from inspections.selectors import compliance_summary
from periodic.selectors import owed as periodic_owed
from priorities.selectors import proposals_meeting
from programs.models import (
    Activity,
    AnnualPlan,
    Indicator,
    Level,
    Program,
    ProgramTarget,
)
from projects.models import Proposal, ProposalBeneficiary, ProposalOutput
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


def _filtered(qs: QuerySet, filters: dict, *, rollup: bool) -> QuerySet:
    """``qs`` (figure rows or a rollup) restricted by the dashboards' filters (all optional):
    ``year_from``, ``year_to``, ``program``, ``region``, ``province``, ``activity`` (a group
    includes its sub-activities; the dashboards offer groups, the rollups' grain), ``level``,
    ``kind``, ``source`` (đề án approved with money from it)."""
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
        if rollup:
            qs = qs.filter(activity_group=activity)
        else:
            qs = qs.filter(Q(activity=activity) | Q(activity_group=activity))
    source = filters.get("source")
    if source:
        if rollup:
            qs = qs.filter(**{f"with_{source}": True})
        else:
            qs = qs.filter(funded=True, **{f"approved_{source}__gt": 0})
    if filters.get("priority") and not rollup:
        # Đề án whose establishments (or which itself) meet the priority (priorities app).
        qs = qs.filter(proposal_id__in=proposals_meeting(filters["priority"]))
    return qs


def dashboard_figures(*, user, filters: dict) -> QuerySet[ProposalFigures]:
    """The figure rows (one per đề án) ``user`` may see (accounts.policies.visible),
    filtered (``_filtered``): for what the rollups do not hold (communes, findings, flags)."""
    return _filtered(visible(user, ProposalFigures.objects.all()), filters, rollup=False)


@dataclass
class Cells:
    """Rollup-shaped rows computed from the figure rows of the selection, one per đề án (per
    đề án and establishment, indicator or open item): the cells of ``model`` at a finer
    grain, for a filter the rollups' grain does not hold (the priority). The page's queries
    sum them as they sum the rollup's cells, with the same measures' SQL, so a figure keeps
    one definition (tests/priorities/test_dashboard_filter.py: with no filter, both ways give
    the same page)."""

    model: type
    qs: QuerySet  # already ``values()`` of the columns the queries read


def _per_proposal(filters: dict) -> bool:
    """Whether the page sums per-đề án cells instead of the rollups."""
    return bool(filters.get("priority"))


_COMPLIANCE_COUNTS = {
    "proposals": Value(1),
    "inspected": Case(
        When(~Q(compliance="not_inspected"), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    ),
    "compliant": Case(
        When(compliance="compliant", then=Value(1)), default=Value(0), output_field=IntegerField()
    ),
}


def _cells(model, figures: QuerySet[ProposalFigures]) -> Cells:
    """The cells of ``model`` computed from ``figures`` (see ``Cells``): the columns of the
    rollup's definition (dashboards/sql/rollups.sql, ``dashboards_*rollup_expected``)."""
    funded = figures.filter(funded=True).values("proposal_id")
    if model is FiguresRollup:
        qs = figures.annotate(**_COMPLIANCE_COUNTS).values(
            "province_id",
            "year",
            "activity_group_id",
            "implementing_agency_id",
            "level",
            "kind",
            "status",
            "funded",
            *_ROLLUP_MEASURES[FiguresRollup],
        )
    elif model is ReachRollup:
        qs = (
            ProposalBeneficiary.objects.filter(proposal_id__in=funded)
            .annotate(province_id=F("proposal__figures__province"), links=Value(1))
            .values("province_id", "beneficiary_id", "links")
        )
    elif model is OutputsRollup:
        qs = (
            ProposalOutput.objects.filter(proposal_id__in=funded)
            .annotate(
                proposals=Value(1),
                target=F("target_value"),
                achieved=Coalesce("achieved_value", Value(0)),
            )
            .values("indicator_id", "proposals", "target", "achieved")
        )
    elif model is FindingsRollup:
        on = figures.values("proposal_id")
        findings = (
            Recommendation.objects.filter(
                status="open", inspection__status="concluded", inspection__proposal_id__in=on
            )
            .annotate(
                province_id=F("inspection__proposal__figures__province"),
                implementing_agency_id=F("inspection__proposal__figures__implementing_agency"),
                what=Value("finding"),
                items=Value(1),
            )
            .values("province_id", "implementing_agency_id", "what", "deadline", "items")
        )
        flags = (
            DisbursementFlag.objects.filter(resolved_on__isnull=True, proposal_id__in=on)
            .annotate(
                province_id=F("proposal__figures__province"),
                implementing_agency_id=F("proposal__figures__implementing_agency"),
                what=Value("flag"),
                deadline=Value(None, output_field=DateField()),
                items=Value(1),
            )
            .values("province_id", "implementing_agency_id", "what", "deadline", "items")
        )
        qs = findings.union(flags, all=True)
    else:  # pragma: no cover - a programming error
        raise ValueError(model)
    return Cells(model, qs)


def dashboard_rollup(model, *, user, filters: dict) -> QuerySet | Cells:
    """The cells of a rollup (``FiguresRollup``, ``ReachRollup``, ``OutputsRollup``) that
    ``user`` may see, filtered the same way: their sums are the sums of the figure rows
    ``dashboard_figures`` selects (tests/dashboards/test_rollups.py). Under the priority
    filter, the same cells computed per đề án (``Cells``)."""
    if _per_proposal(filters):
        return _cells(model, dashboard_figures(user=user, filters=filters))
    return _filtered(visible(user, model.objects.all()), filters, rollup=True)


@contextmanager
def _one_snapshot():
    """The page's queries in one read-only transaction at REPEATABLE READ, so every figure
    on it is of the same moment, with ``settings.DASHBOARD_WORK_MEM`` for the hash
    aggregates (the distinct establishments) instead of sorts spilled to disk. On the
    database the reads go to (the replica inside ``core.replica.read_from_replica``, whose
    scope has opened that transaction already); inside an enclosing transaction (tests, the
    replica's scope) only the memory is set."""
    alias = router.db_for_read(ProposalFigures)
    connection = connections[alias]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.DASHBOARD_WORK_MEM])
        yield


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


# The measures each rollup's queries read, beside its keys.
_ROLLUP_MEASURES = {
    FiguresRollup: (
        "proposals",
        "inspected",
        "compliant",
        *(f"approved_{s}" for s in SOURCE_KEYS),
        *(f"paid_{s}" for s in SOURCE_KEYS),
    ),
    ReachRollup: ("links",),
    OutputsRollup: ("proposals", "target", "achieved"),
    FindingsRollup: ("items",),
}


def _subquery_of(qs: QuerySet, columns) -> tuple[str, tuple]:
    sql, params = qs.values(*columns).query.sql_with_params()
    return f"({sql})", tuple(params)


def _rollup_subquery(qs: QuerySet | Cells) -> tuple[str, tuple]:
    if isinstance(qs, Cells):
        sql, params = qs.qs.query.sql_with_params()
        return f"({sql})", tuple(params)
    return _subquery_of(qs, (*qs.model.KEYS, *_ROLLUP_MEASURES[qs.model]))


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


def _rollup_measures_sql(source: str | None) -> str:
    """The columns of Measures summed from FiguresRollup cells (``_measures_sql`` of the
    figure rows, each count a sum of the cells' counts)."""
    return f"""COALESCE(SUM(f.proposals), 0), COALESCE(SUM(f.proposals) FILTER (WHERE f.funded), 0),
               COALESCE(SUM({_money("approved", source)}) FILTER (WHERE f.funded), 0),
               COALESCE(SUM({_money("paid", source)}), 0),
               COALESCE(SUM(f.inspected), 0), COALESCE(SUM(f.compliant), 0),
               COALESCE(SUM(f.approved_counterpart) FILTER (WHERE f.funded), 0),
               COALESCE(SUM(f.approved_other) FILTER (WHERE f.funded), 0)"""


def _grouped(rollup, dims: list[str], source: str | None) -> dict:
    """One query over the FiguresRollup cells of the selection: the measures of the whole
    selection and of each value of each of ``dims`` (GROUPING SETS). Returns
    {None: Measures, dim: {value: Measures}}."""
    inner, params = _rollup_subquery(rollup)
    sets = _by_sets(
        [f"f.{d}" for d in dims], _rollup_measures_sql(source), f"FROM {inner} f", params
    )
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


def _by_source(rollup) -> dict:
    """Approved, paid, remaining and rate per funding source (one query): ``rows`` (one per
    source, ``kc`` telling khuyến công funds), ``kc_total`` (KCQG + KCĐP: the sum of the
    khuyến công rows, the headline's money) and ``beside`` (counterpart and other sources,
    listed separately, never added in)."""
    inner, params = _rollup_subquery(rollup)
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


# The filters under which the distinct establishments are counts of rows of ReachProvince
# and ReachTotal; any other filter counts them from the ReachRollup cells.
_PLACE_FILTERS = {"province", "region"}


def _beneficiaries(*, user, filters: dict) -> dict:
    """Distinct establishments on approved đề án, in all and per province (one query). An
    establishment supported in two provinces counts in each, and once in the total; so
    regions show none (a sum of provinces could count one twice). With no filter but the
    place, they are counted as rows (ReachProvince per province, ReachTotal for the whole
    country); otherwise the ReachRollup cells of the selection are grouped by hashing (no
    sort of every link)."""
    chosen = {name for name, value in filters.items() if value not in (None, "")}
    if chosen <= _PLACE_FILTERS:
        per_province = _filtered(visible(user, ReachProvince.objects.all()), filters, rollup=True)
        inner, params = _subquery_of(per_province, ("province_id", "beneficiary_id"))
        if is_national(user) and not chosen:
            # The whole country: a count of ReachTotal's rows, per province of ReachProvince's.
            sql = f"""
                SELECT TRUE, NULL, (SELECT COUNT(*) FROM dashboards_reachtotal)
                UNION ALL
                SELECT FALSE, s.province_id, COUNT(*) FROM {inner} s GROUP BY s.province_id"""
        else:
            sql = f"""
                WITH s AS MATERIALIZED {inner}
                SELECT TRUE, NULL,
                       (SELECT COUNT(*) FROM (SELECT beneficiary_id FROM s GROUP BY 1) t)
                UNION ALL
                SELECT FALSE, province_id, COUNT(*) FROM s GROUP BY province_id"""
    else:
        reach = dashboard_rollup(ReachRollup, user=user, filters=filters)
        if isinstance(reach, Cells):
            inner, params = _rollup_subquery(reach)
        else:
            inner, params = _subquery_of(reach, ("province_id", "beneficiary_id"))
        sql = f"""
            WITH s AS MATERIALIZED (
                SELECT f.province_id, f.beneficiary_id FROM {inner} f GROUP BY 1, 2)
            SELECT TRUE, NULL, (SELECT COUNT(*) FROM (SELECT beneficiary_id FROM s GROUP BY 1) t)
            UNION ALL
            SELECT FALSE, province_id, COUNT(*) FROM s GROUP BY province_id"""
    rows = _fetch(sql, params)
    total = next(int(n) for whole, _key, n in rows if whole)
    return {
        None: total,
        "province_id": {key: int(n) for whole, key, n in rows if not whole},
    }


def _findings_and_flags(findings, dims: list[str], today) -> dict:
    """Open recommendations of concluded inspections — findings not yet remedied — (and
    those past their deadline) and open flags of the daily disbursement job, in all and per
    value of ``dims`` (one query over the FindingsRollup cells of the selection)."""
    inner, params = _rollup_subquery(findings)
    sets = _by_sets(
        [f"f.{d}" for d in dims],
        """COALESCE(SUM(f.items) FILTER (WHERE f.what = 'finding'), 0),
           COALESCE(SUM(f.items) FILTER (WHERE f.what = 'finding' AND f.deadline < %s), 0),
           COALESCE(SUM(f.items) FILTER (WHERE f.what = 'flag'), 0)""",
        f"FROM {inner} f",
        (today, *params),
    )
    return {None: sets[None] or (0, 0, 0), **{d: sets[d] for d in dims}}


def _outputs(outputs, programs: QuerySet[Program]) -> list[dict]:
    """Per indicator: the programmes' targets, what approved đề án plan and what accepted
    ones achieved (two queries; the second over the OutputsRollup cells of the selection)."""
    inner, params = _rollup_subquery(outputs)
    planned = {
        indicator_id: (int(target or 0), int(achieved or 0))
        for indicator_id, target, achieved in _fetch(
            f"""
            SELECT f.indicator_id, SUM(f.target), SUM(f.achieved)
              FROM {inner} f
             GROUP BY f.indicator_id""",
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
    levels, outputs against targets, compliance and open findings. Nine queries, the sums
    from the rollups, in one snapshot."""
    with _one_snapshot():
        return _national_dashboard(user=user, filters=filters)


def _national_dashboard(*, user, filters: dict) -> dict:
    rollup = dashboard_rollup(FiguresRollup, user=user, filters=filters)
    source = filters.get("source")
    grouped = _grouped(
        rollup, ["province_id", "year", "activity_group_id", "kind", "level", "status"], source
    )
    beneficiaries = _beneficiaries(user=user, filters=filters)
    issues = _findings_and_flags(
        dashboard_rollup(FindingsRollup, user=user, filters=filters),
        ["province_id"],
        timezone.localdate(),
    )
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
        **_summary(grouped, _by_source(rollup), beneficiaries[None], issues[None]),
        "provinces": province_rows,
        "regions": region_rows,
        **_common_rows(grouped, _years(filters)),
        "outputs": _outputs(
            dashboard_rollup(OutputsRollup, user=user, filters=filters),
            target_programs(user=user, filters=filters),
        ),
    }


def province_dashboard(*, user, province: Province, filters: dict) -> dict:
    """The same for one province (already checked visible to ``user``), down to its
    communes and implementing units, with the open warnings of the disbursement job."""
    with _one_snapshot():
        return _province_dashboard(user=user, province=province, filters=filters)


def _province_dashboard(*, user, province: Province, filters: dict) -> dict:
    filters = {**filters, "province": province, "region": None}
    qs = dashboard_figures(user=user, filters=filters)
    rollup = dashboard_rollup(FiguresRollup, user=user, filters=filters)
    source = filters.get("source")
    grouped = _grouped(
        rollup,
        ["year", "activity_group_id", "kind", "level", "status", "implementing_agency_id"],
        source,
    )
    beneficiaries = _beneficiaries(user=user, filters=filters)
    issues = _findings_and_flags(
        dashboard_rollup(FindingsRollup, user=user, filters=filters),
        ["implementing_agency_id"],
        timezone.localdate(),
    )
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
        **_summary(grouped, _by_source(rollup), beneficiaries[None], issues[None]),
        "agencies": agency_rows,
        "communes": _communes(qs, source),
        **_common_rows(grouped, _years(filters)),
        "outputs": _outputs(
            dashboard_rollup(OutputsRollup, user=user, filters=filters),
            target_programs(user=user, filters=filters, province=province),
        ),
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
    # Reading order (row by row, west to east): the order of the links for the keyboard
    # and for a screen reader follows the map, not the table's.
    tiles.sort(key=lambda t: (t["y"], t["x"]))
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


# Each rollup table and the view that defines it from the source tables.
ROLLUP_VIEWS = {
    FiguresRollup: "dashboards_figuresrollup_expected",
    ReachRollup: "dashboards_reachrollup_expected",
    OutputsRollup: "dashboards_outputsrollup_expected",
    ReachProvince: "dashboards_reachprovince_expected",
    ReachTotal: "dashboards_reachtotal_expected",
    FindingsRollup: "dashboards_findingsrollup_expected",
}


def rollup_mismatches(limit: int = 20) -> dict[str, list[tuple]]:
    """Per rollup table, the rows that differ from its definition (the view computed from
    the source tables), both ways; an empty dict when every rollup is exact."""
    found = {}
    for model, view in ROLLUP_VIEWS.items():
        table = model._meta.db_table
        columns = ", ".join(
            f.column
            for f in model._meta.concrete_fields
            if not (f.primary_key and f.column == "id")
        )
        rows = _fetch(
            f"""
            (SELECT 'stored' AS side, {columns} FROM {table}
             EXCEPT ALL SELECT 'stored', {columns} FROM {view})
            UNION ALL
            (SELECT 'expected', {columns} FROM {view}
             EXCEPT ALL SELECT 'expected', {columns} FROM {table})
            LIMIT %s""",
            [limit],
        )
        if rows:
            found[table] = rows
    return found
