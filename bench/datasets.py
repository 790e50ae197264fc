"""Data in bulk for the benchmarks and the tests that need volume.

Report data: approved đề án with beneficiaries, contracts, paid tranches, concluded
inspections with open recommendations, and outputs — written with ``bulk_create`` (a few
dozen queries for a thousand đề án), consistent with every database rule (paid ≤
contracted ≤ approved, decisions on approved đề án, allocations within the plan's budget),
so the deferred triggers accept it at commit. Used by the report benchmark (inside a
transaction that is rolled back) and by the report tests.

Import files: :func:`import_workbook`, the establishment template filled with as many
rows as asked, as a province would (used by ``bench/imports.py`` and the import tests)."""

from __future__ import annotations

import datetime
import io
import itertools
import random
import uuid
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook

from accounts.models import Agency
from beneficiaries.imports import COLUMNS
from beneficiaries.models import Beneficiary, LegalForm, Sector
from beneficiaries.validators import tax_code_check_digit
from core.formatting import document_number
from core.text import fold
from disbursement.models import Contract, Tranche
from inspections.models import Inspection, InspectionAnswer, Recommendation
from programs.models import (
    Activity,
    AnnualPlan,
    Indicator,
    PlanAllocation,
    PlanBudget,
    Program,
    ProgramTarget,
)
from projects.models import Proposal, ProposalBeneficiary, ProposalOutput
from reference.models import Commune, Province

M = 1_000_000

TOPICS = [
    "Xây dựng mô hình trình diễn kỹ thuật sấy nông sản bằng năng lượng mặt trời",
    "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến trong chế biến chè shan tuyết",
    "Ứng dụng dây chuyền đóng gói cà phê bột đạt tiêu chuẩn xuất khẩu",
    "Đào tạo nghề dệt thổ cẩm và thêu tay cho lao động nông thôn",
    "Hỗ trợ máy cắt, uốn thép phục vụ sản xuất cơ khí nhỏ",
    "Chuyển giao công nghệ sản xuất gạch không nung từ phế thải xây dựng",
    "Mô hình sản xuất sạch hơn trong chế biến tinh bột sắn",
    "Hỗ trợ thiết bị chưng cất rượu truyền thống đảm bảo an toàn thực phẩm",
    "Ứng dụng máy sấy lạnh trong chế biến măng và nấm rừng",
    "Hỗ trợ dây chuyền sản xuất đồ gỗ mỹ nghệ xuất khẩu",
]
ACTIVITY_CODES = ("03.1", "03.2", "01", "04")
HOUSEHOLD_NAMES = [
    "Hộ kinh doanh Nguyễn Văn Hùng",
    "Hộ kinh doanh Lò Thị Mai",
    "Hộ kinh doanh Trần Đức Thắng",
    "Hộ kinh doanh Phạm Thị Hương",
    "Hộ kinh doanh Cầm Văn Dũng",
    "Hộ kinh doanh H'Hen Niê",
    "Hộ kinh doanh Lê Quang Vinh",
    "Hộ kinh doanh Đặng Thị Ánh",
]
# Citizen IDs and programme codes stay unique across calls in one process.
_serial = itertools.count(1)

CHECKLIST = [
    "Đúng đối tượng thụ hưởng theo quyết định phê duyệt",
    "Máy móc, thiết bị đúng chủng loại, số lượng theo hợp đồng",
    "Chứng từ thanh toán hợp lệ, đúng mục đích",
]


@dataclass
class Dataset:
    """What :func:`compliance_dataset` created (ids, for the parameters of the reports)."""

    provinces: list[Province]
    programs: list[Program] = field(default_factory=list)
    plans: list[AnnualPlan] = field(default_factory=list)
    proposals: int = 0
    beneficiaries: int = 0
    tranches: int = 0
    inspections: int = 0
    open_recommendations: int = 0
    approved_total: int = 0
    paid_total: int = 0


def compliance_dataset(
    *,
    provinces: list[Province],
    per_province: int,
    actor,
    year: int = 2026,
    seed: int = 6,
    today: datetime.date | None = None,
) -> Dataset:
    """``per_province`` approved local đề án in each province, in a programme and an
    approved plan of ``year`` created for the purpose. The đề án codes follow the portal's
    pattern (``KCĐP-HNI-2026-0001``), so one dataset per province and year."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    activities = {a.code: a for a in Activity.objects.filter(code__in=ACTIVITY_CODES)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=["models", "machines"])}
    sector = Sector.objects.order_by("order").first()
    data = Dataset(provinces=list(provinces))
    now = timezone.now()
    for province in provinces:
        centre = Agency.objects.get(kind=Agency.Kind.PROMOTION_CENTRE, province=province)
        communes = list(Commune.objects.filter(province=province).order_by("code")[:50])
        tag = province.abbreviation.upper()
        program = Program.objects.create(
            code=f"bench-{province.abbreviation.lower()}-{year}-{next(_serial)}",
            name=(
                f"Chương trình khuyến công {province.administrative_name} giai đoạn "
                f"{year} - {year + 4} (số liệu thử nghiệm)"
            ),
            level="local",
            province=province,
            start_year=year,
            end_year=year + 4,
        )
        ProgramTarget.objects.bulk_create(
            [
                ProgramTarget(
                    program=program, indicator=indicators["models"], target_value=per_province
                ),
                ProgramTarget(
                    program=program, indicator=indicators["machines"], target_value=3 * per_province
                ),
            ]
        )
        plan = AnnualPlan.objects.create(
            program=program,
            year=year,
            province=province,
            title=f"Kế hoạch khuyến công địa phương năm {year} {province.administrative_name}",
            status=AnnualPlan.Status.APPROVED,
            decision_number=f"{province.code}/QĐ-UBND",
            decision_date=datetime.date(year - 1, 12, 20),
            decided_by=f"UBND {province.administrative_name}",
            created_by=actor,
        )
        data.programs.append(program)
        data.plans.append(plan)

        proposals = []
        for i in range(1, per_province + 1):
            kcdp = rng.randrange(50, 900) * M
            counterpart = rng.randrange(1, 4) * kcdp // 2
            start = datetime.date(year, rng.randrange(1, 7), 1)
            title = f"{rng.choice(TOPICS)} tại {rng.choice(communes).name}"
            proposals.append(
                Proposal(
                    code=f"KCĐP-{tag}-{year}-{i:04d}",
                    title=title,
                    title_folded=fold(title),
                    plan=plan,
                    sequence=i,
                    level="local",
                    province=province,
                    kind=rng.choice(["ordinary", "ordinary", "pilot", "group"]),
                    activity=activities[rng.choice(ACTIVITY_CODES)],
                    implementing_agency=centre,
                    start_date=start,
                    end_date=datetime.date(year, 12, 15),
                    status=rng.choice(["approved", "in_implementation", "in_implementation"]),
                    decision_number=f"{100 + i}/QĐ-SCT",
                    decision_date=datetime.date(year, 1, 15),
                    approved_kcdp=kcdp,
                    approved_counterpart=counterpart,
                    created_by=actor,
                )
            )
        proposals = Proposal.objects.bulk_create(proposals)
        data.proposals += len(proposals)
        kcdp_sum = sum(p.approved_kcdp for p in proposals)
        counterpart_sum = sum(p.approved_counterpart for p in proposals)
        PlanBudget.objects.bulk_create(
            [
                PlanBudget(plan=plan, source="kcdp", amount=kcdp_sum),
                PlanBudget(plan=plan, source="counterpart", amount=counterpart_sum),
            ]
        )
        by_activity: dict[tuple[int, str], int] = {}
        for p in proposals:
            for source, amount in (
                ("kcdp", p.approved_kcdp),
                ("counterpart", p.approved_counterpart),
            ):
                key = (p.activity_id, source)
                by_activity[key] = by_activity.get(key, 0) + amount
        PlanAllocation.objects.bulk_create(
            [
                PlanAllocation(plan=plan, activity_id=a, source=source, amount=amount)
                for (a, source), amount in by_activity.items()
            ]
        )

        # Establishments: household businesses identified by the owner's CCCD (digit 4
        # is "9", which no real CCCD has, so they never collide with the demo registry).
        beneficiaries, links = [], []
        for p in proposals:
            for _ in range(rng.choice([1, 1, 2, 3])):
                data.beneficiaries += 1
                name = f"{rng.choice(HOUSEHOLD_NAMES)} ({data.beneficiaries})"
                commune = rng.choice(communes)
                beneficiaries.append(
                    Beneficiary(
                        legal_form=LegalForm.HOUSEHOLD_BUSINESS,
                        name=name,
                        name_folded=fold(name),
                        citizen_id=f"0{province.code:02d}9{next(_serial):08d}",
                        commune=commune,
                        province=province,
                        sector=sector,
                        workers=rng.randrange(2, 30),
                        created_by=actor,
                    )
                )
                links.append(p)
        beneficiaries = Beneficiary.objects.bulk_create(beneficiaries)
        shares = {}
        for p in links:
            shares[p.pk] = shares.get(p.pk, 0) + 1
        ProposalBeneficiary.objects.bulk_create(
            [
                ProposalBeneficiary(
                    proposal=p, beneficiary=b, support_amount=p.approved_kcdp // shares[p.pk]
                )
                for p, b in zip(links, beneficiaries, strict=True)
            ]
        )

        # Contracts for most, and payments within them.
        contracts = [
            Contract(
                proposal=p,
                number=f"{p.sequence:04d}/{year}/HĐ-KC",
                signed_on=datetime.date(year, 2, 1),
                parties=f"{centre.name} và các cơ sở thụ hưởng",
                kcdp=p.approved_kcdp,
                counterpart=p.approved_counterpart,
                recorded_by=actor,
            )
            for p in proposals
            if rng.random() < 0.85
        ]
        contracts = Contract.objects.bulk_create(contracts)
        tranches = []
        for c in contracts:
            p = c.proposal
            advance = c.kcdp * rng.choice([30, 40, 50]) // 100
            tranches.append((c, "advance", "kcdp", advance, datetime.date(year, 3, 10)))
            if p.status == "in_implementation":
                tranches.append(
                    (c, "payment", "kcdp", (c.kcdp - advance) // 2, datetime.date(year, 7, 20))
                )
                tranches.append(
                    (c, "payment", "counterpart", c.counterpart // 2, datetime.date(year, 7, 20))
                )
        Tranche.objects.bulk_create(
            [
                Tranche(
                    proposal=c.proposal,
                    contract=c,
                    kind=kind,
                    source=source,
                    amount=amount,
                    status="paid",
                    paid_on=paid_on,
                    voucher_number=f"PC-{n:05d}",
                    idempotency_key=uuid.uuid4().hex,
                    recorded_by=actor,
                )
                for n, (c, kind, source, amount, paid_on) in enumerate(tranches, start=1)
                if amount > 0
            ]
        )
        data.tranches += len(tranches)
        data.paid_total += sum(t[3] for t in tranches)
        data.approved_total += kcdp_sum + counterpart_sum

        # Inspections: 40 % inspected; partly / not compliant ones leave recommendations.
        inspected = [c.proposal for c in contracts if rng.random() < 0.4]
        inspections, results = [], []
        for p in inspected:
            result = rng.choice(["compliant", "compliant", "partly", "not_compliant"])
            day = datetime.date(year, rng.randrange(4, 10), rng.randrange(1, 28))
            inspections.append(
                Inspection(
                    proposal=p,
                    kind="periodic",
                    status="concluded",
                    planned_on=day,
                    inspected_on=day,
                    place=f"Cơ sở sản xuất tại {rng.choice(communes).name}",
                    team="Phạm Thanh Bình, Thanh tra viên, Sở Công Thương\n"
                    "Lê Quang Hùng, Cán bộ, Trung tâm Khuyến công",
                    inspected_party="Nguyễn Văn Hùng, Chủ hộ kinh doanh",
                    contract=None,
                    conclusion=result,
                    conclusion_text="Đề án thực hiện cơ bản đúng nội dung được phê duyệt.",
                    number=document_number(len(inspections) + 1, "BB-KT"),
                    created_by=actor,
                    concluded_by=actor,
                    concluded_at=now,
                )
            )
            results.append(result)
        inspections = Inspection.objects.bulk_create(inspections)
        data.inspections += len(inspections)
        answers, recommendations = [], []
        compliance = {}
        for inspection, result in zip(inspections, results, strict=True):
            for order, text in enumerate(CHECKLIST):
                answers.append(
                    InspectionAnswer(
                        inspection=inspection,
                        text=text,
                        result="compliant" if order or result == "compliant" else result,
                        note="" if result == "compliant" else "Thiếu hồ sơ nghiệm thu thiết bị",
                        order=order,
                    )
                )
            if result == "compliant":
                compliance[inspection.proposal_id] = "compliant"
                continue
            compliance[inspection.proposal_id] = (
                "remedy_pending" if result == "partly" else "not_compliant"
            )
            recommendations.append(
                Recommendation(
                    inspection=inspection,
                    text="Bổ sung hồ sơ nghiệm thu thiết bị và chứng từ thanh toán còn thiếu.",
                    responsible=centre.name,
                    deadline=today + datetime.timedelta(days=rng.randrange(-60, 60)),
                )
            )
        InspectionAnswer.objects.bulk_create(answers)
        Recommendation.objects.bulk_create(recommendations)
        data.open_recommendations += len(recommendations)
        for value in ("compliant", "remedy_pending", "not_compliant"):
            Proposal.objects.filter(
                pk__in=[pk for pk, c in compliance.items() if c == value]
            ).update(compliance=value)

        # Outputs: one model per đề án, a few machines; achieved where inspected compliant.
        ProposalOutput.objects.bulk_create(
            [
                ProposalOutput(
                    proposal=p,
                    indicator=indicators[code],
                    target_value=target,
                    achieved_value=target if compliance.get(p.pk) == "compliant" else None,
                )
                for p in proposals
                for code, target in (("models", 1), ("machines", rng.randrange(1, 5)))
            ]
        )
    return data


IMPORT_NAMES = [
    ("HTX", "Hợp tác xã Dệt thổ cẩm"),
    ("HTX", "Hợp tác xã Chè shan tuyết"),
    ("DN", "Công ty TNHH Cơ khí nông nghiệp"),
    ("DN", "Công ty cổ phần Chế biến nông sản"),
    ("THT", "Tổ hợp tác Mây tre đan"),
    ("HKD", "Hộ kinh doanh Lò Văn"),
    ("HKD", "Hộ kinh doanh Nguyễn Thị"),
    ("NN", "Nghệ nhân Cầm Thị"),
]
PRODUCTS = [
    "Khăn, túi, váy thổ cẩm",
    "Chè xanh, chè đen đóng gói",
    "Máy tuốt lúa, máy cày mini",
    "Tinh bột sắn, miến dong",
    "Rổ, rá, làn mây tre đan xuất khẩu",
]
# Tax codes of the import files start with 96: neither the demo data nor the test
# factories (97, 98) use that prefix.
_import_serial = itertools.count(1)


def import_tax_code(prefix: str = "96") -> str:
    """A fresh tax code with a correct check digit."""
    while True:
        first_nine = f"{prefix}{next(_import_serial):07d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def import_workbook(*, province: Province, rows: int, seed: int = 16) -> bytes:
    """The establishment template with ``rows`` valid rows for ``province``: every column
    filled as a province fills it (communes by code and name, sectors by code, a quarter of
    the rows household businesses or artisans identified by the owner's CCCD), each
    establishment new. Written with openpyxl as Excel would save it (shared strings)."""
    rng = random.Random(seed)
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    sectors = list(Sector.objects.values_list("code", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cơ sở CNNT")
    sheet.append([c.header for c in COLUMNS])
    for number in range(1, rows + 1):
        form, name = rng.choice(IMPORT_NAMES)
        commune = rng.choice(communes)
        personal = form in ("HKD", "NN") and rng.random() < 0.5
        rng.random()  # once the craft village share: drawn still, the sequence unchanged
        values = {
            "name": f"{name} số {number}",
            "legal_form": form,
            "tax_code": "" if personal else import_tax_code(),
            "citizen_id": f"0{province.code:02d}8{next(_import_serial):08d}" if personal else "",
            "commune_code": f"{commune.code:05d}",
            "commune_name": commune.name,
            "address": f"Thôn {rng.randrange(1, 20)}, {commune.name}",
            "sector": rng.choice(sectors),
            "product_line": rng.choice(PRODUCTS),
            "workers": rng.randrange(1, 200),
            "woman_owned": "x" if rng.random() < 0.4 else "",
            "ethnic_minority_owned": "x" if rng.random() < 0.3 else "",
            "representative": "Lò Thị Hoa",
            "phone": f"09{rng.randrange(10**7, 10**8)}",
            "email": f"coso{number}@example.vn" if rng.random() < 0.2 else "",
        }
        sheet.append([values[c.key] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
