"""The declared table of the annual cycle (cycle.workflow.STEPS): every state × every
action × every role, for a national and a local object (a batch is always national), through
the services. Generated from the table and the models' statuses, so a new step or state is
covered without editing this file."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cycle import services, workflow
from cycle.models import Call, PlanDecision, RegistrationBatch
from tests.cycle.factories import (
    appraised_national,
    batch_with,
    draft_decision,
    forwarded_national,
    open_call,
    today,
)
from tests.projects.factories import S, advance, make_proposal, ministry, plan_for, staff_of
from tests.projects.test_workflow import ACTORS, PROVINCE, user_for

STATUSES = {"call": Call.Status, "batch": RegistrationBatch.Status, "decision": PlanDecision.Status}


def build(kind: str, status: str, level: str):
    """An object of ``kind`` in ``status`` at ``level``, of the province PROVINCE."""
    national = level == "national"
    if kind == "call":
        call = open_call(plan_for(PROVINCE, national=national), opened=False)
        actor = ministry() if national else staff_of(PROVINCE)
        if status in (Call.Status.OPEN, Call.Status.CLOSED):
            call = services.call_transition(call=call, actor=actor, action="open")
        if status == Call.Status.CLOSED:
            call = services.call_transition(call=call, actor=actor, action="close")
        return call
    if kind == "batch":
        call = open_call(plan_for(PROVINCE, national=True))
        batch = batch_with([appraised_national(PROVINCE)], call)
        if status == RegistrationBatch.Status.SENT:
            batch = services.batch_send(batch=batch, actor=staff_of(PROVINCE), **READY)
        return batch
    plan = plan_for(PROVINCE, national=national)
    proposal = forwarded_national(PROVINCE) if national else advance(make_proposal(), S.APPRAISED)
    decision = draft_decision(plan, include=[proposal])
    if status == PlanDecision.Status.RECORDED:
        decision = services.decision_record(
            decision=decision,
            actor=ministry() if national else staff_of(PROVINCE),
            number="10/QĐ",
            date=today(),
            signer="Người ký",
        )
    return decision


READY = {
    "reference": "1/BC-SCT",
    "ubnd_copy_reference": "1/BC-SCT",
    "ubnd_copy_date": None,  # set per call below (today)
}


def attempt(kind: str, action: str, obj, user):
    fresh = type(obj).objects.get(pk=obj.pk)
    try:
        if kind == "call" and action == "edit":
            services.call_update(call=fresh, actor=user, title="Tiêu đề mới")
        elif kind == "call":
            services.call_transition(call=fresh, actor=user, action=action)
        elif kind == "batch" and action == "edit":
            services.batch_update(batch=fresh, actor=user, next_year_direction="Định hướng")
        elif kind == "batch":
            services.batch_send(batch=fresh, actor=user, **READY)
        elif action == "edit":
            services.decision_set_included(decision=fresh, actor=user, included_ids=[])
        else:
            services.decision_record(
                decision=fresh, actor=user, number="11/QĐ", date=today(), signer="Người ký"
            )
    except PermissionDenied:
        return "denied"
    except ValidationError as exc:
        return f"state {exc.messages}"
    return "ok"


def expected(step: workflow.Step, actor, status: str, level: str, kind: str) -> str:
    """What the declared table says must happen, the actor described independently."""
    if status not in step.sources:
        return "state"
    if actor.superuser:
        return "ok"
    if actor.role not in step.roles:
        return "denied"
    if level == "national" and kind != "batch":
        return "ok" if actor.province is None else "denied"
    return "ok" if actor.province == PROVINCE else "denied"


CASES = [
    (kind, status, level)
    for kind, statuses in STATUSES.items()
    for status in statuses
    for level in (["national"] if kind == "batch" else ["national", "local"])
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "status", "level"), CASES)
def test_every_action_by_every_role_in_every_state(world, kind, status, level):
    READY["ubnd_copy_date"] = today()
    obj = build(kind, status, level)
    assert obj.status == status
    users = {a.key: user_for(a) for a in ACTORS}
    wrong, outcomes = [], set()
    for step in workflow.STEPS:
        if step.kind != kind or level not in step.levels:
            continue
        for actor in ACTORS:
            want = expected(step, actor, status, level, kind)
            sid = transaction.savepoint()
            try:
                got = attempt(kind, step.action, obj, users[actor.key])
                outcomes.add(got.split(" ")[0])
                if got.split(" ")[0] != want:
                    wrong.append(f"{step.action} by {actor.key}: expected {want}, got {got}")
                elif got == "ok" and step.action != "edit":
                    now = type(obj).objects.get(pk=obj.pk).status
                    if now != step.target:
                        wrong.append(f"{step.action} by {actor.key}: landed in {now}")
                # The page offers exactly what the service allows.
                if (got == "ok") != workflow.may_perform(users[actor.key], step.action, obj):
                    wrong.append(f"{step.action} by {actor.key}: may_perform disagrees")
            finally:
                transaction.savepoint_rollback(sid)
    assert not wrong, "\n".join(wrong)
    assert outcomes - {"ok"}, "every state refuses someone something"


def test_the_table_is_well_formed():
    for step in workflow.STEPS:
        statuses = set(STATUSES[step.kind])
        assert step.sources <= statuses and step.target in statuses
        assert step.roles and step.levels <= {"national", "local"}
    keys = [(s.kind, s.action, level) for s in workflow.STEPS for level in s.levels]
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_who_does_what_in_the_domain_words(world, users):
    """The ministry opens the national call and records the Minister's decision; the Sở
    opens its province's call, sends its batch and records the UBND's decision; the centre
    and the inspector do neither; nobody acts for another province."""
    national_call = open_call(plan_for(14, national=True), opened=False)
    local_call = open_call(plan_for(14), opened=False)

    def actions(user, obj):
        return {s.action for s in workflow.steps_to_show(user, obj)}

    assert actions(users["ministry"], national_call) == {"open"}
    assert actions(users["sct-sonla"], national_call) == set()
    assert actions(users["sct-sonla"], local_call) == {"open"}
    assert actions(users["ministry"], local_call) == set()
    assert actions(users["sct-daklak"], local_call) == set()
    assert actions(users["ttkc-sonla"], local_call) == set()
