"""A tranche configured to require an inspection is paid only once the đề án is found
compliant: refused by the money services (in Vietnamese) and by the database trigger of
disbursement/sql/inspection_gate.sql for any other writer."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from disbursement import services as money
from disbursement.models import Tranche
from inspections import services
from inspections.models import Result
from projects.models import Proposal
from tests.disbursement.factories import D, centre
from tests.inspections.factories import (
    DAY,
    concluded,
    in_implementation,
    inspector,
    requested_tranche,
)

pytestmark = pytest.mark.django_db


def pay_tranche(tranche: Tranche) -> Tranche:
    return money.tranche_pay(
        tranche=tranche,
        actor=centre(tranche.proposal.province.code),
        paid_on=D,
        voucher_number="PC-KT-01",
    )


def record_payment(proposal: Proposal, *, requires_inspection=True, amount=20_000_000):
    return money.payment_record(
        proposal=proposal,
        actor=centre(proposal.province.code),
        kind="payment",
        source="kcdp",
        amount=amount,
        paid_on=D,
        voucher_number="PC-KT-02",
        idempotency_key=uuid.uuid4().hex,
        requires_inspection=requires_inspection,
    )


def test_a_gated_tranche_waits_for_a_compliant_inspection(world):
    proposal = in_implementation(14)
    tranche = requested_tranche(proposal)
    assert tranche.requires_inspection and tranche.status == Tranche.Status.APPROVED
    with pytest.raises(ValidationError) as caught:
        pay_tranche(tranche)
    message = " ".join(caught.value.messages)
    assert "kiểm tra" in message and "Chưa kiểm tra" in message  # Vietnamese, with the state
    assert Tranche.objects.get(pk=tranche.pk).status == Tranche.Status.APPROVED
    concluded(proposal, Result.COMPLIANT)
    assert pay_tranche(tranche).status == Tranche.Status.PAID


@pytest.mark.parametrize("conclusion", [Result.PARTLY, Result.NOT_COMPLIANT])
def test_findings_to_remedy_or_not_compliant_keep_it_unpaid(world, conclusion):
    proposal = in_implementation(14)
    tranche = requested_tranche(proposal)
    concluded(proposal, conclusion)
    with pytest.raises(ValidationError):
        pay_tranche(tranche)


def test_an_open_recommendation_keeps_it_unpaid_until_remedied(world):
    proposal = in_implementation(14)
    tranche = requested_tranche(proposal)
    inspection = concluded(proposal, Result.COMPLIANT, recommendation_deadline=DAY)
    with pytest.raises(ValidationError):
        pay_tranche(tranche)
    services.recommendation_remedy(
        recommendation=inspection.recommendations.get(), actor=inspector(14), remedied_on=DAY
    )
    assert pay_tranche(tranche).status == Tranche.Status.PAID


def test_a_tranche_without_the_requirement_is_paid_whatever_the_compliance(world):
    proposal = in_implementation(14)
    concluded(proposal, Result.NOT_COMPLIANT)
    tranche = requested_tranche(proposal, requires_inspection=False)
    assert pay_tranche(tranche).status == Tranche.Status.PAID
    assert record_payment(proposal, requires_inspection=False).status == Tranche.Status.PAID


def test_a_payment_already_made_that_requires_the_inspection(world):
    proposal = in_implementation(14)
    with pytest.raises(ValidationError) as caught:
        record_payment(proposal)
    assert "kiểm tra" in " ".join(caught.value.messages)
    assert not Tranche.objects.filter(proposal=proposal).exists()
    concluded(proposal, Result.COMPLIANT)
    tranche = record_payment(proposal)
    assert tranche.status == Tranche.Status.PAID and tranche.requires_inspection


def test_the_requirement_holds_for_every_later_payment_of_the_proposal(world):
    """Rejecting the gated tranche and recording the money again without the box ticked
    does not get around the inspection."""
    proposal = in_implementation(14)
    gated = requested_tranche(proposal)
    money.tranche_reject(tranche=gated, actor=centre(14), reason="Làm lại hồ sơ")
    with pytest.raises(ValidationError):
        record_payment(proposal, requires_inspection=False)
    later = requested_tranche(proposal, requires_inspection=False)
    assert later.requires_inspection  # recorded as required, whatever the form said
    with pytest.raises(ValidationError):
        pay_tranche(later)
    concluded(proposal, Result.COMPLIANT)
    assert record_payment(proposal, requires_inspection=False).requires_inspection
    assert pay_tranche(later).status == Tranche.Status.PAID


# --- The database, for writers that go around the services -----------------------------


def raw_refused(sql: str, params) -> str:
    with pytest.raises(IntegrityError) as caught:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
    return str(caught.value)


def test_the_database_refuses_paying_a_gated_tranche_without_compliance(world):
    proposal = in_implementation(14)
    tranche = requested_tranche(proposal)
    error = raw_refused(
        "UPDATE disbursement_tranche SET status = 'paid', paid_on = %s WHERE id = %s",
        [D, tranche.pk],
    )
    assert "requires a compliant inspection" in error
    # Inserted as paid at once (a payment already made): refused too.
    error = raw_refused(
        "INSERT INTO disbursement_tranche (proposal_id, contract_id, kind, source, amount,"
        " status, paid_on, voucher_number, treasury_reference, note, document,"
        " idempotency_key, recorded_by_id, recorded_at, requires_inspection, kcqg, kcdp,"
        " counterpart, other) VALUES (%s, %s, 'payment', 'kcdp', 1000000, 'paid', %s, 'PC', '',"
        " '', '', %s, %s, now(), true, 0, 0, 0, 0)",
        [proposal.pk, tranche.contract_id, D, uuid.uuid4().hex, tranche.recorded_by_id],
    )
    assert "paid_needs_compliant_inspection" in error or "compliant inspection" in error
    # The same write is accepted once the đề án is compliant.
    concluded(proposal, Result.COMPLIANT)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE disbursement_tranche SET status = 'paid', paid_on = %s WHERE id = %s",
                [D, tranche.pk],
            )
    assert Tranche.objects.get(pk=tranche.pk).status == Tranche.Status.PAID


def test_the_database_holds_the_requirement_for_the_whole_proposal(world):
    proposal = in_implementation(14)
    ungated = requested_tranche(proposal, requires_inspection=False, amount=10_000_000)
    gated = requested_tranche(proposal)  # from now on every payment of the đề án waits
    assert not Tranche.objects.get(pk=ungated.pk).requires_inspection
    error = raw_refused(
        "UPDATE disbursement_tranche SET status = 'paid', paid_on = %s WHERE id = %s",
        [D, ungated.pk],
    )
    assert "requires a compliant inspection" in error
    error = raw_refused(
        "UPDATE disbursement_tranche SET requires_inspection = false WHERE id = %s", [gated.pk]
    )
    assert "cannot be removed" in error


def test_the_database_lets_an_ungated_tranche_or_a_paid_one_change(world):
    proposal = in_implementation(14)
    tranche = requested_tranche(proposal, requires_inspection=False)
    with transaction.atomic():
        Tranche.objects.filter(pk=tranche.pk).update(status="paid", paid_on=D)
    concluded(proposal, Result.NOT_COMPLIANT)
    with transaction.atomic():  # already paid: marking it afterwards changes nothing paid
        Tranche.objects.filter(pk=tranche.pk).update(requires_inspection=True, note="ghi chú")
    assert Tranche.objects.get(pk=tranche.pk).requires_inspection


# --- The money page ---------------------------------------------------------------------


def test_the_money_page_offers_the_requirement_and_shows_it_on_the_row(world, client):
    proposal = in_implementation(14)
    client.force_login(centre(14))
    url = reverse("proposal-money", args=[proposal.pk])
    response = client.post(
        url,
        {
            "form": "request",
            "request-kind": "payment",
            "request-source": "kcdp",
            "request-amount": "30.000.000",
            "request-idempotency_key": uuid.uuid4().hex,
            "request-requires_inspection": "on",
        },
    )
    assert response.status_code == 302
    tranche = Tranche.objects.get(proposal=proposal)
    assert tranche.requires_inspection
    body = client.get(url).content.decode()
    assert 'name="request-requires_inspection"' in body
    assert 'name="payment-requires_inspection"' in body
    assert 'data-testid="requires-inspection"' in body
    assert 'data-testid="inspection-pending"' in body
    # A payment already made, marked as requiring the inspection: refused, said on the page.
    response = client.post(
        url,
        {
            "form": "payment",
            "confirmed": "1",
            "payment-kind": "payment",
            "payment-source": "kcdp",
            "payment-amount": "10.000.000",
            "payment-paid_on": D.strftime("%d/%m/%Y"),
            "payment-voucher_number": "PC-09",
            "payment-idempotency_key": uuid.uuid4().hex,
            "payment-requires_inspection": "on",
        },
    )
    assert response.status_code == 400
    assert "Chưa kiểm tra" in response.content.decode()
    assert Tranche.objects.filter(proposal=proposal).count() == 1
