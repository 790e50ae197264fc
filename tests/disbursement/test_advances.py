"""Advances by activity group (Thông tư 36/2013/TT-BCT, programs.AdvanceLimit): the rule
that applies, each limit at its boundary at request and at payment, the "more than half of
the work done" condition, and the trigger of disbursement/sql/advance_limits.sql that
holds them for any other writer."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from disbursement import services
from disbursement.models import Tranche
from programs import catalogue, rules
from programs.models import Activity, AdvanceLimit, LegalDocument
from projects.models import Proposal
from reference.models import Province
from tests.disbursement.factories import D, M, centre, pay
from tests.disbursement.test_rules import db_refuses, messages, raw_tranche
from tests.projects.factories import advance, make_proposal, ministry

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(world):
    """The catalogue's advance limits (a flushed database gets them back)."""
    catalogue.advance_limits_load(django_apps)


def national(activity_code: str, support: int = 300 * M):
    """An approved national đề án of ``activity_code``, its contract signed by the
    ministry department (KCQG ``support``)."""
    proposal = advance(make_proposal(14, national=True, support=support), "approved")
    # The test plan allocates to group 03 only: the activity is set once approved.
    Proposal.objects.filter(pk=proposal.pk).update(
        activity=Activity.objects.get(code=activity_code)
    )
    proposal.refresh_from_db()
    services.contract_sign(
        proposal=proposal,
        actor=ministry(),
        number="01/2026/HĐ-KCQG",
        signed_on=D,
        parties="Cục Công Thương địa phương và TTKC Sơn La",
        amounts=proposal.approved_by_source(),
    )
    proposal.refresh_from_db()
    return proposal


def advance_kcqg(proposal, amount, *, actor=None, paid_on=D):
    return pay(
        proposal, amount, kind="advance", source="kcqg", actor=actor or ministry(), paid_on=paid_on
    )


def progress(proposal, percent, *, actor=None, on=D):
    return services.progress_record(
        proposal=proposal, actor=actor or ministry(), reported_on=on, percent_done=percent
    )


# --- which rule applies ------------------------------------------------------------------


def test_the_rule_follows_the_activity_group_and_the_source(limits):
    training = make_proposal(14, national=True, activity_code="01")
    cluster = make_proposal(14, national=True, activity_code="08.2")
    model = make_proposal(14, national=True, activity_code="03.1")
    rule = rules.advance_limit(training, "kcqg", D)
    assert (rule.percent, rule.requires_more_than_half_done) == (70, False)
    assert rule.legal_document.number == "36/2013/TT-BCT"
    rule = rules.advance_limit(cluster, "kcqg", D)
    assert (rule.percent, rule.requires_more_than_half_done) == (30, True)
    # What the texts found say nothing of: no rule (the portal's setting applies).
    assert rules.advance_limit(model, "kcqg", D) is None
    # National rules are for national funds; counterpart money has none.
    assert rules.advance_limit(training, "kcdp", D) is None
    assert rules.advance_limit(training, "counterpart", D) is None
    # Before the circular was signed, no rule.
    assert rules.advance_limit(training, "kcqg", datetime.date(2013, 12, 1)) is None


def test_a_provinces_rule_for_its_local_funds_wins(limits):
    local = make_proposal(14, activity_code="03.1")
    assert rules.advance_limit(local, "kcdp", D) is None
    basis = LegalDocument.objects.get(number="28/2018/TT-BTC")
    group = Activity.objects.get(code="03")
    AdvanceLimit.objects.create(
        activity=None, level="local", percent=40, legal_document=basis, valid_from=D
    )
    AdvanceLimit.objects.create(
        activity=group,
        level="local",
        province=Province.objects.get(code=14),
        percent=25,
        legal_document=basis,
        article="Điều 5",
        valid_from=D,
    )
    assert rules.advance_limit(local, "kcdp", D).percent == 25  # the group, of the province
    other = make_proposal(66, activity_code="03.1")
    assert rules.advance_limit(other, "kcdp", D).percent == 40  # every other activity
    assert rules.advance_amount_limit(rules.advance_limit(local, "kcdp", D), 300 * M) == 75 * M


# --- 70 %: training, consulting, ... -----------------------------------------------------


def test_seventy_percent_exactly_passes_one_dong_more_is_refused(limits):
    proposal = national("01")  # KCQG 300 million: advances up to 210 million
    advance_kcqg(proposal, 200 * M)
    with pytest.raises(ValidationError) as caught:
        advance_kcqg(proposal, 10 * M + 1)
    text = messages(caught)
    assert "70" in text and "Thông tư số 36/2013/TT-BCT" in text
    advance_kcqg(proposal, 10 * M)
    assert services.advanced_by_source(proposal, "kcqg") == 210 * M
    pay(proposal, 1, source="kcqg", actor=ministry())  # a payment is not an advance


def test_the_limit_is_rounded_down_to_the_dong(limits):
    proposal = national("06", support=300 * M - 1)  # 70 % = 209 999 999,3
    with pytest.raises(ValidationError):
        advance_kcqg(proposal, 210 * M - 1 + 1)
    advance_kcqg(proposal, 210 * M - 1)


def test_requested_advances_count_and_the_one_paid_is_not_counted_twice(limits):
    proposal = national("01")
    requested = services.tranche_request(
        proposal=proposal,
        actor=ministry(),
        kind="advance",
        source="kcqg",
        amount=210 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    with pytest.raises(ValidationError):  # the request waiting counts
        services.tranche_request(
            proposal=proposal,
            actor=ministry(),
            kind="advance",
            source="kcqg",
            amount=1,
            idempotency_key=uuid.uuid4().hex,
        )
    admin = type(ministry()).objects.get(username="admin")
    services.tranche_approve(tranche=requested, actor=admin)
    paid = services.tranche_pay(tranche=requested, actor=ministry(), paid_on=D, voucher_number="PC")
    assert paid.status == Tranche.Status.PAID


def test_a_reversed_advance_frees_its_share(limits):
    proposal = national("01")
    mistaken = advance_kcqg(proposal, 210 * M)
    services.tranche_reverse(
        tranche=mistaken, actor=ministry(), reason="Chi nhầm", idempotency_key=uuid.uuid4().hex
    )
    assert services.advanced_by_source(proposal, "kcqg") == 0
    advance_kcqg(proposal, 210 * M)


# --- 30 %: cluster infrastructure, only after more than half of the work -----------------


def test_thirty_percent_only_once_more_than_half_of_the_work_is_done(limits):
    proposal = national("08.2")  # KCQG 300 million: 90 million, after > 50 % done
    with pytest.raises(ValidationError) as caught:
        advance_kcqg(proposal, 1)
    assert "tiến độ" in messages(caught)  # no progress report yet
    progress(proposal, 50)
    with pytest.raises(ValidationError) as caught:
        advance_kcqg(proposal, 1)
    assert "50 %" in messages(caught)  # exactly half is not more than half
    progress(proposal, 51)
    with pytest.raises(ValidationError) as caught:
        advance_kcqg(proposal, 90 * M + 1)
    assert "30" in messages(caught)
    advance_kcqg(proposal, 90 * M)


def test_the_latest_progress_report_counts(limits):
    proposal = national("08.2")
    progress(proposal, 60)
    progress(proposal, 40)  # the same day, corrected down: the later one counts
    with pytest.raises(ValidationError):
        advance_kcqg(proposal, 1)
    assert services.latest_progress(proposal).percent_done == 40


def test_progress_is_a_share_of_the_work_reported_during_implementation(limits):
    proposal = national("08.2")
    with pytest.raises(ValidationError) as caught:
        progress(proposal, 101)
    assert "100" in messages(caught)
    with pytest.raises(ValidationError):
        progress(proposal, 60, on=datetime.date(2026, 1, 1))  # before the contract
    # The implementing side of the province reports its progress, also on a national đề án
    # (it does not record the KCQG payments); another province does not.
    with pytest.raises(PermissionDenied):
        progress(proposal, 60, actor=centre(66))
    with pytest.raises(PermissionDenied):
        advance_kcqg(proposal, 1, actor=centre())
    assert progress(proposal, 60, actor=centre()).percent_done == 60


# --- the database holds them for any other writer ----------------------------------------


def test_the_database_refuses_advances_beyond_the_rule(limits):
    proposal = national("01")
    contract = proposal.contracts.get(active=True)
    raw_tranche(contract, 210 * M, kind="advance", source="kcqg")
    error = db_refuses(lambda: raw_tranche(contract, 1, kind="advance", source="kcqg"))
    assert "advance_within_limit" in error or "exceed 70" in error


def test_the_database_refuses_an_advance_before_half_of_the_work(limits):
    proposal = national("08.2")
    contract = proposal.contracts.get(active=True)
    error = db_refuses(lambda: raw_tranche(contract, 1, kind="advance", source="kcqg"))
    assert "half of the work" in error
    progress(proposal, 51)
    raw_tranche(contract, 90 * M, kind="advance", source="kcqg")


# --- on the page -------------------------------------------------------------------------


def test_the_tranche_forms_show_the_limit_and_refuse_above_it_in_vietnamese(limits, client):
    proposal = national("01")
    advance_kcqg(proposal, 100 * M)
    client.force_login(ministry())
    url = reverse("proposal-money", args=[proposal.pk])
    body = client.get(url).content.decode()
    assert 'data-testid="advance-limits"' in body
    assert "210.000.000" in body and "110.000.000" in body  # at most, still possible
    assert "Thông tư số 36/2013/TT-BCT" in body
    response = client.post(
        url,
        {
            "form": "request",
            "request-kind": "advance",
            "request-source": "kcqg",
            "request-amount": "110.000.001",
            "request-idempotency_key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tạm ứng tối đa 70 %" in text and "đã tạm ứng" in text.lower()
    assert not Tranche.objects.filter(proposal=proposal, status="requested").exists()


def test_a_cluster_page_says_the_advance_waits_for_progress(limits, client):
    proposal = national("08.2")
    client.force_login(ministry())
    url = reverse("proposal-money", args=[proposal.pk])
    assert 'data-testid="advance-waits"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "form": "progress",
            "progress-reported_on": "21/11/2026",
            "progress-percent_done": "120",
        },
    )
    assert response.status_code == 400
    assert "100" in response.content.decode()  # the field's Vietnamese error
    response = client.post(
        url,
        {
            "form": "progress",
            "progress-reported_on": "21/11/2026",
            "progress-percent_done": "55",
            "progress-note": "Hoàn thành san nền, đường nội bộ",
        },
    )
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert 'data-testid="advance-waits"' not in body and 'data-testid="progress-report"' in body
    # The centre of the province sees the progress form, not the payment forms.
    client.force_login(centre())
    body = client.get(url).content.decode()
    assert 'data-testid="form-progress"' in body and 'data-testid="form-payment"' not in body


def test_an_amendment_cannot_leave_the_advances_above_their_limit(limits):
    proposal = national("01")
    advance_kcqg(proposal, 210 * M)
    contract = proposal.contracts.get(active=True)
    lower = {**contract.amounts(), "kcqg": 300 * M - 1}  # 70 % = 209 999 999,3
    with pytest.raises(ValidationError) as caught:
        services.contract_amend(contract=contract, actor=ministry(), amounts=lower, reason="Giảm")
    assert "Thông tư số 36/2013/TT-BCT" in messages(caught)
    services.contract_amend(
        contract=contract,
        actor=ministry(),
        amounts={**contract.amounts(), "kcqg": 300 * M},
        reason="Ký lại",
    )
