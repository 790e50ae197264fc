"""The demo's selection of typical rural industrial products, 2025: Hà Nội's and Sơn La's
provincial rounds (concluded, with results and certificates) and the northern regional round
the ministry runs (judged, one certificate). Two of Hà Nội's certificates are counted by the
output "products recognised" of a funded Hà Nội đề án. Everything goes through the services;
seeding twice adds nothing."""

from __future__ import annotations

import datetime

from accounts.models import User
from demo.seeding import demo_user
from programs.catalogue import CERTIFICATE_INDICATOR
from programs.models import Indicator
from projects.models import FUNDED_STATES, Proposal, ProposalOutput
from reference.models import Province
from typical_products import services
from typical_products.models import SelectionRound
from typical_products.rules import Level, Region

YEAR = 2025
D = datetime.date

# product, group, points (market, technical, culture, other), recognised
HANOI_PRODUCTS = [
    ("Bộ ấm chén gốm men lam", "handicraft", (30, 25, 27, 4), True),
    ("Lọ hoa sơn mài khảm trai", "handicraft", (28, 24, 28, 3), True),
    ("Miến dong sấy khô", "food", (27, 22, 15, 3), True),
    ("Chổi chít đan thủ công", "handicraft", (15, 12, 14, 2), False),
]
SONLA_PRODUCTS = [
    ("Chè Shan tuyết Tà Xùa", "food", (31, 24, 20, 4), True),
    ("Thổ cẩm dệt tay dân tộc Thái", "handicraft", (26, 22, 27, 3), True),
    ("Mận hậu sấy dẻo", "food", (18, 14, 10, 2), False),
]


def _provincial_round(province, actor, products, beneficiaries, prefix, numbers) -> SelectionRound:
    """A concluded provincial round; ``numbers``: its plan and its recognition decision."""
    plan_number, decision_number = numbers
    round_ = services.round_create(
        actor=actor,
        level=Level.PROVINCIAL,
        year=YEAR,
        province=province,
        title=f"Bình chọn sản phẩm CNNT tiêu biểu {province.administrative_name} năm {YEAR}",
        organiser=f"UBND {province.administrative_name} (Sở Công Thương thường trực Hội đồng)",
        decision_number=f"{plan_number}/KH-UBND",
        decision_date=D(YEAR, 3, 10),
        opens_on=D(YEAR, 3, 15),
        closes_on=D(YEAR, 4, 30),
    )
    entries = []
    for (name, group, _points, _ok), beneficiary in zip(products, beneficiaries, strict=True):
        entries.append(
            services.entry_add(
                round_=round_,
                actor=actor,
                beneficiary=beneficiary,
                name=name,
                group=group,
                registered_on=D(YEAR, 4, 2),
            )
        )
    round_ = services.round_transition(round_=round_, actor=actor, action="judge")
    number = 1
    for entry, (_name, _group, points, recognised) in zip(entries, products, strict=True):
        services.entry_score(
            entry=entry,
            actor=actor,
            points=dict(zip(("market", "technical", "culture", "other"), points, strict=True)),
            recognised=recognised,
        )
        if recognised:
            services.certificate_issue(
                entry=entry,
                actor=actor,
                number=f"{number:02d}/GCN-{prefix}",
                decision_number=f"{decision_number}/QĐ-UBND",
                decision_date=D(YEAR, 6, 10),
                issued_on=D(YEAR, 6, 20),
            )
            number += 1
    return services.round_transition(round_=round_, actor=actor, action="conclude")


def _hanoi_proposal():
    """A funded Hà Nội đề án with at least two establishments: its output "products
    recognised" counts two of the certificates."""
    for proposal in Proposal.objects.filter(province__code=1, status__in=FUNDED_STATES).order_by(
        "pk"
    ):
        links = list(proposal.beneficiary_links.select_related("beneficiary")[:2])
        if len(links) == 2:
            return proposal, [link.beneficiary for link in links]
    return None, []


def seed_typical_products() -> str:
    if SelectionRound.objects.filter(year=YEAR).exists():
        return "Typical products: already seeded."
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    sct_hanoi = demo_user(hanoi, "province_staff")
    sct_sonla = demo_user(sonla, "province_staff")
    ministry = User.objects.get(username="ministry")

    proposal, linked = _hanoi_proposal()
    others = list(
        hanoi.beneficiaries.exclude(pk__in=[b.pk for b in linked]).order_by("pk")[
            : len(HANOI_PRODUCTS) - len(linked)
        ]
    )
    hanoi_round = _provincial_round(
        hanoi, sct_hanoi, HANOI_PRODUCTS, linked + others, "HN", (58, 2150)
    )
    sonla_people = list(sonla.beneficiaries.order_by("pk")[: len(SONLA_PRODUCTS)])
    _provincial_round(sonla, sct_sonla, SONLA_PRODUCTS, sonla_people, "SL", (41, 1327))

    regional = services.round_create(
        actor=ministry,
        level=Level.REGIONAL,
        year=YEAR,
        region=Region.NORTH,
        title=f"Bình chọn sản phẩm CNNT tiêu biểu khu vực phía Bắc năm {YEAR}",
        organiser="Bộ Công Thương (Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công)",
        decision_number="150/KH-BCT",
        decision_date=D(YEAR, 7, 1),
        opens_on=D(YEAR, 7, 15),
        closes_on=D(YEAR, 8, 31),
    )
    finalists = [
        hanoi_round.entries.get(name="Bộ ấm chén gốm men lam"),
        SelectionRound.objects.get(level=Level.PROVINCIAL, year=YEAR, province=sonla).entries.get(
            name="Chè Shan tuyết Tà Xùa"
        ),
    ]
    regional_entries = [
        services.entry_add(
            round_=regional,
            actor=ministry,
            beneficiary=entry.beneficiary,
            name=entry.name,
            group=entry.group,
            qualifying_certificate=entry.certificate,
            registered_on=D(YEAR, 8, 20),
        )
        for entry in finalists
    ]
    services.round_transition(round_=regional, actor=ministry, action="judge")
    services.entry_score(
        entry=regional_entries[0],
        actor=ministry,
        points={"market": 31, "technical": 26, "culture": 28, "other": 4},
        recognised=True,
    )
    services.entry_score(
        entry=regional_entries[1],
        actor=ministry,
        points={"market": 25, "technical": 18, "culture": 12, "other": 3},
        recognised=False,
    )
    services.certificate_issue(
        entry=regional_entries[0],
        actor=ministry,
        number="01/GCN-KVPB",
        decision_number="3120/QĐ-BCT",
        decision_date=D(YEAR, 11, 5),
        issued_on=D(YEAR, 11, 20),
    )

    counted = 0
    if proposal is not None:
        output, _ = ProposalOutput.objects.get_or_create(
            proposal=proposal,
            indicator=Indicator.objects.get(code=CERTIFICATE_INDICATOR),
            defaults={"target_value": 2},
        )
        certificates = [e.certificate for e in hanoi_round.entries.filter(beneficiary__in=linked)]
        counted = services.output_certificates_set(
            output=output, actor=sct_hanoi, certificates=certificates
        )
    return (
        f"Typical products {YEAR}: provincial rounds of Hà Nội and Sơn La, the northern "
        f"regional round; {counted} certificates counted by a Hà Nội đề án."
    )
