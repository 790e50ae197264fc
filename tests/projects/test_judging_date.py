"""The date a đề án is judged by: the decision date once decided, the date typed in the
decision panel before it, a date chosen on the checks panel while preparing, else today —
and the panel says which and why. A national level changed by a later circular applies by
that date: the old one the day before, the new one from its first day."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import LegalDocument, SupportCap
from programs.services import cap_save
from projects import checks
from tests.projects.factories import (  # noqa: F401
    DECIDED,
    S,
    advance,
    make_proposal,
    ministry,
    staff_of,
    tmp_media,
)

D = datetime.date
M = 1_000_000
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]


def panel(client, proposal, **params):
    response = client.get(reverse("proposal-checks", args=[proposal.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def judged(page: str) -> tuple[str, str]:
    found = re.search(r'data-testid="checks-date" data-reason="(\w+)" data-date="([\d/]+)"', page)
    assert found, page[:1500]
    return found.group(1), found.group(2)


def cap_message(page: str) -> str:
    found = re.search(r'data-testid="check-cap".*?</li>', page, re.S)
    return found.group(0)


def test_judging_date_decision_then_typed_then_chosen_then_today(world):
    proposal = make_proposal(14)
    today = timezone.localdate()
    assert checks.judging_date(proposal) == checks.JudgingDate(today, "today")
    chosen = checks.judging_date(proposal, on_date=D(2026, 1, 5))
    assert chosen == checks.JudgingDate(D(2026, 1, 5), "chosen")
    planned = checks.judging_date(proposal, on_date=D(2026, 1, 5), reason="planned")
    assert planned.reason == "planned"
    approved = advance(proposal, S.APPROVED)
    assert checks.judging_date(approved) == checks.JudgingDate(DECIDED, "decision")


def test_the_panel_says_it_judges_by_today_while_preparing_and_offers_a_date(client, world):
    proposal = make_proposal(14)
    client.force_login(staff_of(14))
    page = panel(client, proposal)
    assert judged(page) == ("today", timezone.localdate().strftime("%d/%m/%Y"))
    assert "Chưa có ngày quyết định" in page  # said explicitly, in Vietnamese
    assert 'data-testid="judge-on"' in page and 'name="on_date"' in page
    page = panel(client, proposal, on_date="14/10/2024")
    assert judged(page) == ("chosen", "14/10/2024")
    page = panel(client, proposal, decision_date="15/10/2024")
    assert judged(page) == ("planned", "15/10/2024")
    assert "ngày dự kiến quyết định" in page
    page = panel(client, proposal, decision_date="15/10")  # not a date yet: said, not hidden
    assert 'data-testid="checks-date-note"' in page and judged(page)[0] == "today"


def test_the_detail_page_judges_a_decided_proposal_by_its_decision_date(client, world):
    proposal = advance(make_proposal(14), S.APPROVED)
    client.force_login(staff_of(14))
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert judged(page) == ("decision", DECIDED.strftime("%d/%m/%Y"))
    assert "ngày quyết định" in page
    assert 'data-testid="judge-on"' not in page  # the date is the decision's


def test_the_decision_panel_reruns_the_checks_for_the_date_typed(client, world):
    proposal = advance(make_proposal(14), S.APPRAISED)
    client.force_login(staff_of(14))
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    field = re.search(r'<input id="approve-date"[^>]*>', page).group(0)
    assert f'data-hx-get="{reverse("proposal-checks", args=[proposal.pk])}"' in field
    assert 'data-hx-target="#checks-body"' in field and 'name="decision_date"' in field


@pytest.fixture
def amended_national_level(world):
    """The national level for models as an administrator would enter an amended level from
    the day Thông tư 64/2024/TT-BTC takes effect: the 28/2018 row ends the day before. The
    amount is a test value (the amended level could not be read: README)."""
    old = SupportCap.objects.get(activity__code="03.1", level="national", province=None)
    amending = LegalDocument.objects.get(number="64/2024/TT-BTC")
    start = amending.effective_from
    old.effective_to = start - datetime.timedelta(days=1)
    cap_save(actor=ministry_admin(), cap=old)
    new = SupportCap(
        activity=old.activity,
        level="national",
        max_percent=old.max_percent,
        max_amount=old.max_amount + 500 * M,
        unit=old.unit,
        effective_from=start,
        legal_document=amending,
        article="Điều 1 (giá trị thử nghiệm)",
        is_example=True,
    )
    cap_save(actor=ministry_admin(), cap=new)
    return old, new


def ministry_admin():
    from accounts.models import User

    return User.objects.get(username="admin")


def test_a_decision_before_64_2024_is_judged_by_the_old_level_and_after_by_the_new(
    client, world, amended_national_level
):
    """1,200 million for a model costing 4,000 million: above 28/2018's 1,000 million,
    within the amended level, so the checks fail for a decision the day before 64/2024 takes
    effect and pass from its first day — in the function and on the panel."""
    old, new = amended_national_level
    requested = old.max_amount + 200 * M
    proposal = make_proposal(
        14, national=True, support=requested, counterpart=4_000 * M - requested
    )
    day_before = new.effective_from - datetime.timedelta(days=1)
    before = [c for c in checks.run_checks(proposal, on_date=day_before) if c.code == "cap"][0]
    first_day = [
        c for c in checks.run_checks(proposal, on_date=new.effective_from) if c.code == "cap"
    ][0]
    assert not before.ok and "28/2018/TT-BTC" in before.message
    assert first_day.ok and "64/2024/TT-BTC" in first_day.message
    client.force_login(staff_of(14))
    page = panel(client, proposal, decision_date=day_before.strftime("%d/%m/%Y"))
    assert 'data-state="fail"' in cap_message(page) and "28/2018/TT-BTC" in cap_message(page)
    page = panel(client, proposal, decision_date=new.effective_from.strftime("%d/%m/%Y"))
    assert 'data-state="ok"' in cap_message(page) and "64/2024/TT-BTC" in cap_message(page)


def test_the_approval_is_judged_by_the_decision_date_it_is_given(world, amended_national_level):
    """services.proposal_transition runs the checks for the decision date it records, not
    today: with a (test) lower level on 20/11/2026 only, a decision dated 20/11 is refused
    although today's level admits the đề án (it was submitted today); one dated 21/11
    passes."""
    from django.core.exceptions import ValidationError

    old, new = amended_national_level
    new.effective_to = DECIDED - datetime.timedelta(days=1)
    cap_save(actor=ministry_admin(), cap=new)
    for start, end, amount in (
        (DECIDED, DECIDED, old.max_amount),
        (DECIDED + datetime.timedelta(days=1), None, new.max_amount),
    ):
        cap_save(
            actor=ministry_admin(),
            cap=SupportCap(
                activity=old.activity,
                level="national",
                max_percent=old.max_percent,
                max_amount=amount,
                unit=old.unit,
                effective_from=start,
                effective_to=end,
                legal_document=new.legal_document,
                article="Điều 1 (giá trị thử nghiệm)",
                is_example=True,
            ),
        )
    requested = old.max_amount + 200 * M
    proposal = make_proposal(
        14, national=True, support=requested, counterpart=4_000 * M - requested
    )
    with pytest.raises(ValidationError) as refused:
        advance(proposal, S.APPROVED, decision_date=DECIDED)
    assert any(DECIDED.strftime("%d/%m/%Y") in m for m in refused.value.messages)
    proposal.refresh_from_db()
    day_after = DECIDED + datetime.timedelta(days=1)
    approved = advance(proposal, S.APPROVED, decision_date=day_after)
    assert approved.status == S.APPROVED and approved.decision_date == day_after
