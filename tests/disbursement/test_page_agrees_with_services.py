"""What the money page offers is what the services do: for each state of a đề án's money
(approved, in implementation, accepted, accepted with its contract liquidated, stopped,
closed) and every kind of user, each form of the
page and each button of the tranche ledger is shown exactly when its service would carry
it out. The page and the services ask the same questions of disbursement.policies; this
test fails if either side starts answering on its own."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from disbursement import services, views
from disbursement.models import Acceptance, Contract, Tranche
from projects.models import Proposal
from tests.disbursement.factories import D, M, approved, centre, contracted, pay
from tests.projects.factories import staff, tmp_media, transition  # noqa: F401
from tests.projects.test_workflow import ACTORS, user_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
S = Proposal.Status
FORMS = views.FORMS
LIQUIDATED = "liquidated"  # accepted, its contract liquidated: the settlement is next
TRANCHE_ACTIONS = ("approve", "pay", "reject", "reverse")


def build(state: str) -> Proposal:
    """A Sơn La đề án in ``state``, with a tranche requested, one approved, one paid and
    one paid then reversed while it was paid."""
    proposal = approved()
    if state == S.APPROVED:
        return proposal
    contracted(proposal)
    requested = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=10 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    services.tranche_approve(tranche=requested, actor=staff(14))
    services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=10 * M,
        idempotency_key=uuid.uuid4().hex,
    )
    pay(proposal, 50 * M)
    mistaken = pay(proposal, 20 * M, kind="advance")
    services.tranche_reverse(
        tranche=mistaken, actor=centre(), reason="Chi nhầm", idempotency_key=uuid.uuid4().hex
    )
    if state == S.STOPPED:
        proposal = transition(
            proposal,
            staff(14),
            "stop",
            comment="Cơ sở ngừng sản xuất",
            decision_number="12/QĐ-SCT",
            decision_date=D,
        )
    if state in (S.ACCEPTED, LIQUIDATED, S.CLOSED):
        services.acceptance_record(
            proposal=proposal,
            actor=centre(),
            accepted_on=D,
            council="Hội đồng nghiệm thu tỉnh",
            result="passed",
            amounts={"kcdp": 300 * M, "counterpart": 700 * M},
        )
    if state in (LIQUIDATED, S.CLOSED):
        services.liquidation_record(
            proposal=proposal,
            actor=centre(),
            number="TL-01",
            liquidated_on=D,
            amounts={"kcdp": 290 * M, "counterpart": 700 * M},
        )
    if state == S.CLOSED:
        services.settlement_record(
            proposal=proposal,
            actor=centre(),
            settled_on=D,
            decision_number="QT-01",
            amounts={"kcdp": 290 * M, "counterpart": 700 * M},
        )
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.status == (S.ACCEPTED if state == LIQUIDATED else state)
    return proposal


def done(action) -> bool:
    """Run ``action`` in a savepoint that is rolled back: True if it went through."""
    sid = transaction.savepoint()
    try:
        action()
    except (PermissionDenied, ValidationError):
        return False
    finally:
        transaction.savepoint_rollback(sid)
    return True


def form_services(proposal: Proposal, user) -> dict:
    """Each form's service, called with data it accepts when the step is possible (None:
    the service cannot even be called)."""

    def fresh():
        return Proposal.objects.get(pk=proposal.pk)

    def contract():
        return Contract.objects.filter(proposal=proposal, active=True).first()

    return {
        "contract": lambda: services.contract_sign(
            proposal=fresh(),
            actor=user,
            number="02/2026/HĐ-KC",
            signed_on=D,
            parties="TTKC và HTX",
            amounts=fresh().approved_by_source(),
        ),
        # Without a contract there is nothing to amend (the service takes the contract).
        "amend": contract()
        and (
            lambda: services.contract_amend(
                contract=contract(), actor=user, amounts=contract().amounts(), reason="Điều chỉnh"
            )
        ),
        "payment": lambda: services.payment_record(
            proposal=fresh(),
            actor=user,
            kind="payment",
            source="kcdp",
            amount=1 * M,
            paid_on=D,
            voucher_number="PC-T",
            idempotency_key=uuid.uuid4().hex,
        ),
        "request": lambda: services.tranche_request(
            proposal=fresh(),
            actor=user,
            kind="payment",
            source="kcdp",
            amount=1 * M,
            idempotency_key=uuid.uuid4().hex,
        ),
        "progress": lambda: services.progress_record(
            proposal=fresh(), actor=user, reported_on=D, percent_done=40
        ),
        "acceptance": lambda: services.acceptance_record(
            proposal=fresh(),
            actor=user,
            accepted_on=D,
            council="Hội đồng nghiệm thu tỉnh",
            result="passed",
            amounts={"kcdp": 300 * M, "counterpart": 700 * M},
        ),
        "liquidation": lambda: services.liquidation_record(
            proposal=fresh(),
            actor=user,
            number="TL-02",
            liquidated_on=D,
            amounts={"kcdp": 1 * M},
        ),
        "settlement": lambda: services.settlement_record(
            proposal=fresh(),
            actor=user,
            settled_on=D,
            decision_number="QT-02",
            amounts={"kcdp": 1 * M},
        ),
    }


def tranche_service(action: str, tranche: Tranche, user):
    tranche = Tranche.objects.get(pk=tranche.pk)
    return {
        "approve": lambda: services.tranche_approve(tranche=tranche, actor=user),
        "pay": lambda: services.tranche_pay(
            tranche=tranche, actor=user, paid_on=D, voucher_number="PC-T"
        ),
        "reject": lambda: services.tranche_reject(tranche=tranche, actor=user, reason="Trùng"),
        "reverse": lambda: services.tranche_reverse(
            tranche=tranche, actor=user, reason="Nhầm", idempotency_key=uuid.uuid4().hex
        ),
    }[action]


@pytest.mark.parametrize(
    "state", [S.APPROVED, S.IN_IMPLEMENTATION, S.ACCEPTED, LIQUIDATED, S.STOPPED, S.CLOSED]
)
def test_the_money_page_offers_what_the_services_do(world, client, state):
    proposal = build(state)
    tranches = list(Tranche.objects.filter(proposal=proposal).order_by("id"))
    url = reverse("proposal-money", args=[proposal.pk])
    wrong = []
    offered_somewhere = set()
    for actor in ACTORS:
        user = user_for(actor)
        client.force_login(user)
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        assert response.status_code in (200, 404)
        for name, service in form_services(proposal, user).items():
            shown = f'data-testid="form-{name}"' in body
            offered_somewhere |= {name} if shown else set()
            if shown != (service is not None and done(service)):
                wrong.append(f"{actor.key}: form {name} shown {shown}, service {not shown}")
        for tranche in tranches:
            for action in TRANCHE_ACTIONS:
                if action == "pay" and tranche.status == Tranche.Status.PAID:
                    continue  # paying a paid tranche again returns it unchanged (a retry)
                shown = f'data-testid="{action}-{tranche.pk}"' in body
                offered_somewhere |= {action} if shown else set()
                if shown != done(tranche_service(action, tranche, user)):
                    wrong.append(
                        f"{actor.key}: {action} of a {tranche.status} {tranche.kind} "
                        f"shown {shown}, service {not shown}"
                    )
    assert not wrong, "\n".join(wrong)
    # The comparison is not vacuous: each state offers its steps to somebody.
    expected = {
        S.APPROVED: {"contract"},
        S.IN_IMPLEMENTATION: {
            "amend",
            "payment",
            "request",
            "progress",
            "acceptance",
            *TRANCHE_ACTIONS,
        },
        S.ACCEPTED: {"amend", "payment", "request", "liquidation", *TRANCHE_ACTIONS},
        LIQUIDATED: {"amend", "payment", "request", "settlement", *TRANCHE_ACTIONS},
        # Stopped: no payment, nothing but the contract's liquidation.
        S.STOPPED: {"liquidation"},
        S.CLOSED: set(),
    }[state]
    assert offered_somewhere == expected
    assert Acceptance.objects.filter(proposal=proposal).exists() == (
        state in (S.ACCEPTED, LIQUIDATED, S.CLOSED)
    )
