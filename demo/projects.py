"""Demo đề án for the demo provinces (Hà Nội, Sơn La, Đắk Lắk): about a dozen each, in
every state this issue's workflow reaches — draft, submitted, returned, appraised,
forwarded (national), approved (local and national), rejected, amending and cancelled —
with establishments of the province, budget lines, outputs, the dossier's documents as
small PDFs, appraisals and decisions on past dates.

Everything goes through ``projects.services``, so the demo obeys the same rules as the
portal (caps, eligibility, double funding, documents, the plans' allocations). National
đề án are approved against the national plan 2026, created here if missing. Matched on
title and province: running it again creates nothing new."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Agency, User
from beneficiaries.eligibility import beneficiary_eligibility
from beneficiaries.models import Beneficiary, LegalForm
from core.text import fold
from demo.councils import council_appraise
from demo.seeding import demo_user
from programs.models import Activity, AnnualPlan, Indicator, Program
from programs.services import plan_create, plan_set_budget, plan_transition
from projects import services
from projects.catalogue import load_catalogue
from projects.checks import required_documents
from projects.models import AppraisalCriterion, Proposal
from reference.models import Province
from villages.selectors import recognised_village_by_beneficiary

M = 1_000_000
YEAR = 2026
NATIONAL_PROGRAM = "kcqg-2026-2030"
# The national plan 2026: KCQG budget and allocations per activity (millions of đồng).
NATIONAL_BUDGET_M = 40_000
NATIONAL_ALLOCATIONS_M = {"01": 5_000, "03.1": 25_000, "03.2": 10_000}
# Eligibility is judged on the decision dates, all in 2026 (Decree 235/2025 in force).
JUDGED_ON = datetime.date(YEAR, 3, 1)

DRAFT, SUBMITTED, RETURNED, APPRAISED = "draft", "submitted", "returned", "appraised"
FORWARDED, APPROVED, REJECTED = "forwarded", "approved", "rejected"
AMENDING, CANCELLED = "amending", "cancelled"


@dataclass(frozen=True)
class Spec:
    """One demo đề án. ``{name}`` in the title is the first establishment's name."""

    title: str
    state: str
    activity: str
    kind: str = "ordinary"
    national: bool = False
    keywords: tuple = ()
    forms: tuple = ()  # legal forms to choose from (empty: any)
    beneficiaries: int = 1
    support_m: int = 100  # from KCĐP (local) or KCQG (national), millions
    counterpart_m: int = 200


GROUP, PILOT = "group", "pilot"
COOP = (LegalForm.COOPERATIVE,)

SPECS: dict[int, list[Spec]] = {
    1: [
        Spec(
            "Đào tạo nghề mây tre đan làng nghề Phú Vinh",
            APPROVED,
            "01",
            GROUP,
            keywords=("mây tre",),
            beneficiaries=3,
            support_m=180,
            counterpart_m=40,
        ),
        Spec(
            "Mô hình trình diễn lò nung gốm sử dụng khí hóa lỏng tại làng gốm Bát Tràng",
            APPROVED,
            "03.1",
            PILOT,
            keywords=("gốm",),
            support_m=450,
            counterpart_m=1_050,
        ),
        Spec(
            "Hỗ trợ máy cắt khảm CNC cho {name}",
            AMENDING,
            "03.2",
            keywords=("khảm trai",),
            support_m=150,
            counterpart_m=350,
        ),
        Spec(
            "Mô hình trình diễn máy dệt lụa Jacquard điện tử tại làng lụa Vạn Phúc",
            FORWARDED,
            "03.1",
            PILOT,
            national=True,
            keywords=("lụa",),
            support_m=600,
            counterpart_m=1_400,
        ),
        Spec(
            "Mô hình trình diễn dây chuyền sản xuất hương sạch tại làng hương Quảng Phú Cầu",
            APPROVED,
            "03.1",
            PILOT,
            national=True,
            keywords=("hương",),
            support_m=540,
            counterpart_m=1_260,
        ),
        Spec(
            "Hỗ trợ máy chà nhám, phun sơn tự động cho {name}",
            SUBMITTED,
            "03.2",
            keywords=("đồ gỗ mỹ nghệ",),
            support_m=120,
            counterpart_m=280,
        ),
        Spec(
            "Đào tạo nâng cao tay nghề tạc tượng gỗ làng nghề Sơn Đồng",
            RETURNED,
            "01",
            GROUP,
            keywords=("tạc tượng",),
            beneficiaries=2,
            support_m=150,
            counterpart_m=30,
        ),
        Spec(
            "Hỗ trợ máy dệt kim vi tính cho {name}",
            APPRAISED,
            "03.2",
            keywords=("dệt kim",),
            support_m=200,
            counterpart_m=470,
        ),
        Spec(
            "Hỗ trợ cơ sở làng nón Chuông tham gia Hội chợ hàng thủ công mỹ nghệ Hà Nội",
            REJECTED,
            "05.2",
            keywords=("nón",),
            support_m=60,
            counterpart_m=20,
        ),
        Spec(
            "Hỗ trợ máy rèn búa hơi cho {name}",
            CANCELLED,
            "03.2",
            keywords=("rèn",),
            support_m=90,
            counterpart_m=210,
        ),
        Spec(
            "Xây dựng phim tư liệu quảng bá làng nghề sơn mài Hạ Thái",
            DRAFT,
            "07",
            GROUP,
            keywords=("sơn mài",),
            beneficiaries=2,
            support_m=80,
            counterpart_m=20,
        ),
        Spec(
            "Mô hình trình diễn dây chuyền chế biến giò chả đạt chuẩn an toàn thực phẩm",
            DRAFT,
            "03.1",
            PILOT,
            keywords=("thực phẩm",),
            support_m=300,
            counterpart_m=700,
        ),
    ],
    14: [
        Spec(
            "Đào tạo nghề dệt thổ cẩm cho phụ nữ dân tộc Thái bản Mòng",
            APPROVED,
            "01",
            GROUP,
            keywords=("thổ cẩm",),
            beneficiaries=3,
            support_m=160,
            counterpart_m=40,
        ),
        Spec(
            "Mô hình trình diễn kỹ thuật dệt thổ cẩm bằng khung dệt cải tiến tại {name}",
            APPROVED,
            "03.1",
            PILOT,
            keywords=("thổ cẩm",),
            forms=COOP,
            support_m=360,
            counterpart_m=840,
        ),
        Spec(
            "Mô hình trình diễn dây chuyền chế biến chè Shan tuyết Tà Xùa",
            APPROVED,
            "03.1",
            PILOT,
            national=True,
            keywords=("shan tuyết", "chè"),
            support_m=600,
            counterpart_m=1_400,
        ),
        Spec(
            "Mô hình trình diễn công nghệ sấy lạnh xoài, mận tại {name}",
            FORWARDED,
            "03.1",
            PILOT,
            national=True,
            keywords=("mận sấy", "nông sản"),
            support_m=450,
            counterpart_m=1_050,
        ),
        Spec(
            "Hỗ trợ lò sấy nhãn bằng nhiệt khí cho {name}",
            AMENDING,
            "03.2",
            keywords=("nhãn",),
            support_m=180,
            counterpart_m=420,
        ),
        Spec(
            "Hỗ trợ ứng dụng máy rang, xay cà phê Arabica tại {name}",
            SUBMITTED,
            "03.2",
            keywords=("cà phê",),
            support_m=150,
            counterpart_m=350,
        ),
        Spec(
            "Hỗ trợ dây chuyền sản xuất miến dong cho {name}",
            RETURNED,
            "03.2",
            keywords=("miến",),
            support_m=120,
            counterpart_m=280,
        ),
        Spec(
            "Hỗ trợ các cơ sở chè Sơn La tham gia Hội chợ công nghiệp nông thôn tiêu biểu",
            APPRAISED,
            "05.2",
            GROUP,
            keywords=("chè",),
            beneficiaries=2,
            support_m=90,
            counterpart_m=30,
        ),
        Spec(
            "Hỗ trợ máy đóng gói sữa chua cho {name}",
            REJECTED,
            "03.2",
            keywords=("sữa",),
            support_m=130,
            counterpart_m=300,
        ),
        Spec(
            "Hỗ trợ máy ép gạch không nung cho {name}",
            CANCELLED,
            "03.2",
            keywords=("gạch",),
            support_m=100,
            counterpart_m=240,
        ),
        Spec(
            "Xây dựng chuyên mục khuyến công trên sóng phát thanh, truyền hình Sơn La",
            DRAFT,
            "07",
            GROUP,
            beneficiaries=2,
            support_m=60,
            counterpart_m=15,
        ),
        Spec(
            "Đào tạo nghề đan lát mây tre cho đồng bào dân tộc Mông",
            DRAFT,
            "01",
            GROUP,
            keywords=("đan lát",),
            beneficiaries=2,
            support_m=120,
            counterpart_m=20,
        ),
    ],
    66: [
        Spec(
            "Hỗ trợ ứng dụng máy sấy cà phê tại {name}",
            APPROVED,
            "03.2",
            keywords=("cà phê",),
            forms=COOP,
            support_m=240,
            counterpart_m=560,
        ),
        Spec(
            "Đào tạo nghề dệt thổ cẩm Ê Đê tại buôn Đrăng Phôk",
            APPROVED,
            "01",
            GROUP,
            keywords=("thổ cẩm",),
            beneficiaries=3,
            support_m=150,
            counterpart_m=30,
        ),
        Spec(
            "Mô hình trình diễn công nghệ chế biến cà phê đặc sản lên men tại {name}",
            APPROVED,
            "03.1",
            PILOT,
            national=True,
            keywords=("cà phê",),
            forms=(LegalForm.SME, LegalForm.COOPERATIVE),
            support_m=750,
            counterpart_m=1_750,
        ),
        Spec(
            "Mô hình trình diễn dây chuyền chế biến hồ tiêu sạch tại {name}",
            FORWARDED,
            "03.1",
            PILOT,
            national=True,
            keywords=("hồ tiêu",),
            support_m=540,
            counterpart_m=1_260,
        ),
        Spec(
            "Mô hình trình diễn sấy sầu riêng bằng công nghệ sấy thăng hoa tại {name}",
            AMENDING,
            "03.1",
            PILOT,
            keywords=("sầu riêng",),
            support_m=450,
            counterpart_m=1_050,
        ),
        Spec(
            "Hỗ trợ thiết bị chế biến nước mắm truyền thống cho {name}",
            SUBMITTED,
            "03.2",
            keywords=("nước mắm",),
            support_m=180,
            counterpart_m=420,
        ),
        Spec(
            "Hỗ trợ máy tráng bánh tráng tự động cho làng nghề bánh tráng Hòa Đa",
            RETURNED,
            "03.2",
            keywords=("bánh tráng",),
            support_m=90,
            counterpart_m=210,
        ),
        Spec(
            "Hỗ trợ cơ sở cà phê, ca cao tham gia Lễ hội cà phê Buôn Ma Thuột",
            APPRAISED,
            "05.2",
            GROUP,
            keywords=("ca cao", "cà phê"),
            beneficiaries=2,
            support_m=80,
            counterpart_m=20,
        ),
        Spec(
            "Hỗ trợ máy chế biến gỗ ghép thanh cho {name}",
            REJECTED,
            "03.2",
            keywords=("gỗ",),
            support_m=200,
            counterpart_m=470,
        ),
        Spec(
            "Hỗ trợ lò nấu rượu cần cho cơ sở buôn Kô Siêr",
            CANCELLED,
            "03.2",
            keywords=("rượu cần",),
            support_m=60,
            counterpart_m=140,
        ),
        Spec(
            "Mô hình trình diễn sản xuất phân hữu cơ vi sinh từ vỏ cà phê",
            DRAFT,
            "03.1",
            PILOT,
            keywords=("phân",),
            support_m=300,
            counterpart_m=700,
        ),
        Spec(
            "Phóng sự quảng bá sản phẩm công nghiệp nông thôn tiêu biểu tỉnh Đắk Lắk",
            DRAFT,
            "07",
            GROUP,
            beneficiaries=2,
            support_m=70,
            counterpart_m=10,
        ),
    ],
}

# What each activity promises (indicator code, target per establishment).
OUTPUTS = {
    "01": [("trainees", 30)],
    "03.1": [("models", 1)],
    "03.2": [("machines", 2)],
    "05.2": [],
    "07": [],
}


# --- Small PDFs for the dossier --------------------------------------------------------------


def _ascii(text: str) -> str:
    """The standard PDF fonts have no Vietnamese glyphs: write the text unaccented."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return (
        text.encode("ascii", "replace")
        .decode()
        .replace("\\", "/")
        .replace("(", "[")
        .replace(")", "]")
    )


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with a few lines of text (valid, a few hundred bytes)."""
    text = "BT /F1 12 Tf 72 770 Td 16 TL " + " ".join(f"({_ascii(t)}) '" for t in lines) + " ET"
    stream = text.encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- Building blocks -------------------------------------------------------------------------


def _national_plan() -> AnnualPlan:
    """The national plan 2026 (KCQG), approved by the minister, created if missing."""
    program = Program.objects.get(code=NATIONAL_PROGRAM)
    plan = AnnualPlan.objects.filter(program=program, year=YEAR).first()
    ministry = User.objects.get(username="ministry")
    if plan is None:
        plan = plan_create(
            actor=ministry,
            program=program,
            year=YEAR,
            title=f"Kế hoạch khuyến công quốc gia năm {YEAR}",
        )
        plan = plan_set_budget(
            plan=plan,
            actor=ministry,
            budgets={"kcqg": NATIONAL_BUDGET_M * M},
            allocations=[
                (Activity.objects.get(code=code), "kcqg", amount * M)
                for code, amount in NATIONAL_ALLOCATIONS_M.items()
            ],
            expected_version=plan.version,
        )
    if plan.status == AnnualPlan.Status.DRAFT:
        plan = plan_transition(plan=plan, actor=ministry, action="submit")
    if plan.status == AnnualPlan.Status.SUBMITTED:
        plan = plan_transition(
            plan=plan,
            actor=ministry,
            action="approve",
            decision_number="3125/QĐ-BCT",
            decision_date=datetime.date(YEAR - 1, 12, 26),
            decided_by="Bộ trưởng Bộ Công Thương",
        )
    return plan


def _local_plan(province: Province) -> AnnualPlan | None:
    return (
        AnnualPlan.objects.filter(
            program__level="local", province=province, year=YEAR, status__in=["approved", "amended"]
        )
        .select_related("program")
        .first()
    )


def _matches(b: Beneficiary, keywords: tuple) -> bool:
    haystack = " ".join([b.name_folded, fold(b.product_line)])
    return any(fold(k) in haystack for k in keywords)


def _choose(specs: list[Spec], candidates: list[Beneficiary], rng: random.Random):
    """Establishments for each spec: eligible, of the trade named by the keywords when
    there are such, never the same one twice (no double funding among the demo đề án).
    Depends only on the seed and the registry, so a second run makes the same choices."""
    villages = recognised_village_by_beneficiary([b.pk for b in candidates], JUDGED_ON)
    eligible = [
        b
        for b in candidates
        if beneficiary_eligibility(b, JUDGED_ON, village=villages.get(b.pk)).eligible
    ]
    used: set[int] = set()
    chosen = []
    for spec in specs:
        pool = [
            b
            for b in eligible
            if b.pk not in used and (not spec.forms or b.legal_form in spec.forms)
        ]
        fitting = [b for b in pool if spec.keywords and _matches(b, spec.keywords)]
        picks = rng.sample(fitting, min(len(fitting), spec.beneficiaries))
        rest = [b for b in pool if b not in picks]
        picks += rng.sample(rest, spec.beneficiaries - len(picks))
        used.update(b.pk for b in picks)
        chosen.append(picks)
    return chosen


class _Demo:
    """Builds one province's đề án through the services."""

    def __init__(self, province: Province, rng: random.Random):
        self.province = province
        self.rng = rng
        self.sct = demo_user(province, "province_staff")
        self.ttkc = demo_user(province, "centre_staff")
        self.ministry = User.objects.get(username="ministry")
        self.centre = Agency.objects.get(province=province, kind="promotion_centre")
        self.criteria = list(AppraisalCriterion.objects.filter(active=True))
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.decisions = 0

    def _transition(self, proposal, actor, action, **kwargs):
        return services.proposal_transition(proposal=proposal, actor=actor, action=action, **kwargs)

    def _decision(self, national: bool) -> tuple[str, datetime.date]:
        self.decisions += 1
        day = datetime.date(YEAR, 3, 10) + datetime.timedelta(days=17 * self.decisions)
        if national:
            return f"{400 + self.decisions}/QĐ-BCT", day
        return f"{self.decisions * 3 + 150}/QĐ-UBND", day

    def _appraise(self, proposal, actor, recommendation="approve", comment=""):
        """The council of ``actor``'s agency (demo.councils) appraises the đề án: the chair's
        scores are drawn from the demo's stream as a single appraiser's were."""
        low = 7 if recommendation == "approve" else 3
        scores = {c: self.rng.randint(low, min(c.max_score, low + 3)) for c in self.criteria}
        stage = "ministry" if actor.agency.province_id is None else "province"
        council_appraise(
            proposal, actor, stage, scores, recommendation=recommendation, comment=comment
        )

    def create(self, spec: Spec, plan: AnnualPlan, beneficiaries: list[Beneficiary], title):
        author = self.ttkc if spec.state in (DRAFT, RETURNED) else self.sct
        activity = Activity.objects.get(code=spec.activity)
        proposal = services.proposal_create(
            actor=author,
            plan=plan,
            title=title,
            kind=spec.kind,
            activity=activity,
            implementing_agency=self.centre,
            start_date=datetime.date(YEAR, 4, 1),
            end_date=datetime.date(YEAR, 11, 30),
            objectives=(
                f"{activity.name}: hỗ trợ {len(beneficiaries)} cơ sở công nghiệp nông thôn "
                f"của {self.province.administrative_name} nâng cao năng suất, chất lượng sản "
                "phẩm và thu nhập cho người lao động."
            ),
        )
        source = "kcqg" if spec.national else "kcdp"
        support, counterpart = spec.support_m * M, spec.counterpart_m * M
        shares = [support // len(beneficiaries)] * len(beneficiaries)
        shares[-1] += support - sum(shares)
        lines = self._budget_lines(spec, source, support, counterpart)
        outputs = [
            (self.indicators[code], per * len(beneficiaries))
            for code, per in OUTPUTS.get(spec.activity, [])
            if code in self.indicators
        ]
        communes = {b.commune_id: b.commune for b in beneficiaries}
        proposal = services.proposal_save(
            proposal=proposal,
            actor=author,
            expected_version=proposal.version,
            communes=[c for c in communes.values() if c.province_id == self.province.pk],
            beneficiaries=list(zip(beneficiaries, shares, strict=True)),
            budget_lines=lines,
            outputs=outputs,
        )
        for document in required_documents(proposal):
            content = demo_pdf(
                [document.name, proposal.code, title[:90], self.province.administrative_name]
            )
            services.attachment_add(
                proposal=proposal,
                actor=author,
                upload=SimpleUploadedFile(
                    f"{document.code}.pdf", content, content_type="application/pdf"
                ),
                document_type=document,
            )
        return proposal, author

    def _budget_lines(self, spec: Spec, source: str, support: int, counterpart: int):
        """Two lines: the main item (programme support and counterpart) and the
        organisation costs (programme support only)."""
        main_items = {
            "01": ("Thù lao giáo viên, nguyên vật liệu thực hành", "lớp"),
            "03.1": ("Máy móc, thiết bị của mô hình trình diễn", "bộ"),
            "03.2": ("Máy móc, thiết bị tiên tiến", "máy"),
            "05.2": ("Thuê gian hàng hội chợ", "gian"),
            "07": ("Xây dựng, phát sóng phóng sự", "phóng sự"),
        }
        item, unit = main_items.get(spec.activity, ("Chi phí thực hiện", "gói"))
        organisation = support // 10
        main_support = support - organisation
        return [
            {
                "item": item,
                "unit": unit,
                "quantity": "1",
                "unit_price": main_support + counterpart,
                source: main_support,
                "counterpart": counterpart,
            },
            {
                "item": "Hội thảo, tổng kết, quản lý đề án",
                "unit": "gói",
                "quantity": "1",
                "unit_price": organisation,
                source: organisation,
            },
        ]

    def advance(self, proposal, author, spec: Spec):
        """Take the đề án to the spec's state, as the people concerned would."""
        state = spec.state
        if state == DRAFT:
            return proposal
        if state == CANCELLED:
            return self._transition(
                proposal,
                self.sct,
                "cancel",
                comment="Cơ sở rút đề nghị hỗ trợ do thay đổi kế hoạch sản xuất.",
            )
        proposal = self._transition(proposal, author, "submit")
        if state == SUBMITTED:
            return proposal
        if state == RETURNED:
            comment = "Bổ sung 03 báo giá thiết bị và xác nhận vốn đối ứng của cơ sở."
            self._appraise(proposal, self.sct, "return", comment)
            return self._transition(proposal, self.sct, "return", comment=comment)
        if state == REJECTED:
            comment = (
                "Nội dung không thuộc đối tượng ưu tiên của kế hoạch năm; dự toán chưa hợp lý."
            )
            self._appraise(proposal, self.sct, "reject", comment)
            return self._transition(proposal, self.sct, "reject", comment=comment)
        self._appraise(proposal, self.sct)
        proposal = self._transition(proposal, self.sct, "appraise")
        if state == APPRAISED:
            return proposal
        if spec.national:
            proposal = self._transition(proposal, self.sct, "forward")
            if state == FORWARDED:
                return proposal
            self._appraise(proposal, self.ministry)
            number, day = self._decision(national=True)
            proposal = self._transition(
                proposal,
                self.ministry,
                "ministry_approve",
                decision_number=number,
                decision_date=day,
            )
        else:
            number, day = self._decision(national=False)
            proposal = self._transition(
                proposal, self.sct, "approve", decision_number=number, decision_date=day
            )
        if state == AMENDING:
            proposal = self._transition(
                proposal,
                self.sct,
                "amend",
                comment="Điều chỉnh chủng loại thiết bị theo báo giá mới của nhà cung cấp.",
            )
        return proposal


def seed_proposals(*, seed: int) -> str:
    load_catalogue(django_apps)  # criteria and checklists: put back if a test flushed them
    national_plan = _national_plan()
    created = 0
    for code, specs in SPECS.items():
        province = Province.objects.get(code=code)
        local_plan = _local_plan(province)
        if local_plan is None:
            continue  # the programmes step did not run (nothing to attach đề án to)
        rng = random.Random(f"{seed}-proposals-{code}")
        candidates = list(
            Beneficiary.objects.filter(province=province)
            .select_related("commune", "province")
            .order_by("id")
        )
        if not candidates:
            continue  # establishments come first
        demo = _Demo(province, rng)
        existing = set(Proposal.objects.filter(province=province).values_list("title", flat=True))
        for spec, beneficiaries in zip(specs, _choose(specs, candidates, rng), strict=True):
            title = spec.title.format(name=beneficiaries[0].name)
            if title in existing:
                continue
            plan = national_plan if spec.national else local_plan
            proposal, author = demo.create(spec, plan, beneficiaries, title)
            demo.advance(proposal, author, spec)
            created += 1
    total = Proposal.objects.filter(province__code__in=SPECS).count()
    return f"Đề án: {created} created, {total} in the demo provinces."
