"""Each computed priority at its boundary, and declarations: who, when, and scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from priorities import selectors, services
from priorities.catalogue import PRIORITIES
from priorities.models import BeneficiaryDeclaration, Priority
from tests.beneficiaries.factories import BeneficiaryFactory, beneficiary_in
from tests.priorities.factories import priority
from tests.projects.factories import make_proposal, ministry, staff, user_with
from tests.villages.factories import join, make_village

AFTER = datetime.date(2026, 6, 1)  # 235/2025 and 2646/QĐ-BCT in force
BEFORE = datetime.date(2024, 6, 1)


def _codes(beneficiary, on_date=AFTER):
    met = selectors.beneficiary_priorities([beneficiary], on_date)[beneficiary.pk]
    return {p.code for p, _declaration in met}


@pytest.mark.django_db
def test_catalogue_is_loaded_with_a_source_for_every_verified_priority(world):
    priority("export")
    assert Priority.objects.count() == len(PRIORITIES)
    for p in Priority.objects.all():
        assert p.document_id and p.article
        if p.verified:
            assert p.source_url.startswith("https://"), p.code
    # The worker threshold is not in the decree: it stays example data.
    assert not priority("many_workers").verified


@pytest.mark.django_db
def test_many_workers_at_the_threshold_and_one_below(world):
    threshold = priority("many_workers").threshold
    at = BeneficiaryFactory(workers=threshold)
    below = BeneficiaryFactory(workers=threshold - 1)
    assert "many_workers" in _codes(at)
    assert "many_workers" not in _codes(below)


@pytest.mark.django_db
def test_the_threshold_is_data(world):
    p = priority("many_workers")
    p.threshold = 5
    p.save()
    assert "many_workers" in _codes(BeneficiaryFactory(workers=5))


@pytest.mark.django_db
def test_owner_priorities_hold_from_decree_235(world):
    b = BeneficiaryFactory(woman_owned=True, ethnic_minority_owned=True)
    assert {"woman_owned", "ethnic_minority_owned"} <= _codes(b, AFTER)
    # Before 15/10/2025 (Decree 235/2025/NĐ-CP) they are not priorities.
    assert not {"woman_owned", "ethnic_minority_owned"} & _codes(b, BEFORE)
    assert not {"woman_owned", "ethnic_minority_owned"} & _codes(BeneficiaryFactory(), AFTER)


@pytest.mark.django_db
def test_craft_village_membership_is_read_from_the_register(world):
    member = BeneficiaryFactory()
    other = BeneficiaryFactory()
    village = make_village(member.province.code, decision_date=datetime.date(2020, 1, 1))
    join(village, member, joined_on=datetime.date(2021, 1, 1))
    assert "craft_village" in _codes(member)
    assert "craft_village" not in _codes(other)
    # Only while it belongs to a village recognised on the date asked about.
    assert "craft_village" not in _codes(member, datetime.date(2020, 12, 31))


@pytest.mark.django_db
def test_a_province_declares_for_its_own_beneficiaries_only(world):
    hanoi, sonla = staff(1), staff(14)
    from reference.models import Province

    own = beneficiary_in(Province.objects.get(code=14))
    declaration = services.beneficiary_priority_declare(
        beneficiary=own, priority=priority("export"), actor=sonla, evidence="Tờ khai hải quan"
    )
    assert declaration.declared_by == sonla and declaration.declared_at is not None
    assert "export" in _codes(own)
    met = dict(selectors.beneficiary_priorities([own], AFTER)[own.pk])
    assert met[priority("export")].evidence == "Tờ khai hải quan"
    with pytest.raises(PermissionDenied):
        services.beneficiary_priority_declare(
            beneficiary=own, priority=priority("supporting_industry"), actor=hanoi
        )
    # The ministry watches provincial records; the promotion centre does not declare.
    with pytest.raises(PermissionDenied):
        services.beneficiary_priority_declare(
            beneficiary=own, priority=priority("supporting_industry"), actor=ministry()
        )
    centre = user_with("centre_staff", 14, kind="promotion_centre")
    with pytest.raises(PermissionDenied):
        services.beneficiary_priority_declare(
            beneficiary=own, priority=priority("supporting_industry"), actor=centre
        )


@pytest.mark.django_db
def test_a_declaration_has_the_priority_s_own_basis_and_is_made_once(world):
    from reference.models import Province

    own = beneficiary_in(Province.objects.get(code=14))
    actor = staff(14)
    for code in ("woman_owned", "difficult_area"):  # computed; about the đề án
        with pytest.raises(ValidationError):
            services.beneficiary_priority_declare(
                beneficiary=own, priority=priority(code), actor=actor
            )
    services.beneficiary_priority_declare(beneficiary=own, priority=priority("export"), actor=actor)
    with pytest.raises(ValidationError):
        services.beneficiary_priority_declare(
            beneficiary=own, priority=priority("export"), actor=actor
        )
    # The database holds it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiaryDeclaration.objects.create(
            beneficiary=own, priority=priority("export"), declared_by=actor
        )


@pytest.mark.django_db
def test_a_withdrawn_declaration_no_longer_counts_and_may_be_made_again(world):
    from reference.models import Province

    own = beneficiary_in(Province.objects.get(code=14))
    actor = staff(14)
    d = services.beneficiary_priority_declare(
        beneficiary=own, priority=priority("export"), actor=actor
    )
    with pytest.raises(PermissionDenied):
        services.declaration_withdraw(declaration=d, actor=staff(1))
    d = services.declaration_withdraw(declaration=d, actor=actor)
    assert d.withdrawn_by == actor and d.withdrawn_at is not None
    assert "export" not in _codes(own)
    services.beneficiary_priority_declare(beneficiary=own, priority=priority("export"), actor=actor)
    assert "export" in _codes(own)


@pytest.mark.django_db
def test_a_proposal_meets_its_beneficiaries_and_its_own_priorities(world):
    woman = BeneficiaryFactory(woman_owned=True)
    plain = BeneficiaryFactory()
    from beneficiaries.models import Beneficiary
    from reference.models import Commune

    commune = Commune.objects.filter(province__code=14).order_by("code").first()
    Beneficiary.objects.filter(pk__in=[woman.pk, plain.pk]).update(
        commune=commune, province=commune.province
    )
    proposal = make_proposal(14, beneficiaries=[woman, plain])
    actor = staff(14)
    services.proposal_priority_declare(
        proposal=proposal, priority=priority("ethnic_minority_area"), actor=actor
    )
    with pytest.raises(ValidationError):  # about the establishment, not the đề án
        services.proposal_priority_declare(
            proposal=proposal, priority=priority("export"), actor=actor
        )
    with pytest.raises(PermissionDenied):
        services.proposal_priority_declare(
            proposal=proposal, priority=priority("difficult_area"), actor=staff(1)
        )
    rows = {m.priority.code: m for m in selectors.proposal_priorities(proposal)}
    assert [b.pk for b, _d in rows["woman_owned"].beneficiaries] == [woman.pk]
    assert rows["ethnic_minority_area"].declaration.declared_by == actor
    assert set(
        selectors.proposals_meeting(priority("woman_owned")).values_list("proposal_id", flat=True)
    ) >= {proposal.pk}
    assert proposal.pk in set(
        selectors.proposals_meeting(priority("ethnic_minority_area")).values_list(
            "proposal_id", flat=True
        )
    )
    assert proposal.pk not in set(
        selectors.proposals_meeting(priority("export")).values_list("proposal_id", flat=True)
    )


@pytest.mark.django_db
def test_the_dashboards_set_of_proposals_follows_the_same_rules(world):
    from reference.models import Commune

    commune = Commune.objects.filter(province__code=14).order_by("code").first()
    threshold = priority("many_workers").threshold
    at = BeneficiaryFactory(commune=commune, workers=threshold)
    join(make_village(14, commune=commune), at)
    below = BeneficiaryFactory(commune=commune, workers=threshold - 1)
    with_at = make_proposal(14, beneficiaries=[at])
    with_below = make_proposal(14, beneficiaries=[below])

    def meeting(code):
        return set(
            selectors.proposals_meeting(priority(code)).values_list("proposal_id", flat=True)
        )

    assert with_at.pk in meeting("many_workers") and with_below.pk not in meeting("many_workers")
    assert with_at.pk in meeting("craft_village") and with_below.pk not in meeting("craft_village")
