"""The services of a đề án: creation, the version check, attachments, appraisal,
amendment, the timeline, notifications of the next actors and the to-do lists."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.models import Agency, Role
from programs.models import Activity
from projects import checks, services, workflow
from projects.models import (
    Appraisal,
    AppraisalCriterion,
    AppraisalScore,
    Attachment,
    BudgetLine,
    Proposal,
    ProposalEvent,
)
from tests.projects.factories import (
    DECIDED,
    PDF,
    S,
    advance,
    appraise,
    council_for,
    force_status,
    in_state,
    make_proposal,
    pdf_upload,
    plan_for,
    rebudget,
    score_sheet,
    staff,
    tmp_media,  # noqa: F401
    transition,
    user_with,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
M = 1_000_000


# --- Creation -------------------------------------------------------------------------------


def create(actor, plan, agency, title="Đề án thử nghiệm"):
    return services.proposal_create(
        actor=actor,
        plan=plan,
        title=title,
        kind="pilot",
        activity=Activity.objects.get(code="03.1"),
        implementing_agency=agency,
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 10, 31),
    )


def test_a_province_creates_numbered_drafts_of_its_own(world, users):
    plan = plan_for(14)
    centre = Agency.objects.get(province__code=14, kind="promotion_centre")
    first = create(users["sct-sonla"], plan, centre)
    second = create(users["ttkc-sonla"], plan, centre)
    assert (first.code, second.code) == ("KCĐP-SLA-2027-001", "KCĐP-SLA-2027-002")
    assert first.status == S.DRAFT and first.province.code == 14 and first.level == "local"
    assert first.events.get().action == "create"
    for user in (users["ministry"], users["inspector-hanoi"], user_with(Role.VIEWER, 14)):
        with pytest.raises(PermissionDenied):
            create(user, plan, centre)
    with pytest.raises(ValidationError):  # another province's implementing unit
        create(users["sct-sonla"], plan, Agency.objects.get(province__code=66, kind="department"))
    with pytest.raises(ValidationError):  # another province's plan
        create(users["sct-daklak"], plan, Agency.objects.get(province__code=66, kind="department"))
    assert Proposal.objects.count() == 2


# --- Optimistic lock ------------------------------------------------------------------------


def test_two_saves_from_the_same_version_the_second_is_refused_and_writes_nothing(world):
    proposal = make_proposal(14)
    sct, ttkc = staff(14), staff(14, role=Role.CENTRE_STAFF)
    opened = proposal.version
    lines_before = list(BudgetLine.objects.filter(proposal=proposal).values_list("amount"))
    services.proposal_save(
        proposal=proposal,
        actor=sct,
        expected_version=opened,
        fields={"title": "Bản của chuyên viên Sở"},
    )
    edits = ProposalEvent.objects.filter(proposal=proposal, action="edit").count()
    with pytest.raises(services.ConcurrentEditError):
        services.proposal_save(
            proposal=proposal,
            actor=ttkc,
            expected_version=opened,
            fields={"title": "Bản của trung tâm", "objectives": "Mục tiêu mới"},
            budget_lines=[
                {"item": "Khác", "unit": "gói", "quantity": "1", "unit_price": 5, "kcdp": 5}
            ],
        )
    row = Proposal.objects.get(pk=proposal.pk)
    assert row.title == "Bản của chuyên viên Sở" and row.objectives == ""
    assert row.version == opened + 1
    assert list(BudgetLine.objects.filter(proposal=proposal).values_list("amount")) == lines_before
    assert ProposalEvent.objects.filter(proposal=proposal, action="edit").count() == edits


# --- Attachments ----------------------------------------------------------------------------


def media_dir() -> Path:
    """Where the test's uploads go (the ``tmp_media`` fixture)."""
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Hạng mục", "Số tiền"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ACCEPTED = {
    "du-toan.pdf": PDF,
    "anh-hien-truong.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "so-do.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "thuyet-minh.docx": zip_bytes(),
    "du-toan-chi-tiet.xlsx": xlsx_bytes(),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_documents_of_the_accepted_kinds_are_stored_under_a_random_name(world, name):
    proposal = make_proposal(14, attach=False)
    content = ACCEPTED[name]
    attachment = services.attachment_add(
        proposal=proposal,
        actor=staff(14),
        upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        title="Hồ sơ",
    )
    suffix = name.rsplit(".", 1)[1]
    assert re.fullmatch(rf"proposals/{proposal.pk}/[0-9a-f]{{32}}\.{suffix}", attachment.file.name)
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    assert attachment.original_name == name and attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    assert (media_dir() / attachment.file.name).exists()
    event = proposal.events.first()
    assert (event.action, event.actor) == ("attach", staff(14))


def refused(proposal, upload):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(proposal=proposal, actor=staff(14), upload=upload)
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.filter(proposal=proposal).exists()
    assert not proposal.events.filter(action="attach").exists()


def test_an_executable_is_refused(world):
    proposal = make_proposal(14, attach=False)
    refused(proposal, SimpleUploadedFile("bao-gia.exe", b"MZ\x90\x00" + b"\x00" * 60))
    refused(proposal, SimpleUploadedFile("bao-gia", PDF))  # no extension at all
    assert not (media_dir() / "proposals").exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("bao-gia.pdf", b"MZ\x90\x00 this is a program"),  # renamed executable
        ("bao-gia.pdf", b"<html><body>not a pdf</body></html>"),
        ("anh.png", b"\xff\xd8\xff\xe0 a jpeg named png"),
        ("du-toan.xlsx", PDF),
        ("trong.pdf", b""),
    ],
)
def test_content_that_does_not_match_its_extension_is_refused(world, name, content):
    refused(make_proposal(14, attach=False), SimpleUploadedFile(name, content))


def test_a_file_above_the_size_limit_is_refused_and_at_the_limit_accepted(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 1024)
    proposal = make_proposal(14, attach=False)
    refused(proposal, SimpleUploadedFile("lon.pdf", PDF.ljust(1025, b" ")))
    attachment = services.attachment_add(
        proposal=proposal, actor=staff(14), upload=SimpleUploadedFile("vua.pdf", PDF.ljust(1024))
    )
    assert attachment.size == 1024


def test_who_may_attach(world, users):
    draft = make_proposal(14, attach=False)
    for user in (users["sct-daklak"], users["ministry"], users["inspector-hanoi"]):
        with pytest.raises(PermissionDenied):
            services.attachment_add(proposal=draft, actor=user, upload=pdf_upload())
    services.attachment_add(proposal=draft, actor=users["ttkc-sonla"], upload=pdf_upload())
    submitted = advance(make_proposal(14), S.SUBMITTED)
    # The Sở may complete the dossier of a submitted đề án; the centre no longer may.
    services.attachment_add(proposal=submitted, actor=users["sct-sonla"], upload=pdf_upload())
    with pytest.raises(PermissionDenied):
        services.attachment_add(proposal=submitted, actor=users["ttkc-sonla"], upload=pdf_upload())
    approved = advance(submitted, S.APPROVED)
    with pytest.raises(PermissionDenied):
        services.attachment_add(proposal=approved, actor=users["sct-sonla"], upload=pdf_upload())


def dossier_files(proposal, *bad):
    """An upload of the required documents of ``proposal`` (one PDF each, by their code)
    and another document, with ``bad`` (name, content) files put second."""
    documents = list(checks.required_documents(proposal))
    files = [
        services.NewAttachment(pdf_upload(f"{d.code}.pdf"), document_type=d) for d in documents
    ]
    files.append(services.NewAttachment(pdf_upload("anh-hien-truong.pdf"), title="Ảnh"))
    for name, content in bad:
        files.insert(1, services.NewAttachment(SimpleUploadedFile(name, content)))
    return documents, files


def test_several_documents_in_one_upload(world):
    proposal = make_proposal(14, attach=False)
    documents, files = dossier_files(proposal)
    attachments = services.attachments_add(proposal=proposal, actor=staff(14), files=files)
    assert len(attachments) == len(documents) + 1
    stored = list(Attachment.objects.filter(proposal=proposal).order_by("pk"))
    assert [(a.document_type, a.original_name) for a in stored] == [
        *((d, f"{d.code}.pdf") for d in documents),
        (None, "anh-hien-truong.pdf"),
    ]
    assert [a.title for a in stored] == [*(d.name for d in documents), "Ảnh"]
    assert all((media_dir() / a.file.name).exists() for a in stored)
    events = proposal.events.filter(action="attach").order_by("pk")
    assert [e.comment for e in events] == [a.title for a in stored]
    assert checks.check_documents(proposal)[0].ok


@pytest.mark.parametrize(
    "bad",
    [
        [("bao-gia.exe", b"MZ\x90\x00" + b"\x00" * 60)],
        [("du-toan.pdf", b"<html>not a pdf</html>"), ("trong.xlsx", b"")],
    ],
    ids=["executable", "two-renamed"],
)
def test_one_refused_file_and_none_is_kept(world, bad):
    proposal = make_proposal(14, attach=False)
    _, files = dossier_files(proposal, *bad)
    with pytest.raises(services.AttachmentsRefused) as exc:
        services.attachments_add(proposal=proposal, actor=staff(14), files=files)
    # The same check as a single upload, each reason naming its file, by position.
    assert sorted(exc.value.by_index) == list(range(1, 1 + len(bad)))
    for index, reasons in exc.value.by_index.items():
        name = files[index].upload.name
        with pytest.raises(ValidationError) as single:
            services.document_validate(files[index].upload)
        assert reasons == [f"“{name}”: {m}" for m in single.value.messages]
    assert not Attachment.objects.filter(proposal=proposal).exists()
    assert not proposal.events.filter(action="attach").exists()
    assert not (media_dir() / "proposals").exists()


def test_a_failure_after_storing_leaves_no_file_behind(world, monkeypatch):
    proposal = make_proposal(14, attach=False)
    _, files = dossier_files(proposal)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ProposalEvent.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.attachments_add(proposal=proposal, actor=staff(14), files=files)
    assert not Attachment.objects.filter(proposal=proposal).exists()
    assert not list((media_dir() / "proposals").rglob("*.*"))


def test_an_upload_without_files_or_with_too_many_is_refused(world, monkeypatch):
    proposal = make_proposal(14, attach=False)
    with pytest.raises(ValidationError):
        services.attachments_add(proposal=proposal, actor=staff(14), files=[])
    monkeypatch.setattr(services, "MAX_ATTACHMENTS_PER_UPLOAD", 2)
    _, files = dossier_files(proposal)
    with pytest.raises(ValidationError) as exc:
        services.attachments_add(proposal=proposal, actor=staff(14), files=files)
    assert "2" in exc.value.messages[0]
    assert not Attachment.objects.filter(proposal=proposal).exists()


def test_who_may_attach_several(world, users):
    """The same rule as one file (workflow.may_attach)."""
    draft = make_proposal(14, attach=False)
    for user in (users["sct-daklak"], users["ministry"], users["inspector-hanoi"]):
        with pytest.raises(PermissionDenied):
            services.attachments_add(proposal=draft, actor=user, files=dossier_files(draft)[1])
    submitted = advance(make_proposal(14), S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.attachments_add(
            proposal=submitted, actor=users["ttkc-sonla"], files=dossier_files(submitted)[1]
        )
    assert not Attachment.objects.filter(proposal=draft).exists()


# --- Appraisal ------------------------------------------------------------------------------


def criteria() -> dict[str, AppraisalCriterion]:
    return {c.code: c for c in AppraisalCriterion.objects.filter(active=True)}


def before_council(proposal):
    """``proposal`` before a new council of its Sở: the link and the chair."""
    council = council_for(proposal, staff(proposal.province.code))
    link = council.proposal_links.get()
    return link, council.members.get(role="chair").user


def test_the_weighted_score_uses_the_criteria_weights(world):
    """Weights 20/20/25/15/20, maximum 10: (8·20 + 7·20 + 9·25 + 6·15 + 10·20) / 10 =
    81.5 — not the unweighted mean of 80."""
    c = criteria()
    assert [(x.weight, x.max_score) for x in c.values()] == [
        (Decimal(20), 10),
        (Decimal(20), 10),
        (Decimal(25), 10),
        (Decimal(15), 10),
        (Decimal(20), 10),
    ]
    proposal = advance(make_proposal(14), S.SUBMITTED)
    scores = {
        c["necessity"]: 8,
        c["feasibility"]: 7,
        c["impact"]: 9,
        c["capacity"]: 6,
        c["budget"]: 10,
    }
    link, chair = before_council(proposal)
    appraisal = services.appraisal_record(
        link=link, actor=chair, scores=scores, recommendation="approve"
    )
    appraisal.refresh_from_db()
    assert appraisal.weighted_score == Decimal("81.50")
    assert appraisal.stage == Appraisal.Stage.PROVINCE
    assert appraisal.council_id == link.council_id
    assert dict(appraisal.scores.values_list("criterion__code", "score")) == {
        "necessity": 8,
        "feasibility": 7,
        "impact": 9,
        "capacity": 6,
        "budget": 10,
    }
    event = proposal.events.first()
    assert (event.action, event.changes["score"]) == ("appraisal", "81.50")


def test_bounds_of_the_score(world):
    proposal = advance(make_proposal(14), S.SUBMITTED)
    link, chair = before_council(proposal)
    assert score_sheet(link, chair, score=10).weighted_score == Decimal("100.00")
    # Scoring again replaces the member's sheet (one per member per đề án per council).
    assert score_sheet(link, chair, score=0).weighted_score == Decimal("0.00")
    assert Appraisal.objects.filter(proposal=proposal).count() == 1
    c = criteria()
    with pytest.raises(ValidationError):
        services.appraisal_record(
            link=link,
            actor=chair,
            scores={x: (11 if code == "impact" else 5) for code, x in c.items()},
            recommendation="approve",
        )


def test_every_criterion_must_be_scored(world):
    proposal = advance(make_proposal(14), S.SUBMITTED)
    link, chair = before_council(proposal)
    scores = {x: 8 for code, x in criteria().items() if code != "capacity"}
    with pytest.raises(ValidationError) as exc:
        services.appraisal_record(link=link, actor=chair, scores=scores, recommendation="approve")
    assert criteria()["capacity"].name in " ".join(exc.value.messages)
    assert not Appraisal.objects.exists() and not AppraisalScore.objects.exists()


@pytest.mark.parametrize("recommendation", ["return", "reject"])
def test_a_recommendation_other_than_approval_needs_a_comment(world, recommendation):
    proposal = advance(make_proposal(14), S.SUBMITTED)
    link, chair = before_council(proposal)
    scores = {x: 5 for x in criteria().values()}
    with pytest.raises(ValidationError) as exc:
        services.appraisal_record(
            link=link,
            actor=chair,
            scores=scores,
            recommendation=recommendation,
            comment="  ",
        )
    assert "comment" in exc.value.message_dict and not Appraisal.objects.exists()
    appraisal = services.appraisal_record(
        link=link,
        actor=chair,
        scores=scores,
        recommendation=recommendation,
        comment="Thiếu báo giá thiết bị",
    )
    assert appraisal.comment == "Thiếu báo giá thiết bị"


def test_the_province_appraises_submitted_proposals_of_its_own(world, users):
    submitted = advance(make_proposal(14), S.SUBMITTED)
    for user in (users["sct-daklak"], users["ttkc-sonla"], users["ministry"]):
        with pytest.raises((PermissionDenied, ValidationError)):
            appraise(submitted, user)
    for status in (S.DRAFT, S.APPRAISED, S.APPROVED):
        with pytest.raises((PermissionDenied, ValidationError)):
            appraise(in_state(status), users["sct-sonla"])
    assert appraise(submitted, users["sct-sonla"]).stage == Appraisal.Stage.PROVINCE


def test_the_ministry_appraises_forwarded_national_proposals_only(world, users):
    forwarded = in_state(S.FORWARDED, national=True)
    appraisal = appraise(forwarded, users["ministry"])
    assert appraisal.stage == Appraisal.Stage.MINISTRY
    with pytest.raises((PermissionDenied, ValidationError)):
        appraise(forwarded, users["sct-sonla"])  # no longer the province's turn
    with pytest.raises((PermissionDenied, ValidationError)):
        appraise(in_state(S.SUBMITTED, national=True), users["ministry"])
    local = force_status(in_state(S.APPRAISED), S.FORWARDED)  # impossible, yet refused
    with pytest.raises((PermissionDenied, ValidationError)):
        appraise(local, users["ministry"])


def test_concluding_needs_an_appraisal_of_the_current_submission(world, users):
    """After a return, an appraisal of the earlier submission does not conclude the new
    one: the Sở appraises again (and the ministry likewise after its own return)."""
    sct = users["sct-sonla"]
    proposal = advance(make_proposal(14, national=True), S.SUBMITTED)
    with pytest.raises(ValidationError):
        transition(proposal, sct, "appraise")
    appraise(proposal, sct)
    proposal = transition(proposal, sct, "return")
    proposal = transition(proposal, sct, "submit")
    with pytest.raises(ValidationError):
        transition(proposal, sct, "appraise")
    appraise(proposal, sct)
    proposal = transition(transition(proposal, sct, "appraise"), sct, "forward")
    appraise(proposal, users["ministry"])
    proposal = transition(proposal, users["ministry"], "ministry_return")
    proposal = transition(proposal, sct, "submit")
    appraise(proposal, sct)
    proposal = transition(transition(proposal, sct, "appraise"), sct, "forward")
    with pytest.raises(ValidationError):
        transition(
            proposal,
            users["ministry"],
            "ministry_approve",
            decision_number="5/QĐ-BCT",
            decision_date=DECIDED,
        )
    appraise(proposal, users["ministry"])
    approved = transition(
        proposal,
        users["ministry"],
        "ministry_approve",
        decision_number="5/QĐ-BCT",
        decision_date=DECIDED,
    )
    assert approved.status == S.APPROVED


# --- Amendment ------------------------------------------------------------------------------


def test_an_amendment_keeps_the_first_approval_and_adds_the_second(world, users):
    sct = users["sct-sonla"]
    proposal = advance(make_proposal(14), S.APPROVED, decision_date=datetime.date(2026, 11, 20))
    first = proposal.approved_versions.get()
    first_snapshot = first.snapshot
    proposal = transition(proposal, sct, "amend", comment="Điều chỉnh giá thiết bị")
    assert proposal.status == S.AMENDING
    assert proposal.approved_kcdp == 300 * M  # still holds its approved money meanwhile
    proposal = rebudget(proposal, support=320 * M, counterpart=700 * M)
    proposal = transition(proposal, sct, "submit")
    with pytest.raises(ValidationError):  # the appraisal of the first version does not count
        transition(proposal, sct, "appraise")
    appraise(proposal, sct)
    proposal = transition(proposal, sct, "appraise")
    proposal = transition(
        proposal,
        sct,
        "approve",
        decision_number="88/QĐ-UBND",
        decision_date=datetime.date(2026, 11, 24),
    )
    versions = list(proposal.approved_versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    first.refresh_from_db()
    assert (first.decision_number, first.decision_date) == (
        "45/QĐ-UBND",
        datetime.date(2026, 11, 20),
    )
    assert first.snapshot == first_snapshot and first.snapshot["totals"]["kcdp"] == 300 * M
    second = versions[1]
    assert (second.decision_number, second.decision_date) == (
        "88/QĐ-UBND",
        datetime.date(2026, 11, 24),
    )
    assert second.snapshot["totals"]["kcdp"] == 320 * M
    assert proposal.approved_kcdp == 320 * M and proposal.decision_number == "88/QĐ-UBND"


# --- Timeline -------------------------------------------------------------------------------


def test_every_transition_is_on_the_timeline_with_actor_states_reason_and_decision(world, users):
    sct, ministry_user = users["sct-sonla"], users["ministry"]
    proposal = advance(make_proposal(14, national=True), S.SUBMITTED)
    proposal = transition(proposal, sct, "return", comment="Bổ sung báo giá")
    proposal = transition(proposal, sct, "submit")
    appraise(proposal, sct)
    proposal = transition(proposal, sct, "appraise")
    proposal = transition(proposal, sct, "forward")
    appraise(proposal, ministry_user)
    proposal = transition(
        proposal,
        ministry_user,
        "ministry_approve",
        decision_number="321/QĐ-BCT",
        decision_date=DECIDED,
    )
    proposal = transition(proposal, sct, "amend", comment="Đổi thiết bị")
    proposal = transition(proposal, sct, "submit")
    proposal = transition(proposal, sct, "cancel", comment="Cơ sở rút đề nghị")
    steps = list(
        proposal.events.exclude(
            action__in=[
                "create",
                "edit",
                "attach",
                "appraisal",
                "council_assign",
                "council_conclusion",
            ]
        )
        .order_by("created_at", "id")
        .values_list(
            "action", "from_status", "to_status", "actor__username", "comment", "decision_number"
        )
    )
    assert steps == [
        ("submit", "draft", "submitted", "sct-sonla", "", ""),
        ("return", "submitted", "returned", "sct-sonla", "Bổ sung báo giá", ""),
        ("submit", "returned", "submitted", "sct-sonla", "", ""),
        ("appraise", "submitted", "appraised", "sct-sonla", "", ""),
        ("forward", "appraised", "forwarded", "sct-sonla", "", ""),
        ("ministry_approve", "forwarded", "approved", "ministry", "", "321/QĐ-BCT"),
        ("amend", "approved", "amending", "sct-sonla", "Đổi thiết bị", ""),
        ("submit", "amending", "submitted", "sct-sonla", "", ""),
        ("cancel", "submitted", "cancelled", "sct-sonla", "Cơ sở rút đề nghị", ""),
    ]
    approval = proposal.events.get(action="ministry_approve")
    assert approval.decision_date == DECIDED
    assert approval.changes["approved"]["kcqg"] == 300 * M


def test_a_save_records_the_before_and_after_of_what_changed(world, users):
    proposal = make_proposal(14)
    sct = users["sct-sonla"]
    before_title = proposal.title
    proposal = services.proposal_save(
        proposal=proposal,
        actor=sct,
        expected_version=proposal.version,
        fields={
            "title": "Mô hình trình diễn máy sấy chè",
            "objectives": "Giảm 30 % thời gian sấy",
            "double_funding_justification": "Không trùng nội dung",
        },
    )
    event = proposal.events.filter(action="edit").first()
    assert event.actor == sct and event.from_status == event.to_status == "draft"
    assert event.changes == {
        "title": {"before": before_title, "after": "Mô hình trình diễn máy sấy chè"},
        "objectives": {"before": "", "after": "Giảm 30 % thời gian sấy"},
        "double_funding_justification": {"before": "", "after": "Không trùng nội dung"},
    }
    proposal = rebudget(proposal, support=250 * M, counterpart=750 * M)
    changes = proposal.events.filter(action="edit").first().changes
    assert changes["totals"]["before"]["kcdp"] == 300 * M
    assert changes["totals"]["after"]["kcdp"] == 250 * M
    assert "title" not in changes
    edits = proposal.events.filter(action="edit").count()
    services.proposal_save(proposal=proposal, actor=sct, expected_version=proposal.version)
    assert proposal.events.filter(action="edit").count() == edits  # nothing changed


# --- Notifications --------------------------------------------------------------------------


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_a_submitted_proposal_is_mailed_to_the_departments_staff(world, users):
    proposal = advance(make_proposal(14), S.SUBMITTED)
    mail.outbox.clear()
    assert services.proposal_notify(proposal_id=proposal.pk) == 1
    assert recipients() == {users["sct-sonla"].email}
    assert proposal.code in mail.outbox[0].subject


def test_a_forwarded_proposal_is_mailed_to_the_ministry(world, users):
    proposal = in_state(S.FORWARDED, national=True)
    mail.outbox.clear()
    services.proposal_notify(proposal_id=proposal.pk)
    assert recipients() == {users["ministry"].email, users["admin"].email}


def test_a_returned_proposal_is_mailed_to_those_who_prepare_it(world, users):
    proposal = in_state(S.RETURNED)
    mail.outbox.clear()
    services.proposal_notify(proposal_id=proposal.pk)
    assert recipients() == {users["sct-sonla"].email, users["ttkc-sonla"].email}


def test_nobody_is_mailed_when_nobody_acts_next(world):
    proposal = in_state(S.APPROVED)
    mail.outbox.clear()
    assert services.proposal_notify(proposal_id=proposal.pk) == 0
    assert mail.outbox == []


def test_the_notification_is_enqueued_only_after_the_commit(
    world, users, monkeypatch, django_capture_on_commit_callbacks
):
    from projects import tasks

    enqueued = []

    def task_send(task, *, args):
        assert task is tasks.proposal_notify_task
        enqueued.extend(args)
        return True

    monkeypatch.setattr(services, "task_send", task_send)
    proposal = make_proposal(14)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transition(proposal, users["sct-sonla"], "submit")
    assert enqueued == [] and len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [proposal.pk]
    with pytest.raises(ValidationError):  # a refused action enqueues nothing
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            transition(proposal, users["sct-sonla"], "submit")
    assert enqueued == [proposal.pk]


# --- To-do lists ----------------------------------------------------------------------------


def test_each_users_to_do_list_holds_exactly_what_waits_for_them(world, users):
    built = {
        "draft": in_state(S.DRAFT),
        "submitted": in_state(S.SUBMITTED),
        "returned": in_state(S.RETURNED),
        "appraised": in_state(S.APPRAISED),
        "forwarded": in_state(S.FORWARDED, national=True),
        "approved": in_state(S.APPROVED),
        "amending": in_state(S.AMENDING),
        "rejected": in_state(S.REJECTED),
        "cancelled": in_state(S.CANCELLED),
        "daklak_submitted": in_state(S.SUBMITTED, province_code=66),
        "daklak_forwarded": in_state(S.FORWARDED, national=True, province_code=66),
    }

    def todo(user):
        condition = workflow.todo_filter(user)
        if condition is None:
            return None
        pks = set(Proposal.objects.filter(condition).values_list("pk", flat=True))
        return {name for name, p in built.items() if p.pk in pks}

    assert todo(users["sct-sonla"]) == {"submitted", "returned", "appraised", "amending"}
    assert todo(users["ttkc-sonla"]) == {"draft", "returned", "amending"}
    assert todo(users["sct-daklak"]) == {"daklak_submitted"}
    assert todo(users["ministry"]) == {"forwarded", "daklak_forwarded"}
    assert todo(users["inspector-hanoi"]) is None
    assert todo(user_with(Role.VIEWER, 14)) is None
    assert todo(users["admin"]) == {
        "draft",
        "submitted",
        "returned",
        "appraised",
        "forwarded",
        "amending",
        "daklak_submitted",
        "daklak_forwarded",
    }
    # Whatever is on a list is something the user may actually do now.
    for user in (users["sct-sonla"], users["ttkc-sonla"], users["ministry"]):
        for name in todo(user):
            assert workflow.available_transitions(user, built[name]), (user, name)
