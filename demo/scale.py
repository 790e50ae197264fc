"""A national dataset for the dashboards' benchmark (``manage.py seed_scale``).

At ``scale=1``: ten programme years (2021–2030) in all 34 provinces — about 60,000 đề án,
200,000 cơ sở CNNT, 1,000,000 disbursement tranches and 100,000 inspections — written
with PostgreSQL ``COPY`` in one transaction, in a few minutes. The same seed (and the same
``as_of`` date) gives the same data: every random draw comes from one ``random.Random``
in a fixed order, and nothing depends on the primary keys the database hands out
(:func:`fingerprint` checks it).

The data obeys the portal's rules instead of switching them off: per đề án and funding
source paid ≤ contracted ≤ approved, accepted ≤ contracted, settled ≤ accepted, settlement
payments only after acceptance, plan allocations within the plan's budget, each
establishment in the province of its commune. For speed the load runs with
``session_replication_role = replica`` (triggers, including the deferred money triggers
of ``disbursement/migrations/0002_money_rules.py`` and the foreign-key checks, do not fire
row by row) when the database user may set it; :func:`validate` then checks every one of
those rules — and the foreign keys — in one SQL statement before the transaction commits,
and the load is rolled back if a single row breaks one. Without that privilege the rows
go through the triggers as usual (slower).

Years after the ``as_of`` date hold what the portal would hold then: next year's đề án
being prepared, later years a few drafts; money, contracts and inspections only up to
``as_of``.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from accounts.models import Agency, Role, User
from beneficiaries.models import Beneficiary, Sector
from beneficiaries.validators import tax_code_check_digit
from core.formatting import document_number
from core.funding import SOURCES, sql_list
from core.text import fold
from disbursement.models import PAID_STATES
from programs.models import Activity, AnnualPlan, Indicator, Program, ProgramTarget
from projects.models import FUNDED_STATES, Proposal
from reference.models import Commune, Province

M = 1_000_000
AS_OF = datetime.date(2026, 11, 24)
YEARS = range(2021, 2031)
FULL_PROPOSALS = 60_000
FULL_BENEFICIARIES = 200_000
# Tranches per funding source of a contracted đề án, and inspections per contracted đề án:
# tuned so that scale 1 gives about 1,000,000 tranches and 100,000 inspections.
TRANCHES_PER_SOURCE = (6, 18)
INSPECTIONS_PER_PROPOSAL = (1, 4)

# Which generated đề án get a contract, an acceptance, a settlement: every funded one
# (projects.models.FUNDED_STATES) but a freshly approved one is contracted.
CONTRACTED = tuple(s for s in FUNDED_STATES if s != Proposal.Status.APPROVED)
ACCEPTED = (Proposal.Status.ACCEPTED, Proposal.Status.CLOSED)
# Settled (quyết toán) after the contract's liquidation, which closes the đề án.
SETTLED = (Proposal.Status.CLOSED,)

# Tables emptied by ``replace=True`` (and everything that points at them).
DATA_TABLES = [
    "beneficiaries_beneficiary",
    "beneficiaries_importbatch",
    "projects_proposal",
]

# activity leaf code -> weight, support range (millions), counterpart ratio range, outputs
ACTIVITIES = {
    "01": (15, (80, 350), (0.1, 0.4), [("trainees", 30, 200)]),
    "02": (4, (50, 200), (0.1, 0.3), [("establishments", 5, 30)]),
    "03.1": (14, (250, 900), (1.4, 2.6), [("models", 1, 1), ("jobs", 5, 40)]),
    "03.2": (30, (80, 450), (1.2, 2.4), [("machines", 1, 6), ("jobs", 2, 20)]),
    "04": (5, (100, 400), (1.0, 2.0), [("cleaner-production", 1, 3)]),
    "05.1": (4, (60, 250), (0.0, 0.2), [("typical-products", 5, 30)]),
    "05.2": (9, (40, 300), (0.2, 0.6), [("fairs", 1, 3), ("establishments", 5, 40)]),
    "05.3": (3, (100, 500), (0.5, 1.5), [("establishments", 5, 20)]),
    "06": (5, (30, 150), (0.1, 0.5), [("establishments", 1, 10)]),
    "07": (5, (30, 200), (0.0, 0.1), []),
    "08": (3, (200, 900), (1.0, 3.0), [("establishments", 3, 15)]),
    "09": (1, (100, 400), (0.0, 0.2), []),
    "10": (2, (50, 300), (0.0, 0.1), []),
}
TITLES = {
    "01": [
        "Đào tạo nghề {trade} cho lao động nông thôn tại {commune}",
        "Truyền nghề {trade} tại {commune}",
    ],
    "02": ["Nâng cao năng lực quản lý cho cơ sở công nghiệp nông thôn ngành {trade}"],
    "03.1": ["Mô hình trình diễn kỹ thuật sản xuất {trade} tại {commune}"],
    "03.2": [
        "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến trong sản xuất {trade} cho {name}",
        "Hỗ trợ dây chuyền {trade} cho {name}",
    ],
    "04": ["Áp dụng sản xuất sạch hơn trong sản xuất {trade} tại {name}"],
    "05.1": ["Bình chọn sản phẩm công nghiệp nông thôn tiêu biểu ngành {trade} năm {year}"],
    "05.2": ["Hỗ trợ cơ sở sản xuất {trade} tham gia hội chợ, triển lãm năm {year}"],
    "05.3": ["Phòng trưng bày, giới thiệu sản phẩm {trade} tại {commune}"],
    "06": ["Tư vấn đổi mới công nghệ, lập dự án đầu tư cho cơ sở sản xuất {trade}"],
    "07": ["Thông tin tuyên truyền hoạt động khuyến công về {trade} năm {year}"],
    "08": ["Hỗ trợ liên kết sản xuất, tiêu thụ sản phẩm {trade} tại {commune}"],
    "09": ["Học tập kinh nghiệm khuyến công ngành {trade} ở nước ngoài năm {year}"],
    "10": ["Nâng cao năng lực cán bộ khuyến công về {trade} năm {year}"],
}
TRADES = [
    "mây tre đan",
    "gốm sứ",
    "chế biến chè",
    "chế biến cà phê",
    "dệt thổ cẩm",
    "đồ gỗ mỹ nghệ",
    "cơ khí nông nghiệp",
    "chế biến nông sản",
    "vật liệu xây dựng",
    "chế biến thủy sản",
    "sơn mài",
    "nước mắm",
    "bánh tráng",
    "rèn",
    "bao bì giấy",
    "dệt may",
    "chế biến gỗ",
    "sản xuất hương",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hòa", "Hùng", "Lan", "Linh", "Mai", "Nam"]
GIVEN += ["Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khánh"]
OTHER_UNITS = [
    "Trường Cao đẳng Nghề {where}",
    "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ {where}",
    "Hiệp hội Làng nghề {where}",
]
# year offset from the as-of year -> [(status, weight)]
STATUS_MIX = {
    "past": [
        ("closed", 69),
        ("accepted", 7),
        ("in_implementation", 5),
        ("approved", 2),
        ("rejected", 8),
        ("cancelled", 4),
        ("returned", 2),
        ("draft", 3),
    ],
    "current": [
        ("in_implementation", 38),
        ("approved", 12),
        ("amending", 3),
        ("accepted", 10),
        ("closed", 8),
        ("submitted", 5),
        ("appraised", 4),
        ("forwarded", 4),
        ("returned", 3),
        ("rejected", 6),
        ("cancelled", 3),
        ("draft", 4),
    ],
    "next": [
        ("draft", 40),
        ("submitted", 25),
        ("returned", 10),
        ("appraised", 15),
        ("forwarded", 5),
        ("rejected", 5),
    ],
    "later": [("draft", 80), ("submitted", 20)],
}
YEAR_WEIGHT = {"past": 1.0, "current": 1.0, "next": 0.45, "later": 0.08}


class ScaleError(Exception):
    """The dataset cannot be built (data already present, or a rule is broken)."""


def _era(year: int, as_of: datetime.date) -> str:
    if year < as_of.year:
        return "past"
    if year == as_of.year:
        return "current"
    return "next" if year == as_of.year + 1 else "later"


def _day(start: datetime.date, end: datetime.date, rng: random.Random) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _ts(day: datetime.date, hour: int = 9) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+07"


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _split(total: int, parts: int, rng: random.Random, unit: int = M) -> list[int]:
    """``total`` in ``parts`` positive amounts (multiples of ``unit`` where possible)."""
    if parts <= 1 or total < parts * unit:
        return [total]
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = sum(weights)
    amounts = [max(unit, int(total * w / scale) // unit * unit) for w in weights]
    amounts[-1] = total - sum(amounts[:-1])
    if amounts[-1] <= 0:
        return [total]
    return amounts


# --- COPY -----------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return text


class _Copier:
    """Buffers rows of one table and sends them with COPY in batches."""

    BATCH = 50_000

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table, self.columns = cursor, table, columns
        self.buffer = io.StringIO()
        self.pending = 0
        self.count = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(_cell(v) for v in values))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        self.cursor.copy_expert(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", self.buffer
        )
        self.count += self.pending
        self.buffer = io.StringIO()
        self.pending = 0


def _reserve_ids(cursor, table: str, count: int) -> int:
    """Take ``count`` consecutive ids from the table's sequence; returns the first."""
    if count <= 0:
        return 0
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


# --- The generator --------------------------------------------------------------------------


@dataclass
class _Proposal:
    id: int
    index: int  # order of generation: what the content may depend on (never the id)
    province: Province
    plan: AnnualPlan
    year: int
    level: str
    kind: str
    activity: str
    status: str
    own: str  # "kcqg" or "kcdp"
    requested: dict
    approved: dict
    agency_id: int
    created_by: int
    decision_date: datetime.date | None
    start: datetime.date
    end: datetime.date
    beneficiaries: list = field(default_factory=list)
    contract: dict | None = None
    contract_id: int | None = None
    signed_on: datetime.date | None = None
    paid: dict = field(default_factory=dict)


class Generator:
    def __init__(self, *, seed: int, scale: float, as_of: datetime.date, log=None):
        if scale <= 0:
            raise ScaleError("The scale must be positive.")
        self.rng = random.Random(seed)
        self.seed, self.scale, self.as_of = seed, scale, as_of
        self.log = log or (lambda message: None)
        self.counts: dict[str, int] = defaultdict(int)

    # -- reference data and the small tables (ORM) --

    def load_reference(self) -> None:
        self.provinces = list(Province.objects.select_related("region").order_by("code"))
        communes = defaultdict(list)
        for c in Commune.objects.order_by("code").values(
            "id", "name", "province_id", "division_type"
        ):
            communes[c["province_id"]].append(c)
        self.communes = {}
        for p in self.provinces:
            rows = communes[p.id]
            if p.is_centrally_run_city:  # only communes and special zones of the cities
                rows = [c for c in rows if c["division_type"] != "phuong"] or rows
            self.communes[p.id] = rows
        self.activities = {a.code: a for a in Activity.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}
        self.sectors = list(Sector.objects.order_by("code").values_list("id", flat=True))
        if not self.sectors:
            raise ScaleError("The sector catalogue is empty: run the migrations first.")

    def ensure_people(self) -> None:
        """A loader account per province (inactive, no password: the rows' author), the
        ministry's, and three other implementing units per province."""
        self.author, self.units = {}, {}
        ministry = Agency.objects.get(kind="ministry_department")
        self.ministry_author = self._author("scale-bct", ministry, Role.MINISTRY_OFFICIAL)
        for p in self.provinces:
            department = Agency.objects.get(kind="department", province=p)
            centre = Agency.objects.get(kind="promotion_centre", province=p)
            self.author[p.id] = self._author(
                f"scale-{p.abbreviation.lower()}", department, Role.PROVINCE_STAFF
            )
            others = []
            for pattern in OTHER_UNITS:
                agency, _ = Agency.objects.get_or_create(
                    name=pattern.format(where=p.administrative_name),
                    defaults={"kind": "other_unit", "province": p},
                )
                others.append(agency.id)
            self.units[p.id] = (centre.id, department.id, others)

    def _author(self, username: str, agency: Agency, role: str) -> int:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "agency": agency,
                "role": role,
                "first_name": "thử tải",
                "last_name": "Dữ liệu",
                "is_active": False,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user.id

    def ensure_plans(self) -> None:
        """The national programmes come from the catalogue; each province gets its
        programmes 2021–2025 and 2026–2030, and every programme a plan per year."""
        self.national = {}
        for start, end in ((2021, 2025), (2026, 2030)):
            self.national[start] = Program.objects.get(code=f"kcqg-{start}-{end}")
        self.local = {}
        for p in self.provinces:
            for start, end in ((2021, 2025), (2026, 2030)):
                program, _ = Program.objects.get_or_create(
                    code=f"kcdp-{p.abbreviation.lower()}-{start}-{end}",
                    defaults={
                        "name": f"Chương trình khuyến công {p.administrative_name} "
                        f"giai đoạn {start} - {end}",
                        "level": "local",
                        "province": p,
                        "start_year": start,
                        "end_year": end,
                    },
                )
                self.local[(p.id, start)] = program
        self.plans: dict[tuple, AnnualPlan] = {}
        self.new_plans: set[int] = set()
        for year in YEARS:
            start = 2021 if year <= 2025 else 2026
            self.plans[(None, year)] = self._plan(self.national[start], None, year)
            for p in self.provinces:
                self.plans[(p.id, year)] = self._plan(self.local[(p.id, start)], p, year)

    def _plan(self, program: Program, province: Province | None, year: int) -> AnnualPlan:
        plan = AnnualPlan.objects.filter(program=program, year=year, province=province).first()
        if plan is not None:
            return plan
        era = _era(year, self.as_of)
        status = {"past": "approved", "current": "approved", "next": "submitted"}.get(era, "draft")
        where = province.administrative_name if province else ""
        national = province is None
        undecided = status in ("draft", "submitted")
        plan = AnnualPlan.objects.create(
            program=program,
            year=year,
            province=province,
            title=(
                f"Kế hoạch khuyến công quốc gia năm {year}"
                if national
                else f"Kế hoạch khuyến công địa phương năm {year} {where}"
            ),
            status=status,
            decision_number=(
                ""
                if undecided
                else (f"{1000 + year}/QĐ-BCT" if national else f"{200 + province.code}/QĐ-UBND")
            ),
            decision_date=None if undecided else datetime.date(year - 1, 12, 20),
            decided_by="" if undecided else ("Bộ Công Thương" if national else f"UBND {where}"),
            created_by_id=self.ministry_author if national else self.author[province.id],
        )
        self.new_plans.add(plan.id)
        return plan

    # -- bulk rows (COPY) --

    def run(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            self.cursor = cursor.cursor  # the psycopg2 cursor, for copy_expert
            self.beneficiaries()
            self.proposals()
            self.money()
            self.inspections()
            self.plan_money()
            self.targets()
        return dict(self.counts)

    def beneficiaries(self) -> None:
        """Establishments spread over the provinces like their communes; a tax code with a
        correct check digit, or the owner's CCCD for some household businesses."""
        rng = self.rng
        total = max(len(self.provinces), round(FULL_BENEFICIARIES * self.scale))
        weights = [len(self.communes[p.id]) for p in self.provinces]
        per_province = _apportion(total, weights)
        first = _reserve_ids(self.cursor, "beneficiaries_beneficiary", total)
        copier = _Copier(
            self.cursor,
            "beneficiaries_beneficiary",
            [
                "id", "legal_form", "name", "name_folded", "tax_code", "citizen_id",
                "commune_id", "province_id", "address", "sector_id", "product_line", "workers",
                "woman_owned", "ethnic_minority_owned",
                "craft_village_name", "representative", "phone", "email", "version",
                "created_by_id", "updated_by_id", "created_at", "updated_at",
            ],
        )  # fmt: skip
        self.by_province: dict[int, list[tuple[int, int, str]]] = {}
        next_id, serial, citizen = first, 0, 0
        for p, count in zip(self.provinces, per_province, strict=True):
            rows = []
            communes = self.communes[p.id]
            for _ in range(count):
                commune = rng.choice(communes)
                form = _weighted(
                    rng,
                    [("household_business", 45), ("sme", 30), ("cooperative", 15),
                     ("cooperative_group", 6), ("artisan", 3), ("cooperative_union", 1)],
                )  # fmt: skip
                trade = rng.choice(TRADES)
                person = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                place = commune["name"].split(" ", 1)[-1]
                name = {
                    "household_business": f"Hộ kinh doanh {person}",
                    "sme": f"Công ty TNHH {trade.capitalize()} {place} {serial % 97 + 1}",
                    "cooperative": f"Hợp tác xã {trade} {place}",
                    "cooperative_group": f"Tổ hợp tác {trade} {place}",
                    "artisan": f"Nghệ nhân {person}",
                    "cooperative_union": f"Liên hiệp hợp tác xã {trade} {p.short_name}",
                }[form]
                tax_code = citizen_id = None
                if form in ("household_business", "artisan") and rng.random() < 0.4:
                    citizen += 1
                    citizen_id = (
                        f"{p.code:03d}{rng.randint(0, 3)}{rng.randint(50, 99):02d}{citizen:06d}"
                    )
                else:
                    tax_code, serial = _next_tax_code(p.code, serial)
                # Once the craft village share (the register is not scaled): drawn still, so
                # the rest of the sequence is the same.
                rng.random()
                created = _day(datetime.date(2020, 1, 1), self.as_of, rng)
                copier.add(
                    next_id, form, name, fold(name), tax_code, citizen_id, commune["id"], p.id,
                    f"Thôn {rng.randint(1, 12)}, {commune['name']}", rng.choice(self.sectors),
                    f"Sản phẩm {trade}", rng.randint(1, 80 if form == "sme" else 20),
                    rng.random() < 0.35, rng.random() < 0.1, "", person,
                    f"09{rng.randint(10_000_000, 99_999_999)}", "", 1,
                    self.author[p.id], None, _ts(created), _ts(created),
                )  # fmt: skip
                rows.append((next_id, commune["id"], name))
                next_id += 1
            self.by_province[p.id] = rows
        copier.flush()
        self.counts["beneficiaries"] = copier.count
        self.log(f"  {copier.count:,} establishments")

    def proposals(self) -> None:
        rng = self.rng
        eras = {y: _era(y, self.as_of) for y in YEARS}
        year_weights = {y: YEAR_WEIGHT[eras[y]] for y in YEARS}
        total = max(1, round(FULL_PROPOSALS * self.scale))
        cells = [(p, y) for p in self.provinces for y in YEARS]
        weights = [len(self.communes[p.id]) ** 0.5 * year_weights[y] for p, y in cells]
        per_cell = _apportion(total, weights)
        first = _reserve_ids(self.cursor, "projects_proposal", total)
        copier = _Copier(
            self.cursor,
            "projects_proposal",
            [
                "id", "code", "title", "title_folded", "plan_id", "sequence", "level",
                "province_id", "kind", "activity_id", "implementing_agency_id", "objectives",
                "start_date", "end_date", "status", "double_funding_justification",
                "decision_number", "decision_date", "approved_kcqg", "approved_kcdp",
                "approved_counterpart", "approved_other", "compliance", "version",
                "created_by_id", "created_at", "updated_at",
                # The list's copies (projects/sql/list_order.sql): COPY runs without triggers.
                "plan_year", "province_code",
            ],
        )  # fmt: skip
        communes_m2m = _Copier(
            self.cursor, "projects_proposal_communes", ["proposal_id", "commune_id"]
        )
        links = _Copier(
            self.cursor,
            "projects_proposalbeneficiary",
            ["proposal_id", "beneficiary_id", "support_amount"],
        )
        lines = _Copier(
            self.cursor,
            "projects_budgetline",
            ["proposal_id", "item", "unit", "quantity", "unit_price", "amount", "kcqg",
             "kcdp", "counterpart", "other", '"order"'],
        )  # fmt: skip
        outputs = _Copier(
            self.cursor,
            "projects_proposaloutput",
            ["proposal_id", "indicator_id", "target_value", "achieved_value"],
        )
        sequences: dict[int, int] = defaultdict(int)  # no đề án yet: numbers start at 1
        leaf_pairs = [(code, spec[0]) for code, spec in ACTIVITIES.items()]
        self.items: list[_Proposal] = []
        self.compliance_later: dict[int, str] = {}
        next_id = first
        for (p, year), count in zip(cells, per_cell, strict=True):
            era = eras[year]
            beneficiaries = self.by_province[p.id]
            centre, department, others = self.units[p.id]
            for _ in range(count):
                national = rng.random() < 0.18
                plan = self.plans[(None if national else p.id, year)]
                sequences[plan.id] += 1
                sequence = sequences[plan.id]
                activity = _weighted(rng, leaf_pairs)
                weight, support_range, ratio_range, indicators = ACTIVITIES[activity]
                kind = _weighted(
                    rng,
                    [("pilot", 30), ("group", 15), ("ordinary", 55)]
                    if activity == "03.1"
                    else [("group", 28), ("ordinary", 72)],
                )
                status = _weighted(rng, STATUS_MIX[era])
                if status == "forwarded" and not national:
                    status = "appraised"
                own = "kcqg" if national else "kcdp"
                support = rng.randint(*support_range) * M
                if national:
                    support = support * 3 // 2 // M * M
                counterpart = int(support * rng.uniform(*ratio_range)) // M * M
                other = rng.choice([0] * 9 + [rng.randint(10, 100) * M])
                requested = dict.fromkeys(SOURCES, 0)
                requested[own], requested["counterpart"], requested["other"] = (
                    support,
                    counterpart,
                    other,
                )
                approved = dict.fromkeys(SOURCES, 0)
                decision_date = None
                if status in FUNDED_STATES:
                    for s in SOURCES:
                        cut = rng.choice([1.0, 1.0, 1.0, 0.9, 0.95])
                        approved[s] = int(requested[s] * cut) // M * M
                    decision_date = _day(
                        datetime.date(year, 1, 10),
                        min(datetime.date(year, 5, 31), self.as_of - datetime.timedelta(days=20)),
                        rng,
                    )
                start = datetime.date(year, rng.randint(2, 5), rng.randint(1, 28))
                end = datetime.date(year, rng.randint(10, 12), rng.randint(1, 28))
                n_links = {"group": rng.randint(3, 8), "pilot": 1}.get(kind, rng.randint(1, 2))
                chosen = rng.sample(beneficiaries, min(n_links, len(beneficiaries)))
                trade = rng.choice(TRADES)
                title = rng.choice(TITLES[activity]).format(
                    trade=trade,
                    commune=next(c["name"] for c in self.communes[p.id] if c["id"] == chosen[0][1]),
                    name=chosen[0][2],
                    year=year,
                )
                prefix = "KCQG" if national else "KCĐP"
                code = f"{prefix}-{p.abbreviation}-{year}-{sequence:03d}"
                created = datetime.date(year - 1, rng.randint(6, 11), rng.randint(1, 28))
                agency = _weighted(rng, [(centre, 70), (department, 12)] + [(o, 6) for o in others])
                item = _Proposal(
                    id=next_id,
                    index=next_id - first,
                    province=p,
                    plan=plan,
                    year=year,
                    level="national" if national else "local",
                    kind=kind,
                    activity=activity,
                    status=status,
                    own=own,
                    requested=requested,
                    approved=approved,
                    agency_id=agency,
                    created_by=self.author[p.id],
                    decision_date=decision_date,
                    start=start,
                    end=end,
                    beneficiaries=[b[0] for b in chosen],
                )
                self.items.append(item)
                copier.add(
                    next_id, code, title, fold(title), plan.id, sequence, item.level, p.id,
                    kind, self.activities[activity].id, agency,
                    f"Hỗ trợ cơ sở công nghiệp nông thôn phát triển sản xuất {trade}.",
                    start, end, status, "",
                    f"{sequence}/QĐ-{'BCT' if national else 'UBND'}" if decision_date else "",
                    decision_date, approved["kcqg"], approved["kcdp"],
                    approved["counterpart"], approved["other"], "not_inspected", 1,
                    item.created_by, _ts(created), _ts(decision_date or created, 15),
                    plan.year, p.code,
                )  # fmt: skip
                for commune_id in sorted({b[1] for b in chosen}):
                    communes_m2m.add(next_id, commune_id)
                shares = _split(support, len(chosen), rng)
                shares += [0] * (len(chosen) - len(shares))
                for (beneficiary_id, _c, _n), share in zip(chosen, shares, strict=True):
                    links.add(next_id, beneficiary_id, share)
                self._budget_lines(lines, next_id, requested)
                for code_, low, high in indicators:
                    target = rng.randint(low, high)
                    achieved = None
                    if status in ACCEPTED:
                        achieved = max(0, round(target * rng.uniform(0.8, 1.2)))
                    outputs.add(next_id, self.indicators[code_].id, target, achieved)
                next_id += 1
        for c in (copier, communes_m2m, links, lines, outputs):
            c.flush()
        self.counts["proposals"] = copier.count
        self.counts["proposal_beneficiaries"] = links.count
        self.log(f"  {copier.count:,} đề án ({links.count:,} links to establishments)")

    def _budget_lines(self, lines: _Copier, proposal_id: int, requested: dict) -> None:
        items = [("Máy móc, thiết bị", "bộ"), ("Chi phí triển khai, hướng dẫn", "gói"),
                 ("Tài liệu, truyền thông", "gói")]  # fmt: skip
        n = self.rng.randint(1, 3)
        parts = {s: _split(v, n, self.rng) if v else [0] for s, v in requested.items()}
        for order, (item, unit) in enumerate(items[:n]):
            cells = {s: (parts[s][order] if order < len(parts[s]) else 0) for s in SOURCES}
            amount = sum(cells.values())
            if amount <= 0:
                continue
            lines.add(
                proposal_id, item, unit, "1", amount, amount, cells["kcqg"], cells["kcdp"],
                cells["counterpart"], cells["other"], order,
            )  # fmt: skip

    def money(self) -> None:
        """Contracts, tranches (advances, payments, settlement payments, rejections, a
        reversal now and then, requests awaiting payment), acceptances, settlements and
        the open flags of the daily job."""
        rng = self.rng
        contracted = [
            i
            for i in self.items
            if i.status in CONTRACTED and (i.status != "amending" or rng.random() < 0.6)
        ]
        first_contract = _reserve_ids(self.cursor, "disbursement_contract", len(contracted))
        contracts = _Copier(
            self.cursor,
            "disbursement_contract",
            ["id", "proposal_id", "number", "signed_on", "parties", "version", "active",
             "amendment_reason", "document", "recorded_by_id", "recorded_at", "kcqg", "kcdp",
             "counterpart", "other"],
        )  # fmt: skip
        for offset, item in enumerate(contracted):
            item.contract_id = first_contract + offset
            item.contract = dict(item.approved)
            item.signed_on = min(
                item.decision_date + datetime.timedelta(days=rng.randint(7, 60)), self.as_of
            )
            contracts.add(
                item.contract_id, item.id, f"{item.index % 1000:03d}/{item.year}/HĐ-KC",
                item.signed_on, "Đơn vị thực hiện và các cơ sở thụ hưởng", 1, True, "", "",
                item.created_by, _ts(item.signed_on), *(item.contract[s] for s in SOURCES),
            )  # fmt: skip
        contracts.flush()
        self.counts["contracts"] = contracts.count

        # Tranches: ids are needed up front for reversals (they point at what they reverse).
        plans = []
        for item in contracted:
            for s in SOURCES:
                if item.contract[s] > 0:
                    plans.append((item, s, self._tranche_plan(item, s)))
        count = sum(len(p) for _i, _s, p in plans)
        first = _reserve_ids(self.cursor, "disbursement_tranche", count)
        tranches = _Copier(
            self.cursor,
            "disbursement_tranche",
            ["id", "proposal_id", "contract_id", "kind", "source", "amount", "status", "due_on",
             "paid_on", "voucher_number", "treasury_reference", "reverses_id",
             "requires_inspection", "note", "document", "idempotency_key", "recorded_by_id",
             "recorded_at", "approved_by_id", "approved_at", "kcqg", "kcdp", "counterpart",
             "other"],
        )  # fmt: skip
        next_id = first
        for item, s, steps in plans:
            paid = 0
            for n, (kind, amount, status, day, reverses) in enumerate(steps, start=1):
                tranche_id = next_id
                next_id += 1
                reverses_id = tranche_id - reverses if reverses else None
                is_paid = status in PAID_STATES
                if is_paid:
                    paid += amount
                tranches.add(
                    tranche_id, item.id, item.contract_id, kind, s, amount, status,
                    day if status in ("requested", "approved") else None,
                    day if is_paid else None,
                    f"PC-{n:02d}/{day.year}" if is_paid else "",
                    f"KBNN-{item.index}-{s}-{n}" if is_paid else "", reverses_id, False, "", "",
                    f"scale-{self.seed}-{item.index}-{s}-{n}", item.created_by, _ts(day),
                    item.created_by if status != "requested" else None,
                    _ts(day, 10) if status != "requested" else None, 0, 0, 0, 0,
                )  # fmt: skip
            item.paid[s] = paid
        tranches.flush()
        self.counts["tranches"] = tranches.count
        self.log(f"  {contracts.count:,} contracts, {tranches.count:,} tranches")

        acceptances = _Copier(
            self.cursor,
            "disbursement_acceptance",
            ["proposal_id", "accepted_on", "council", "result", "conclusion", "minutes",
             "recorded_by_id", "recorded_at", "kcqg", "kcdp", "counterpart", "other"],
        )  # fmt: skip
        settlements = _Copier(
            self.cursor,
            "disbursement_settlement",
            ["proposal_id", "settled_on", "decision_number", "returned_kcqg", "returned_kcdp",
             "returned_counterpart", "returned_other", "recorded_by_id", "recorded_at", "kcqg",
             "kcdp", "counterpart", "other"],
        )  # fmt: skip
        # Nghiệm thu → thanh lý hợp đồng → quyết toán: a settled đề án's contract is
        # liquidated first (the work done is what was paid: nothing to return).
        liquidations = _Copier(
            self.cursor,
            "disbursement_liquidation",
            ["proposal_id", "contract_id", "number", "liquidated_on", "returned_kcqg",
             "returned_kcdp", "returned_counterpart", "returned_other", "minutes",
             "recorded_by_id", "recorded_at", "kcqg", "kcdp", "counterpart", "other"],
        )  # fmt: skip
        flags = _Copier(
            self.cursor,
            "disbursement_disbursementflag",
            ["proposal_id", "kind", "message", "raised_on", "resolved_on", "notified"],
        )
        for item in contracted:
            if item.status in ACCEPTED:
                accepted_on = self._accepted_on(item)
                acceptances.add(
                    item.id, accepted_on, "Hội đồng nghiệm thu của Sở Công Thương",
                    "passed", "Đề án hoàn thành đúng nội dung, khối lượng.", "",
                    item.created_by, _ts(accepted_on), *(item.contract[s] for s in SOURCES),
                )  # fmt: skip
                if item.status in SETTLED:
                    settled_on = min(
                        accepted_on + datetime.timedelta(days=rng.randint(15, 60)), self.as_of
                    )
                    liquidations.add(
                        item.id, item.contract_id, f"{item.index % 1000}/TLHĐ", settled_on,
                        0, 0, 0, 0, "", item.created_by, _ts(settled_on),
                        *(item.paid.get(s, 0) for s in SOURCES),
                    )  # fmt: skip
                    settlements.add(
                        item.id, settled_on, f"{item.index % 1000}/QĐ-SCT", 0, 0, 0, 0,
                        item.created_by, _ts(settled_on),
                        *(item.paid.get(s, 0) for s in SOURCES),
                    )  # fmt: skip
        # Open (and some resolved) warnings of the daily job.
        for item in self.items:
            if item.status not in FUNDED_STATES or item.decision_date is None:
                continue
            raised = None
            if item.contract is None and item.status == "approved":
                kind = "no_contract"
                raised = item.decision_date + datetime.timedelta(days=30)
            elif item.status == "in_implementation" and item.year == self.as_of.year:
                kind = "year_end"
                raised = datetime.date(self.as_of.year, 11, 16)
            elif item.status == "in_implementation" and item.year < self.as_of.year:
                kind = "acceptance_overdue"
                raised = datetime.date(item.year + 1, 1, 30)
            if raised is None or raised > self.as_of:
                continue
            resolved = None if rng.random() < 0.8 else _day(raised, self.as_of, rng)
            flags.add(
                item.id, kind, "Cảnh báo từ việc kiểm tra hằng ngày.", raised, resolved,
                True,
            )  # fmt: skip
        for c in (acceptances, liquidations, settlements, flags):
            c.flush()
        self.counts["acceptances"] = acceptances.count
        self.counts["liquidations"] = liquidations.count
        self.counts["settlements"] = settlements.count
        self.counts["flags"] = flags.count

    def _accepted_on(self, item: _Proposal) -> datetime.date:
        return min(
            datetime.date(item.year, 12, 15) - datetime.timedelta(days=item.index % 30),
            self.as_of - datetime.timedelta(days=30),
        )

    def _tranche_plan(self, item: _Proposal, source: str) -> list[tuple]:
        """The tranches of one source: (kind, amount, status, date, offset of the
        reversed tranche). Paid money never exceeds the contract; an advance is at most
        half of it; a settlement payment comes after the acceptance."""
        rng = self.rng
        total = item.contract[source]
        n = rng.randint(*TRANCHES_PER_SOURCE)
        if item.status in SETTLED:
            share = 1.0
        elif item.status == "accepted":
            share = rng.uniform(0.7, 0.95)
        else:
            share = rng.uniform(0.1, 0.9)
        target = int(total * share) // M * M if share < 1 else total
        last_day = self.as_of - datetime.timedelta(days=1)
        end = min(datetime.date(item.year + 1, 3, 31), last_day)
        start = item.signed_on
        accepted_on = self._accepted_on(item) if item.status in ACCEPTED else None
        steps: list[tuple] = []
        advance = min(total // 2, max(target // 4, M if target >= M else target)) // M * M
        rest = target - advance
        if advance <= 0:
            advance, rest = 0, target
        settlement = 0
        if item.status in SETTLED and rest > 0:
            settlement = max(rest // 5 // M * M, 0)
            rest -= settlement
        paid_parts = max(1, n - 3)
        days = sorted(_day(start, accepted_on or end, rng) for _ in range(paid_parts + 1))
        if advance:
            steps.append(("advance", advance, "paid", days[0], 0))
        for k, amount in enumerate(_split(rest, paid_parts, rng) if rest > 0 else []):
            steps.append(("payment", amount, "paid", days[min(k + 1, len(days) - 1)], 0))
        if settlement and accepted_on:
            steps.append(("settlement", settlement, "paid", _day(accepted_on, end, rng), 0))
        extra = n - len(steps)
        # A payment recorded twice and reversed; a refused request; requests waiting.
        if extra > 0 and steps and rng.random() < 0.5:
            day = steps[-1][3]
            amount = min(max(total // 20 // M * M, M), total)
            steps.append(("payment", amount, "reversed", day, 0))
            steps.append(("reversal", -amount, "paid", day, 1))
            extra -= 2
        if extra > 0 and rng.random() < 0.4:
            steps.append(("payment", max(M, total // 10 // M * M), "rejected", end, 0))
            extra -= 1
        if item.status in ("in_implementation", "amending"):
            remaining = total - target
            for amount in _split(remaining, max(extra, 0), rng) if remaining > 0 else []:
                if amount > 0:
                    status = rng.choice(["requested", "approved"])
                    due = _day(self.as_of, self.as_of + datetime.timedelta(days=60), rng)
                    steps.append(("payment", amount, status, due, 0))
        return steps

    def inspections(self) -> None:
        """Inspections of contracted đề án, concluded (most) or planned, with the team's
        recommendations; each đề án's compliance follows from them."""
        rng = self.rng
        contracted = [i for i in self.items if i.contract_id]
        plans = []
        for item in contracted:
            n = rng.randint(*INSPECTIONS_PER_PROPOSAL)
            for _ in range(n):
                day = _day(
                    item.signed_on,
                    min(
                        datetime.date(item.year + 1, 6, 30),
                        self.as_of + datetime.timedelta(days=40),
                    ),
                    rng,
                )
                plans.append((item, day))
        first = _reserve_ids(self.cursor, "inspections_inspection", len(plans))
        inspections = _Copier(
            self.cursor,
            "inspections_inspection",
            ["id", "proposal_id", "kind", "status", "planned_on", "inspected_on", "place",
             "team", "inspected_party", "contract_id", "conclusion", "conclusion_text",
             "number", "version", "created_by_id", "created_at", "concluded_by_id",
             "concluded_at"],
        )  # fmt: skip
        recommendations = _Copier(
            self.cursor,
            "inspections_recommendation",
            ["inspection_id", "text", "responsible", "deadline", "status", "follow_up",
             "remedied_on", "updated_by_id", "updated_at"],
        )  # fmt: skip
        state: dict[int, dict] = {}
        for offset, (item, day) in enumerate(plans):
            inspection_id = first + offset
            kind = _weighted(rng, [("periodic", 60), ("unannounced", 20), ("acceptance", 20)])
            concluded = day < self.as_of
            status = "concluded" if concluded else "planned"
            if concluded and rng.random() < 0.02:
                status, concluded = "cancelled", False
            conclusion = ""
            if concluded:
                conclusion = _weighted(
                    rng, [("compliant", 72), ("partly", 20), ("not_compliant", 8)]
                )
            inspections.add(
                inspection_id, item.id, kind, status, day, day if concluded else None,
                f"Cơ sở thụ hưởng, {item.province.name}",
                "Đại diện Sở Công Thương\nĐại diện Trung tâm Khuyến công", "Đại diện cơ sở",
                item.contract_id, conclusion,
                "Kết luận kiểm tra việc sử dụng kinh phí." if concluded else "",
                document_number(offset % 1000 + 1, "BB-KT") if concluded else "", 1,
                item.created_by,
                _ts(day), item.created_by if concluded else None,
                _ts(day, 17) if concluded else None,
            )  # fmt: skip
            if not concluded:
                continue
            record = state.setdefault(item.id, {"last": None, "open": 0})
            if record["last"] is None or day >= record["last"][0]:
                record["last"] = (day, conclusion)
            if conclusion != "compliant":
                for k in range(rng.randint(1, 3 if conclusion == "not_compliant" else 2)):
                    deadline = day + datetime.timedelta(days=rng.randint(30, 90))
                    remedied = None
                    if rng.random() < 0.75 or (self.as_of - day).days > 400:
                        remedied = min(
                            deadline + datetime.timedelta(days=rng.randint(-20, 40)), self.as_of
                        )
                        remedied = max(remedied, day)
                    if remedied is None:
                        record["open"] += 1
                    recommendations.add(
                        inspection_id, f"Kiến nghị {k + 1}: hoàn thiện hồ sơ, chứng từ chi.",
                        "Đơn vị thực hiện", deadline, "remedied" if remedied else "open",
                        "Đã khắc phục." if remedied else "", remedied, item.created_by,
                        _ts(remedied or day, 16),
                    )  # fmt: skip
        inspections.flush()
        recommendations.flush()
        self.counts["inspections"] = inspections.count
        self.counts["recommendations"] = recommendations.count
        self.log(f"  {inspections.count:,} inspections, {recommendations.count:,} recommendations")
        # Compliance, as inspections.services.compliance_refresh derives it.
        values = defaultdict(list)
        for proposal_id, record in state.items():
            values[_compliance(record["last"][1], record["open"])].append(proposal_id)
        for compliance, ids in sorted(values.items()):
            self.cursor.execute(
                "UPDATE projects_proposal SET compliance = %s WHERE id = ANY(%s)",
                [compliance, sorted(ids)],
            )

    def plan_money(self) -> None:
        """Budgets and allocations of the plans this run created: per activity and
        source, what the plan's đề án were approved for (or asked for, before approval),
        with some headroom; the budget covers the allocations."""
        sums: dict[tuple, int] = defaultdict(int)
        for item in self.items:
            if item.plan.id not in self.new_plans or item.status in ("rejected", "cancelled"):
                continue
            money = item.approved if item.status in FUNDED_STATES else item.requested
            activity = self.activities[item.activity]
            activity_id = activity.id
            if item.level == "national" and activity.parent_id:  # national plans: groups
                activity_id = activity.parent_id
            for s in SOURCES:
                if money[s]:
                    sums[(item.plan.id, activity_id, s)] += money[s]
        budgets: dict[tuple, int] = defaultdict(int)
        allocations = _Copier(
            self.cursor, "programs_planallocation", ["plan_id", "activity_id", "source", "amount"]
        )
        for (plan_id, activity_id, s), amount in sorted(sums.items()):
            allocated = math.ceil(amount * 1.08 / M) * M
            allocations.add(plan_id, activity_id, s, allocated)
            budgets[(plan_id, s)] += allocated
        rows = _Copier(self.cursor, "programs_planbudget", ["plan_id", "source", "amount"])
        for (plan_id, s), amount in sorted(budgets.items()):
            rows.add(plan_id, s, math.ceil(amount * 1.05 / M) * M)
        allocations.flush()
        rows.flush()
        self.counts["plan_allocations"] = allocations.count

    def targets(self) -> None:
        """Targets of the provincial programmes this run created: about what their đề án
        plan to achieve over the period."""
        planned: dict[tuple, int] = defaultdict(int)
        weights = {code: spec[3] for code, spec in ACTIVITIES.items()}
        for item in self.items:
            if item.level != "local" or item.status in ("rejected", "cancelled"):
                continue
            for code, low, high in weights[item.activity]:
                planned[(item.plan.program_id, code)] += (low + high) // 2
        existing = set(ProgramTarget.objects.values_list("program_id", "indicator_id"))
        rows = []
        for (program_id, code), value in sorted(planned.items()):
            indicator = self.indicators[code]
            if (program_id, indicator.id) not in existing:
                rows.append(
                    ProgramTarget(
                        program_id=program_id,
                        indicator=indicator,
                        target_value=max(1, round(value * 0.9)),
                    )
                )
        ProgramTarget.objects.bulk_create(rows)


def _compliance(conclusion: str, open_recommendations: int) -> str:
    """The rule of ``inspections.services.compliance_of``: the latest concluded inspection
    decides — not compliant if it concluded so; findings to remedy if it concluded "partly
    compliant" or a recommendation is still open; else compliant."""
    if conclusion == "not_compliant":
        return "not_compliant"
    if conclusion == "partly" or open_recommendations:
        return "remedy_pending"
    return "compliant"


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders; deterministic)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _next_tax_code(province_code: int, serial: int) -> tuple[str, int]:
    """The next 10-digit tax code with a valid check digit (unique per run)."""
    while True:
        serial += 1
        first_nine = f"{90 + province_code % 10}{serial:07d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}", serial


# --- Validation and fingerprint ---------------------------------------------------------------

VALIDATION_SQL = rf"""
WITH paid AS (
    SELECT proposal_id, source, SUM(amount) AS amount, COUNT(*) AS n
      FROM disbursement_tranche WHERE status IN {sql_list(PAID_STATES)}
     GROUP BY proposal_id, source
), contract AS (
    SELECT * FROM disbursement_contract WHERE active
)
SELECT
 (SELECT COUNT(*) FROM contract c JOIN projects_proposal p ON p.id = c.proposal_id
   WHERE c.kcqg > p.approved_kcqg OR c.kcdp > p.approved_kcdp
      OR c.counterpart > p.approved_counterpart OR c.other > p.approved_other)
   AS contracted_above_approved,
 (SELECT COUNT(*) FROM paid LEFT JOIN contract c ON c.proposal_id = paid.proposal_id
   WHERE c.id IS NULL
      OR paid.amount > CASE paid.source {" ".join(f"WHEN '{s}' THEN c.{s}" for s in SOURCES)} END)
   AS paid_above_contracted,
 (SELECT COUNT(DISTINCT paid.proposal_id) FROM paid JOIN projects_proposal p
     ON p.id = paid.proposal_id
   WHERE p.status NOT IN {sql_list(FUNDED_STATES)}) AS paid_without_approval,
 (SELECT COUNT(*) FROM disbursement_tranche t WHERE t.kind = 'settlement'
     AND t.status IN {sql_list(PAID_STATES)} AND NOT EXISTS (
         SELECT 1 FROM disbursement_acceptance a WHERE a.proposal_id = t.proposal_id))
   AS settlement_before_acceptance,
 (SELECT COUNT(*) FROM disbursement_acceptance a JOIN contract c ON c.proposal_id = a.proposal_id
   WHERE a.kcqg > c.kcqg OR a.kcdp > c.kcdp OR a.counterpart > c.counterpart
      OR a.other > c.other) AS accepted_above_contracted,
 (SELECT COUNT(*) FROM disbursement_settlement s
     LEFT JOIN disbursement_acceptance a ON a.proposal_id = s.proposal_id
   WHERE a.id IS NULL OR s.kcqg > a.kcqg OR s.kcdp > a.kcdp
      OR s.counterpart > a.counterpart OR s.other > a.other) AS settled_above_accepted,
 (SELECT COUNT(*) FROM (
     SELECT a.plan_id, a.source FROM programs_planallocation a
       LEFT JOIN programs_planbudget b ON b.plan_id = a.plan_id AND b.source = a.source
      GROUP BY a.plan_id, a.source HAVING SUM(a.amount) > COALESCE(MAX(b.amount), 0)) x)
   AS allocations_above_budget,
 (SELECT COUNT(*) FROM beneficiaries_beneficiary b JOIN reference_commune c
     ON c.id = b.commune_id WHERE b.province_id <> c.province_id)
   AS establishment_outside_its_province,
 (SELECT COUNT(*) FROM projects_proposal p
   WHERE NOT EXISTS (SELECT 1 FROM programs_annualplan x WHERE x.id = p.plan_id)
      OR NOT EXISTS (SELECT 1 FROM reference_province x WHERE x.id = p.province_id)
      OR NOT EXISTS (SELECT 1 FROM programs_activity x WHERE x.id = p.activity_id)
      OR NOT EXISTS (SELECT 1 FROM accounts_agency x WHERE x.id = p.implementing_agency_id))
   AS proposal_broken_reference,
 (SELECT COUNT(*) FROM disbursement_tranche t
   WHERE NOT EXISTS (SELECT 1 FROM projects_proposal x WHERE x.id = t.proposal_id)
      OR NOT EXISTS (SELECT 1 FROM disbursement_contract x WHERE x.id = t.contract_id)
      OR (t.reverses_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM disbursement_tranche x WHERE x.id = t.reverses_id
             AND x.proposal_id = t.proposal_id AND x.status = 'reversed')))
   AS tranche_broken_reference,
 (SELECT COUNT(*) FROM projects_proposalbeneficiary l
   WHERE NOT EXISTS (SELECT 1 FROM projects_proposal x WHERE x.id = l.proposal_id)
      OR NOT EXISTS (SELECT 1 FROM beneficiaries_beneficiary x WHERE x.id = l.beneficiary_id))
   + (SELECT COUNT(*) FROM projects_proposal_communes l
   WHERE NOT EXISTS (SELECT 1 FROM projects_proposal x WHERE x.id = l.proposal_id)
      OR NOT EXISTS (SELECT 1 FROM reference_commune x WHERE x.id = l.commune_id))
   + (SELECT COUNT(*) FROM inspections_inspection i
   WHERE NOT EXISTS (SELECT 1 FROM projects_proposal x WHERE x.id = i.proposal_id))
   + (SELECT COUNT(*) FROM inspections_recommendation r
   WHERE NOT EXISTS (SELECT 1 FROM inspections_inspection x WHERE x.id = r.inspection_id))
   AS link_broken_reference
"""


def validate() -> dict[str, int]:
    """Every rule the load did not check row by row, in one statement: the money rules of
    ``disbursement/migrations/0002_money_rules.py``, the plans' budgets, establishments in
    their commune's province, and the foreign keys. Returns rule -> rows breaking it."""
    with connection.cursor() as cursor:
        cursor.execute(VALIDATION_SQL)
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


FINGERPRINT_QUERIES = {
    "proposals": """SELECT pr.code, pl.year, p.level, p.kind, a.code, p.status, p.compliance,
            COUNT(*), SUM(p.approved_kcqg), SUM(p.approved_kcdp), SUM(p.approved_counterpart),
            SUM(p.approved_other), md5(string_agg(p.code || p.title, ',' ORDER BY p.code))
       FROM projects_proposal p JOIN reference_province pr ON pr.id = p.province_id
       JOIN programs_annualplan pl ON pl.id = p.plan_id
       JOIN programs_activity a ON a.id = p.activity_id
      GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7""",
    "tranches": """SELECT p.code, t.kind, t.source, t.status, COUNT(*), SUM(t.amount),
            MIN(t.paid_on), MAX(t.paid_on)
       FROM disbursement_tranche t JOIN projects_proposal x ON x.id = t.proposal_id
       JOIN reference_province p ON p.id = x.province_id
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""",
    "establishments": """SELECT p.code, b.legal_form, COUNT(*), md5(string_agg(
            COALESCE(b.tax_code, b.citizen_id) || b.name, ',' ORDER BY b.tax_code, b.citizen_id))
       FROM beneficiaries_beneficiary b JOIN reference_province p ON p.id = b.province_id
      GROUP BY 1, 2 ORDER BY 1, 2""",
    "links": """SELECT md5(string_agg(p.code || ':' || COALESCE(b.tax_code, b.citizen_id) || ':'
            || l.support_amount, ',' ORDER BY p.code, b.tax_code, b.citizen_id))
       FROM projects_proposalbeneficiary l JOIN projects_proposal p ON p.id = l.proposal_id
       JOIN beneficiaries_beneficiary b ON b.id = l.beneficiary_id""",
    "inspections": """SELECT i.status, i.conclusion, COUNT(*), MIN(i.planned_on),
            MAX(i.planned_on), (SELECT COUNT(*) FROM inspections_recommendation r
             WHERE r.status = 'open'), (SELECT COUNT(*) FROM inspections_recommendation)
       FROM inspections_inspection i GROUP BY 1, 2 ORDER BY 1, 2""",
    "contracts": """SELECT COUNT(*), SUM(kcqg), SUM(kcdp), SUM(counterpart), SUM(other),
            (SELECT COUNT(*) FROM disbursement_acceptance),
            (SELECT COUNT(*) FROM disbursement_settlement),
            (SELECT COUNT(*) FROM disbursement_disbursementflag WHERE resolved_on IS NULL)
       FROM disbursement_contract""",
}


def fingerprint() -> str:
    """A SHA-256 over the aggregates of the generated data (by province code, year,
    status …, never by database id): two runs with the same seed give the same value."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for name, sql in FINGERPRINT_QUERIES.items():
            cursor.execute(sql)
            digest.update(name.encode())
            digest.update(json.dumps(cursor.fetchall(), default=str).encode())
    return digest.hexdigest()


# --- Entry point ------------------------------------------------------------------------------


def _may_skip_triggers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


def seed_scale(
    *,
    seed: int,
    scale: float = 1.0,
    as_of: datetime.date = AS_OF,
    replace: bool = False,
    log=None,
) -> dict:
    """Build the dataset (see the module docstring); returns the counts, the validation
    result and the fingerprint. Raises :class:`ScaleError` (nothing written) when đề án
    or establishments already exist and ``replace`` is off, or a rule is broken."""
    from dashboards.services import figures_rebuild
    from demo.seeding import seed_agencies, seed_reference, seed_users

    log = log or (lambda message: None)
    with transaction.atomic():
        seed_reference()
        seed_agencies()
        seed_users()
        if replace:
            _delete_previous()
        elif Proposal.objects.exists() or Beneficiary.objects.exists():
            raise ScaleError(
                "The database already holds đề án or establishments: use an empty database, "
                "or --replace to delete them (with their money and inspections) first."
            )
        generator = Generator(seed=seed, scale=scale, as_of=as_of, log=log)
        generator.load_reference()
        generator.ensure_people()
        generator.ensure_plans()
        fast = _may_skip_triggers()
        with connection.cursor() as cursor:
            if fast:
                cursor.execute("SET LOCAL session_replication_role = replica")
            try:
                counts = generator.run()
            finally:
                if fast:
                    cursor.execute("SET LOCAL session_replication_role = origin")
        broken = validate()
        if any(broken.values()):
            raise ScaleError(f"The generated data breaks the rules: {broken}")
        # The dashboards' figures and rollups, rewritten from their definitions (their
        # triggers did not fire; with them off here too, the rows are written once).
        with connection.cursor() as cursor:
            if fast:
                cursor.execute("SET LOCAL session_replication_role = replica")
            try:
                figures_rebuild()
            finally:
                if fast:
                    cursor.execute("SET LOCAL session_replication_role = origin")
        counts["fingerprint"] = fingerprint()
    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return {"counts": counts, "validation": broken, "triggers_skipped": fast}


ANALYZED_TABLES = (
    "beneficiaries_beneficiary",
    "projects_proposal",
    "projects_proposal_communes",
    "projects_proposalbeneficiary",
    "projects_budgetline",
    "projects_proposaloutput",
    "disbursement_contract",
    "disbursement_tranche",
    "disbursement_acceptance",
    "disbursement_liquidation",
    "disbursement_settlement",
    "disbursement_disbursementflag",
    "inspections_inspection",
    "inspections_recommendation",
    "programs_planallocation",
    "programs_planbudget",
    "dashboards_proposalfigures",
    "dashboards_figuresrollup",
    "dashboards_reachrollup",
    "dashboards_reachprovince",
    "dashboards_reachtotal",
    "dashboards_outputsrollup",
    "dashboards_findingsrollup",
)


def _delete_previous() -> None:
    """``replace``: every đề án and establishment (and what hangs on them), then the plans
    a previous run created (their budgets followed its đề án) and the provincial
    programmes left without a plan; they are built again."""
    with connection.cursor() as cursor:
        # Checks still pending in this transaction first: TRUNCATE refuses tables with
        # pending deferred trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(DATA_TABLES)} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    AnnualPlan.objects.filter(created_by__username__startswith="scale-").delete()
    Program.objects.filter(level="local", plans__isnull=True).filter(
        code__regex=r"^kcdp-[a-z]+-20(21-2025|26-2030)$"
    ).delete()
