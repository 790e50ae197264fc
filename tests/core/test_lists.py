"""The one way lists are built (core.lists): every paginated list uses the mixin and the
filter bar; a page past the end shows the last page; a filter in error is explained beside
its field while the others apply; the province filter is a national user's only."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import ListView

from accounts.models import Agency
from core.lists import FilteredListMixin
from inspections.models import Inspection
from programs.models import AnnualPlan
from reference.models import Province
from tests.inspections.factories import inspection_in

LISTS = [
    "agency-list",
    "beneficiary-list",
    "council-list",
    "inspection-findings",
    "inspection-list",
    "plan-list",
    "proposal-list",
    "report-list",
    "village-list",
]


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                yield pattern.name, view_class


def test_the_list_frame_has_the_filter_bar_and_the_pager():
    source = get_template("list_page.html").template.source
    assert '{% include "includes/filter_bar.html" %}' in source
    assert '{% include "includes/pagination.html" %}' in source


def test_every_paginated_list_uses_the_mixin_and_the_filter_bar():
    views = dict(_views(get_resolver().url_patterns))
    paginated = {
        name: view
        for name, view in views.items()
        if issubclass(view, ListView) and view.paginate_by and not name.endswith("-export")
    }
    assert sorted(paginated) == LISTS
    # An export is its list's view writing a workbook: the same scope and filterset.
    for name in ("beneficiary-export", "proposal-export"):
        assert issubclass(views[name], views[name.replace("-export", "-list")]), name
    for name, view in paginated.items():
        assert issubclass(view, FilteredListMixin), name
        # The list extends the one list frame, which holds the filter bar and the pager.
        source = get_template(view.template_name).template.source
        assert source.startswith('{% extends "list_page.html" %}'), name
        assert '<form method="get"' not in source, f"{name} has a filter bar of its own"


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_a_page_past_the_end_shows_the_last_page_and_garbage_the_first(world, users, client, name):
    client.force_login(users["ministry"])
    response = client.get(reverse(name), {"page": "999"})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages
    response = client.get(reverse(name), {"page": "abc"})
    assert response.status_code == 200 and response.context["page_obj"].number == 1


@pytest.mark.django_db
def test_the_agency_list_pages_and_keeps_its_filters(world, users, client):
    client.force_login(users["ministry"])
    total = Agency.objects.count()
    assert total > 50  # two pages
    response = client.get(reverse("agency-list"), {"page": "7"})
    assert response.context["page_obj"].number == 2
    assert len(response.context["object_list"]) == total - 50
    centres = client.get(reverse("agency-list"), {"kind": "promotion_centre", "page": "2"})
    assert centres.context["page_obj"].number == 1
    assert {a.kind for a in centres.context["object_list"]} == {"promotion_centre"}
    assert centres.context["query"] == "kind=promotion_centre"


@pytest.mark.django_db
def test_a_filter_in_error_is_explained_beside_it_and_the_others_apply(world, users, client):
    appraisal = inspection_in(Province.objects.get(code=1))
    assert appraisal.kind == Inspection.Kind.APPRAISAL
    client.force_login(users["sct-hanoi"])
    response = client.get(reverse("inspection-list"), {"status": "bogus", "kind": "periodic"})
    body = response.content.decode()
    assert 'data-testid="filter-error-status"' in body
    assert 'data-testid="filter-errors"' not in body  # a visible field: no alert above
    assert list(response.context["page_obj"]) == []  # kind=periodic still applies
    response = client.get(reverse("inspection-list"), {"status": "bogus", "kind": "appraisal"})
    assert list(response.context["page_obj"]) == [appraisal]


@pytest.mark.django_db
def test_the_province_filter_is_a_national_users_and_never_widens(world, users, client):
    hanoi = Province.objects.get(code=1)
    client.force_login(users["sct-sonla"])
    response = client.get(reverse("plan-list"), {"province": hanoi.pk})
    assert "province" not in response.context["filterset"].form.fields
    plans = list(response.context["page_obj"])
    assert plans and all(p.province_id in (None, users["sct-sonla"].province_id) for p in plans)
    client.force_login(users["ministry"])
    response = client.get(reverse("plan-list"), {"province": hanoi.pk})
    assert {p.province_id for p in response.context["page_obj"]} == {hanoi.pk}
    assert list(response.context["page_obj"]) == list(
        AnnualPlan.objects.filter(province=hanoi).order_by("-year", "program__start_year")
    )


@pytest.mark.django_db
def test_the_agency_list_costs_a_fixed_number_of_queries(
    world, users, client, django_assert_max_num_queries
):
    client.force_login(users["ministry"])
    client.get(reverse("agency-list"))  # warm the session
    with django_assert_max_num_queries(4):
        assert client.get(reverse("agency-list"), {"kind": "department"}).status_code == 200
