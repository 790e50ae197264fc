"""The automatic checks of a đề án, and their enforcement at submission and approval:
support caps at their boundaries, eligibility on both sides of 15/10/2025, double funding
across provinces and programmes, required documents, and the plan's allocation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from beneficiaries.models import LegalForm
from core.formatting import format_vnd
from programs.models import Activity, LegalDocument, SupportCap
from projects import checks, services
from projects.models import Attachment, Proposal
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.projects.factories import (
    DECIDED,
    S,
    advance,
    appraise,
    force_status,
    make_proposal,
    ministry,
    plan_for,
    plan_with,
    rebudget,
    staff_of,
    tmp_media,  # noqa: F401
    transition,
)
from tests.villages.factories import join, make_village

D = datetime.date
M = 1_000_000
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]


def check(proposal: Proposal, code: str, on_date=DECIDED) -> checks.Check:
    found = [c for c in checks.run_checks(proposal, on_date=on_date) if c.code == code]
    assert len(found) == 1, found
    return found[0]


def citation(number: str) -> str:
    return LegalDocument.objects.get(number=number).citation


DAKLAK_RULE = "NQ-HĐND-ĐẮK-LẮK-2025 (ví dụ)"


@pytest.fixture
def national_local_rule(world):
    """A national rule for local money (the examples have none): 50 %, at most 1,000
    million per model, Thông tư 28/2018/TT-BTC."""
    return SupportCap.objects.create(
        activity=Activity.objects.get(code="03.1"),
        level="local",
        province=None,
        max_percent=50,
        max_amount=1_000 * M,
        unit="model",
        effective_from=D(2018, 5, 15),
        legal_document=LegalDocument.objects.get(number="28/2018/TT-BTC"),
    )


# --- Support caps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cost, cap",
    [
        (1_000 * M, 300 * M),  # 30 % of the cost is the lower limit
        (4_000 * M, 800 * M),  # 800 million per model is the lower limit
    ],
)
def test_exactly_the_cap_passes_one_dong_more_fails_citing_the_rule(world, cost, cap):
    """Đắk Lắk's own rule for local money: 30 % of the cost, at most 800 million."""
    proposal = make_proposal(66, support=cap, counterpart=cost - cap)
    at_cap = check(proposal, "cap")
    assert at_cap.ok
    proposal = rebudget(proposal, support=cap + 1, counterpart=cost - cap - 1)
    over = check(proposal, "cap")
    assert not over.ok and over.blocking
    assert citation(DAKLAK_RULE) in over.message
    assert format_vnd(cap) in over.message  # the limit
    assert format_vnd(1) in over.message  # by how much


def test_submission_is_refused_one_dong_above_the_cap_and_allowed_at_it(world):
    proposal = make_proposal(66, support=300 * M + 1, counterpart=700 * M - 1)
    with pytest.raises(ValidationError) as exc:
        transition(proposal, staff_of(66), "submit")
    assert any(citation(DAKLAK_RULE) in m for m in exc.value.messages)
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT
    proposal = rebudget(proposal, support=300 * M, counterpart=700 * M)
    assert transition(proposal, staff_of(66), "submit").status == S.SUBMITTED


def test_a_provinces_own_rule_wins_over_the_national_one(world, national_local_rule):
    """The same budget (500 of 1,000 million) fits the national rule for local money
    (50 %) in Sơn La, which has no rule of its own, but not Đắk Lắk's lower one (30 %)."""
    sonla = make_proposal(14, support=500 * M, counterpart=500 * M)
    daklak = make_proposal(66, support=500 * M, counterpart=500 * M)
    assert check(sonla, "cap").ok
    assert citation("28/2018/TT-BTC") in check(sonla, "cap").message
    refused = check(daklak, "cap")
    assert not refused.ok and citation(DAKLAK_RULE) in refused.message
    sonla = rebudget(sonla, support=500 * M + 1, counterpart=500 * M - 1)
    refused = check(sonla, "cap")
    assert not refused.ok and citation("28/2018/TT-BTC") in refused.message


def test_the_rule_is_the_one_in_force_on_the_date_on_both_sides_of_its_start(
    world, national_local_rule
):
    """Đắk Lắk's rule is in force from 01/01/2025: the day before, the national rule for
    local money applies."""
    proposal = make_proposal(66, support=500 * M, counterpart=500 * M)
    day_before = check(proposal, "cap", on_date=D(2024, 12, 31))
    first_day = check(proposal, "cap", on_date=D(2025, 1, 1))
    assert day_before.ok and citation("28/2018/TT-BTC") in day_before.message
    assert not first_day.ok and citation(DAKLAK_RULE) in first_day.message


def test_approval_applies_the_cap_in_force_on_the_decision_date(world, national_local_rule):
    """A lower Sơn La rule in force until 20/11/2026: submitted today (the national rule
    applies), the đề án cannot be approved by a decision dated 20/11, but can be on 21/11."""
    sonla = Province.objects.get(code=14)
    document = LegalDocument.objects.create(
        number="12/2026/NQ-HĐND",
        doc_type="resolution",
        title="Mức hỗ trợ khuyến công tỉnh Sơn La",
        issuer="HĐND tỉnh Sơn La",
        signed_on=D(2026, 1, 5),
        effective_from=D(2026, 1, 15),
        province=sonla,
    )
    SupportCap.objects.create(
        activity=Activity.objects.get(code="03.1"),
        level="local",
        province=sonla,
        max_percent=30,
        max_amount=200 * M,
        unit="model",
        effective_from=D(2026, 1, 15),
        effective_to=D(2026, 11, 20),
        legal_document=document,
    )
    proposal = advance(make_proposal(14, support=300 * M, counterpart=700 * M), S.APPRAISED)
    sct = staff_of(14)
    with pytest.raises(ValidationError) as exc:
        transition(proposal, sct, "approve", decision_number="7/QĐ", decision_date=D(2026, 11, 20))
    assert any(document.citation in m for m in exc.value.messages)
    assert Proposal.objects.get(pk=proposal.pk).status == S.APPRAISED
    approved = transition(
        proposal, sct, "approve", decision_number="7/QĐ", decision_date=D(2026, 11, 21)
    )
    assert approved.status == S.APPROVED and approved.approved_kcdp == 300 * M


def test_a_cap_per_beneficiary_grows_with_the_beneficiaries(world):
    """Hải Phòng's rule (from Hải Dương): machinery 50 %, at most 250 million per
    establishment — 500 million for two, 250 million for one."""
    staff_of(31)
    group = make_proposal(
        31,
        kind="group",
        activity_code="03.2",
        beneficiaries=2,
        support=500 * M,
        counterpart=500 * M,
    )
    assert check(group, "cap").ok
    group = rebudget(group, support=500 * M + 1, counterpart=500 * M - 1)
    assert not check(group, "cap").ok
    single = make_proposal(31, activity_code="03.2", support=250 * M, counterpart=750 * M)
    assert check(single, "cap").ok
    single = rebudget(single, support=250 * M + 1, counterpart=750 * M - 1)
    assert not check(single, "cap").ok


def test_no_recorded_cap_is_a_warning_that_does_not_block(world):
    result = check(make_proposal(14), "cap")  # Sơn La, local money: no rule in the examples
    assert not result.ok and not result.blocking  # shown amber: nothing to check against
    from projects.checks import blocking_failures

    assert result not in blocking_failures([result])


# --- Eligibility on both sides of 15/10/2025 ------------------------------------------------


def beneficiary_of_kind(kind: str):
    if kind == "hanoi_ward":
        return BeneficiaryFactory(commune=commune_of(1, "phuong"))
    if kind == "hanoi_ward_craft_village":
        b = BeneficiaryFactory(commune=commune_of(1, "phuong"))
        join(make_village(1, name="Làng nghề mây tre đan Phú Vinh", commune=b.commune), b)
        return b
    if kind == "artisan":
        return BeneficiaryFactory(commune=commune_of(14), legal_form=LegalForm.ARTISAN)
    if kind == "hanoi_commune":
        return BeneficiaryFactory(commune=commune_of(1, "xa"))
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind, before, after",
    [
        ("hanoi_ward", False, False),  # a ward of a centrally-run city: neither rule
        ("hanoi_ward_craft_village", False, True),  # craft villages: only Decree 235
        ("artisan", False, True),  # artisans: only Decree 235
        ("hanoi_commune", True, True),  # a commune of Hà Nội: both rules
    ],
)
def test_eligibility_is_judged_by_the_rule_in_force_on_the_date(world, kind, before, after):
    b = beneficiary_of_kind(kind)
    proposal = make_proposal(1, national=True, year=2025, beneficiaries=[b])
    on_14 = check(proposal, "eligibility", on_date=D(2025, 10, 14))
    on_15 = check(proposal, "eligibility", on_date=D(2025, 10, 15))
    assert (on_14.ok, on_15.ok) == (before, after)
    if not on_14.ok:
        assert b.name in on_14.message and on_14.blocking


def test_the_eligibility_check_names_the_village_and_its_decision(world):
    """From 15/10/2025 a ward of Hà Nội is eligible only inside a village recognised on the
    date: the panel names the village and its decision; one read for all establishments."""
    ward = commune_of(1, "phuong")
    inside, outside = BeneficiaryFactory(commune=ward), BeneficiaryFactory(commune=ward)
    village = make_village(1, name="Làng lụa Vạn Phúc", commune=ward, decision_date=D(2015, 6, 1))
    join(village, inside, joined_on=D(2016, 1, 1))
    proposal = make_proposal(1, national=True, year=2025, kind="group", beneficiaries=[inside])
    ok = check(proposal, "eligibility", on_date=D(2025, 10, 15))
    assert ok.ok and "Làng lụa Vạn Phúc" in ok.message
    assert village.decision_number in ok.message and "01/06/2015" in ok.message
    before = check(proposal, "eligibility", on_date=D(2025, 10, 14))
    assert not before.ok and before.blocking  # before the amendment no ward of a city was
    both = make_proposal(1, national=True, year=2025, kind="group", beneficiaries=[inside, outside])
    failed = [
        c for c in checks.run_checks(both, on_date=D(2025, 10, 15)) if c.code == "eligibility"
    ]
    assert [c.ok for c in failed] == [False] and outside.name in failed[0].message


def test_a_ward_of_a_province_before_the_amendment_is_a_warning_to_verify(world):
    """Decree 45 covered wards of grade-1 cities only if converted from communes less than 5
    years before: the 2025 map cannot tell, so the check warns without blocking."""
    b = BeneficiaryFactory(commune=commune_of(14, "phuong"))
    proposal = make_proposal(14, beneficiaries=[b])
    rows = [
        c for c in checks.run_checks(proposal, on_date=D(2025, 10, 14)) if c.code == "eligibility"
    ]
    assert [(c.ok, c.blocking) for c in rows] == [(True, True), (False, False)]
    assert "5" in rows[1].message
    assert check(proposal, "eligibility", on_date=D(2025, 10, 15)).ok


def forwarded_with_ministry_appraisal(b) -> Proposal:
    proposal = make_proposal(1, national=True, year=2025, beneficiaries=[b])
    proposal = advance(proposal, S.FORWARDED)
    appraise(proposal, ministry())
    return proposal


@pytest.mark.parametrize("kind", ["hanoi_ward_craft_village", "artisan"])
def test_approval_dated_before_decree_235_is_refused_from_its_first_day_allowed(world, kind):
    """Submitted today (Decree 235 in force), a craft-village member in a Hà Nội ward or
    an artisan cannot be approved by a decision of 14/10/2025 — the old rule — but can be
    by one of 15/10/2025."""
    b = beneficiary_of_kind(kind)
    proposal = forwarded_with_ministry_appraisal(b)
    with pytest.raises(ValidationError) as exc:
        transition(
            proposal,
            ministry(),
            "ministry_approve",
            decision_number="1/QĐ-BCT",
            decision_date=D(2025, 10, 14),
        )
    assert any(b.name in m for m in exc.value.messages)
    assert Proposal.objects.get(pk=proposal.pk).status == S.FORWARDED
    approved = transition(
        proposal,
        ministry(),
        "ministry_approve",
        decision_number="2/QĐ-BCT",
        decision_date=D(2025, 10, 15),
    )
    assert approved.status == S.APPROVED
    assert approved.approved_versions.get().decision_date == D(2025, 10, 15)


def test_a_beneficiary_eligible_under_neither_rule_is_refused_throughout(world):
    b = beneficiary_of_kind("hanoi_ward")
    proposal = make_proposal(1, national=True, year=2025, beneficiaries=[b])
    with pytest.raises(ValidationError) as exc:
        transition(proposal, staff_of(1), "submit")
    assert any(b.name in m for m in exc.value.messages)
    # Even if it got as far as the ministry, neither date approves it.
    proposal = force_status(proposal, S.FORWARDED)
    appraise(proposal, ministry())
    for day in (D(2025, 10, 14), D(2025, 10, 15)):
        with pytest.raises(ValidationError):
            transition(
                proposal,
                ministry(),
                "ministry_approve",
                decision_number="3/QĐ-BCT",
                decision_date=day,
            )
    assert Proposal.objects.get(pk=proposal.pk).status == S.FORWARDED


# --- Double funding across provinces and programmes -----------------------------------------


def other_proposal(where: str, b) -> Proposal:
    if where == "another_province":
        return advance(make_proposal(1, beneficiaries=[b]), S.SUBMITTED)
    if where == "another_program":
        return advance(make_proposal(66, national=True, beneficiaries=[b]), S.APPROVED)
    raise AssertionError(where)


@pytest.mark.parametrize("where", ["another_province", "another_program"])
def test_double_funding_is_flagged_refused_without_justification_allowed_with_one(world, where):
    """The same establishment (one record per tax code) supported in the same activity
    group (03: 03.1 there, 03.2 here) and year by a đề án of Hà Nội's programme, or of the
    national programme in Đắk Lắk: Sơn La's đề án is warned while being entered, cannot be
    submitted without a justification, and can with one; the other đề án is named."""
    b = BeneficiaryFactory(commune=commune_of(1))
    other = other_proposal(where, b)
    proposal = make_proposal(14, activity_code="03.2", beneficiaries=[b])
    warning = check(proposal, "double_funding")
    assert not warning.ok and warning.blocking
    assert warning.related == (other,) and other.code in warning.message
    sct = staff_of(14)
    with pytest.raises(ValidationError) as exc:
        transition(proposal, sct, "submit")
    assert any(other.code in m for m in exc.value.messages)
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT
    proposal = services.proposal_save(
        proposal=proposal,
        actor=sct,
        expected_version=proposal.version,
        fields={"double_funding_justification": "Hỗ trợ nội dung khác: dây chuyền đóng gói."},
    )
    justified = check(proposal, "double_funding")
    assert justified.ok and other.code in justified.message
    assert transition(proposal, sct, "submit").status == S.SUBMITTED


@pytest.mark.parametrize("difference", ["other_group", "draft", "cancelled", "other_year"])
def test_no_double_funding_outside_the_same_group_period_and_active_state(world, difference):
    b = BeneficiaryFactory(commune=commune_of(1))
    if difference == "other_group":
        other = advance(make_proposal(1, activity_code="01", beneficiaries=[b]), S.SUBMITTED)
    elif difference == "draft":
        other = make_proposal(1, beneficiaries=[b])
    elif difference == "cancelled":
        other = transition(make_proposal(1, beneficiaries=[b]), staff_of(1), "cancel")
    else:
        other = advance(make_proposal(1, year=2028, beneficiaries=[b]), S.SUBMITTED)
    assert other.pk
    proposal = make_proposal(14, beneficiaries=[b])
    result = check(proposal, "double_funding")
    assert result.ok and result.related == ()


# --- Documents ------------------------------------------------------------------------------


def test_a_missing_required_document_is_named_and_blocks_submission(world):
    proposal = make_proposal(14)
    quote = Attachment.objects.get(proposal=proposal, document_type__code="bao-gia")
    assert check(proposal, "documents").ok
    services.attachment_remove(attachment=quote, actor=staff_of(14))
    missing = check(proposal, "documents")
    assert not missing.ok and quote.document_type.name in missing.message
    with pytest.raises(ValidationError):
        transition(Proposal.objects.get(pk=proposal.pk), staff_of(14), "submit")


def test_the_checklist_follows_the_activity_group(world):
    """Machinery quotes are asked of group 03 (so of 03.1), the trainee list of group 01."""
    demo = {d.code for d in checks.required_documents(make_proposal(14, activity_code="03.1"))}
    training = {d.code for d in checks.required_documents(make_proposal(14, activity_code="01"))}
    assert "bao-gia" in demo and "danh-sach-hoc-vien" not in demo
    assert "danh-sach-hoc-vien" in training and "bao-gia" not in training


# --- The plan's allocation ------------------------------------------------------------------


def approve(proposal: Proposal) -> Proposal:
    proposal = advance(proposal, S.APPRAISED)
    return transition(
        proposal, staff_of(14), "approve", decision_number="9/QĐ-UBND", decision_date=DECIDED
    )


def test_approval_up_to_the_remaining_allocation_and_not_one_dong_more(world):
    plan = plan_with(14, {"03.1": 500 * M})
    approve(make_proposal(14, plan=plan, support=200 * M, counterpart=800 * M))
    over = advance(
        make_proposal(14, plan=plan, support=300 * M + 1, counterpart=700 * M), S.APPRAISED
    )
    with pytest.raises(ValidationError) as exc:
        transition(over, staff_of(14), "approve", decision_number="9/QĐ", decision_date=DECIDED)
    assert any(format_vnd(300 * M) in m for m in exc.value.messages)  # what is left
    assert Proposal.objects.get(pk=over.pk).status == S.APPRAISED
    exact = make_proposal(14, plan=plan, support=300 * M, counterpart=700 * M)
    assert approve(exact).approved_kcdp == 300 * M


def test_submission_does_not_wait_for_the_allocation_approval_does(world):
    """The allocation is decided at approval: a đề án larger than what is left can be
    submitted and appraised (the plan may be amended meanwhile)."""
    plan = plan_with(14, {"03.1": 100 * M})
    proposal = make_proposal(14, plan=plan, support=200 * M, counterpart=800 * M)
    assert not check(proposal, "allocation").ok
    assert advance(proposal, S.APPRAISED).status == S.APPRAISED


def test_a_sub_activity_draws_only_on_its_own_allocation(world):
    """Money approved for machinery (03.2) does not use up the allocation of
    demonstration models (03.1) when the plan allocates them separately."""
    plan = plan_with(14, {"03.1": 500 * M, "03.2": 1_000 * M})
    approve(
        make_proposal(14, plan=plan, activity_code="03.2", support=900 * M, counterpart=900 * M)
    )
    model = make_proposal(14, plan=plan, support=500 * M, counterpart=1_000 * M)
    assert check(model, "allocation").ok
    assert approve(model).status == S.APPROVED


def test_an_allocation_to_the_group_is_shared_by_its_sub_activities(world):
    """The national plan allocates to the group 03: a 03.1 and a 03.2 đề án draw on the
    same money."""
    plan = plan_for(66, national=True, year=2028, budget=500 * M)
    first = make_proposal(66, plan=plan, support=300 * M, counterpart=700 * M)
    advance(first, S.APPROVED)
    second = make_proposal(
        66, plan=plan, activity_code="03.2", support=200 * M + 1, counterpart=800 * M
    )
    assert not check(second, "allocation").ok
    second = rebudget(second, support=200 * M, counterpart=800 * M)
    assert check(second, "allocation").ok


def test_an_approved_proposal_being_amended_keeps_its_money(world):
    """While an amendment is prepared the approved amount stays committed: the money is
    not free for another đề án until the amendment is decided or the đề án cancelled."""
    plan = plan_with(14, {"03.1": 500 * M})
    held = approve(make_proposal(14, plan=plan, support=300 * M, counterpart=700 * M))
    held = transition(held, staff_of(14), "amend")
    other = advance(make_proposal(14, plan=plan, support=300 * M, counterpart=700 * M), S.APPRAISED)
    with pytest.raises(ValidationError):
        transition(other, staff_of(14), "approve", decision_number="9/QĐ", decision_date=DECIDED)
    assert Proposal.objects.get(pk=other.pk).status == S.APPRAISED
    transition(held, staff_of(14), "submit")
    transition(Proposal.objects.get(pk=held.pk), staff_of(14), "cancel")
    approved = transition(
        other, staff_of(14), "approve", decision_number="9/QĐ", decision_date=DECIDED
    )
    assert approved.status == S.APPROVED
