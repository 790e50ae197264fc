"""Demo appraisal councils (hội đồng thẩm định): each demo province's Sở appraises its
đề án through a council of three (Đắk Lắk through designated officers), the Cục through
its own council for the national ones. ``council_appraise`` is called by the demo đề án
(demo.projects) where a đề án is appraised; ``seed_councils`` then closes the councils
that have concluded on everything and opens one still at work in Hà Nội."""

from __future__ import annotations

import datetime
import random

from accounts.models import Agency, Role, User
from accounts.policies import allows
from projects import services
from projects.models import (
    Appraisal,
    AppraisalCouncil,
    AppraisalCriterion,
    CouncilMember,
    CouncilProposal,
    Proposal,
)

# username, province code (None: the Cục), seat, first name, last name, position
COUNCIL_USERS = [
    ("hd-hanoi-chu-tich", 1, "chair", "Quân", "Đỗ Minh", "Phó Giám đốc Sở"),
    ("hd-hanoi-thu-ky", 1, "secretary", "Ngọc", "Vũ Bảo", "Chuyên viên"),
    ("hd-hanoi-uy-vien", 1, "member", "Tâm", "Ngô Đức", "Trưởng phòng Quản lý công nghiệp"),
    ("hd-sonla-chu-tich", 14, "chair", "Sơn", "Quàng Văn", "Phó Giám đốc Sở"),
    ("hd-sonla-thu-ky", 14, "secretary", "Mai", "Lường Thị", "Chuyên viên"),
    ("hd-sonla-uy-vien", 14, "member", "Khánh", "Hà Văn", "Trưởng phòng Quản lý công nghiệp"),
    ("hd-daklak-chu-tich", 66, "chair", "Thành", "Lê Công", "Phó Giám đốc Sở"),
    ("hd-daklak-uy-vien", 66, "member", "Linh", "Trần Mỹ", "Chuyên viên"),
    ("hd-bct-chu-tich", None, "chair", "Hải", "Phạm Văn", "Phó Cục trưởng"),
    ("hd-bct-thu-ky", None, "secretary", "Trang", "Nguyễn Thu", "Chuyên viên chính"),
    ("hd-bct-uy-vien", None, "member", "Phong", "Bùi Quốc", "Trưởng phòng Khuyến công"),
]
DESIGNATED_PROVINCES = {66}  # Đắk Lắk appraises through designated officers
COUNCIL_DATES = {  # stage -> (decision, meeting)
    "province": (datetime.date(2026, 3, 2), datetime.date(2026, 3, 6)),
    "ministry": (datetime.date(2026, 3, 9), datetime.date(2026, 3, 12)),
}


def _agency(province_code: int | None) -> Agency:
    if province_code is None:
        return Agency.objects.get(kind="ministry_department")
    return Agency.objects.get(kind="department", province__code=province_code)


def _role(province_code: int | None, seat: str) -> str:
    """The Cục's members are its officials; a Sở's council is chaired by a leader of the Sở
    (provincial administrator) with inspectors of the Sở — not by more "Sở staff" users,
    of whom the demo keeps one per province (the demo, the tests and the benches look it
    up by its role)."""
    if province_code is None:
        return Role.MINISTRY_OFFICIAL
    return Role.PROVINCE_ADMIN if seat == "chair" else Role.INSPECTOR


def council_members(agency: Agency) -> list[tuple[User, str]]:
    """The demo council of ``agency`` (created once), in seat order."""
    seats = []
    for username, code, seat, first, last, position in COUNCIL_USERS:
        if _agency(code).pk != agency.pk:
            continue
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "position": position,
                "role": _role(code, seat),
                "agency": agency,
                "email": f"{username}@khuyencong.example",
            },
        )
        if _created:
            from demo.seeding import DEMO_PASSWORD

            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        seats.append((user, seat))
    return seats


def _council(agency: Agency, stage: str, organiser: User, proposal: Proposal):
    """The agency's open council of the stage, taking up ``proposal`` (set up on first use)."""
    council = AppraisalCouncil.objects.filter(
        agency=agency, stage=stage, year=proposal.plan.year, status=AppraisalCouncil.Status.OPEN
    ).first()
    if council is not None:
        return services.council_add_proposals(
            council=council, actor=organiser, proposals=[proposal]
        )
    designated = agency.province is not None and agency.province.code in DESIGNATED_PROVINCES
    decided, meets = COUNCIL_DATES[stage]
    where = agency.province.name if agency.province else "Bộ Công Thương"
    return services.council_create(
        actor=organiser,
        stage=stage,
        name=(
            f"Tổ thẩm định đề án khuyến công năm {proposal.plan.year}"
            if designated
            else f"Hội đồng thẩm định đề án khuyến công năm {proposal.plan.year}"
        ),
        mode=AppraisalCouncil.Mode.DESIGNATED if designated else AppraisalCouncil.Mode.COUNCIL,
        year=proposal.plan.year,
        decision_number=f"{15 if stage == 'province' else 210}/QĐ-"
        + ("SCT" if agency.province else "ĐMST"),
        decision_date=decided,
        meeting_date=meets,
        meeting_place=f"Phòng họp {agency.short_name or agency.name}, {where}",
        members=council_members(agency),
        proposals=[proposal],
    )


def _sheet_scores(base: dict, rng: random.Random, low: int) -> dict:
    return {c: max(low, min(c.max_score, s + rng.choice((-1, 0, 0, 1)))) for c, s in base.items()}


OPINIONS = {
    "approve": "Các thành viên thống nhất đề án đáp ứng tiêu chí, đề nghị phê duyệt.",
    "return": "Đề nghị bổ sung hồ sơ trước khi xem xét lại.",
    "reject": "Đề án chưa đáp ứng tiêu chí thẩm định, đề nghị không phê duyệt.",
}


def council_appraise(
    proposal: Proposal,
    organiser: User,
    stage: str,
    base_scores: dict,
    *,
    recommendation: str = "approve",
    comment: str = "",
    conclude: bool = True,
) -> CouncilProposal:
    """The demo council of ``organiser``'s agency scores ``proposal`` (the chair
    ``base_scores``, the others near them) and, when ``conclude``, the chair concludes with
    ``recommendation``."""
    council = _council(organiser.agency, stage, organiser, proposal)
    link = council.proposal_links.get(proposal=proposal)
    rng = random.Random(f"{proposal.code}-{stage}")  # the demo's own stream stays unchanged
    low = 7 if recommendation == "approve" else 3
    members = list(council.members.select_related("user"))
    for index, member in enumerate(members):
        if not conclude and index:
            break  # a council at work: only the chair has scored so far
        scores = base_scores if index == 0 else _sheet_scores(base_scores, rng, low)
        services.appraisal_record(
            link=link,
            actor=member.user,
            scores=scores,
            recommendation=recommendation,
            comment=comment,
        )
    if conclude:
        link = services.council_conclude(
            link=link,
            actor=members[0].user,
            recommendation=recommendation,
            opinions=comment or OPINIONS[recommendation],
        )
    return link


def seed_councils() -> str:
    """Close the councils that concluded on every đề án they hold; put Hà Nội's first
    submitted đề án before a council still at work (its chair has scored)."""
    closed = 0
    for council in AppraisalCouncil.objects.filter(status=AppraisalCouncil.Status.OPEN):
        chair = council.members.get(role=CouncilMember.Role.CHAIR).user
        if allows(services.council_close_check, chair, council):
            services.council_close(council=council, actor=chair)
            closed += 1
    waiting = (
        Proposal.objects.filter(province__code=1, status=Proposal.Status.SUBMITTED)
        .exclude(council_links__isnull=False)
        .order_by("code")
        .first()
    )
    if waiting is not None:
        from demo.seeding import demo_user

        criteria = AppraisalCriterion.objects.filter(active=True)
        council_appraise(
            waiting,
            demo_user(waiting.province, "province_staff"),
            Appraisal.Stage.PROVINCE,
            {c: min(c.max_score, 8) for c in criteria},
            conclude=False,
        )
    total = AppraisalCouncil.objects.count()
    return f"Appraisal councils: {total} ({closed} closed), {Appraisal.objects.count()} sheets."
