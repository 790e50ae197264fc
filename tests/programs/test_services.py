"""Annual plans: allocations within budget (service and database), workflow, amendments,
concurrent edits, and who may do what."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from programs.models import (
    Activity,
    AnnualPlan,
    LegalDocument,
    PlanAllocation,
    PlanBudget,
    SupportCap,
)
from programs.services import (
    PLAN_TRANSITIONS,
    ConcurrentEditError,
    cap_save,
    plan_amend,
    plan_set_budget,
    plan_transition,
    plan_transitions_for,
)
from reference.models import Province
from tests.programs import factories

B = 1_000_000_000


@pytest.fixture
def sonla(world):
    return Province.objects.get(code=14)


@pytest.fixture
def plan(sonla):
    return factories.draft_plan(sonla, year=2028, budget=B)


def act(code):
    return Activity.objects.get(code=code)


def test_allocations_up_to_the_budget_are_accepted(plan, users):
    plan = plan_set_budget(
        plan=plan,
        actor=users["sct-sonla"],
        budgets={"kcdp": B},
        allocations=[(act("01"), "kcdp", B // 2), (act("03.2"), "kcdp", B // 2)],
        expected_version=plan.version,
    )
    assert sum(plan.allocations.values_list("amount", flat=True)) == B


def test_one_dong_over_the_budget_is_refused_and_nothing_changes(plan, users):
    before = list(plan.allocations.values_list("activity__code", "source", "amount"))
    with pytest.raises(ValidationError) as exc:
        plan_set_budget(
            plan=plan,
            actor=users["sct-sonla"],
            budgets={"kcdp": B},
            allocations=[(act("01"), "kcdp", B // 2), (act("03.2"), "kcdp", B // 2 + 1)],
            expected_version=plan.version,
        )
    assert "1 ₫" in " ".join(exc.value.messages)
    assert list(plan.allocations.values_list("activity__code", "source", "amount")) == before


def test_a_local_plan_takes_no_national_money(plan, users):
    with pytest.raises(ValidationError):
        plan_set_budget(
            plan=plan,
            actor=users["sct-sonla"],
            budgets={"kcdp": B, "kcqg": 1},
            allocations=[],
            expected_version=plan.version,
        )


def test_the_database_refuses_allocations_above_the_budget(plan):
    """Any writer, not only the service: the deferred trigger checks at commit."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAllocation.objects.create(plan=plan, activity=act("07"), source="kcdp", amount=B)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS plan_allocations_within_budget IMMEDIATE")


def test_the_database_refuses_cutting_a_budget_below_its_allocations(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanBudget.objects.filter(plan=plan, source="kcdp").update(amount=1)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS plan_budget_covers_allocations IMMEDIATE")


def test_a_stale_form_is_told_not_overwritten(plan, users):
    stale_version = plan.version
    plan_set_budget(
        plan=plan,
        actor=users["sct-sonla"],
        budgets={"kcdp": B},
        allocations=[],
        expected_version=stale_version,
    )
    with pytest.raises(ConcurrentEditError):
        plan_set_budget(
            plan=plan,
            actor=users["sct-sonla"],
            budgets={"kcdp": 2 * B},
            allocations=[],
            expected_version=stale_version,
        )
    assert PlanBudget.objects.get(plan=plan, source="kcdp").amount == B


def test_workflow_and_decision(plan, users):
    staff = users["sct-sonla"]
    assert [t.action for t in plan_transitions_for(user=staff, plan=plan)] == ["submit"]
    plan = plan_transition(plan=plan, actor=staff, action="submit")
    with pytest.raises(ValidationError) as exc:
        plan_transition(plan=plan, actor=staff, action="approve")
    assert set(exc.value.message_dict) == {"decision_number", "decision_date"}
    plan = plan_transition(
        plan=plan,
        actor=staff,
        action="approve",
        decision_number="12/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 1),
        decided_by="UBND tỉnh Sơn La",
    )
    assert plan.status == "approved" and plan.decision_number == "12/QĐ-UBND"
    # Approved plans are not edited in place.
    with pytest.raises(ValidationError):
        plan_set_budget(
            plan=plan,
            actor=staff,
            budgets={"kcdp": 2 * B},
            allocations=[],
            expected_version=plan.version,
        )
    assert list(plan.events.values_list("action", flat=True)) == [
        "approve",
        "submit",
        "edit",
        "create",
    ]


@pytest.mark.parametrize("transition", PLAN_TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
@pytest.mark.parametrize(
    "username,allowed",
    [("sct-sonla", True), ("ttkc-sonla", None), ("sct-hanoi", False), ("ministry", False)],
)
def test_transition_matrix(sonla, users, transition, username, allowed):
    """Every transition for each kind of user: the Sở of the province acts; the centre
    may not approve; another province and the ministry (which watches) may not act."""
    plan = factories.draft_plan(sonla, year=2029, budget=B)
    staff = users["sct-sonla"]
    if transition.source == "submitted":
        plan = plan_transition(plan=plan, actor=staff, action="submit")
    kwargs = {"comment": "Bổ sung thuyết minh"} if transition.action == "return" else {}
    if transition.action == "approve":
        kwargs = {"decision_number": "1/QĐ-UBND", "decision_date": datetime.date(2026, 11, 2)}
    if allowed is None:  # promotion centre staff: no plan permissions at all
        allowed = False
    if allowed:
        plan = plan_transition(plan=plan, actor=users[username], action=transition.action, **kwargs)
        assert plan.status == transition.target
    else:
        with pytest.raises(PermissionDenied):
            plan_transition(plan=plan, actor=users[username], action=transition.action, **kwargs)
        assert AnnualPlan.objects.get(pk=plan.pk).status == transition.source


def test_an_amendment_keeps_the_approved_version(plan, users):
    staff = users["sct-sonla"]
    plan = plan_transition(plan=plan, actor=staff, action="submit")
    plan = plan_transition(
        plan=plan,
        actor=staff,
        action="approve",
        decision_number="5/QĐ-UBND",
        decision_date=datetime.date(2026, 10, 1),
    )
    before = {b.source: b.amount for b in plan.budgets.all()}
    amendment = plan_amend(
        plan=plan,
        actor=staff,
        budgets={"kcdp": 2 * B, "counterpart": B},
        allocations=[(act("03.1"), "kcdp", B + 1)],
        decision_number="9/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 20),
        reason="Bổ sung kinh phí",
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    assert plan.status == "amended"
    assert amendment.before["budgets"] == before
    assert amendment.after["budgets"] == {"kcdp": 2 * B, "counterpart": B}
    assert amendment.number == 1
    with pytest.raises(ValidationError):  # the same again changes nothing
        plan_amend(
            plan=plan,
            actor=staff,
            budgets={"kcdp": 2 * B, "counterpart": B},
            allocations=[(act("03.1"), "kcdp", B + 1)],
            decision_number="10/QĐ-UBND",
            decision_date=datetime.date(2026, 11, 21),
            reason="x",
            expected_version=plan.version,
        )


def test_province_admin_keeps_only_its_own_caps(world, users):
    sonla_admin = User.objects.create_user(
        "admin-sonla", password="x", role="province_admin", agency=users["sct-sonla"].agency
    )
    doc = LegalDocument.objects.get(number="28/2018/TT-BTC")
    own = SupportCap(
        activity=act("01"),
        level="local",
        province=Province.objects.get(code=14),
        max_percent=50,
        unit="course",
        effective_from=datetime.date(2026, 1, 1),
        legal_document=doc,
    )
    assert cap_save(actor=sonla_admin, cap=own).pk
    national = SupportCap(
        activity=act("01"),
        level="national",
        max_percent=70,
        unit="course",
        effective_from=datetime.date(2026, 1, 1),
        legal_document=doc,
    )
    with pytest.raises(PermissionDenied):
        cap_save(actor=sonla_admin, cap=national)
    other = SupportCap(
        activity=act("01"),
        level="local",
        province=Province.objects.get(code=1),
        max_percent=50,
        unit="course",
        effective_from=datetime.date(2026, 1, 1),
        legal_document=doc,
    )
    with pytest.raises(PermissionDenied):
        cap_save(actor=sonla_admin, cap=other)
    overlapping = SupportCap(
        activity=act("01"),
        level="local",
        province=Province.objects.get(code=14),
        max_percent=40,
        unit="course",
        effective_from=datetime.date(2026, 6, 1),
        legal_document=doc,
    )
    with pytest.raises(ValidationError, match="trùng với quy định"):
        cap_save(actor=sonla_admin, cap=overlapping)


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_one_wins_the_other_is_told(world):
    """Real threads on PostgreSQL: the row lock and the version column let exactly one of
    two concurrent saves through; the other gets ConcurrentEditError, nothing half-written."""
    sonla = Province.objects.get(code=14)
    plan = factories.draft_plan(sonla, year=2030, budget=B)
    staff = User.objects.get(username="sct-sonla")
    version = plan.version
    barrier = threading.Barrier(2)
    results = []

    def save(amount):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            plan_set_budget(
                plan=plan,
                actor=staff,
                budgets={"kcdp": amount},
                allocations=[(act("03.1"), "kcdp", amount)],
                expected_version=version,
            )
            results.append("ok")
        except ConcurrentEditError:
            results.append("stale")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=save, args=(a,)) for a in (B, 2 * B)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale"]
    plan.refresh_from_db()
    assert plan.version == version + 1
    budget = PlanBudget.objects.get(plan=plan, source="kcdp").amount
    assert list(plan.allocations.values_list("amount", flat=True)) == [budget]
