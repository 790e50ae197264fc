"""The programme, plan and rule pages: forms, errors next to the fields, query counts."""

import pytest
from django.urls import reverse

from programs.models import Activity, AnnualPlan, Program
from reference.models import Province
from tests.programs import factories

B = 1_000_000_000


@pytest.fixture
def sonla(world):
    return Province.objects.get(code=14)


def _formset(rows, prefix="alloc"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (activity, source, amount) in enumerate(rows):
        data.update(
            {
                f"{prefix}-{i}-activity": activity.pk if activity else "",
                f"{prefix}-{i}-source": source,
                f"{prefix}-{i}-amount": amount,
            }
        )
    return data


def test_a_province_creates_a_plan_and_enters_its_budget(client, users, sonla):
    client.force_login(users["sct-sonla"])
    program = factories.local_program(sonla)
    response = client.post(
        reverse("plan-create"),
        {"program": program.pk, "year": 2029, "title": "Kế hoạch khuyến công năm 2029"},
    )
    plan = AnnualPlan.objects.get(program=program, year=2029)
    assert response["Location"] == reverse("plan-edit", args=[plan.pk])
    page = client.get(reverse("plan-edit", args=[plan.pk]))
    assert page.status_code == 200
    rows = [
        (Activity.objects.get(code="01"), "kcdp", "300.000.000"),
        (Activity.objects.get(code="03.1"), "kcdp", "700.000.000"),
    ]
    data = {
        "version": plan.version,
        "budget_kcdp": "1.000.000.000",
        "budget_counterpart": "0",
        "budget_other": "",
        **_formset(rows),
    }
    response = client.post(reverse("plan-edit", args=[plan.pk]), data)
    assert response.status_code == 302
    assert sorted(plan.allocations.values_list("amount", flat=True)) == [300_000_000, 700_000_000]
    detail = client.get(reverse("plan-detail", args=[plan.pk]))
    assert "1.000.000.000 ₫" in detail.content.decode()


def test_plan_totals_are_khuyen_cong_funds_with_the_counterpart_beside(client, users, sonla):
    """A plan's budget of 1 bn KCĐP and 0.6 bn counterpart: the totals on the plan page and
    in the plan list are 1 bn (core.measures: counterpart money is never added in)."""
    client.force_login(users["sct-sonla"])
    program = factories.local_program(sonla)
    client.post(reverse("plan-create"), {"program": program.pk, "year": 2029, "title": "KH 2029"})
    plan = AnnualPlan.objects.get(program=program, year=2029)
    data = {
        "version": plan.version,
        "budget_kcdp": "1.000.000.000",
        "budget_counterpart": "600.000.000",
        "budget_other": "",
        **_formset([(Activity.objects.get(code="01"), "kcdp", "400.000.000")]),
    }
    assert client.post(reverse("plan-edit", args=[plan.pk]), data).status_code == 302
    from programs.selectors import plan_budget_table, plan_list

    table = plan_budget_table(plan)
    assert (table["budget_total"], table["allocated_total"], table["remaining_total"]) == (
        1_000_000_000,
        400_000_000,
        600_000_000,
    )
    listed = plan_list(user=users["sct-sonla"]).get(pk=plan.pk)
    assert listed.budget_total == 1_000_000_000
    page = client.get(reverse("plan-detail", args=[plan.pk])).content.decode()
    assert "1.600.000.000" not in page  # KCĐP + counterpart, the old mixed total
    assert "600.000.000 ₫" in page  # the counterpart, on its own line


def test_overflow_is_explained_on_the_form_and_nothing_is_saved(client, users, sonla):
    client.force_login(users["sct-sonla"])
    plan = factories.draft_plan(sonla, year=2028, budget=B)
    before = list(plan.allocations.values_list("amount", flat=True))
    rows = [
        (Activity.objects.get(code="01"), "kcdp", str(B)),
        (Activity.objects.get(code="07"), "kcdp", "1"),
    ]
    data = {"version": plan.version, "budget_kcdp": str(B), **_formset(rows)}
    response = client.post(reverse("plan-edit", args=[plan.pk]), data)
    assert response.status_code == 400
    errors = response.context["budget_form"].non_field_errors()
    assert any("1 ₫" in e for e in errors)
    assert list(plan.allocations.values_list("amount", flat=True)) == before


def test_a_bad_amount_is_reported_next_to_its_field(client, users, sonla):
    client.force_login(users["sct-sonla"])
    plan = factories.draft_plan(sonla, year=2028, budget=B)
    rows = [(Activity.objects.get(code="01"), "kcdp", "ba trăm triệu")]
    response = client.post(
        reverse("plan-edit", args=[plan.pk]),
        {"version": plan.version, "budget_kcdp": str(B), **_formset(rows)},
    )
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["amount"]


def test_approval_through_the_page_needs_a_decision(client, users, sonla):
    client.force_login(users["sct-sonla"])
    plan = factories.draft_plan(sonla, year=2028, budget=B)
    client.post(reverse("plan-transition", args=[plan.pk]), {"action": "submit", "confirmed": "1"})
    response = client.post(
        reverse("plan-transition", args=[plan.pk]),
        {"action": "approve", "confirmed": "1"},
        follow=True,
    )
    assert AnnualPlan.objects.get(pk=plan.pk).status == "submitted"
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 2  # the decision number and date are both asked for
    client.post(
        reverse("plan-transition", args=[plan.pk]),
        {
            "action": "approve",
            "confirmed": "1",
            "decision_number": "77/QĐ-UBND",
            "decision_date": "20/11/2026",
        },
    )
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.decision_date.isoformat() == "2026-11-20"


def test_the_centre_sees_the_plan_but_gets_no_buttons(client, users, sonla):
    plan = factories.draft_plan(sonla, year=2028, budget=B)
    client.force_login(users["ttkc-sonla"])
    response = client.get(reverse("plan-detail", args=[plan.pk]))
    assert response.status_code == 200
    assert response.context["transitions"] == [] and not response.context["can_edit"]
    assert (
        client.post(
            reverse("plan-transition", args=[plan.pk]), {"action": "submit", "confirmed": "1"}
        ).status_code
        == 403
    )


def test_provincial_users_see_national_programs_read_only(client, users):
    client.force_login(users["sct-hanoi"])
    national = Program.objects.get(code="kcqg-2026-2030")
    assert client.get(reverse("program-detail", args=[national.pk])).status_code == 200
    assert client.get(reverse("program-update", args=[national.pk])).status_code == 403


def test_cap_calculator_applies_the_rule(client, users):
    client.force_login(users["sct-daklak"])
    response = client.get(
        reverse("cap-list"),
        {
            "activity": Activity.objects.get(code="03.1").pk,
            "level": "local",
            "on_date": "01/03/2026",
            "eligible_cost": "4.000.000.000",
            "requested": "900.000.000",
            "units": 1,
        },
    )
    result = response.context["result"]
    assert result.limit == 800_000_000 and not result.ok


@pytest.mark.parametrize("extra_plans", [0, 12])
def test_plan_pages_use_a_fixed_number_of_queries(
    client, users, sonla, extra_plans, django_assert_max_num_queries
):
    client.force_login(users["ministry"])
    for year in range(2026, 2026 + extra_plans // 3):
        for code in (1, 14, 66):
            factories.draft_plan(Province.objects.get(code=code), year=year)
    plan = factories.draft_plan(sonla, year=2030)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("plan-list")).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("plan-detail", args=[plan.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("program-list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("cap-list")).status_code == 200
