"""The flow of a periodic report: draft → reviewed → signed → sent, reopening as a new
version that keeps the old one, who may take which step, the rules the database keeps,
and the draft text pre-filled from the portal."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from periodic import services, workflow
from periodic.models import ReportEvent, ReportVersion
from tests.projects.factories import advance, make_proposal

pytestmark = pytest.mark.django_db
S = ReportVersion.Status
SIGNED_ON = datetime.date(2026, 7, 10)


def scan(name="bao-cao-ky.pdf", content=b"%PDF-1.4 signed copy"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def send(report, user, *, number="35/BC-SCT") -> ReportVersion:
    """Review, sign and send the report's latest version (the Sở's whole flow)."""
    version = report.versions.order_by("-number").first()
    if version.status == S.DRAFT:
        version = services.version_review(version=version, actor=user)
    version = services.version_sign(
        version=version,
        actor=user,
        document_number=number,
        signed_on=SIGNED_ON,
        signer="Nguyễn Văn Giám Đốc",
        signer_title="Giám đốc",
        scan=scan(),
    )
    return services.version_send(version=version, actor=user, sent_on=SIGNED_ON)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def start(user, kind="six_month", year=2026):
    return services.report_start(actor=user, kind=kind, province=user.agency.province, year=year)


def test_the_whole_flow_keeps_every_version(world, users, media):
    sct = users["sct-sonla"]
    report = start(sct)
    v1 = report.versions.get()
    assert v1.status == S.DRAFT and v1.figures is None
    v1 = services.version_update(
        version=v1, actor=users["ttkc-sonla"], sections={"assessment": "<p>Đạt <b>kế hoạch</b></p>"}
    )
    v1 = services.version_review(version=v1, actor=sct)
    assert v1.status == S.REVIEWED and v1.reviewed_by == sct
    # Editing a reviewed version takes it back to draft.
    v1 = services.version_update(version=v1, actor=sct, sections={"assessment": "<p>Đạt</p>"})
    assert v1.status == S.DRAFT and v1.reviewed_by is None
    sent = send(report, sct)
    assert sent.status == S.SENT and sent.figures["totals"] is not None
    assert sent.sent_on == SIGNED_ON and sent.scan.name.endswith(".pdf")

    v2 = services.version_reopen(version=sent, actor=sct, reason="Bổ sung số liệu")
    assert v2.number == 2 and v2.status == S.DRAFT and v2.sections == sent.sections
    sent.refresh_from_db()
    assert sent.status == S.SENT and sent.reopen_reason == "Bổ sung số liệu"
    # Only the latest version moves; the old one is kept as it was.
    with pytest.raises(ValidationError):
        services.version_reopen(version=sent, actor=sct, reason="lại")
    assert not workflow.may_perform(sct, "edit", sent)
    v2 = send(report, sct, number="41/BC-SCT")
    assert list(report.versions.values_list("number", "status", "document_number")) == [
        (2, "sent", "41/BC-SCT"),
        (1, "sent", "35/BC-SCT"),
    ]
    actions = list(
        ReportEvent.objects.filter(version__report=report)
        .order_by("version__number", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "start", "edit", "review", "edit", "review", "sign", "send", "reopen",
        "start", "review", "sign", "send",
    ]  # fmt: skip


def test_who_may_take_which_step(world, users, media):
    sct, centre = users["sct-sonla"], users["ttkc-sonla"]
    report = start(sct)
    version = report.versions.get()
    # The centre writes but does not review, sign or send; another province and the
    # ministry do nothing to Sơn La's report; an inspector nothing at all.
    assert workflow.may_perform(centre, "edit", version)
    for action in ("review", "sign", "send", "reopen"):
        assert not workflow.may_act(centre, action, report)
    for username in ("sct-hanoi", "ministry", "inspector-hanoi"):
        assert not workflow.may_act(users[username], "edit", report)
    with pytest.raises(PermissionDenied):
        services.version_review(version=version, actor=centre)
    with pytest.raises(PermissionDenied):
        services.version_update(version=version, actor=users["sct-hanoi"], sections={})
    # A province does not start the national report; the ministry does not start a Sở's.
    with pytest.raises(PermissionDenied):
        services.report_start(actor=sct, kind="annual", province=None, year=2026)
    with pytest.raises(PermissionDenied):
        services.report_start(
            actor=users["ministry"], kind="annual", province=sct.agency.province, year=2026
        )
    # A step not possible in the state is said in words.
    with pytest.raises(ValidationError, match="không thực hiện được thao tác này"):
        services.version_send(version=version, actor=sct, sent_on=SIGNED_ON)


def test_signing_needs_the_number_date_signer_and_a_real_scan(world, users, media):
    sct = users["sct-sonla"]
    version = services.version_review(version=start(sct).versions.get(), actor=sct)
    with pytest.raises(ValidationError) as caught:
        services.version_sign(
            version=version, actor=sct, document_number=" ", signed_on=None, signer="", scan=None
        )
    assert set(caught.value.message_dict) == {"document_number", "signed_on", "signer", "scan"}
    with pytest.raises(ValidationError) as caught:
        services.version_sign(
            version=version,
            actor=sct,
            document_number="1/BC",
            signed_on=SIGNED_ON,
            signer="A",
            scan=scan(content=b"MZ not a pdf"),
        )
    assert "scan" in caught.value.message_dict
    future = datetime.date.today() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        services.version_sign(
            version=version, actor=sct, document_number="1/BC", signed_on=future, signer="A",
            scan=scan(),
        )  # fmt: skip
    assert "signed_on" in caught.value.message_dict
    signed = services.version_sign(
        version=version, actor=sct, document_number="1/BC", signed_on=SIGNED_ON, signer="A",
        scan=scan(),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.version_send(
            version=signed, actor=sct, sent_on=SIGNED_ON - datetime.timedelta(days=1)
        )
    assert "sent_on" in caught.value.message_dict
    version.refresh_from_db()
    assert version.status == S.SIGNED


def test_the_database_keeps_one_open_version_and_complete_signed_ones(world, users):
    report = start(users["sct-sonla"])
    user = users["sct-sonla"]
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(report=report, number=2, created_by=user, updated_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.filter(report=report).update(status="signed")
    with pytest.raises(ValidationError, match="Báo cáo này đã có"):
        start(user)


def test_the_narrative_is_sanitised(world, users):
    sct = users["sct-sonla"]
    version = start(sct).versions.get()
    version = services.version_update(
        version=version,
        actor=sct,
        sections={
            "assessment": '<p onclick="x()">Tốt<script>alert(1)</script></p><img src=x>',
            "causes": "Dòng một\n\nDòng hai",
        },
    )
    assert "script" not in version.sections["assessment"]
    assert "onclick" not in version.sections["assessment"]
    assert "<img" not in version.sections["assessment"]
    assert "Tốt" in version.sections["assessment"]
    assert version.sections["causes"].count("<p>") == 2


def test_a_save_over_a_newer_one_is_refused(world, users):
    sct, centre = users["sct-sonla"], users["ttkc-sonla"]
    version = start(sct).versions.get()
    opened = version.updated_at
    services.version_update(version=version, actor=centre, sections={"assessment": "<p>A</p>"})
    with pytest.raises(ValidationError, match="đã lưu báo cáo sau khi bạn mở trang"):
        services.version_update(
            version=version, actor=sct, sections={"assessment": "<p>B</p>"},
            seen_updated_at=opened - datetime.timedelta(seconds=2),
        )  # fmt: skip


def test_the_draft_names_the_late_proposals(world, users):
    late = advance(
        make_proposal(14, year=2026, title="Đề án chậm tiến độ"), "approved",
        decision_date=datetime.date(2026, 1, 15),
    )  # fmt: skip
    # Its end date (30/11/2026) is before the end of the annual period and it is not accepted.
    report = start(users["sct-sonla"], kind="annual")
    text = report.versions.get().sections["shortcomings"]
    assert late.code in text and "chậm tiến độ" in text
