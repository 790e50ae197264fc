"""Each money rule at its boundary: the limit itself passes, one đồng more is refused by
the service (a ValidationError naming the source) and, for a writer that goes around the
services, by the deferred triggers of disbursement/sql/money_rules.sql (checked here
immediately)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from disbursement import services
from disbursement.models import Acceptance, Contract, Settlement, Tranche
from projects.models import ProposalEvent
from tests.disbursement.factories import D, M, approved, centre, contracted, liquidated, pay
from tests.projects.factories import force_status, make_proposal, ministry, staff, user_with

pytestmark = pytest.mark.django_db


def db_refuses(write) -> str:
    """Run a direct write with the deferred triggers checked at once; return the error."""
    with pytest.raises(IntegrityError) as caught:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            write()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return str(caught.value)


def raw_tranche(contract: Contract, amount: int, **fields) -> Tranche:
    return Tranche.objects.create(
        proposal=contract.proposal,
        contract=contract,
        kind=fields.pop("kind", "payment"),
        source=fields.pop("source", "kcdp"),
        amount=amount,
        status="paid",
        paid_on=D,
        idempotency_key=uuid.uuid4().hex,
        recorded_by=contract.recorded_by,
        **fields,
    )


def messages(exc) -> str:
    return " ".join(exc.value.messages)


# --- contracted ≤ approved -------------------------------------------------------------


def test_contract_at_the_approved_amount_passes_one_dong_more_is_refused(world):
    proposal = approved()
    over = {**proposal.approved_by_source(), "kcdp": proposal.approved_kcdp + 1}
    with pytest.raises(ValidationError) as caught:
        contracted(proposal, amounts=over)
    assert "KCĐP" in messages(caught)
    assert not Contract.objects.filter(proposal=proposal).exists()
    contract = contracted(proposal)
    assert contract.kcdp == proposal.approved_kcdp == 300 * M
    error = db_refuses(lambda: Contract.objects.filter(pk=contract.pk).update(kcdp=300 * M + 1))
    assert "exceeds the approved amounts" in error


# --- nothing paid before approval and a contract ---------------------------------------


def test_nothing_is_paid_before_approval_or_without_a_contract(world):
    draft = make_proposal(14)
    with pytest.raises(ValidationError) as caught:
        pay(draft, 1)
    assert "phê duyệt" in messages(caught)  # "…before the proposal is approved…"
    proposal = approved()
    with pytest.raises(ValidationError):  # approved, but no contract signed yet
        pay(proposal, 1)
    without_contract = force_status(approved(), "in_implementation")
    with pytest.raises(ValidationError) as caught:
        pay(without_contract, 1)
    assert "ký hợp đồng" in messages(caught)  # "sign the contract first"
    assert not Tranche.objects.exists()


def test_the_database_refuses_payments_without_approval_or_contract(world):
    contract = contracted()
    raw_tranche(contract, 10 * M)
    proposal = contract.proposal
    error = db_refuses(lambda: Contract.objects.filter(pk=contract.pk).update(active=False))
    assert "no contract in force" in error
    error = db_refuses(lambda: force_status(proposal, "appraised"))
    assert "is not approved" in error


# --- advances --------------------------------------------------------------------------


def test_advance_up_to_the_configured_share_of_the_contract(world):
    proposal = contracted().proposal  # KCĐP 300 million: advances up to 150 million
    pay(proposal, 100 * M, kind="advance")
    pay(proposal, 50 * M, kind="advance")
    with pytest.raises(ValidationError) as caught:
        pay(proposal, 1, kind="advance")
    assert "KCĐP" in messages(caught) and "50%" in messages(caught)
    pay(proposal, 1, kind="payment")  # a payment is not an advance


def test_advance_share_comes_from_the_settings(world, settings):
    settings.DISBURSEMENT_ADVANCE_MAX_SHARE = "0.3"
    proposal = contracted().proposal
    with pytest.raises(ValidationError):
        pay(proposal, 90 * M + 1, kind="advance")
    pay(proposal, 90 * M, kind="advance")


def test_an_advance_requested_at_the_limit_can_be_paid(world):
    """The tranche being paid is not counted twice against the advance limit."""
    proposal = contracted().proposal
    tranche = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="advance",
        source="kcdp",
        amount=150 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    services.tranche_approve(tranche=tranche, actor=staff(14))
    paid = services.tranche_pay(tranche=tranche, actor=centre(), paid_on=D, voucher_number="PC-1")
    assert paid.status == "paid"


# --- paid ≤ contracted -----------------------------------------------------------------


def test_paid_up_to_the_contract_passes_one_dong_more_is_refused(world):
    contract = contracted()
    proposal = contract.proposal
    pay(proposal, 300 * M)
    pay(proposal, 700 * M, source="counterpart")
    with pytest.raises(ValidationError) as caught:
        pay(proposal, 1)
    assert "KCĐP" in messages(caught)
    assert services.paid_by_source(proposal) == {
        "kcqg": 0,
        "kcdp": 300 * M,
        "counterpart": 700 * M,
        "other": 0,
    }
    assert "exceed the contract" in db_refuses(lambda: raw_tranche(contract, 1))


def test_pending_tranches_count_against_what_is_left(world):
    proposal = contracted().proposal
    requested = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=150 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    second = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=50 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    services.tranche_approve(tranche=second, actor=staff(14))
    with pytest.raises(ValidationError) as caught:
        pay(proposal, 100 * M + 1)
    assert "đang chờ chi" in messages(caught)  # the pending amount is named
    with pytest.raises(ValidationError):
        services.tranche_request(
            proposal=proposal,
            actor=centre(),
            kind="payment",
            source="kcdp",
            amount=100 * M + 1,
            idempotency_key=uuid.uuid4().hex,
        )
    pay(proposal, 100 * M)
    services.tranche_reject(tranche=requested, actor=staff(14), reason="Sai chứng từ")
    pay(proposal, 150 * M)  # the rejected request no longer holds the money


# --- acceptance and settlement ---------------------------------------------------------


def accept(proposal, kcdp, counterpart=0):
    return services.acceptance_record(
        proposal=proposal,
        actor=centre(),
        accepted_on=D,
        council="Hội đồng nghiệm thu",
        result="passed",
        amounts={"kcdp": kcdp, "counterpart": counterpart},
    )


def test_settlement_payment_only_after_acceptance(world):
    proposal = contracted().proposal
    pay(proposal, 200 * M)
    with pytest.raises(ValidationError) as caught:
        pay(proposal, 50 * M, kind="settlement")
    assert "sau khi nghiệm thu" in messages(caught)
    accept(proposal, 300 * M)
    tranche = pay(proposal, 50 * M, kind="settlement")
    assert tranche.kind == "settlement" and tranche.status == "paid"


def test_acceptance_up_to_the_contract(world):
    contract = contracted()
    proposal = contract.proposal
    with pytest.raises(ValidationError) as caught:
        accept(proposal, 300 * M + 1)
    assert "KCĐP" in messages(caught)
    acceptance = accept(proposal, 300 * M)
    error = db_refuses(lambda: Acceptance.objects.filter(pk=acceptance.pk).update(kcdp=300 * M + 1))
    assert "acceptance of proposal" in error


def test_settlement_up_to_the_accepted_amount(world):
    proposal = contracted().proposal
    pay(proposal, 260 * M)
    accept(proposal, 250 * M)
    liquidated(proposal, {"kcdp": 250 * M})
    with pytest.raises(ValidationError) as caught:
        services.settlement_record(
            proposal=proposal,
            actor=centre(),
            settled_on=D,
            decision_number="QT-1",
            amounts={"kcdp": 250 * M + 1},
        )
    assert "KCĐP" in messages(caught)
    settlement = services.settlement_record(
        proposal=proposal,
        actor=centre(),
        settled_on=D,
        decision_number="QT-1",
        amounts={"kcdp": 250 * M},
    )
    assert settlement.returned_kcdp == 10 * M
    error = db_refuses(lambda: Settlement.objects.filter(pk=settlement.pk).update(kcdp=250 * M + 1))
    assert "exceeds the accepted amounts" in error


def test_settlement_before_acceptance_is_refused(world):
    proposal = contracted().proposal
    with pytest.raises(ValidationError):
        services.settlement_record(
            proposal=proposal,
            actor=centre(),
            settled_on=D,
            decision_number="QT-1",
            amounts={"kcdp": 1},
        )
    assert not Settlement.objects.exists()


# --- contract amendment ----------------------------------------------------------------


def test_amendment_keeps_the_old_version_within_paid_and_approved(world):
    contract = contracted(amounts={"kcdp": 200 * M, "counterpart": 500 * M})
    proposal = contract.proposal
    pay(proposal, 120 * M)
    amend = dict(contract=contract, actor=centre(), reason="Điều chỉnh khối lượng")
    with pytest.raises(ValidationError) as caught:
        services.contract_amend(**amend, amounts={"kcdp": 120 * M - 1, "counterpart": 500 * M})
    assert "KCĐP" in messages(caught)
    with pytest.raises(ValidationError) as caught:
        services.contract_amend(**amend, amounts={"kcdp": 300 * M + 1, "counterpart": 500 * M})
    assert "KCĐP" in messages(caught)
    new = services.contract_amend(**amend, amounts={"kcdp": 120 * M, "counterpart": 700 * M})
    old = Contract.objects.get(pk=contract.pk)
    assert not old.active and old.kcdp == 200 * M and old.version == 1
    assert new.active and new.version == 2 and new.amendment_reason
    assert services.active_contract(proposal) == new
    with pytest.raises(ValidationError):
        pay(proposal, 1)  # the new contract is all paid
    with pytest.raises(ValidationError):  # only the contract in force is amended
        services.contract_amend(**amend, amounts={"kcdp": 300 * M})


# --- idempotency and reversal ----------------------------------------------------------


def test_the_same_key_records_one_tranche(world):
    proposal = contracted().proposal
    key = uuid.uuid4().hex
    first = pay(proposal, 10 * M, key=key)
    again = pay(proposal, 10 * M, key=key)
    assert first.pk == again.pk
    assert Tranche.objects.filter(idempotency_key=key).count() == 1
    assert ProposalEvent.objects.filter(proposal=proposal, action="payment").count() == 1
    other = contracted(approved(title="Đề án khác")).proposal
    with pytest.raises(ValidationError) as caught:
        pay(other, 10 * M, key=key)
    assert "đề án khác" in messages(caught)
    assert not Tranche.objects.filter(proposal=other).exists()


def test_reversal_is_a_negative_record_once_and_frees_the_money(world):
    proposal = contracted().proposal
    original = pay(proposal, 300 * M)
    reversal = services.tranche_reverse(
        tranche=original, actor=staff(14), reason="Sai số tài khoản", idempotency_key="rev-1"
    )
    original.refresh_from_db()
    assert reversal.kind == "reversal" and reversal.amount == -300 * M
    assert reversal.reverses_id == original.pk and original.status == "reversed"
    assert services.paid_by_source(proposal)["kcdp"] == 0
    assert (
        services.tranche_reverse(  # a retry of the same form
            tranche=original, actor=staff(14), reason="Sai số tài khoản", idempotency_key="rev-1"
        ).pk
        == reversal.pk
    )
    with pytest.raises(ValidationError):
        services.tranche_reverse(
            tranche=original, actor=staff(14), reason="Lần nữa", idempotency_key="rev-2"
        )
    with pytest.raises(ValidationError):
        services.tranche_reverse(
            tranche=reversal, actor=staff(14), reason="Đảo bút toán đảo", idempotency_key="rev-3"
        )
    assert Tranche.objects.filter(kind="reversal").count() == 1
    pay(proposal, 300 * M)  # the amount can be paid again
    assert services.paid_by_source(proposal)["kcdp"] == 300 * M


def test_a_reversed_advance_frees_the_advance_share(world):
    proposal = contracted().proposal
    advance = pay(proposal, 150 * M, kind="advance")
    services.tranche_reverse(
        tranche=advance, actor=centre(), reason="Chuyển nhầm", idempotency_key="rev-a"
    )
    pay(proposal, 150 * M, kind="advance")


# --- request → approve → pay, reject ---------------------------------------------------


def test_request_approve_by_another_person_then_pay(world):
    proposal = contracted().proposal
    tranche = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=80 * M,
        idempotency_key="req-1",
    )
    assert tranche.status == "requested"
    with pytest.raises(ValidationError):
        services.tranche_pay(tranche=tranche, actor=centre(), paid_on=D, voucher_number="PC-9")
    with pytest.raises(ValidationError):
        services.tranche_approve(tranche=tranche, actor=centre())  # not the requester
    tranche = services.tranche_approve(tranche=tranche, actor=staff(14))
    assert tranche.status == "approved" and tranche.approved_by == staff(14)
    with pytest.raises(ValidationError):
        services.tranche_pay(tranche=tranche, actor=centre(), paid_on=D, voucher_number=" ")
    tranche = services.tranche_pay(
        tranche=tranche, actor=centre(), paid_on=D, voucher_number="PC-9"
    )
    assert tranche.status == "paid" and tranche.paid_on == D
    assert services.paid_by_source(proposal)["kcdp"] == 80 * M


def test_reject_a_request(world):
    proposal = contracted().proposal
    tranche = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=80 * M,
        idempotency_key="req-2",
    )
    with pytest.raises(ValidationError):
        services.tranche_reject(tranche=tranche, actor=staff(14), reason=" ")
    tranche = services.tranche_reject(tranche=tranche, actor=staff(14), reason="Thiếu hồ sơ")
    assert tranche.status == "rejected"
    with pytest.raises(ValidationError):
        services.tranche_approve(tranche=tranche, actor=staff(14))
    assert services.paid_by_source(proposal)["kcdp"] == 0


def test_only_known_kinds_are_paid(world):
    proposal = contracted().proposal
    with pytest.raises(ValidationError):
        pay(proposal, 1, kind="reversal")


def test_no_payment_dated_before_the_contract(world):
    proposal = contracted().proposal
    with pytest.raises(ValidationError):
        pay(proposal, 1, paid_on=D.replace(day=D.day - 1))


# --- who may act -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ministry", "other_province", "inspector"])
def test_only_the_province_records_money(world, who):
    proposal = approved()
    outsider = {
        "ministry": ministry,
        "other_province": lambda: staff(1, role="centre_staff"),
        "inspector": lambda: user_with("inspector", 14),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.contract_sign(
            proposal=proposal,
            actor=outsider,
            number="X",
            signed_on=D,
            parties="X",
            amounts=proposal.approved_by_source(),
        )
    contract = contracted(proposal)
    paid = pay(proposal, 10 * M, key="known-key")
    for attempt in (
        lambda: pay(proposal, 10 * M, actor=outsider),
        lambda: pay(proposal, 10 * M, actor=outsider, key="known-key"),
        lambda: services.tranche_request(
            proposal=proposal,
            actor=outsider,
            kind="payment",
            source="kcdp",
            amount=1,
            idempotency_key="x",
        ),
        lambda: services.tranche_reverse(
            tranche=paid, actor=outsider, reason="x", idempotency_key="y"
        ),
        lambda: services.contract_amend(
            contract=contract, actor=outsider, amounts={"kcdp": 1}, reason="x"
        ),
        lambda: (
            accept(proposal, 1)
            if False
            else services.acceptance_record(
                proposal=proposal,
                actor=outsider,
                accepted_on=D,
                council="x",
                result="passed",
                amounts={},
            )
        ),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert Tranche.objects.count() == 1


# --- the timeline ----------------------------------------------------------------------


def test_every_service_writes_an_event(world):
    proposal = approved()
    contract = contracted(proposal)
    contract = services.contract_amend(
        contract=contract, actor=centre(), amounts=proposal.approved_by_source(), reason="Ký lại"
    )
    tranche = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=10 * M,
        idempotency_key="ev-1",
    )
    services.tranche_approve(tranche=tranche, actor=staff(14))
    services.tranche_pay(tranche=tranche, actor=centre(), paid_on=D, voucher_number="PC-1")
    rejected = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=10 * M,
        idempotency_key="ev-2",
    )
    services.tranche_reject(tranche=rejected, actor=staff(14), reason="Trùng")
    paid = pay(proposal, 20 * M)
    services.tranche_reverse(tranche=paid, actor=centre(), reason="Nhầm", idempotency_key="ev-3")
    accept(proposal, 300 * M)
    liquidated(proposal)
    services.settlement_record(
        proposal=proposal,
        actor=centre(),
        settled_on=D,
        decision_number="QT-1",
        amounts={"kcdp": 10 * M},
    )
    actions = list(
        ProposalEvent.objects.filter(proposal=proposal)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-12:] == [
        "contract",
        "contract_amend",
        "tranche_request",
        "tranche_approve",
        "tranche_pay",
        "tranche_request",
        "tranche_reject",
        "payment",
        "tranche_reverse",
        "accept",
        "liquidate",
        "settle",
    ]
    events = ProposalEvent.objects.filter(proposal=proposal, action__in=["contract", "settle"])
    assert all(e.actor_id == centre().pk for e in events)
