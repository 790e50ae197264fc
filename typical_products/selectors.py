"""Reads of the selection of typical rural industrial products, scoped to the user: a province
sees its own rounds and every regional and national one (``national_rows_visible_to_all``)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from accounts.policies import visible
from typical_products.models import Certificate, Entry, SelectionRound
from typical_products.rules import Level


def round_list(*, user):
    return (
        visible(user, SelectionRound.objects.all())
        .select_related("province")
        .annotate(
            entry_count=Count("entries", distinct=True),
            recognised_count=Count(
                "entries", filter=Q(entries__result=Entry.Result.RECOGNISED), distinct=True
            ),
            certificate_count=Count("entries__certificate", distinct=True),
        )
        .order_by("-year", "level", "province__code", "region", "pk")
    )


def round_detail_queryset(*, user):
    return visible(user, SelectionRound.objects.all()).select_related("province", "created_by")


def round_entries(round_: SelectionRound):
    """The round's entries with their establishment, certificate and qualifying certificate
    (one query)."""
    return round_.entries.select_related(
        "beneficiary__province",
        "certificate",
        "qualifying_certificate__entry__round",
    ).order_by("group", "-total_points", "name", "id")


def certificate_list(*, user):
    return (
        visible(user, Certificate.objects.all())
        .select_related("entry__round__province", "entry__beneficiary__province")
        .order_by("-issued_on", "entry__round__level", "number")
    )


def beneficiary_certificates(beneficiary, *, user):
    """An establishment's certificates, newest first, as the user may see them."""
    return certificate_list(user=user).filter(entry__beneficiary=beneficiary)


def output_certificates(proposal):
    """The certificates linked to the đề án's outputs, by output id (one query)."""
    found: dict[int, list] = {}
    for cert in (
        Certificate.objects.filter(output_link__output__proposal=proposal)
        .select_related("entry__round", "entry__beneficiary", "output_link")
        .order_by("-issued_on", "number")
    ):
        found.setdefault(cert.output_link.output_id, []).append(cert)
    return found


def certificates_by_level_and_year(*, province_id=None) -> list[dict]:
    """The measure ``typical_certificates`` (core.measures): certificates issued, by level and
    year of issue, for the establishments of one province (None: the whole country). The one
    query every page showing the figure uses."""
    qs = Certificate.objects.all()
    if province_id is not None:
        qs = qs.filter(entry__beneficiary__province_id=province_id)
    counts = {
        (row["level"], row["year"]): row["n"]
        for row in qs.annotate(year=ExtractYear("issued_on"))
        .values("year", level=F("entry__round__level"))
        .annotate(n=Count("id"))
        .order_by()
    }
    years = sorted({year for _level, year in counts}, reverse=True)
    return [
        {
            "year": year,
            "levels": [counts.get((level, year), 0) for level in Level.values],
            "total": sum(counts.get((level, year), 0) for level in Level.values),
        }
        for year in years
    ]
