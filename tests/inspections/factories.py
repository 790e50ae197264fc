"""Inspections ready for each step, photos with EXIF data built with Pillow, and the
users who record them (through the services)."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from accounts.models import Role, User
from disbursement.models import Tranche
from inspections import services
from inspections.models import Inspection, Result
from projects.models import Proposal
from reference.models import Province
from tests.disbursement.factories import approved, contracted
from tests.projects.factories import advance, make_proposal, user_with

DAY = datetime.date(2026, 11, 22)  # after the contract (D), before "today"


def inspector(province_code: int = 14) -> User:
    """The demo inspector of Hà Nội, or a test inspector of the Sở of the province."""
    if province_code == 1:
        return User.objects.get(username="inspector-hanoi")
    return user_with(Role.INSPECTOR, province_code)


def in_implementation(province_code: int = 14, **kwargs) -> Proposal:
    """An approved local đề án (activity 03.1) with its contract signed."""
    proposal = approved(province_code, **kwargs)
    contracted(proposal)
    proposal.refresh_from_db()
    return proposal


def jpeg(
    *,
    taken: str | None = "2026:11:20 09:30:05",
    offset: str | None = None,
    latitude=((21, 1), (1, 1), (4250, 100)),
    latitude_ref="N",
    longitude=((105, 1), (48, 1), (1730, 100)),
    longitude_ref="E",
    fmt="JPEG",
    size=(64, 48),
    colour=(200, 80, 20),
) -> bytes:
    """A small picture with DateTimeOriginal (and OffsetTimeOriginal) in its Exif IFD and
    a position in its GPS IFD; ``taken=None`` / ``latitude=None`` leave them out."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Test camera"
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
        if offset is not None:
            exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = offset
    if latitude is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = latitude_ref
        gps[ExifTags.GPS.GPSLatitude] = tuple(_rational(v) for v in latitude)
        gps[ExifTags.GPS.GPSLongitudeRef] = longitude_ref
        gps[ExifTags.GPS.GPSLongitude] = tuple(_rational(v) for v in longitude)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def _rational(value):
    from PIL.TiffImagePlugin import IFDRational

    if isinstance(value, tuple):
        return IFDRational(*value)
    return value


def plain_jpeg(colour=(10, 120, 30)) -> bytes:
    """A JPEG without any EXIF data."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, "JPEG")
    return out.getvalue()


def upload(content: bytes, name="anh.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def plan(proposal: Proposal, actor=None, *, kind="periodic", planned_on=DAY, **kwargs):
    return services.inspection_plan(
        proposal=proposal,
        actor=actor or inspector(proposal.province.code),
        kind=kind,
        planned_on=planned_on,
        team=kwargs.pop("team", "Nguyễn Văn A, Thanh tra viên, Sở Công Thương"),
        **kwargs,
    )


def record_all(
    inspection: Inspection,
    actor=None,
    *,
    result=Result.COMPLIANT,
    inspected_on=DAY,
    overrides: dict | None = None,
) -> Inspection:
    """Answer every item ``result`` (with a note), except ``overrides`` (index → result)."""
    inspection = Inspection.objects.get(pk=inspection.pk)
    answers = {}
    for index, answer in enumerate(inspection.answers.order_by("order")):
        value = (overrides or {}).get(index, result)
        answers[answer.pk] = (value, f"Ghi nhận mục {index + 1}")
    return services.inspection_record(
        inspection=inspection,
        actor=actor or inspector(inspection.proposal.province.code),
        expected_version=inspection.version,
        answers=answers,
        inspected_on=inspected_on,
        inspected_party="Ông Nguyễn Văn B, chủ cơ sở",
    )


def conclude(inspection: Inspection, conclusion=Result.COMPLIANT, actor=None, **kwargs):
    inspection = Inspection.objects.get(pk=inspection.pk)
    return services.inspection_conclude(
        inspection=inspection,
        actor=actor or inspector(inspection.proposal.province.code),
        expected_version=inspection.version,
        conclusion=conclusion,
        conclusion_text=kwargs.pop("conclusion_text", "Đề án thực hiện đúng quy định."),
        **kwargs,
    )


def concluded(
    proposal: Proposal,
    conclusion=Result.COMPLIANT,
    *,
    inspected_on=DAY,
    result=None,
    recommendation_deadline: datetime.date | None = None,
) -> Inspection:
    """A periodic inspection recorded and concluded ``conclusion`` (every item answered
    ``result``, by default the conclusion itself), with an open recommendation when a
    deadline is given."""
    inspection = plan(proposal, planned_on=inspected_on)
    inspection = record_all(inspection, result=result or conclusion, inspected_on=inspected_on)
    if recommendation_deadline is not None:
        services.recommendation_add(
            inspection=inspection,
            actor=inspector(proposal.province.code),
            text="Bổ sung chứng từ",
            deadline=recommendation_deadline,
        )
    return conclude(inspection, conclusion)


def inspection_in(province: Province) -> Inspection:
    """For the isolation test: an on-site appraisal of a submitted đề án of the province,
    with a photo and a recommendation (built once per province)."""
    existing = Inspection.objects.filter(proposal__province=province).first()
    if existing is not None:
        return existing
    proposal = advance(make_proposal(province.code, year=2029), "submitted")
    inspection = plan(proposal, kind="appraisal")
    actor = inspector(province.code)
    services.photo_add(inspection=inspection, actor=actor, upload=upload(jpeg()))
    services.recommendation_add(
        inspection=inspection, actor=actor, text="Bổ sung hồ sơ", deadline=DAY
    )
    return inspection


def requested_tranche(proposal: Proposal, amount=50_000_000, **kwargs) -> Tranche:
    """A tranche requested with ``requires_inspection`` and approved by another person."""
    import uuid

    from disbursement import services as money
    from tests.disbursement.factories import centre
    from tests.projects.factories import staff

    tranche = money.tranche_request(
        proposal=proposal,
        actor=centre(proposal.province.code),
        kind="payment",
        source="kcdp",
        amount=amount,
        idempotency_key=uuid.uuid4().hex,
        requires_inspection=kwargs.pop("requires_inspection", True),
    )
    return money.tranche_approve(tranche=tranche, actor=staff(proposal.province.code))
