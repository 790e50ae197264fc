"""The demo's annual cycle agrees with the demo đề án: registered before their decisions,
one sent batch of Sơn La, one recorded plan decision; seeding again adds nothing."""

import pytest

from cycle.models import Call, PlanDecision, Registration, RegistrationBatch
from demo.cycle import seed_cycle
from projects import decision_dates
from projects.models import FUNDED_STATES, Proposal

pytestmark = pytest.mark.django_db


def test_the_demo_cycle_is_consistent_with_the_demo_proposals(demo_data):
    assert Call.objects.filter(level="national").count() == 1
    assert Call.objects.filter(level="local").count() == 3
    submitted = Proposal.objects.filter(events__action="submit").distinct()
    assert Registration.objects.count() == submitted.count() > 20
    for proposal in Proposal.objects.filter(status__in=FUNDED_STATES).select_related("plan"):
        registration = proposal.registration
        assert registration.registered_on <= registration.call.deadline
        assert decision_dates.decision_date_problem(proposal, proposal.decision_date) is None
    batch = RegistrationBatch.objects.get()
    assert batch.status == "sent" and batch.province.code == 14 and batch.items.count() == 2
    decision = PlanDecision.objects.get()
    assert decision.status == "recorded" and decision.entered_as_history
    (listed,) = decision.items.filter(included=True)
    assert listed.proposal.decision_number == decision.number
    assert listed.approved_kcqg == listed.proposal.approved_kcqg
    counts = (Call.objects.count(), Registration.objects.count(), PlanDecision.objects.count())
    seed_cycle(seed=2026)
    assert (Call.objects.count(), Registration.objects.count(), PlanDecision.objects.count()) == (
        counts
    )
