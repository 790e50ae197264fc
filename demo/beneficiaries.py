"""Demo establishments (cơ sở CNNT) for the demo provinces: about 300 in each of Hà Nội,
Sơn La and Đắk Lắk, with the trades each is known for (Hà Nội's craft villages, Sơn La's
tea, thổ cẩm and fruit, Đắk Lắk's coffee, pepper and — since the 2025 merger with Phú
Yên — fish sauce and rice paper).

Generation is deterministic for a seed and matched on tax code / citizen ID, so running it
again creates nothing new. Tax codes carry a correct check digit; the CCCDs follow the
12-digit layout (province of birth, sex and century, year of birth, serial)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from faker import Faker

from accounts.models import User
from beneficiaries.catalogue import add_sectors
from beneficiaries.models import Beneficiary, LegalForm, Sector
from beneficiaries.validators import tax_code_check_digit
from core.text import fold
from reference.models import Commune, Province

PER_PROVINCE = 300


@dataclass(frozen=True)
class Trade:
    sector: str  # Sector.code
    activity: str  # used in names: "Hợp tác xã {activity} {place}"
    products: str
    weight: int = 1


@dataclass(frozen=True)
class Village:
    name: str
    commune: str  # the commune's name on the 2025 map (falls back to a random one)
    trade: Trade


@dataclass
class Profile:
    slug: str
    tax_prefix: str  # the first two digits of tax codes issued in the province
    birth_code: str  # CCCD's province-of-birth code
    hamlet_word: str
    hamlets: list[str]
    trades: list[Trade]
    villages: list[Village]
    craft_share: float
    ethnic_share: float
    ethnic_names: list[tuple[str, str]] = field(default_factory=list)  # (female, male) pools


GOM = Trade("thu-cong-my-nghe", "Gốm sứ", "Bát đĩa, bình, lọ gốm men lam", 3)
MAY_TRE = Trade("thu-cong-my-nghe", "Mây tre đan", "Giỏ, làn, khay mây tre đan xuất khẩu", 3)
KHAM_TRAI = Trade("thu-cong-my-nghe", "Khảm trai", "Tranh, hộp, bàn ghế khảm trai", 1)
TUONG_GO = Trade("do-go", "Tạc tượng gỗ", "Tượng Phật, tượng thờ bằng gỗ", 1)
MOC = Trade("do-go", "Đồ gỗ mỹ nghệ", "Bàn ghế, tủ, sập gỗ mỹ nghệ", 2)
LUA = Trade("det-may-da-giay", "Dệt lụa", "Lụa tơ tằm, khăn lụa", 1)
DET_KIM = Trade("det-may-da-giay", "Dệt kim", "Áo len, tất, găng tay dệt kim", 1)
NON = Trade("hang-tieu-dung", "Nón lá", "Nón lá, nón bài thơ", 1)
BUN = Trade("nong-lam-thuy-san", "Chế biến bún, bánh phở", "Bún, bánh phở, bánh cuốn", 1)
TUONG = Trade("nong-lam-thuy-san", "Sản xuất tương", "Tương bần, tương nếp", 1)
REN = Trade("co-khi", "Rèn", "Dao, kéo, nông cụ cầm tay", 1)
HUONG = Trade("hang-tieu-dung", "Sản xuất hương", "Hương nén, tăm hương", 1)
SON_MAI = Trade("thu-cong-my-nghe", "Sơn mài", "Tranh, hộp, bình sơn mài", 1)

THO_CAM = Trade("det-may-da-giay", "Dệt thổ cẩm", "Khăn piêu, túi, váy thổ cẩm", 4)
THO_CAM_EDE = Trade("det-may-da-giay", "Dệt thổ cẩm", "Váy, khố, khăn thổ cẩm Ê Đê", 2)
CA_PHE = Trade("nong-lam-thuy-san", "Chế biến cà phê", "Cà phê nhân, cà phê rang xay", 6)

HANOI = Profile(
    slug="hanoi",
    tax_prefix="01",
    birth_code="001",
    hamlet_word="Thôn",
    hamlets=["Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Cựu", "Tân", "Đình"],
    trades=[
        MAY_TRE,
        GOM,
        MOC,
        DET_KIM,
        Trade("nong-lam-thuy-san", "Chế biến thực phẩm", "Giò chả, bánh chưng, miến dong", 3),
        Trade("co-khi", "Cơ khí", "Khung nhôm kính, cửa sắt, máy nông nghiệp nhỏ", 3),
        Trade("vat-lieu-xay-dung", "Vật liệu xây dựng", "Gạch không nung, ngói màu", 2),
        Trade("dien-dien-tu", "Lắp ráp điện tử", "Bộ đèn LED, dây cáp điện", 1),
        Trade("hang-tieu-dung", "Sản xuất đồ nhựa gia dụng", "Chậu, rổ, hộp nhựa", 1),
        Trade("hoa-chat-phan-bon", "Sản xuất phân bón hữu cơ", "Phân hữu cơ vi sinh", 1),
    ],
    villages=[
        Village("Làng gốm Bát Tràng", "Xã Bát Tràng", GOM),
        Village("Làng khảm trai Chuyên Mỹ", "Xã Chuyên Mỹ", KHAM_TRAI),
        Village("Làng mây tre giang đan Phú Vinh", "Xã Phú Nghĩa", MAY_TRE),
        Village("Làng tạc tượng Sơn Đồng", "Xã Sơn Đồng", TUONG_GO),
        Village("Làng mộc Chàng Sơn", "Xã Thạch Thất", MOC),
        Village("Làng lụa Vạn Phúc", "Phường Hà Đông", LUA),
        Village("Làng dệt kim La Phù", "Xã Hoài Đức", DET_KIM),
        Village("Làng nón Chuông", "Xã Dân Hòa", NON),
        Village("Làng bún Phú Đô", "Phường Từ Liêm", BUN),
        Village("Làng tương Cự Đà", "Xã Bình Minh", TUONG),
        Village("Làng rèn Đa Sỹ", "Phường Kiến Hưng", REN),
        Village("Làng hương Quảng Phú Cầu", "Xã Ứng Thiên", HUONG),
        Village("Làng sơn mài Hạ Thái", "Xã Thường Tín", SON_MAI),
    ],
    craft_share=0.45,
    ethnic_share=0.02,
)

SONLA = Profile(
    slug="sonla",
    tax_prefix="55",
    birth_code="014",
    hamlet_word="Bản",
    hamlets=["Mòng", "Hìn", "Cọ", "Nà Ngần", "Pá Kim", "Hua Tát", "Dọi", "Púng", "Nà Hạ", "Lả"],
    trades=[
        THO_CAM,
        Trade("nong-lam-thuy-san", "Chế biến chè", "Chè Shan tuyết, chè xanh, chè Ô long", 5),
        Trade("nong-lam-thuy-san", "Chế biến cà phê", "Cà phê Arabica Sơn La", 3),
        Trade("nong-lam-thuy-san", "Chế biến nông sản", "Mận sấy, xoài sấy, nhãn sấy", 4),
        Trade("nong-lam-thuy-san", "Chế biến sữa", "Sữa chua, bánh sữa Mộc Châu", 1),
        Trade("nong-lam-thuy-san", "Sản xuất miến dong", "Miến dong, bột dong riềng", 1),
        Trade("do-go", "Mộc dân dụng", "Giường, tủ, cửa gỗ", 2),
        Trade("co-khi", "Sửa chữa máy nông nghiệp", "Sửa chữa máy cày, máy xát", 2),
        Trade("vat-lieu-xay-dung", "Sản xuất gạch không nung", "Gạch block, gạch không nung", 1),
        Trade("thu-cong-my-nghe", "Đan lát", "Ghế mây, mâm mây, ép cơm", 1),
    ],
    villages=[
        Village("Làng nghề dệt thổ cẩm bản Mòng", "Phường Chiềng Cơi", THO_CAM),
        Village(
            "Làng nghề chè Shan tuyết Tà Xùa",
            "Xã Tà Xùa",
            Trade("nong-lam-thuy-san", "Chế biến chè", "Chè Shan tuyết cổ thụ", 1),
        ),
        Village(
            "Làng nghề chè Mộc Châu",
            "Phường Mộc Sơn",
            Trade("nong-lam-thuy-san", "Chế biến chè", "Chè Ô long, chè xanh Mộc Châu", 1),
        ),
        Village(
            "Làng nghề nhãn sấy Sông Mã",
            "Xã Sông Mã",
            Trade("nong-lam-thuy-san", "Sấy nhãn", "Long nhãn, nhãn sấy khô", 1),
        ),
        Village("Làng nghề dệt thổ cẩm Chiềng Khoong", "Xã Chiềng Khoong", THO_CAM),
    ],
    craft_share=0.12,
    ethnic_share=0.65,
    ethnic_names=[
        ("Lò Thị", "Lò Văn"),
        ("Cầm Thị", "Cầm Văn"),
        ("Quàng Thị", "Quàng Văn"),
        ("Lường Thị", "Lường Văn"),
        ("Tòng Thị", "Tòng Văn"),
        ("Điêu Thị", "Điêu Văn"),
        ("Giàng Thị", "Giàng A"),
        ("Sùng Thị", "Sùng A"),
        ("Vì Thị", "Vì Văn"),
    ],
)

DAKLAK = Profile(
    slug="daklak",
    tax_prefix="60",
    birth_code="066",
    hamlet_word="Buôn",
    hamlets=["Kô Siêr", "Ako Dhông", "Đôn", "Trí A", "Ea Bông", "Tơng Ju", "Dhăm", "Cuê"],
    trades=[
        CA_PHE,
        Trade("nong-lam-thuy-san", "Chế biến hồ tiêu", "Hồ tiêu đen, tiêu sọ", 3),
        Trade("nong-lam-thuy-san", "Chế biến ca cao", "Ca cao lên men, sô-cô-la", 1),
        Trade("nong-lam-thuy-san", "Sấy sầu riêng và mắc ca", "Sầu riêng sấy, hạt mắc ca", 2),
        Trade("nong-lam-thuy-san", "Chế biến nước mắm", "Nước mắm cá cơm", 2),
        Trade("nong-lam-thuy-san", "Chế biến cá ngừ", "Cá ngừ đại dương đông lạnh, cá ngừ khô", 1),
        THO_CAM_EDE,
        Trade("hang-tieu-dung", "Sản xuất rượu cần", "Rượu cần, rượu men lá", 1),
        Trade("do-go", "Chế biến gỗ", "Đồ gỗ nội thất, ván ghép", 2),
        Trade("co-khi", "Cơ khí nông nghiệp", "Máy sấy, máy xát cà phê", 2),
        Trade("hoa-chat-phan-bon", "Sản xuất phân vi sinh", "Phân hữu cơ từ vỏ cà phê", 1),
    ],
    villages=[
        Village("Làng nghề dệt thổ cẩm buôn Đrăng Phôk", "Xã Buôn Đôn", THO_CAM_EDE),
        Village(
            "Làng nghề rượu cần buôn Kô Siêr",
            "Phường Tân Lập",
            Trade("hang-tieu-dung", "Sản xuất rượu cần", "Rượu cần buôn Kô Siêr", 1),
        ),
        Village(
            "Làng nghề bánh tráng Hòa Đa",
            "Xã Tuy An Đông",
            Trade(
                "nong-lam-thuy-san", "Sản xuất bánh tráng", "Bánh tráng nước dừa, bánh tráng mè", 1
            ),
        ),
        Village(
            "Làng nghề nước mắm Gành Đỏ",
            "Phường Sông Cầu",
            Trade("nong-lam-thuy-san", "Chế biến nước mắm", "Nước mắm truyền thống", 1),
        ),
        Village("Làng nghề cà phê Buôn Ma Thuột", "Phường Buôn Ma Thuột", CA_PHE),
    ],
    craft_share=0.10,
    ethnic_share=0.30,
    ethnic_names=[
        ("H'Hen Niê", "Y Khuê Byă"),
        ("H'Linh Êban", "Y Moan Ênuôl"),
        ("H'Nga Mlô", "Y Bhin Niê"),
        ("H'Yơn Ksor", "Y Jăk Buôn Yă"),
        ("H'Ra Adrơng", "Y Thuê Kđoh"),
        ("H'Zuê Mlô", "Y Thông Mlô"),
        ("H'Bia Byă", "Y Nuôl Êban"),
        ("H'Lan Ayŭn", "Y Kông Ayŭn"),
        ("H'Mai Niê Kdăm", "Y Sa Ra Hmok"),
        ("H'Duyên Kbuôr", "Y Đhim Hwing"),
        ("H'Tuyết Ktla", "Y Blô Adrơng"),
    ],
)

PROFILES = {1: HANOI, 14: SONLA, 66: DAKLAK}

# Share of each legal form among the demo establishments.
FORM_WEIGHTS = [
    (LegalForm.HOUSEHOLD_BUSINESS, 40),
    (LegalForm.SME, 22),
    (LegalForm.COOPERATIVE, 15),
    (LegalForm.COOPERATIVE_GROUP, 12),
    (LegalForm.ARTISAN, 8),
    (LegalForm.COOPERATIVE_UNION, 3),
]
WORKERS = {
    LegalForm.SME: (10, 180),
    LegalForm.COOPERATIVE: (7, 80),
    LegalForm.COOPERATIVE_UNION: (30, 250),
    LegalForm.COOPERATIVE_GROUP: (3, 25),
    LegalForm.HOUSEHOLD_BUSINESS: (1, 12),
    LegalForm.ARTISAN: (1, 15),
}
MIDDLE_F = ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Thùy", "Kim"]
MIDDLE_M = ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Công"]
GIVEN_F = [
    *("Hoa", "Lan", "Hương", "Mai", "Hằng", "Thảo", "Nga", "Yến", "Dung", "Huyền", "Liên"),
    *("Oanh", "Trang", "Phương", "Hạnh", "Loan", "Nhung", "Thủy", "Vân", "Quyên", "Tâm"),
]
GIVEN_M = [
    *("Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Thắng", "Long", "Sơn", "Hải", "Bình", "Toàn"),
    *("Khải", "Cường", "Phúc", "Thịnh", "Quân", "Hiếu", "Trung", "Đạt", "Tùng", "Vinh"),
]
ETHNIC_GIVEN_F = ["Xuân", "Ún", "Ính", "Bun", "Hoa", "Mai", "Pâng", "Mỷ", "Ơn", "Xoan", "Dung"]
ETHNIC_GIVEN_M = ["Páo", "Lử", "Chiến", "Thanh", "Ót", "Khăm", "Sương", "Hặc", "Piếng", "Lả"]


def _tax_code(rng: random.Random, prefix: str, used: set[str]) -> str:
    while True:
        first_nine = prefix + f"{rng.randrange(10**7):07d}"
        check = tax_code_check_digit(first_nine)
        if check is None:
            continue  # no check digit exists for this prefix: never issued
        code = f"{first_nine}{check}"
        if code not in used:
            used.add(code)
            return code


def _citizen_id(rng: random.Random, birth_code: str, woman: bool, used: set[str]) -> str:
    while True:
        year = rng.randint(1955, 2002)
        century_sex = (0 if year < 2000 else 2) + (1 if woman else 0)
        number = f"{birth_code}{century_sex}{year % 100:02d}{rng.randrange(10**6):06d}"
        if number not in used:
            used.add(number)
            return number


def _person(fake: Faker, rng: random.Random, profile: Profile, woman: bool, ethnic: bool) -> str:
    if ethnic and profile.ethnic_names:
        female, male = rng.choice(profile.ethnic_names)
        if profile.slug == "daklak":  # Ê Đê names are whole: "H'Hen Niê", "Y Khuê Byă"
            return female if woman else male
        given = rng.choice(ETHNIC_GIVEN_F if woman else ETHNIC_GIVEN_M)
        return f"{female if woman else male} {given}"
    middle = rng.choice(MIDDLE_F if woman else MIDDLE_M)
    given = rng.choice(GIVEN_F if woman else GIVEN_M)
    return f"{fake.last_name()} {middle} {given}"


def _place(commune: Commune) -> str:
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        name = " ".join(commune.name.split())
        if name.startswith(prefix):
            return name[len(prefix) :]
    return commune.name


def _name(rng, legal_form, activity: str, place: str, owner: str, hamlet: str, province) -> str:
    if legal_form == LegalForm.SME:
        pattern = rng.choice(
            [
                "Công ty TNHH {a} {p}",
                "Công ty Cổ phần {a} {p}",
                "Công ty TNHH {a} {o}",
                "Doanh nghiệp tư nhân {a} {o}",
            ]
        )
    elif legal_form == LegalForm.COOPERATIVE:
        pattern = rng.choice(["Hợp tác xã {a} {p}", "Hợp tác xã {a} {h}"])
    elif legal_form == LegalForm.COOPERATIVE_UNION:
        pattern = rng.choice(["Liên hiệp Hợp tác xã {a} {s}", "Liên hiệp Hợp tác xã {a} {p}"])
    elif legal_form == LegalForm.COOPERATIVE_GROUP:
        pattern = "Tổ hợp tác {a} {h}"
    elif legal_form == LegalForm.HOUSEHOLD_BUSINESS:
        pattern = rng.choice(["Cơ sở {a} {o}", "Hộ kinh doanh {o}", "Cơ sở {a} {h}"])
    else:
        pattern = "Nghệ nhân {o}"
    return pattern.format(a=activity, p=place, o=owner, h=hamlet, s=province.short_name)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def _generate(profile: Profile, province, communes, sectors, creator, seed: int):
    rng = random.Random(f"{seed}-{province.code}")
    fake = Faker("vi_VN")
    fake.seed_instance(seed * 100 + province.code)
    by_name = {fold(c.name): c for c in communes}
    rural = [c for c in communes if c.division_type != Commune.DivisionType.WARD]
    used_tax: set[str] = set()
    used_cccd: set[str] = set()
    records = []
    for _ in range(PER_PROVINCE):
        legal_form = _weighted(rng, FORM_WEIGHTS)
        woman = rng.random() < 0.38
        ethnic = rng.random() < profile.ethnic_share
        village = rng.choice(profile.villages) if rng.random() < profile.craft_share else None
        if village:
            trade = village.trade
            commune = by_name.get(fold(village.commune)) or rng.choice(communes)
        else:
            trade = _weighted(rng, [(t, t.weight) for t in profile.trades])
            # Most establishments produce in rural communes; some in wards.
            commune = rng.choice(rural if rng.random() < 0.8 else communes)
        owner = _person(fake, rng, profile, woman, ethnic)
        hamlet = f"{profile.hamlet_word} {rng.choice(profile.hamlets)}"
        if commune.division_type == Commune.DivisionType.WARD:
            address = f"Tổ dân phố {rng.randint(1, 20)}, {commune.name}"
        else:
            address = f"{hamlet}, {commune.name}"
        personal = legal_form in (LegalForm.HOUSEHOLD_BUSINESS, LegalForm.ARTISAN)
        if personal and rng.random() < 0.7:
            tax_code, citizen_id = None, _citizen_id(rng, profile.birth_code, woman, used_cccd)
        else:
            tax_code, citizen_id = _tax_code(rng, profile.tax_prefix, used_tax), None
        low, high = WORKERS[legal_form]
        place = _place(commune)
        name_hamlet = place if commune.division_type == Commune.DivisionType.WARD else hamlet
        name = _name(rng, legal_form, trade.activity, place, owner, name_hamlet, province)
        phone = rng.choice(["09", "03", "08", "07"]) + f"{rng.randrange(10**8):08d}"
        record = Beneficiary(
            legal_form=legal_form,
            name=name,
            name_folded=fold(name),
            tax_code=tax_code,
            citizen_id=citizen_id,
            commune=commune,
            province=province,
            address=" ".join(address.split()),
            sector=sectors[trade.sector],
            product_line=trade.products,
            workers=rng.randint(low, high),
            woman_owned=woman,
            ethnic_minority_owned=ethnic,
            representative=owner,
            phone=phone,
            email=(f"lienhe{rng.randrange(1000, 9999)}@{profile.slug}-cnnt.vn")
            if legal_form in (LegalForm.SME, LegalForm.COOPERATIVE_UNION)
            else "",
            created_by=creator,
            updated_by=creator,
        )
        # Not a field: the village of the register (demo.villages) it joins once created.
        record.demo_village = village.name if village else None
        records.append(record)
    return records


def seed_beneficiaries(*, seed: int) -> str:
    # The sector catalogue comes from a data migration; put it back if it was emptied
    # (a flushed test database), as reference data is.
    add_sectors(django_apps, None)
    sectors = {s.code: s for s in Sector.objects.all()}
    creators = {
        u.agency.province.code: u
        for u in User.objects.filter(
            username__in=[f"sct-{p.slug}" for p in PROFILES.values()]
        ).select_related("agency__province")
    }
    provinces = {p.code: p for p in Province.objects.filter(code__in=PROFILES)}
    communes_by_province: dict[int, list[Commune]] = {}
    for commune in Commune.objects.filter(province__code__in=PROFILES).order_by("code"):
        communes_by_province.setdefault(commune.province_id, []).append(commune)
    records = []
    for code, profile in PROFILES.items():
        province = provinces[code]
        records += _generate(
            profile,
            province,
            communes_by_province[province.pk],
            sectors,
            creators.get(code),
            seed,
        )
    tax_codes = {r.tax_code for r in records if r.tax_code}
    citizen_ids = {r.citizen_id for r in records if r.citizen_id}
    existing_tax = set(
        Beneficiary.objects.filter(tax_code__in=tax_codes).values_list("tax_code", flat=True)
    )
    existing_cccd = set(
        Beneficiary.objects.filter(citizen_id__in=citizen_ids).values_list("citizen_id", flat=True)
    )
    new = [
        r
        for r in records
        if (r.tax_code and r.tax_code not in existing_tax)
        or (r.citizen_id and r.citizen_id not in existing_cccd)
    ]
    Beneficiary.objects.bulk_create(new, batch_size=500)
    from demo.villages import seed_villages

    seed_villages(new)
    return f"Establishments: {len(new)} created, {Beneficiary.objects.count()} in all."
