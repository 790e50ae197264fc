from django.db.models import Count, Q

from accounts.models import Agency, Role, User
from accounts.policies import is_national, visible
from programs.models import AnnualPlan
from projects.models import Proposal
from projects.selectors import proposal_todo
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
