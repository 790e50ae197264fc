"""Importing a province's past đề án: the dry run, the import in one transaction, history
marked as history, idempotence, corrected files, and a file with errors importing nothing."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from disbursement.models import Acceptance, Contract, Settlement, Tranche
from history.example import example_rows
from history.services import file_checksum, history_import
from history.validation import IMPORT_ACTION, history_check
from history.workbook import read_workbook, template_workbook
from programs.models import AnnualPlan, Program
from projects.models import Proposal, ProposalEvent
from reference.models import Province
from tests.projects.factories import staff

SONLA = 14


@pytest.fixture
def province(world):
    sonla = Province.objects.get(code=SONLA)
    Program.objects.get_or_create(
        code="kcdp-sla-2021-2025",
        defaults={
            "name": "Chương trình khuyến công tỉnh Sơn La giai đoạn 2021 - 2025",
            "level": "local",
            "province": sonla,
            "start_year": 2021,
            "end_year": 2025,
        },
    )
    return sonla


@pytest.fixture
def actor(province):
    return staff(SONLA)


def _file(rows: dict) -> bytes:
    return template_workbook(catalogue={}, examples=rows)


def _run(data: bytes, province, actor, *, dry_run=False):
    checked = history_check(read_workbook(data), province=province, actor=actor)
    summary = None
    if checked.ok:
        summary = history_import(
            checked=checked,
            actor=actor,
            file_name="ho-so-2021-2025.xlsx",
            checksum=file_checksum(data),
            dry_run=dry_run,
        )
    return checked, summary


def _imported():
    return Proposal.objects.filter(code__startswith="KC-SLA-")


@pytest.mark.django_db
def test_the_dry_run_counts_what_the_import_writes_and_writes_nothing(province, actor):
    rows = example_rows(province, proposals=12)
    data = _file(rows)
    checked, preview = _run(data, province, actor, dry_run=True)
    assert checked.errors == [], checked.errors
    assert not _imported().exists()
    assert not AnnualPlan.objects.filter(province=province, year=2022).exists()
    assert preview.created["proposals"] == 12
    assert preview.created["plans"] == 5
    assert preview.created["payments"] == len(rows["payments"])
    assert preview.created["settlements"] == len(rows["settlements"])
    # The import then writes exactly what the preview said.
    _checked, summary = _run(data, province, actor)
    assert summary.as_dict() == preview.as_dict()
    assert _imported().count() == 12


@pytest.mark.django_db
def test_imported_history_agrees_with_independent_sums_over_the_workbook(province, actor):
    rows = example_rows(province, proposals=40, seed=7)
    _checked, summary = _run(_file(rows), province, actor)
    assert summary.issues == []
    imported = _imported()
    # Counts per year and the approved KCĐP, from the workbook's own rows.
    by_year = Counter(r["year"] for r in rows["proposals"])
    assert Counter(imported.values_list("plan__year", flat=True)) == by_year
    approved = sum(d.get("kcdp", 0) for d in rows["decisions"])
    assert sum(imported.values_list("approved_kcdp", flat=True)) == approved
    paid = sum(p["amount"] for p in rows["payments"])
    assert (
        sum(Tranche.objects.filter(proposal__in=imported).values_list("amount", flat=True)) == paid
    )
    assert Contract.objects.filter(proposal__in=imported).count() == len(rows["contracts"])
    assert Acceptance.objects.filter(proposal__in=imported).count() == len(rows["acceptances"])
    assert Settlement.objects.filter(proposal__in=imported).count() == len(rows["settlements"])
    # Each đề án is in the state its records show.
    expected = Counter()
    for index in range(40):
        expected[("approved", "in_implementation", "accepted", "closed")[index % 4]] += 1
    assert Counter(imported.values_list("status", flat=True)) == expected
    # Codes and decision numbers are kept as written.
    first = rows["proposals"][0]
    proposal = imported.get(code=first["proposal_code"])
    assert proposal.decision_number == rows["decisions"][0]["number"]


@pytest.mark.django_db
def test_history_is_marked_by_an_import_event_with_the_file_and_no_notification(
    province, actor, mailoutbox
):
    rows = example_rows(province, proposals=4)
    data = _file(rows)
    _run(data, province, actor)
    for proposal in _imported():
        (event,) = proposal.events.all()
        assert event.action == IMPORT_ACTION
        assert event.changes["file"] == "ho-so-2021-2025.xlsx"
        assert event.changes["checksum"] == file_checksum(data)
        assert event.to_status == proposal.status
    assert mailoutbox == []


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(province, actor):
    data = _file(example_rows(province, proposals=8))
    _run(data, province, actor)
    events = ProposalEvent.objects.count()
    tranches = list(Tranche.objects.order_by("pk").values_list("pk", "amount"))
    _checked, again = _run(data, province, actor)
    assert again.writes == 0
    assert again.unchanged["proposals"] == 8
    assert ProposalEvent.objects.count() == events
    assert list(Tranche.objects.order_by("pk").values_list("pk", "amount")) == tranches


@pytest.mark.django_db
def test_a_corrected_file_updates_only_what_changed_with_the_change_in_the_timeline(
    province, actor
):
    rows = example_rows(province, proposals=8)
    _run(_file(rows), province, actor)
    corrected = copy.deepcopy(rows)
    corrected["proposals"][1]["title"] = "Tên đề án đã sửa"
    corrected["payments"][0]["amount"] -= 1_000_000
    _checked, summary = _run(_file(corrected), province, actor)
    assert summary.changed["proposals"] == 1 and summary.changed["payments"] == 1
    assert summary.writes == 2
    proposal = Proposal.objects.get(code=corrected["proposals"][1]["proposal_code"])
    event = proposal.events.order_by("-pk").first()
    assert event.action == IMPORT_ACTION
    assert event.changes["changed"]["title"]["after"] == "Tên đề án đã sửa"
    paid = Proposal.objects.get(code=corrected["payments"][0]["proposal_code"])
    change = paid.events.order_by("-pk").first().changes["changed"]["payments_changed"]
    voucher = corrected["payments"][0]["voucher"]
    assert change[voucher]["amount"]["after"] == corrected["payments"][0]["amount"]


@pytest.mark.django_db
def test_old_place_names_land_on_todays_commune_and_keep_the_name_as_written(province, actor):
    rows = example_rows(province, proposals=6)
    old = next(r for r in rows["proposals"] if r["district"])
    _run(_file(rows), province, actor)
    proposal = Proposal.objects.get(code=old["proposal_code"])
    (commune,) = proposal.communes.all()
    assert commune.province == province
    written = proposal.events.get(action=IMPORT_ACTION).changes["recorded_place"]
    assert written == f"{old['commune']}, {old['district']}"


@pytest.mark.django_db
def test_a_file_with_one_bad_row_in_each_sheet_imports_nothing_and_lists_every_error(
    province, actor
):
    rows = example_rows(province, proposals=8)
    bad = copy.deepcopy(rows)
    bad["plans"][0]["number"] = ""  # required
    bad["proposals"][0]["activity"] = "99.9"  # no such activity
    bad["beneficiaries"][0]["identifier"] = "0100109107"  # wrong check digit
    bad["budget"][0]["kcdp"] += 1  # sources no longer add up
    bad["outputs"][0]["indicator"] = "khong-co"
    bad["decisions"][1]["number"] = ""
    bad["contracts"][0]["kcdp"] = 10**13  # above the approved amount
    bad["payments"][0]["paid_on"] = bad["contracts"][0]["signed_on"].replace(year=2020)
    bad["acceptances"][0]["council"] = ""
    bad["liquidations"][0]["contract"] = "khác"
    bad["settlements"][0]["settled_on"] = bad["acceptances"][-1]["accepted_on"].replace(year=2019)
    checked, summary = _run(_file(bad), province, actor)
    assert summary is None and not _imported().exists()
    sheets_with_errors = {e.sheet for e in checked.errors}
    assert sheets_with_errors == {
        "Kế hoạch năm",
        "Đề án",
        "Cơ sở thụ hưởng",
        "Dự toán",
        "Kết quả",
        "Quyết định",
        "Hợp đồng",
        "Thanh toán",
        "Nghiệm thu",
        "Thanh lý hợp đồng",
        "Quyết toán",
    }
    assert all(e.row >= 2 and e.message for e in checked.errors)
    with pytest.raises(ValueError):
        history_import(checked=checked, actor=actor, file_name="x.xlsx", checksum="0")


@pytest.mark.django_db
def test_several_hundred_proposals_agree_with_the_dashboards_and_the_double_funding_check(
    province, actor, users
):
    """300 đề án over 2021–2025: the province dashboard's figures per year (from the
    summary tables the triggers keep) equal independent sums over the workbook, and an
    imported establishment supported again in the same activity group and year is found by
    the double-funding check."""
    from dashboards.selectors import province_dashboard
    from projects.checks import double_funding

    rows = example_rows(province, proposals=300, seed=11)
    _checked, summary = _run(_file(rows), province, actor)
    assert summary.created["proposals"] == 300
    year_of = {r["proposal_code"]: r["year"] for r in rows["proposals"]}
    expected = {year: {"count": 0, "approved": 0, "paid": 0} for year in range(2021, 2026)}
    for row in rows["proposals"]:
        expected[row["year"]]["count"] += 1
    for decision in rows["decisions"]:
        expected[year_of[decision["proposal_code"]]]["approved"] += decision.get("kcdp", 0)
    for payment in rows["payments"]:
        expected[year_of[payment["proposal_code"]]]["paid"] += payment["amount"]
    dashboard = province_dashboard(
        user=users["ministry"], province=province, filters={"year_from": 2021, "year_to": 2025}
    )
    shown = {
        int(row.key): {"count": row.m.count, "approved": row.m.approved, "paid": row.m.paid}
        for row in dashboard["years"]
    }
    assert shown == expected
    identifiers = {b["identifier"] for b in rows["beneficiaries"]}
    assert dashboard["total"].beneficiaries == len(identifiers)

    first = Proposal.objects.get(code=rows["proposals"][0]["proposal_code"])
    links = list(first.beneficiary_links.all())
    again = Proposal(
        plan=first.plan,
        activity=first.activity,
        start_date=first.start_date,
        end_date=first.end_date,
        province=province,
    )
    assert double_funding(again, links) == [first]
