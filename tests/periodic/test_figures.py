"""The figures of the periodic reports against an independent computation
(tests/periodic/scenario.py): by activity, source, kind and level, against the plan and
the programme's targets, with the same period of the year before; the national report adds
up the provinces' sent versions, frozen as sent."""

from __future__ import annotations

import datetime

import pytest

from periodic import figures, services
from periodic.models import PeriodicReport
from programs.models import PlanAllocation, ProgramTarget
from tests.periodic import scenario
from tests.periodic.scenario import M

pytestmark = pytest.mark.django_db


def _start(users, username, kind, year):
    user = users[username]
    return services.report_start(actor=user, kind=kind, province=user.agency.province, year=year)


def _check(row: dict, expected: dict) -> None:
    assert {k: row[k] for k in expected} == expected


def test_a_province_s_six_month_and_annual_figures(world, users):
    made = scenario.build()
    six = _start(users, "sct-sonla", "six_month", 2026)
    data = figures.compute(six)
    assert (data["start"], data["end"]) == ("2026-01-01", "2026-06-30")
    assert data["previous"] == ["2025-01-01", "2025-06-30"]
    _check(data["totals"], scenario.SONLA_SIX_MONTH_2026)
    # By source: KCQG and KCĐP apart, counterpart apart and never in the totals.
    sources = {s["source"]: s for s in data["sources"]}
    assert sources["kcqg"]["approved"] == 300 * M and sources["kcqg"]["paid_period"] == 0
    assert sources["kcdp"]["approved"] == 500 * M
    assert sources["kcdp"]["paid_period"] == 200 * M
    assert sources["counterpart"]["approved"] == 2300 * M
    # By kind and level.
    kinds = {k["code"]: k for k in data["kinds"]}
    assert kinds["group"]["funded"] == 1 and kinds["group"]["paid_period"] == 80 * M
    assert kinds["ordinary"]["funded"] == 2
    levels = {v["code"]: v for v in data["levels"]}
    assert levels["national"]["approved_kcqg"] == 300 * M
    assert levels["local"]["paid_period"] == 200 * M
    assert levels["national"]["prev_paid_period"] == 100 * M
    # By activity: all three 2026 đề án are of group 03; the allocations of the province's
    # approved 2026 plan, khuyến công funds only.
    activities = {a["code"]: a for a in data["activities"]}
    assert activities["03"]["funded"] == 3
    allocated = sum(
        a.amount
        for a in PlanAllocation.objects.filter(
            plan__province__code=14,
            plan__year=2026,
            plan__status__in=["approved", "amended"],
            source__in=["kcqg", "kcdp"],
        )
    )
    assert data["totals"]["allocated"] == allocated > 0
    # Outputs: C committed 10 and achieved 8 by 30/06/2026; the target is the programme's.
    output = next(o for o in data["outputs"] if o["code"] == made["indicator"].code)
    assert (output["planned"], output["achieved"], output["previous"]) == (10, 8, 0)
    target = ProgramTarget.objects.filter(program=six.program, indicator=made["indicator"]).first()
    assert output["target"] == (target.target_value if target else None)
    assert output["cumulative"] == 8
    assert data["beneficiaries"] == 4  # B, D: one each; C (a group): two

    annual = _start(users, "sct-sonla", "annual", 2026)
    data = figures.compute(annual)
    assert data["end"] == "2026-12-31"
    _check(data["totals"], scenario.SONLA_ANNUAL_2026)
    assert data["previous"] == ["2025-01-01", "2025-12-31"]
    # The rate against the plan compares the local plan's allocations with what its đề án
    # (B and C, not the national D) were paid: 120 + 60 + 80 million.
    assert data["totals"]["paid_in_plans"] == 260 * M


def test_a_six_month_report_counts_only_what_happened_by_the_period_s_end(world, users):
    made = scenario.build()
    report = _start(users, "sct-sonla", "six_month", 2026)
    data = figures.compute(report)
    # C was accepted on 20/06: inside. Had it been accepted after 30/06, it would not count.
    assert made["C"].acceptance.accepted_on <= datetime.date(2026, 6, 30)
    assert data["totals"]["paid"] == 200 * M  # D's payment of 25/11 is after the period


def test_the_national_report_adds_up_the_sent_versions_frozen_as_sent(
    world, users, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    scenario.build()
    from tests.periodic.test_flow import send

    sonla = _start(users, "sct-sonla", "six_month", 2026)
    sent = send(sonla, users["sct-sonla"])
    frozen = sent.figures
    _check(frozen["totals"], scenario.SONLA_SIX_MONTH_2026)
    national = services.report_start(
        actor=users["ministry"], kind="six_month", province=None, year=2026
    )
    data, used = services.live_figures(national)
    assert [v.pk for v in used] == [sent.pk]
    # Sơn La's sent figures (Đắk Lắk has not sent: its đề án E is not in the sum).
    assert data["totals"]["paid_period"] == scenario.SONLA_SIX_MONTH_2026["paid_period"]
    assert data["totals"]["funded"] == scenario.SONLA_SIX_MONTH_2026["funded"]
    assert [c["province"] for c in data["consolidated"]] == [sent.report.province.name]
    assert "Đắk Lắk" in " ".join(data["missing"]) and len(data["missing"]) == 33
    # A payment recorded after Sơn La sent does not move the sent figures.
    scenario._pay(scenario_proposal("Đề án B"), 10 * M, datetime.date(2026, 6, 1), "kcdp")
    data_after, _ = services.live_figures(national)
    assert data_after["totals"]["paid_period"] == data["totals"]["paid_period"]
    assert figures.compute(sonla)["totals"]["paid_period"] == 210 * M  # live: it moved

    # Once Đắk Lắk sends, the national report adds it and no longer lists it as missing.
    daklak = _start(users, "sct-daklak", "six_month", 2026)
    send(daklak, users["sct-daklak"])
    data, used = services.live_figures(national)
    assert len(used) == 2 and len(data["missing"]) == 32
    assert (
        data["totals"]["paid_period"]
        == scenario.SONLA_SIX_MONTH_2026["paid_period"]
        + scenario.DAKLAK_SIX_MONTH_2026["paid_period"]
    )


def scenario_proposal(title):
    from projects.models import Proposal

    return Proposal.objects.get(title=title)


def test_a_period_summary_has_the_program_s_years_by_activity(world, users):
    scenario.build()
    user = users["sct-sonla"]
    program = services.default_program(user.agency.province, 2026)
    report = services.report_start(
        actor=user, kind="period_summary", province=user.agency.province, year=0, program=program
    )
    assert report.year == program.end_year
    data = figures.compute(report)
    assert (data["start"], data["end"]) == (
        f"{program.start_year}-01-01",
        f"{program.end_year}-12-31",
    )
    years = {y["year"]: y for y in data["years"]}
    assert list(years) == list(program.years)
    assert years[2026]["funded"] == 3
    assert years[2026]["approved"] == 800 * M
    assert years[2026]["paid"] == 460 * M
    assert years[2026]["activities"]["03"]["funded"] == 3
    assert data["previous"] is None
    assert PeriodicReport.objects.filter(kind="period_summary").count() == 1


def test_the_national_period_summary_covers_every_province(world, users):
    made = scenario.build()
    program = services.default_program(None, 2026)
    report = services.report_start(
        actor=users["ministry"], kind="period_summary", province=None, year=0, program=program
    )
    data = figures.compute(report)
    years = {y["year"]: y for y in data["years"]}
    # B, C, D of Sơn La and E of Đắk Lắk; paid 460 + 90 million by the period's end.
    assert years[2026]["funded"] == 4
    assert years[2026]["approved"] == 1100 * M
    assert years[2026]["paid"] == 550 * M == data["totals"]["paid"]
    output = next(o for o in data["outputs"] if o["code"] == made["indicator"].code)
    assert output["by_year"] == {"2026": 8}
