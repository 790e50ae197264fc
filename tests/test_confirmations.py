"""Irreversible actions ask first (core.confirm): for each workflow table, a POST without
the confirmation does nothing and answers with a page naming the consequence from the table
(and carrying the same fields back with ``confirmed=1``); with it, the action is taken. The
tables carry a consequence for every irreversible step and none for the trivial ones."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from cycle import workflow as cycle_workflow
from cycle.models import Call, PlanDecision, RegistrationBatch
from disbursement import policies
from disbursement.models import Contract, Tranche
from inspections import services as inspection_services
from inspections.models import Inspection
from periodic import workflow as periodic_workflow
from periodic.models import PeriodicReport, ReportVersion
from programs import services as plan_services
from programs.models import AnnualPlan
from projects import workflow
from projects.models import Proposal
from tests.cycle.factories import appraised_national, batch_with, draft_decision, open_call, today
from tests.disbursement.factories import D, approved, centre, contracted, pay
from tests.inspections.factories import in_implementation, plan
from tests.inspections.test_views import record_post
from tests.programs.factories import draft_plan
from tests.projects.factories import DECIDED, advance, make_proposal, plan_for, staff_of
from tests.projects.test_workflow import ACTORS, PROVINCE, prepare, user_for

pytestmark = pytest.mark.django_db


def asks_then_acts(client, url, data, *, consequence, state, files=None):
    """POST ``data`` to ``url`` without the confirmation: the confirmation page naming
    ``consequence``, ``state()`` unchanged; then with it: a redirect, ``state()`` changed."""
    before = state()
    response = client.post(url, {**data, **(files or {})})
    body = response.content.decode()
    assert response.status_code == 200, body[:1000]
    assert 'data-testid="confirm-page"' in body
    assert escape(str(consequence)) in body
    assert '<input type="hidden" name="confirmed" value="1">' in body
    for name, value in data.items():
        if not isinstance(value, list):
            assert f'name="{name}" value="{escape(value)}"' in body, name
    for name in files or {}:
        assert f'type="file" id="confirm-file-1" name="{name}"' in body
    assert state() == before, "acted without the confirmation"
    for upload in (files or {}).values():
        upload.seek(0)
    response = client.post(url, {**data, **(files or {}), "confirmed": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert state() != before, "not acted with the confirmation"


# --- The tables ---------------------------------------------------------------------------


def test_every_irreversible_step_of_the_tables_names_its_consequence():
    assert all(t.consequence for t in workflow.TRANSITIONS)
    assert all(s.consequence for s in cycle_workflow.STEPS if s.action != "edit")
    assert {s.action for s in periodic_workflow.STEPS if s.consequence} == {
        "sign",
        "send",
        "reopen",
    }
    assert set(policies.STEP_CONSEQUENCES) == set(policies.STEPS) - {
        "request",
        "progress",
        "tranche",
    }
    assert set(policies.TRANCHE_CONSEQUENCES) == set(policies.TRANCHE_ACTIONS)
    assert set(inspection_services.CONSEQUENCES) == {"conclude", "cancel"}
    assert {t.action for t in plan_services.PLAN_TRANSITIONS if t.consequence} == {
        "submit",
        "approve",
    }


# --- Đề án ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [t.action for t in workflow.TRANSITIONS])
def test_a_proposal_transition_asks_then_acts(world, client, action):
    t = workflow.ACTIONS[action]
    level = "national" if "national" in t.levels and "local" not in t.levels else "local"
    proposal = prepare(sorted(t.sources)[0], level)
    actor = next(
        user
        for user in (user_for(a) for a in ACTORS if not a.superuser)
        if workflow.may_perform(user, t, proposal)
    )
    client.force_login(actor)
    data = {
        "action": action,
        "comment": "Lý do của người xử lý",
        "decision_number": "77/QĐ-UBND" if t.asks_decision else "",
        "decision_date": DECIDED.strftime("%d/%m/%Y") if t.asks_decision else "",
    }
    asks_then_acts(
        client,
        reverse("proposal-transition", args=[proposal.pk]),
        data,
        consequence=t.consequence,
        state=lambda: Proposal.objects.get(pk=proposal.pk).status,
    )
    assert Proposal.objects.get(pk=proposal.pk).status == t.target


def test_submitting_against_a_call_asks_then_acts(world, client):
    call = open_call(plan_for(PROVINCE))
    proposal = prepare(Proposal.Status.DRAFT, "local")
    proposal.plan = call.plan
    proposal.save(update_fields=["plan"])
    client.force_login(staff_of(PROVINCE))
    card = client.get(reverse("proposal-registration", args=[proposal.pk])).content.decode()
    submit = workflow.ACTIONS["submit"]
    assert f'data-confirm="{escape(str(submit.consequence))}"' in card
    asks_then_acts(
        client,
        reverse("proposal-registration", args=[proposal.pk]),
        {"call": str(call.pk)},
        consequence=submit.consequence,
        state=lambda: Proposal.objects.get(pk=proposal.pk).status,
    )


def test_the_page_marks_each_action_with_its_consequence(world, client):
    proposal = advance(make_proposal(PROVINCE), "appraised")
    client.force_login(staff_of(PROVINCE))
    body = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    panels = 0
    for t in workflow.transitions_to_show(staff_of(PROVINCE), proposal):
        if t.action in ("submit", "forward"):
            continue
        if t.needs_comment or t.asks_decision:
            # Its panel names the consequence above the button that sends it: the panel is
            # the confirmation step (no second dialog).
            panel = body.split(f'class="collapse mt-2" id="action-{t.action}"', 1)[1]
            panel = panel.split("</form>", 1)[0]
            assert escape(str(t.consequence)) in panel, t.action
            assert '<input type="hidden" name="confirmed" value="1">' in panel, t.action
            panels += 1
        else:
            assert f'data-confirm="{escape(str(t.consequence))}"' in body, t.action
    assert panels  # an appraised đề án: approve and reject open panels


# --- Money ---------------------------------------------------------------------------------


def test_recording_money_asks_then_acts(world, client):
    proposal = approved()
    client.force_login(centre())
    url = reverse("proposal-money", args=[proposal.pk])
    body = client.get(url).content.decode()
    assert f'data-confirm="{escape(str(policies.STEP_CONSEQUENCES["contract"]))}"' in body
    asks_then_acts(
        client,
        url,
        {
            "form": "contract",
            "contract-number": "05/2026/HĐ-KC",
            "contract-signed_on": D.strftime("%d/%m/%Y"),
            "contract-parties": "Trung tâm Khuyến công Sơn La và HTX",
            "contract-kcdp": "300.000.000",
            "contract-counterpart": "700.000.000",
            "contract-other": "0",
        },
        consequence=policies.STEP_CONSEQUENCES["contract"],
        state=lambda: Contract.objects.filter(proposal=proposal).count(),
    )
    asks_then_acts(
        client,
        url,
        {
            "form": "payment",
            "payment-kind": "advance",
            "payment-source": "kcdp",
            "payment-amount": "100.000.000",
            "payment-paid_on": D.strftime("%d/%m/%Y"),
            "payment-voucher_number": "PC-01",
            "payment-treasury_reference": "",
            "payment-note": "",
            "payment-idempotency_key": uuid.uuid4().hex,
        },
        consequence=policies.STEP_CONSEQUENCES["payment"],
        state=lambda: Tranche.objects.filter(proposal=proposal).count(),
    )


@pytest.mark.parametrize("action", list(policies.TRANCHE_ACTIONS))
def test_a_tranche_action_asks_then_acts(world, client, action):
    proposal = contracted().proposal
    if action == "reverse":
        tranche = pay(proposal, 10_000_000)
    else:
        from disbursement import services

        tranche = services.tranche_request(
            proposal=proposal,
            actor=centre(),
            kind="payment",
            source="kcdp",
            amount=10_000_000,
            idempotency_key=uuid.uuid4().hex,
        )
        if action == "pay":
            services.tranche_approve(tranche=tranche, actor=staff_of(PROVINCE))
    client.force_login(staff_of(PROVINCE))
    asks_then_acts(
        client,
        reverse("tranche-action", args=[proposal.pk]),
        {
            "tranche": str(tranche.pk),
            "action": action,
            "reason": "Lý do",
            "paid_on": D.strftime("%d/%m/%Y"),
            "voucher_number": "PC-9",
            "idempotency_key": uuid.uuid4().hex,
        },
        consequence=policies.TRANCHE_CONSEQUENCES[action],
        state=lambda: Tranche.objects.get(pk=tranche.pk).status,
    )


def test_the_requester_sees_who_approves_instead_of_a_button(world, client):
    from disbursement import services

    proposal = contracted().proposal
    tranche = services.tranche_request(
        proposal=proposal,
        actor=centre(),
        kind="payment",
        source="kcdp",
        amount=10_000_000,
        idempotency_key=uuid.uuid4().hex,
    )
    client.force_login(centre())
    body = client.get(reverse("proposal-money", args=[proposal.pk])).content.decode()
    assert f'data-testid="approve-{tranche.pk}"' not in body
    assert 'data-testid="tranche-waiting"' in body and "Sở Công Thương tỉnh Sơn La" in body
    assert 'data-testid="request-approvers"' in body


# --- Annual cycle, periodic reports, inspections, plans --------------------------------------


def test_opening_a_call_asks_then_acts(world, client):
    call = open_call(plan_for(PROVINCE), opened=False)
    client.force_login(staff_of(PROVINCE))
    step = cycle_workflow.step_for("call", "open", call.level)
    asks_then_acts(
        client,
        reverse("call-transition", args=[call.pk]),
        {"action": "open"},
        consequence=step.consequence,
        state=lambda: Call.objects.get(pk=call.pk).status,
    )


def test_sending_a_batch_asks_then_acts(world, client):
    call = open_call(plan_for(PROVINCE, national=True))
    batch = batch_with([appraised_national(PROVINCE)], call)
    client.force_login(staff_of(PROVINCE))
    asks_then_acts(
        client,
        reverse("batch-detail", args=[batch.pk]),
        {
            "do": "send",
            "reference": "12/BC-SCT",
            "ubnd_copy_reference": "12/BC-SCT",
            "ubnd_copy_date": today().strftime("%d/%m/%Y"),
        },
        consequence=cycle_workflow.step_for("batch", "send", "national").consequence,
        state=lambda: RegistrationBatch.objects.get(pk=batch.pk).status,
    )


def test_recording_a_plan_decision_asks_then_acts(world, client):
    plan_ = plan_for(PROVINCE)
    proposal = advance(make_proposal(), Proposal.Status.APPRAISED)
    decision = draft_decision(plan_, include=[proposal])
    client.force_login(staff_of(PROVINCE))
    asks_then_acts(
        client,
        reverse("decision-detail", args=[decision.pk]),
        {
            "do": "record",
            "include": [str(proposal.pk)],
            "number": "77/QĐ-UBND",
            "date": today().strftime("%d/%m/%Y"),
            "signer": "Chủ tịch UBND tỉnh",
        },
        consequence=cycle_workflow.step_for("decision", "record", "local").consequence,
        state=lambda: PlanDecision.objects.get(pk=decision.pk).status,
    )


def test_signing_sending_and_reopening_a_report_ask_then_act(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from periodic import services

    author = staff_of(PROVINCE)
    report = services.report_start(
        actor=author, kind="six_month", province=author.agency.province, year=2026
    )
    version = services.version_review(version=report.versions.get(), actor=author)
    client.force_login(author)

    def status():
        return list(ReportVersion.objects.filter(report=report).values_list("number", "status"))

    asks_then_acts(
        client,
        reverse("periodic-sign", args=[version.pk]),
        {"document_number": "35/BC-SCT", "signed_on": "2026-07-10", "signer": "Giám đốc"},
        files={"scan": SimpleUploadedFile("ky.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
        consequence=periodic_workflow.BY_ACTION["sign"].consequence,
        state=status,
    )
    asks_then_acts(
        client,
        reverse("periodic-send", args=[version.pk]),
        {"sent_on": "2026-07-12"},
        consequence=periodic_workflow.BY_ACTION["send"].consequence,
        state=status,
    )
    asks_then_acts(
        client,
        reverse("periodic-reopen", args=[version.pk]),
        {"reason": "Sửa số liệu"},
        consequence=periodic_workflow.BY_ACTION["reopen"].consequence,
        state=status,
    )
    assert PeriodicReport.objects.get(pk=report.pk).versions.count() == 2


def test_concluding_and_cancelling_an_inspection_ask_then_act(world, client):
    client.force_login(staff_of(1))
    inspection = plan(in_implementation(1))
    data = {k: str(v) for k, v in record_post(inspection, "conclude").items() if k != "confirmed"}
    data.update(conclusion="compliant", conclusion_text="Đúng quy định.")
    asks_then_acts(
        client,
        reverse("inspection-detail", args=[inspection.pk]),
        data,
        consequence=inspection_services.CONSEQUENCES["conclude"],
        state=lambda: Inspection.objects.get(pk=inspection.pk).status,
    )
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.CONCLUDED
    other = plan(in_implementation(1))
    asks_then_acts(
        client,
        reverse("inspection-cancel", args=[other.pk]),
        {"reason": "Cơ sở tạm dừng sản xuất"},
        consequence=inspection_services.CONSEQUENCES["cancel"],
        state=lambda: Inspection.objects.get(pk=other.pk).status,
    )


def test_submitting_and_approving_a_plan_ask_then_act(world, client):
    plan_ = draft_plan(staff_of(PROVINCE).agency.province, year=2029)
    client.force_login(staff_of(PROVINCE))
    url = reverse("plan-transition", args=[plan_.pk])
    by_action = {t.action: t for t in plan_services.PLAN_TRANSITIONS}

    def status():
        return AnnualPlan.objects.get(pk=plan_.pk).status

    asks_then_acts(
        client, url, {"action": "submit"}, consequence=by_action["submit"].consequence, state=status
    )
    asks_then_acts(
        client,
        url,
        {"action": "approve", "decision_number": "77/QĐ-UBND", "decision_date": "20/11/2026"},
        consequence=by_action["approve"].consequence,
        state=status,
    )


def test_trivial_steps_do_not_ask(world, client):
    """Saving a draft or requesting a tranche (corrected by the next step) acts at once."""
    proposal = contracted().proposal
    client.force_login(centre())
    response = client.post(
        reverse("proposal-money", args=[proposal.pk]),
        {
            "form": "request",
            "request-kind": "payment",
            "request-source": "kcdp",
            "request-amount": "60.000.000",
            "request-due_on": "15/12/2026",
            "request-idempotency_key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302
    assert Tranche.objects.filter(proposal=proposal, status="requested").count() == 1
