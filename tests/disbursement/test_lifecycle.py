"""After approval: who signs and pays a national đề án (Thông tư 36/2013/TT-BCT), stopping
a đề án under way, liquidating its contract (thanh lý) and the settlement (quyết toán) that
follows (nghiệm thu → thanh lý hợp đồng → quyết toán)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Agency, User
from disbursement import policies, services
from disbursement.models import Liquidation, Settlement, Tranche
from projects.models import Proposal, ProposalEvent
from tests.disbursement.factories import D, M, approved, centre, contracted, liquidated, pay
from tests.disbursement.test_rules import db_refuses, messages
from tests.projects.factories import advance, make_proposal, ministry, staff, transition

pytestmark = pytest.mark.django_db
S = Proposal.Status


def national_approved() -> Proposal:
    return advance(make_proposal(14, national=True), "approved")


def sign_national(proposal, *, actor=None, agency=None):
    return services.contract_sign(
        proposal=proposal,
        actor=actor or ministry(),
        number="01/2026/HĐ-KCQG",
        signed_on=D,
        parties="Cục Công Thương địa phương và TTKC Sơn La",
        amounts=proposal.approved_by_source(),
        signing_agency=agency,
    )


# --- who signs and pays a national đề án ---------------------------------------------------


def test_the_ministry_signs_a_national_contract_and_records_its_payments(world):
    proposal = national_approved()
    with pytest.raises(PermissionDenied):  # not the province's centre
        sign_national(proposal, actor=centre())
    with pytest.raises(PermissionDenied):
        sign_national(proposal, actor=staff(14))
    contract = sign_national(proposal)
    assert contract.signing_agency == ministry().agency
    pay(proposal, 10 * M, source="kcqg", actor=ministry())
    with pytest.raises(PermissionDenied):
        pay(proposal, 10 * M, source="kcqg", actor=centre())
    # The province reads; the page shows it the money but no form.
    assert not policies.may_record(staff(14), proposal)
    assert not policies.may_record(staff(66), proposal)


def test_an_entrusted_agency_records_the_payments_instead(world, client):
    proposal = national_approved()
    so = staff(14).agency
    with pytest.raises(ValidationError) as caught:  # not an agency of another province
        sign_national(proposal, agency=staff(66).agency)
    assert "ủy quyền" in messages(caught)
    sign_national(proposal, agency=so)
    pay(proposal, 10 * M, source="kcqg", actor=staff(14))
    with pytest.raises(PermissionDenied):  # the ministry entrusted it: it no longer pays
        pay(proposal, 10 * M, source="kcqg", actor=ministry())
    with pytest.raises(PermissionDenied):  # the centre is the implementing unit, not the signer
        pay(proposal, 10 * M, source="kcqg", actor=centre())
    url = reverse("proposal-money", args=[proposal.pk])
    client.force_login(centre())
    body = client.get(url).content.decode()
    assert 'data-testid="signing-agency"' in body and so.name in body
    assert 'data-testid="form-payment"' not in body
    client.force_login(staff(14))
    assert 'data-testid="form-payment"' in client.get(url).content.decode()


def test_the_contract_form_of_a_national_proposal_asks_who_signs(world, client):
    proposal = national_approved()
    client.force_login(ministry())
    url = reverse("proposal-money", args=[proposal.pk])
    body = client.get(url).content.decode()
    assert 'name="contract-signing_agency"' in body
    other = Agency.objects.get(kind="department", province__code=66)
    response = client.post(
        url,
        {
            "form": "contract",
            "confirmed": "1",
            "contract-number": "07/2026/HĐ",
            "contract-signed_on": "21/11/2026",
            "contract-parties": "Cục và TTKC",
            "contract-signing_agency": other.pk,
            "contract-kcqg": "300.000.000",
            "contract-counterpart": "700.000.000",
            "contract-other": "0",
        },
    )
    assert response.status_code == 400  # not a choice: agencies of the province only
    assert "Hãy chọn" in response.content.decode() or "lựa chọn" in response.content.decode()


# --- stopping --------------------------------------------------------------------------------


def stop(proposal, actor, **kwargs):
    kwargs.setdefault("comment", "Cơ sở thụ hưởng ngừng sản xuất")
    kwargs.setdefault("decision_number", "15/QĐ-SCT")
    kwargs.setdefault("decision_date", D)
    action = "ministry_stop" if proposal.level == "national" else "stop"
    return transition(proposal, actor, action, **kwargs)


def test_whoever_approved_stops_with_a_decision_and_nothing_is_paid_after(world):
    contract = contracted()
    proposal = contract.proposal
    pay(proposal, 50 * M)
    with pytest.raises(PermissionDenied):  # the centre does not decide
        stop(proposal, centre())
    with pytest.raises(ValidationError) as caught:
        stop(proposal, staff(14), decision_number="")
    assert "số quyết định" in messages(caught)
    with pytest.raises(ValidationError) as caught:  # before the approval decision
        stop(proposal, staff(14), decision_date=datetime.date(2026, 1, 1))
    assert "phê duyệt" in messages(caught)
    proposal = stop(proposal, staff(14))
    assert proposal.status == S.STOPPED
    # The decision stays the approval's; the stop decision is on the event.
    assert proposal.decision_number != "15/QĐ-SCT"
    event = ProposalEvent.objects.filter(proposal=proposal, action="stop").get()
    assert (event.decision_number, event.decision_date) == ("15/QĐ-SCT", D)
    with pytest.raises(ValidationError):
        pay(proposal, 1)
    assert Tranche.objects.filter(proposal=proposal).count() == 1


def test_the_ministry_stops_a_national_proposal(world):
    proposal = national_approved()
    sign_national(proposal)
    proposal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        transition(
            proposal,
            staff(14),
            "ministry_stop",
            comment="x",
            decision_number="1",
            decision_date=D,
        )
    proposal = stop(proposal, ministry(), decision_number="88/QĐ-BCT")
    assert proposal.status == S.STOPPED


# --- liquidation, then settlement -------------------------------------------------------------


def test_a_stopped_proposal_is_closed_by_its_liquidation_with_the_money_to_return(world):
    contract = contracted()
    proposal = contract.proposal
    pay(proposal, 100 * M)
    pay(proposal, 200 * M, source="counterpart")
    with pytest.raises(ValidationError):  # in implementation: neither accepted nor stopped
        liquidated(proposal, {"kcdp": 60 * M})
    proposal = stop(proposal, staff(14))
    with pytest.raises(ValidationError) as caught:  # the work done is at most the contract
        liquidated(proposal, {"kcdp": 300 * M + 1})
    assert "KCĐP" in messages(caught)
    liquidation = liquidated(proposal, {"kcdp": 60 * M, "counterpart": 250 * M})
    assert liquidation.returned() == {
        "kcqg": 0,
        "kcdp": 40 * M,  # paid 100, done 60
        "counterpart": 0,  # paid less than done: nothing to return
        "other": 0,
    }
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED
    with pytest.raises(ValidationError):  # once
        liquidated(proposal, {"kcdp": 1})


def test_the_settlement_follows_the_liquidation_and_closes(world):
    contract = contracted()
    proposal = contract.proposal
    pay(proposal, 280 * M)
    services.acceptance_record(
        proposal=proposal,
        actor=centre(),
        accepted_on=D,
        council="Hội đồng nghiệm thu",
        result="passed",
        amounts={"kcdp": 280 * M},
    )

    def settle():
        return services.settlement_record(
            proposal=Proposal.objects.get(pk=proposal.pk),
            actor=centre(),
            settled_on=D,
            decision_number="QT-01",
            amounts={"kcdp": 280 * M},
        )

    with pytest.raises(ValidationError) as caught:
        settle()
    assert "thanh lý" in messages(caught)
    liquidated(proposal, {"kcdp": 280 * M})
    assert Proposal.objects.get(pk=proposal.pk).status == S.ACCEPTED
    # After the liquidation only what remains of the work done is paid.
    with pytest.raises(ValidationError) as caught:
        pay(proposal, 1)
    assert "thanh lý" in messages(caught)
    settle()
    assert Proposal.objects.get(pk=proposal.pk).status == S.CLOSED


def test_the_database_holds_the_liquidation_rules(world):
    contract = contracted()
    proposal = contract.proposal
    pay(proposal, 100 * M)
    proposal = stop(proposal, staff(14))
    liquidation = liquidated(proposal, {"kcdp": 100 * M})
    error = db_refuses(
        lambda: Liquidation.objects.filter(pk=liquidation.pk).update(kcdp=300 * M + 1)
    )
    assert "exceeds its contract" in error
    # A settlement written around the services without a liquidation is refused.
    other = contracted(approved())
    pay(other.proposal, 10 * M)
    services.acceptance_record(
        proposal=other.proposal,
        actor=centre(),
        accepted_on=D,
        council="Hội đồng",
        result="passed",
        amounts={"kcdp": 10 * M},
    )
    error = db_refuses(
        lambda: Settlement.objects.create(
            proposal=other.proposal,
            settled_on=D,
            decision_number="QT",
            kcdp=10 * M,
            recorded_by=User.objects.get(username="admin"),
        )
    )
    assert "before its contract is liquidated" in error


def test_the_liquidation_form_explains_in_vietnamese(world, client):
    contract = contracted()
    proposal = stop(contract.proposal, staff(14))
    client.force_login(centre())
    url = reverse("proposal-money", args=[proposal.pk])
    body = client.get(url).content.decode()
    assert 'data-testid="form-liquidation"' in body and 'data-testid="form-payment"' not in body
    response = client.post(
        url,
        {
            "form": "liquidation",
            "confirmed": "1",
            "liquidation-number": "",
            "liquidation-liquidated_on": "21/11/2026",
            "liquidation-kcdp": "0",
        },
    )
    assert response.status_code == 400
    assert "Vui lòng nhập thông tin này." in response.content.decode()
    response = client.post(
        url,
        {
            "form": "liquidation",
            "confirmed": "1",
            "liquidation-number": "TL-05",
            "liquidation-liquidated_on": "01/01/2026",
            "liquidation-kcdp": "0",
        },
    )
    assert response.status_code == 400
    assert "không được trước ngày ký hợp đồng" in response.content.decode()
    response = client.post(
        url,
        {
            "form": "liquidation",
            "confirmed": "1",
            "liquidation-number": "TL-05",
            "liquidation-liquidated_on": "21/11/2026",
            "liquidation-kcdp": "0",
        },
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == S.CLOSED
    assert 'data-testid="liquidation-amounts"' in client.get(url).content.decode()
    # The history says it in words.
    detail = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert "Dừng thực hiện đề án" in detail and "Ghi nhận thanh lý hợp đồng" in detail
