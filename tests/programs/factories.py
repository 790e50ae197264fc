"""Builders for programmes, plans and caps in a given province (used across tests)."""

from __future__ import annotations

import datetime

from accounts.models import User
from programs.models import Activity, AnnualPlan, LegalDocument, Program, SupportCap
from programs.services import plan_create, plan_set_budget
from reference.models import Province


def local_program(province: Province) -> Program:
    program, _ = Program.objects.get_or_create(
        code=f"kcdp-{province.abbreviation.lower()}-2026-2030",
        defaults={
            "name": f"Chương trình khuyến công {province.administrative_name} 2026 - 2030",
            "level": "local",
            "province": province,
            "start_year": 2026,
            "end_year": 2030,
        },
    )
    return program


def province_staff(province: Province) -> User:
    return User.objects.get(
        agency__province=province, agency__kind="department", role="province_staff"
    )


def draft_plan(province: Province, year: int = 2027, budget: int = 1_000_000_000) -> AnnualPlan:
    program = local_program(province)
    plan = AnnualPlan.objects.filter(program=program, year=year).first()
    if plan is None:
        actor = province_staff(province)
        plan = plan_create(actor=actor, program=program, year=year, title=f"Kế hoạch {year}")
        plan = plan_set_budget(
            plan=plan,
            actor=actor,
            budgets={"kcdp": budget, "counterpart": budget // 2},
            allocations=[(Activity.objects.get(code="03.1"), "kcdp", budget // 2)],
            expected_version=plan.version,
        )
    return plan


def local_cap(province: Province, activity_code: str = "01") -> SupportCap:
    document, _ = LegalDocument.objects.get_or_create(
        number=f"99/2026/NQ-HĐND-{province.abbreviation}",
        defaults={
            "doc_type": "resolution",
            "title": "Nghị quyết thử nghiệm",
            "issuer": f"HĐND {province.administrative_name}",
            "signed_on": datetime.date(2026, 1, 1),
            "effective_from": datetime.date(2026, 1, 1),
            "province": province,
        },
    )
    cap, _ = SupportCap.objects.get_or_create(
        activity=Activity.objects.get(code=activity_code),
        level="local",
        province=province,
        effective_from=datetime.date(2026, 1, 1),
        defaults={
            "max_percent": 50,
            "max_amount": 100_000_000,
            "unit": "course",
            "legal_document": document,
        },
    )
    return cap
