"""The main path of the money of a đề án, through the services."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from disbursement import services
from projects.models import Proposal
from tests.projects.factories import advance, make_proposal, staff

D = datetime.date(2026, 11, 21)


@pytest.mark.django_db
def test_contract_payments_acceptance_settlement(world):
    proposal = advance(make_proposal(14), "approved")
    centre = staff(14, role="centre_staff")
    contract = services.contract_sign(
        proposal=proposal,
        actor=centre,
        number="01/2026/HĐ-KC",
        signed_on=D,
        parties="TTKC Sơn La và HTX",
        amounts=proposal.approved_by_source(),
    )
    assert Proposal.objects.get(pk=proposal.pk).status == "in_implementation"
    key = uuid.uuid4().hex
    first = services.payment_record(
        proposal=proposal,
        actor=centre,
        kind="advance",
        source="kcdp",
        amount=150_000_000,
        paid_on=D,
        voucher_number="PC-01",
        idempotency_key=key,
    )
    again = services.payment_record(
        proposal=proposal,
        actor=centre,
        kind="advance",
        source="kcdp",
        amount=150_000_000,
        paid_on=D,
        voucher_number="PC-01",
        idempotency_key=key,
    )
    assert first.pk == again.pk
    assert services.paid_by_source(proposal)["kcdp"] == 150_000_000
    services.payment_record(
        proposal=proposal,
        actor=centre,
        kind="payment",
        source="kcdp",
        amount=150_000_000,
        paid_on=D,
        voucher_number="PC-02",
        idempotency_key=uuid.uuid4().hex,
    )
    with pytest.raises(ValidationError):  # one đồng more than the contract
        services.payment_record(
            proposal=proposal,
            actor=centre,
            kind="payment",
            source="kcdp",
            amount=1,
            paid_on=D,
            voucher_number="PC-03",
            idempotency_key=uuid.uuid4().hex,
        )
    services.acceptance_record(
        proposal=proposal,
        actor=centre,
        accepted_on=D,
        council="Hội đồng nghiệm thu",
        result="passed",
        amounts=contract.amounts(),
    )
    services.liquidation_record(
        proposal=proposal,
        actor=centre,
        number="TL-01",
        liquidated_on=D,
        amounts={"kcdp": 280_000_000, "counterpart": 700_000_000},
    )
    services.settlement_record(
        proposal=proposal,
        actor=centre,
        settled_on=D,
        decision_number="QT-01",
        amounts={"kcdp": 280_000_000, "counterpart": 700_000_000},
    )
    proposal.refresh_from_db()
    assert proposal.status == "closed"
    assert proposal.settlement.returned_kcdp == 20_000_000


@pytest.mark.django_db
def test_deleting_a_reversal_that_would_leave_overpayment_is_refused_by_the_database(world):
    from django.db import IntegrityError, connection, transaction

    from disbursement.models import Tranche

    proposal = advance(make_proposal(14), "approved")
    centre = staff(14, role="centre_staff")
    services.contract_sign(
        proposal=proposal,
        actor=centre,
        number="02/HĐ",
        signed_on=D,
        parties="TTKC",
        amounts=proposal.approved_by_source(),
    )
    paid = services.payment_record(
        proposal=proposal,
        actor=centre,
        kind="payment",
        source="kcdp",
        amount=300_000_000,
        paid_on=D,
        voucher_number="PC-1",
        idempotency_key=uuid.uuid4().hex,
    )
    reversal = services.tranche_reverse(
        tranche=paid, actor=centre, reason="Sai chứng từ", idempotency_key=uuid.uuid4().hex
    )
    services.payment_record(
        proposal=proposal,
        actor=centre,
        kind="payment",
        source="kcdp",
        amount=300_000_000,
        paid_on=D,
        voucher_number="PC-2",
        idempotency_key=uuid.uuid4().hex,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Tranche.objects.filter(pk=reversal.pk).delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db
def test_vouchers_and_minutes_are_checked_documents(world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disbursement.models import Tranche
    from tests.projects.factories import pdf_upload

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    proposal = advance(make_proposal(14), "approved")
    centre = staff(14, role="centre_staff")
    services.contract_sign(
        proposal=proposal,
        actor=centre,
        number="03/HĐ",
        signed_on=D,
        parties="TTKC",
        amounts=proposal.approved_by_source(),
        document=pdf_upload("hop-dong.pdf"),
    )
    fake = SimpleUploadedFile(
        "chung-tu.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as caught:
        services.payment_record(
            proposal=proposal,
            actor=centre,
            kind="payment",
            source="kcdp",
            amount=1_000_000,
            paid_on=D,
            voucher_number="PC-9",
            idempotency_key=uuid.uuid4().hex,
            document=fake,
        )
    assert "document" in caught.value.message_dict
    assert not Tranche.objects.filter(proposal=proposal).exists()  # nothing half-written
    tranche = services.payment_record(
        proposal=proposal,
        actor=centre,
        kind="payment",
        source="kcdp",
        amount=1_000_000,
        paid_on=D,
        voucher_number="PC-9",
        idempotency_key=uuid.uuid4().hex,
        document=pdf_upload("chung-tu.pdf"),
    )
    assert tranche.document.name.startswith("disbursement/tranche/")
    acceptance = services.acceptance_record(
        proposal=proposal,
        actor=centre,
        accepted_on=D,
        council="Hội đồng",
        result="passed",
        amounts={"kcdp": 1_000_000},
        minutes=pdf_upload("bien-ban.pdf"),
    )
    assert acceptance.minutes.name.endswith(".pdf")
