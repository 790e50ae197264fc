from django.db.models import Count, Q

from accounts.policies import visible
from core.text import fold
from reference.models import Commune, Province


def province_list():
    """All 34 provinces with their region and commune counts (reference data, not scoped)."""
    return Province.objects.select_related("region").annotate(
        commune_count=Count("communes"),
        ward_count=Count("communes", filter=Q(communes__division_type="phuong")),
    )


def province_detail_queryset(*, user):
    return visible(user, province_list())


def commune_choices(*, user, province_id=None, query=""):
    qs = visible(user, Commune.objects.all()).select_related("province")
    if province_id:
        qs = qs.filter(province_id=province_id)
    if query:
        qs = qs.filter(name_folded__contains=fold(query))
    return qs.order_by("name_folded", "code")
