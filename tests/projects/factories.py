"""Build đề án ready for each step of the workflow (used by the projects tests)."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Agency, Role, User
from programs.models import Activity, AnnualPlan, Program
from projects import services, workflow
from projects.checks import required_documents
from projects.models import AppraisalCriterion, Proposal
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.programs.factories import draft_plan, local_program

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
S = Proposal.Status
DECIDED = datetime.date(2026, 11, 20)  # a past date: decisions cannot be dated in the future


def ensure_catalogue() -> None:
    """Appraisal criteria and dossier checklists come from a data migration; a
    transactional test flushes them afterwards, so put them back when missing."""
    if not AppraisalCriterion.objects.exists():
        from projects.catalogue import load_catalogue

        load_catalogue(django_apps)


def pdf_upload(name="thuyet-minh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def staff(province_code: int, role="province_staff") -> User:
    """The first user of ``role`` in the province (the demo's own, before any test user)."""
    return (
        User.objects.filter(agency__province__code=province_code, role=role).order_by("pk").first()
    )


def ministry() -> User:
    return User.objects.get(username="ministry")


def user_with(role: str, province_code: int | None = None, *, kind: str = "department") -> User:
    """A user of ``role`` in the Sở (or ``kind``) of the province, or in the ministry
    department when ``province_code`` is None (created once, with an e-mail address)."""
    if province_code is None:
        agency = Agency.objects.get(kind="ministry_department")
    else:
        agency = Agency.objects.get(kind=kind, province__code=province_code)
    username = f"test-{role}-{province_code or 'bct'}-{kind}"
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "agency": agency, "email": f"{username}@khuyencong.example"},
    )
    return user


def plan_for(
    province_code: int,
    *,
    year=2027,
    budget=5_000_000_000,
    national=False,
    decision_date: datetime.date | None = None,
) -> AnnualPlan:
    """A local plan of the province with KCĐP allocated to activity 03.1 — or the national
    plan of the year (KCQG, allocated to the group 03), created on demand; approved."""
    from programs.services import plan_create, plan_set_budget, plan_transition

    if decision_date is None:
        decision_date = (
            datetime.date(2026, 11, 1) if year > 2025 else datetime.date(year - 1, 12, 20)
        )
    if national:
        code = "kcqg-2026-2030" if year > 2025 else "kcqg-2021-2025"
        program = Program.objects.get(code=code)
        plan = AnnualPlan.objects.filter(program=program, year=year).first()
        if plan is None:
            plan = plan_create(actor=ministry(), program=program, year=year, title=f"KCQG {year}")
            plan = plan_set_budget(
                plan=plan,
                actor=ministry(),
                budgets={"kcqg": budget},
                allocations=[(Activity.objects.get(code="03"), "kcqg", budget)],
                expected_version=plan.version,
            )
        if plan.status == AnnualPlan.Status.DRAFT:
            plan = plan_transition(plan=plan, actor=ministry(), action="submit")
            plan = plan_transition(
                plan=plan,
                actor=ministry(),
                action="approve",
                decision_number="9/QĐ-BCT",
                decision_date=decision_date,
            )
        return plan
    plan = draft_plan(Province.objects.get(code=province_code), year=year, budget=budget)
    if plan.status == AnnualPlan.Status.DRAFT:
        sct = staff_of(province_code)
        plan = plan_transition(plan=plan, actor=sct, action="submit")
        plan = plan_transition(
            plan=plan,
            actor=sct,
            action="approve",
            decision_number="1/QĐ-UBND",
            decision_date=decision_date,
        )
    return plan


def staff_of(province_code: int) -> User:
    """The demo Sở user of the province, or a test one for a province without demo users."""
    found = (
        User.objects.filter(
            agency__province__code=province_code, agency__kind="department", role="province_staff"
        )
        .order_by("pk")
        .first()
    )
    return found or user_with(Role.PROVINCE_STAFF, province_code)


def plan_with(
    province_code: int, allocations: dict[str, int], *, year=2028, budget=None
) -> AnnualPlan:
    """An approved local plan with exactly these KCĐP allocations (activity code -> đồng)."""
    from programs.services import plan_create, plan_set_budget, plan_transition

    province = Province.objects.get(code=province_code)
    actor = staff_of(province_code)
    program = local_program(province)
    plan = plan_create(actor=actor, program=program, year=year, title=f"Kế hoạch {year}")
    total = budget or sum(allocations.values())
    plan = plan_set_budget(
        plan=plan,
        actor=actor,
        budgets={"kcdp": total, "counterpart": 10 * total},
        allocations=[(Activity.objects.get(code=c), "kcdp", a) for c, a in allocations.items()],
        expected_version=plan.version,
    )
    plan = plan_transition(plan=plan, actor=actor, action="submit")
    return plan_transition(
        plan=plan,
        actor=actor,
        action="approve",
        decision_number=f"{year}/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 2),
    )


def make_proposal(
    province_code: int = 14,
    *,
    national=False,
    kind="ordinary",
    activity_code="03.1",
    beneficiaries: int | list = 1,
    support=300_000_000,
    counterpart=700_000_000,
    attach=True,
    year=2027,
    plan: AnnualPlan | None = None,
    title: str | None = None,
) -> Proposal:
    """A draft đề án that passes every check (unless told otherwise).

    ``beneficiaries``: how many fresh ones to support, or the ones to support (a list);
    ``plan`` replaces the plan chosen by year."""
    ensure_catalogue()
    province = Province.objects.get(code=province_code)
    actor = staff_of(province_code)
    plan = plan or plan_for(province_code, year=year, national=national)
    year = plan.year
    proposal = services.proposal_create(
        actor=actor,
        plan=plan,
        title=title or f"Mô hình trình diễn kỹ thuật {province.short_name}",
        kind=kind,
        activity=Activity.objects.get(code=activity_code),
        implementing_agency=Agency.objects.get(province=province, kind="promotion_centre"),
        start_date=datetime.date(year, 3, 1),
        end_date=datetime.date(year, 11, 30),
    )
    if isinstance(beneficiaries, int):
        beneficiaries = [
            BeneficiaryFactory(commune=commune_of(province_code)) for _ in range(beneficiaries)
        ]
    count = len(beneficiaries)
    source = "kcqg" if plan.program.level == "national" else "kcdp"
    shares = [support // count] * count
    shares[-1] += support - sum(shares)
    proposal = services.proposal_save(
        proposal=proposal,
        actor=actor,
        expected_version=proposal.version,
        beneficiaries=list(zip(beneficiaries, shares, strict=True)),
        budget_lines=[
            {
                "item": "Máy móc, thiết bị",
                "unit": "bộ",
                "quantity": "1",
                "unit_price": support + counterpart,
                source: support,
                "counterpart": counterpart,
            },
        ],
    )
    if attach:
        for document in required_documents(proposal):
            services.attachment_add(
                proposal=proposal, actor=actor, upload=pdf_upload(), document_type=document
            )
    return proposal


def council_seats(agency: Agency) -> tuple[User, User]:
    """A chair and a secretary of ``agency`` who drafted nothing (created once). In a Sở,
    inspectors: other tests look up *the* Sở staff user of a province by its role."""
    role = Role.MINISTRY_OFFICIAL if agency.province_id is None else Role.INSPECTOR
    seats = []
    for seat in ("chair", "secretary"):
        username = f"test-{seat}-{agency.pk}"
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "agency": agency,
                "first_name": seat.title(),
                "last_name": agency.short_name or agency.name,
                "email": f"{username}@khuyencong.example",
            },
        )
        seats.append(user)
    return seats[0], seats[1]


def council_for(proposals, actor: User, *, stage: str | None = None, members=None):
    """A council of ``actor``'s agency taking up ``proposals`` at their stage (by default
    the chair and secretary of :func:`council_seats`)."""
    proposals = proposals if isinstance(proposals, list) else [proposals]
    stage = stage or workflow.appraisal_stage(actor, proposals[0])
    if stage is None:  # not this side's turn: ask for the stage its side would appraise
        stage = "ministry" if actor.agency.province_id is None else "province"
    if members is None:
        chair, secretary = council_seats(actor.agency)
        members = [(chair, "chair"), (secretary, "secretary")]
    return services.council_create(
        actor=actor,
        stage=stage,
        name="Hội đồng thẩm định đề án khuyến công",
        mode="council",
        year=proposals[0].plan.year,
        decision_number="12/QĐ-SCT",
        decision_date=datetime.date(2026, 11, 1),
        meeting_date=datetime.date(2026, 11, 5),
        meeting_place="Phòng họp số 1",
        members=members,
        proposals=proposals,
    )


def score_sheet(link, member: User, recommendation="approve", score=8):
    ensure_catalogue()
    scores = {c: score for c in AppraisalCriterion.objects.filter(active=True)}
    return services.appraisal_record(
        link=link,
        actor=member,
        scores=scores,
        recommendation=recommendation,
        comment="" if recommendation == "approve" else "Cần bổ sung",
    )


def appraise(proposal: Proposal, actor: User, recommendation="approve", score=8):
    """The appraisal of ``proposal`` at the stage ``actor``'s side appraises it: a council
    of the actor's agency (two members who did not draft it) scores it and concludes with
    ``recommendation``. Returns the chair's sheet."""
    council = council_for(proposal, actor)
    link = council.proposal_links.get()
    sheets = [
        score_sheet(link, m.user, recommendation, score)
        for m in council.members.select_related("user")
    ]
    services.council_conclude(
        link=link,
        actor=sheets[0].appraiser,
        recommendation=recommendation,
        opinions="" if recommendation == "approve" else "Cần bổ sung hồ sơ",
    )
    return sheets[0]


def advance(proposal: Proposal, to: str, *, decision_date=DECIDED) -> Proposal:
    """Walk a đề án along the main path until it reaches ``to``."""
    code = proposal.province.code
    sct = staff_of(code)
    path = ["submitted", "appraised"]
    path += ["forwarded"] if proposal.level == "national" else []
    path += ["approved"]
    done = ["draft", *path]
    start = done.index(proposal.status) if proposal.status in done else 0
    for status in path[start:]:
        if proposal.status == to:
            break
        if status == "submitted":
            proposal = services.proposal_transition(proposal=proposal, actor=sct, action="submit")
        elif status == "appraised":
            appraise(proposal, sct)
            proposal = services.proposal_transition(proposal=proposal, actor=sct, action="appraise")
        elif status == "forwarded":
            proposal = services.proposal_transition(proposal=proposal, actor=sct, action="forward")
        elif status == "approved":
            if proposal.level == "national":
                appraise(proposal, ministry())
                proposal = services.proposal_transition(
                    proposal=proposal,
                    actor=ministry(),
                    action="ministry_approve",
                    decision_number="123/QĐ-BCT",
                    decision_date=decision_date,
                )
            else:
                proposal = services.proposal_transition(
                    proposal=proposal,
                    actor=sct,
                    action="approve",
                    decision_number="45/QĐ-UBND",
                    decision_date=decision_date,
                )
    return proposal


def force_status(proposal: Proposal, status: str) -> Proposal:
    """Write the status directly, for states the workflow of this issue cannot reach
    (in implementation, accepted, settled, closed come with contracts and acceptance; a
    local đề án is never forwarded). Keeps the approval decision the database requires."""
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    proposal.refresh_from_db()
    return proposal


def transition(proposal: Proposal, actor: User, action: str, **kwargs) -> Proposal:
    if action in (
        "return",
        "reject",
        "amend",
        "cancel",
        "cancel_approved",
        "ministry_cancel",
        "ministry_return",
        "ministry_reject",
    ):
        kwargs.setdefault("comment", "Lý do: cần bổ sung hồ sơ")
    return services.proposal_transition(proposal=proposal, actor=actor, action=action, **kwargs)


def in_state(status: str, *, national=False, province_code=14, **kwargs) -> Proposal:
    """A đề án in ``status``: through the services where this issue's workflow reaches the
    state, by :func:`force_status` from the nearest reachable state otherwise."""
    proposal = make_proposal(province_code, national=national, **kwargs)
    sct = staff_of(province_code)
    if status == S.DRAFT:
        return proposal
    if status == S.CANCELLED:
        return transition(proposal, sct, "cancel")
    if status in (S.SUBMITTED, S.RETURNED, S.REJECTED):
        proposal = advance(proposal, S.SUBMITTED)
        if status == S.RETURNED:
            return transition(proposal, sct, "return")
        if status == S.REJECTED:
            return transition(proposal, sct, "reject")
        return proposal
    if status == S.APPRAISED:
        return advance(proposal, S.APPRAISED)
    if status == S.FORWARDED:
        if national:
            return advance(proposal, S.FORWARDED)
        return force_status(advance(proposal, S.APPRAISED), S.FORWARDED)
    proposal = advance(proposal, S.APPROVED)
    if status == S.APPROVED:
        return proposal
    if status == S.AMENDING:
        return transition(proposal, sct, "amend")
    return force_status(proposal, status)


@pytest.fixture
def tmp_media(settings, tmp_path):
    """Uploaded files of a test go to a temporary directory, not the portal's media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


def rebudget(proposal: Proposal, *, support: int, counterpart: int, actor=None) -> Proposal:
    """Save one budget line of ``support + counterpart`` and split the programme support
    among the establishments already listed (as a Sở user editing the draft would)."""
    actor = actor or staff_of(proposal.province.code)
    proposal = Proposal.objects.get(pk=proposal.pk)
    source = "kcqg" if proposal.level == "national" else "kcdp"
    links = list(proposal.beneficiary_links.select_related("beneficiary").order_by("id"))
    shares = [support // len(links)] * len(links)
    shares[-1] += support - sum(shares)
    return services.proposal_save(
        proposal=proposal,
        actor=actor,
        expected_version=proposal.version,
        beneficiaries=[(link.beneficiary, s) for link, s in zip(links, shares, strict=True)],
        budget_lines=[
            {
                "item": "Máy móc, thiết bị",
                "unit": "bộ",
                "quantity": "1",
                "unit_price": support + counterpart,
                source: support,
                "counterpart": counterpart,
            }
        ],
    )
