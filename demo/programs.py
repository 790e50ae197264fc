"""Demo programmes, annual plans and a provincial support cap for the demo provinces.

The national programmes, legal documents and the activity catalogue come from the
migrations (programs.catalogue); this adds what a province would have entered."""

from __future__ import annotations

import datetime

from django.apps import apps as django_apps

from accounts.models import User
from demo.seeding import demo_user
from programs.catalogue import load_catalogue
from programs.models import Activity, AnnualPlan, Program
from programs.services import plan_create, plan_set_budget, plan_transition, program_save
from reference.models import Province

M = 1_000_000  # one million đồng

# province code -> yearly local budget in millions of đồng
DEMO = {1: 45_000, 14: 9_000, 66: 12_000}


def _staff(province: Province) -> User:
    return demo_user(province, "province_staff")


def _program(province: Province, actor: User) -> Program:
    code = f"kcdp-{province.abbreviation.lower()}-2026-2030"
    existing = Program.objects.filter(code=code).first()
    if existing:
        return existing
    program = Program(
        code=code,
        name=f"Chương trình khuyến công {province.administrative_name} giai đoạn 2026 - 2030",
        level="local",
        province=province,
        start_year=2026,
        end_year=2030,
        objectives=(
            "Hỗ trợ cơ sở công nghiệp nông thôn đổi mới công nghệ, phát triển sản phẩm tiêu "
            "biểu, đào tạo nghề và xây dựng mô hình trình diễn kỹ thuật."
        ),
    )
    from programs.models import Indicator

    targets = {
        Indicator.objects.get(code="models"): 10,
        Indicator.objects.get(code="trainees"): 2_000,
        Indicator.objects.get(code="machines"): 150,
        Indicator.objects.get(code="typical-products"): 60,
    }
    return program_save(actor=actor, program=program, targets=targets)


def _allocations(total: int) -> list[tuple[Activity, str, int]]:
    shares = [("01", 0.15), ("03.1", 0.25), ("03.2", 0.30), ("05.2", 0.10), ("07", 0.05)]
    rows = [(Activity.objects.get(code=code), "kcdp", int(total * share)) for code, share in shares]
    rows.append((Activity.objects.get(code="03.2"), "counterpart", int(total * 0.4)))
    return rows


def _plan(program: Program, year: int, budget_m: int, actor: User, *, status: str) -> AnnualPlan:
    plan = AnnualPlan.objects.filter(program=program, year=year).first()
    if plan is not None:
        return plan
    province = program.province
    plan = plan_create(
        actor=actor,
        program=program,
        year=year,
        title=f"Kế hoạch khuyến công địa phương năm {year} {province.administrative_name}",
    )
    total = budget_m * M
    plan = plan_set_budget(
        plan=plan,
        actor=actor,
        budgets={"kcdp": total, "counterpart": int(total * 0.5)},
        allocations=_allocations(total),
        expected_version=plan.version,
    )
    if status in ("submitted", "approved"):
        plan = plan_transition(plan=plan, actor=actor, action="submit")
    if status == "approved":
        plan = plan_transition(
            plan=plan,
            actor=actor,
            action="approve",
            decision_number=f"{100 + province.code}/QĐ-UBND",
            decision_date=datetime.date(year - 1, 12, 20),
            decided_by=f"UBND {province.administrative_name}",
        )
    return plan


def seed_programs(*, seed: int) -> str:
    load_catalogue(django_apps)  # no-op when the migrations loaded it
    for code, budget_m in DEMO.items():
        province = Province.objects.get(code=code)
        actor = _staff(province)
        program = _program(province, actor)
        _plan(program, 2026, budget_m, actor, status="approved")
        _plan(program, 2027, int(budget_m * 1.1), actor, status="draft")
    programs, plans = Program.objects.count(), AnnualPlan.objects.count()
    return f"Programmes and plans: {programs} programmes, {plans} plans."
