from django.db.models import Count

from accounts.models import Agency, User
from accounts.policies import visible


def agency_list(*, user):
    return (
        visible(user, Agency.objects.all())
        .select_related("province")
        .annotate(user_count=Count("users"))
        .order_by("province__code", "kind", "name")
    )


def agency_users(*, user, agency):
    return visible(user, User.objects.filter(agency=agency, is_active=True)).order_by(
        "last_name", "first_name", "username"
    )
