"""The timeline of a đề án in words (projects.timeline): each event the services record,
from the draft to the settlement, as the label and the before/after the page prints."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.utils import translation

from accounts.models import Agency
from disbursement import services as money
from disbursement.models import Tranche
from projects import services, timeline, workflow
from projects.models import Proposal, ProposalEvent
from tests.disbursement.factories import M, centre, contracted, pay
from tests.projects.factories import (
    advance,
    make_proposal,
    staff_of,
    tmp_media,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
SONLA = 14


def rows_of(proposal: Proposal) -> list[dict]:
    events = ProposalEvent.objects.filter(proposal=proposal).select_related("actor")
    with translation.override("en"):
        rows = timeline.timeline_rows(events.order_by("id"))
        # The lazy labels as text, in the language of the test.
        for row in rows:
            row["label"] = str(row["label"])
            row["to_status"] = str(row["to_status"])
            for change in row["changes"]:
                change["label"] = str(change["label"])
    return rows


def row_of(rows: list[dict], action: str) -> dict:
    return next(r for r in rows if r["event"].action == action)


def changes_of(row: dict) -> dict:
    return {c["label"]: (c["before"], c["after"]) for c in row["changes"]}


def test_a_saved_draft_writes_each_change_out(world):
    proposal = make_proposal(SONLA, kind="group", beneficiaries=2)
    other_unit = Agency.objects.filter(province__code=SONLA, kind="department").first()
    services.proposal_save(
        proposal=proposal,
        actor=staff_of(SONLA),
        expected_version=proposal.version,
        fields={
            "title": "Máy sấy chè",
            "end_date": datetime.date(2027, 12, 15),
            "implementing_agency": other_unit,
        },
    )
    rows = rows_of(proposal)
    assert row_of(rows, "create")["label"] == "Created the draft"
    first_save, second_save = [r for r in rows if r["event"].action == "edit"]
    assert first_save["label"] == "Saved changes"
    # The shares of two establishments and the budget, summed and written in đồng.
    first = changes_of(first_save)
    assert first["Establishments"] == ("—", "2 establishment(s), shares 300.000.000 ₫")
    assert first["Budget lines"][1] == "1 line(s), 1.000.000.000 ₫"
    assert first["Budget total"] == (
        "0 ₫",
        "1.000.000.000 ₫, KCĐP 300.000.000 ₫, Counterpart 700.000.000 ₫",
    )
    # Dates as dd/mm/yyyy, the unit by its name rather than its id; a saved row does not
    # change the status, so no "→ status".
    second = changes_of(second_save)
    assert second["Proposal title"][1] == "Máy sấy chè"
    assert second["End date"] == ("30/11/2027", "15/12/2027")
    centre_name = Agency.objects.get(province__code=SONLA, kind="promotion_centre").name
    assert second["Implementing unit"] == (centre_name, other_unit.name)
    assert second_save["to_status"] == ""


def test_a_transition_takes_the_tables_label_and_names_the_new_status(world):
    proposal = advance(make_proposal(SONLA), "appraised")
    rows = rows_of(proposal)
    submit = row_of(rows, "submit")
    with translation.override("en"):
        assert submit["label"] == str(workflow.ACTIONS["submit"].label) == "Submit"
    assert submit["to_status"] == "Submitted"
    appraisal = changes_of(row_of(rows, "appraisal"))
    assert appraisal["Recommendation"] == (None, "Recommend approval")
    assert appraisal["Weighted score"] == (None, "80,00 / 100")
    assert row_of(rows, "appraise")["to_status"] == "Appraised"


def test_the_money_steps_are_named_and_their_amounts_written_per_source(world):
    proposal = advance(make_proposal(SONLA), "approved")
    contract = contracted(proposal)
    money.contract_amend(
        contract=contract,
        actor=centre(),
        amounts={"kcdp": 250 * M, "counterpart": 700 * M},
        reason="Giảm giá thiết bị",
    )
    advance_paid = pay(proposal, 50 * M, kind="advance")
    money.tranche_reverse(
        tranche=advance_paid, actor=centre(), reason="Chi nhầm", idempotency_key=uuid.uuid4().hex
    )
    rows = rows_of(proposal)
    signed = row_of(rows, "contract")
    assert signed["label"] == "Recorded the signed contract"
    assert signed["to_status"] == "In implementation"
    assert changes_of(signed)["Contracted amounts"] == (
        None,
        "KCĐP 300.000.000 ₫, Counterpart 700.000.000 ₫",
    )
    # The amendment's before and after, as one change of the contracted amounts.
    amended = row_of(rows, "contract_amend")
    assert amended["label"] == "Amended the contract"
    assert changes_of(amended) == {
        "Contracted amounts": (
            "KCĐP 300.000.000 ₫, Counterpart 700.000.000 ₫",
            "KCĐP 250.000.000 ₫, Counterpart 700.000.000 ₫",
        )
    }
    # A payment: its kind of payment (not a kind of đề án), source and amount; the ids of
    # the tranche rows are not for the reader.
    payment = row_of(rows, "payment")
    assert payment["label"] == "Recorded a payment"
    assert changes_of(payment) == {
        "Amount": (None, "50.000.000 ₫"),
        "Funding source": (None, "KCĐP"),
        "Kind of payment": (None, "Advance (tạm ứng)"),
    }
    reversal = row_of(rows, "tranche_reverse")
    assert reversal["label"] == "Reversed a payment" and reversal["changes"] == []


def test_an_inspection_event_names_its_kind_and_date(world):
    from tests.inspections.factories import in_implementation, plan

    proposal = in_implementation(1)
    plan(proposal, kind="periodic")
    planned = changes_of(row_of(rows_of(proposal), "inspection_planned"))
    assert planned["Kind of inspection"][1] == "Periodic inspection"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", planned["Planned date"][1])


def test_an_unknown_action_or_change_is_shown_as_stored():
    event = ProposalEvent(action="imported", changes={"batch": 7})
    row = timeline.timeline_rows([event])[0]
    assert row["label"] == "imported"
    assert row["changes"] == [{"label": "batch", "before": None, "after": "7"}]


def test_the_timeline_is_written_in_the_users_language(world):
    proposal = make_proposal(SONLA)
    events = ProposalEvent.objects.filter(proposal=proposal).order_by("id")
    with translation.override("vi"):
        rows = timeline.timeline_rows(events)
        assert str(rows[0]["label"]) == "Tạo dự thảo"
        labels = {str(c["label"]) for c in rows[1]["changes"]}
        assert "Cơ sở CNNT" in labels and "Establishments" not in labels


def test_every_label_of_the_choices_above_projects_is_the_same():
    assert dict(Tranche.Kind.choices) == {
        k: str(v) for k, v in timeline.TRANCHE_KIND_LABELS.items()
    }


def test_the_timeline_costs_two_queries_whatever_its_length(world, django_assert_max_num_queries):
    proposal = advance(make_proposal(SONLA), "approved")
    events = list(ProposalEvent.objects.filter(proposal=proposal))
    assert len(events) >= 6
    with django_assert_max_num_queries(2):
        timeline.timeline_rows(events)
