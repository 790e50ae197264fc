"""The đề án pages at national scale (issue 16): the list sorts on copies of the plan's year
and the province's code kept on the đề án by a trigger, through an index, and pages on keys
— a deep page reads the same statements as the first; the order is the one users knew; the
detail page reads nothing twice."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.lists import QuickSelect
from programs.models import AnnualPlan
from projects.models import LIST_ORDER, Proposal
from reference.models import Province
from tests.projects.factories import make_proposal, plan_for

pytestmark = pytest.mark.django_db


def test_the_copies_follow_the_plan_and_the_province(world):
    proposal = make_proposal(14, year=2027)
    proposal.refresh_from_db()
    assert (proposal.plan_year, proposal.province_code) == (2027, 14)
    # Whatever a save writes in them, the trigger puts the plan's and province's values back.
    Proposal.objects.filter(pk=proposal.pk).update(plan_year=1999, province_code=None)
    proposal.refresh_from_db()
    assert (proposal.plan_year, proposal.province_code) == (2027, 14)
    # A plan whose year changes, a province whose code changes: the copies follow.
    AnnualPlan.objects.filter(pk=proposal.plan_id).update(year=2031)
    Province.objects.filter(code=14).update(code=99)
    proposal.refresh_from_db()
    assert (proposal.plan_year, proposal.province_code) == (2031, 99)


def test_the_order_is_plan_year_then_province_code_plan_and_number(world):
    made = [
        make_proposal(66, year=2027),
        make_proposal(14, year=2027),
        make_proposal(14, year=2028),
        make_proposal(14, year=2027),
        make_proposal(1, year=2028),
    ]
    plan_for(14, year=2027, national=True)
    made.append(make_proposal(14, year=2027, national=True))
    expected = sorted(
        made,
        key=lambda p: (-p.plan.year, p.province.code, p.plan_id, p.sequence),
    )
    assert list(Proposal.objects.order_by(*LIST_ORDER)) == expected
    # The statement the list runs for a page can be an index scan, not a sort of every row
    # (on a few rows the planner would rather sort them: the test forbids it to, and a plan
    # that still sorts would mean the index does not give the order).
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        sql, params = (
            Proposal.objects.order_by(*LIST_ORDER)
            .values_list("pk", flat=True)[:50]
            .query.sql_with_params()
        )
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "proposal_list_order" in plan and "Sort" not in plan


def test_a_deep_page_runs_the_statements_of_the_first(world, client, users):
    for year in (2027, 2028):
        for _ in range(3):
            make_proposal(14, year=year)
    client.force_login(users["ministry"])
    url = reverse("proposal-list")
    with CaptureQueriesContext(connection) as first:
        page_one = client.get(url, {"page": 1})
    with CaptureQueriesContext(connection) as last:
        page_last = client.get(url, {"page": 99})  # beyond the end: the last page
    assert page_one.status_code == page_last.status_code == 200
    assert len(first.captured_queries) == len(last.captured_queries)
    # The page's rows are read by key, in the list's order.
    body = page_one.content.decode()
    codes = list(Proposal.objects.order_by(*LIST_ORDER).values_list("code", flat=True))
    positions = [body.index(code) for code in codes]
    assert positions == sorted(positions)


def test_the_filter_select_writes_the_html_of_django_s_select():
    from django import forms

    choices = [("", "---------"), (1, "Kế hoạch <2027>"), (2, "Kế hoạch & 2028")]
    reference = forms.Select(choices=choices, attrs={"class": "form-select", "id": "id_plan"})
    quick = QuickSelect(choices=choices, attrs={"class": "form-select", "id": "id_plan"})

    def normalised(html):
        return " ".join(html.replace("\n", " ").split()).replace("> <", "><")

    for value in (None, 2, "2"):
        assert normalised(quick.render("plan", value)) == normalised(
            reference.render("plan", value)
        )


def test_the_detail_page_runs_no_statement_twice(world, client, users):
    proposal = make_proposal(14, year=2027)
    client.force_login(users["ministry"])
    url = reverse("proposal-detail", args=[proposal.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    repeated = {sql for sql in statements if statements.count(sql) > 1}
    assert not repeated, repeated


def test_the_inspections_in_progress_are_statuses_of_an_inspection():
    from inspections.models import IN_PROGRESS_STATES, Inspection

    assert set(IN_PROGRESS_STATES) == {Inspection.Status.PLANNED, Inspection.Status.RECORDED}
