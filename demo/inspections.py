"""Demo inspections in Hà Nội and Sơn La, in every state a user meets: a periodic
inspection concluded "partly compliant" with a remedied recommendation then a follow-up
inspection found compliant (closed đề án); an acceptance visit found compliant with
photos (accepted đề án); a periodic inspection concluded "partly compliant" with a
recommendation past its deadline, and an unannounced inspection planned (the đề án in
implementation); an on-site appraisal planned for a submitted đề án.

Everything goes through ``inspections.services`` (checklist copied from the catalogue,
compliance derived, timeline written). Photos are small JPEGs generated here, with a
capture time and a GPS position in their EXIF data. A đề án that already has an
inspection is left alone, so running the step again records nothing."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw

from accounts.models import User
from inspections import services
from inspections.catalogue import load_catalogue
from inspections.models import Inspection, Result
from projects.models import Proposal

LAST_DAY = datetime.date(2026, 11, 24)  # the demo's history ends before "today"
# Province code -> (recorder, team, a point near the demo communes for the photos).
PROVINCES = {
    1: (
        "inspector-hanoi",
        "Phạm Thanh Bình, Thanh tra viên, Sở Công Thương Hà Nội (trưởng đoàn)\n"
        "Trần Thị Lan, Chuyên viên, Sở Công Thương Hà Nội\n"
        "Lê Quang Hùng, Cán bộ, Trung tâm Khuyến công Hà Nội",
        (Decimal("20.975830"), Decimal("105.912350")),
    ),
    14: (
        "sct-sonla",
        "Lò Thị Thảo, Chuyên viên, Sở Công Thương Sơn La (trưởng đoàn)\n"
        "Cầm Văn Dũng, Cán bộ, Trung tâm Khuyến công Sơn La",
        (Decimal("21.327120"), Decimal("103.914410")),
    ),
}
PARTY = "Đại diện cơ sở thụ hưởng; đại diện UBND xã"


def demo_photo(name: str, taken_at: datetime.datetime, position, colour) -> SimpleUploadedFile:
    """A 640×480 JPEG with the capture time and GPS position in its EXIF data."""
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, 480, 24):
        draw.line([(0, i), (640, i)], fill=tuple(max(c - 25, 0) for c in colour))
    draw.rectangle([40, 300, 600, 440], fill=(245, 245, 240))
    draw.text((60, 330), name, fill=(20, 20, 20))
    draw.text((60, 360), taken_at.strftime("%d/%m/%Y %H:%M"), fill=(20, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Khuyen cong demo"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken_at.strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for ref_tag, tag, value, refs in (
        (ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude, position[0], "NS"),
        (ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude, position[1], "EW"),
    ):
        gps[ref_tag] = refs[0] if value >= 0 else refs[1]
        degrees = abs(value)
        whole = int(degrees)
        minutes = int((degrees - whole) * 60)
        seconds = float((degrees - whole - Decimal(minutes) / 60) * 3600)
        gps[tag] = (float(whole), float(minutes), round(seconds, 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return SimpleUploadedFile(f"{name}.jpg", out.getvalue(), content_type="image/jpeg")


class _Story:
    def __init__(self, code: int):
        username, self.team, self.position = PROVINCES[code]
        self.actor = User.objects.get(username=username)
        self.yesterday = min(LAST_DAY, timezone.localdate() - datetime.timedelta(days=1))

    def _day(self, proposal: Proposal, share: float) -> datetime.date:
        """A day between the contract (or decision) and the end of the demo history."""
        contract = proposal.contracts.filter(active=True).first()
        start = contract.signed_on if contract else (proposal.decision_date or self.yesterday)
        span = max((self.yesterday - start).days, 0)
        return start + datetime.timedelta(days=int(span * share))

    def plan(self, proposal, kind, planned_on, place=""):
        contract = proposal.contracts.filter(active=True).first()
        return services.inspection_plan(
            proposal=proposal,
            actor=self.actor,
            kind=kind,
            planned_on=planned_on,
            team=self.team,
            place=place or ", ".join(c.name for c in proposal.communes.all()),
            contract=contract,
            tranches=list(proposal.tranches.filter(status="paid").exclude(kind="reversal")),
        )

    def record(self, inspection, day, results: dict[str, tuple[str, str]], photos=0):
        """Answer every item compliant unless ``results`` (item code -> (result, note))."""
        answers = {
            a.pk: results.get(a.item.code if a.item else "", (Result.COMPLIANT, ""))
            for a in inspection.answers.select_related("item")
        }
        inspection = services.inspection_record(
            inspection=inspection,
            actor=self.actor,
            expected_version=inspection.version,
            answers=answers,
            inspected_on=day,
            inspected_party=PARTY,
        )
        for n in range(photos):
            taken = datetime.datetime.combine(day, datetime.time(9, 15 + 20 * n))
            services.photo_add(
                inspection=inspection,
                actor=self.actor,
                upload=demo_photo(
                    f"{inspection.proposal.code}-{n + 1}",
                    taken,
                    (self.position[0] + Decimal(n) / 1000, self.position[1]),
                    (70 + 40 * n, 120, 160 - 30 * n),
                ),
                caption=["Máy móc, thiết bị tại xưởng", "Sản phẩm của cơ sở"][n % 2],
            )
        return inspection

    def conclude(self, inspection, conclusion, text, number):
        return services.inspection_conclude(
            inspection=inspection,
            actor=self.actor,
            expected_version=inspection.version,
            conclusion=conclusion,
            conclusion_text=text,
            number=number,
        )

    def run(self, proposal: Proposal, role: str, n: int) -> int:
        prefix = f"{n:02d}/BB-KT"
        if role == "closed":
            first_day = self._day(proposal, 0.4)
            first = self.plan(proposal, Inspection.Kind.PERIODIC, first_day)
            first = self.record(
                first,
                first_day,
                {
                    "chung-tu-hop-phap": (
                        Result.PARTLY,
                        "Thiếu biên bản bàn giao máy móc giữa nhà cung cấp và cơ sở.",
                    )
                },
            )
            services.recommendation_add(
                inspection=first,
                actor=self.actor,
                text="Bổ sung biên bản bàn giao, lắp đặt máy móc có xác nhận của các bên.",
                responsible="Cơ sở thụ hưởng; Trung tâm Khuyến công",
                deadline=first_day + datetime.timedelta(days=15),
            )
            first = self.conclude(
                first,
                Result.PARTLY,
                "Đề án thực hiện đúng đối tượng, đúng mục đích; hồ sơ chứng từ còn thiếu biên "
                "bản bàn giao máy móc.",
                f"{prefix}a",
            )
            recommendation = first.recommendations.get()
            services.recommendation_follow_up(
                recommendation=recommendation,
                actor=self.actor,
                note="Cơ sở đã liên hệ nhà cung cấp để lập biên bản.",
            )
            services.recommendation_remedy(
                recommendation=recommendation,
                actor=self.actor,
                remedied_on=first_day + datetime.timedelta(days=10),
                note="Đã nhận biên bản bàn giao có đủ chữ ký.",
            )
            second_day = self._day(proposal, 0.8)
            second = self.plan(proposal, Inspection.Kind.PERIODIC, second_day)
            second = self.record(second, second_day, {}, photos=1)
            self.conclude(
                second,
                Result.COMPLIANT,
                "Kinh phí được sử dụng đúng đối tượng, đúng mục đích, chứng từ hợp pháp; các "
                "kiến nghị của đợt kiểm tra trước đã được khắc phục.",
                f"{prefix}b",
            )
            return 2
        if role == "accepted":
            day = self._day(proposal, 0.9)
            visit = self.plan(proposal, Inspection.Kind.ACCEPTANCE, day)
            visit = self.record(visit, day, {}, photos=2)
            self.conclude(
                visit,
                Result.COMPLIANT,
                "Các nội dung của đề án đã hoàn thành, sản phẩm đầu ra có thật, đúng số lượng.",
                prefix,
            )
            return 1
        if role == "in_implementation":
            day = self._day(proposal, 0.7)
            periodic = self.plan(proposal, Inspection.Kind.PERIODIC, day)
            periodic = self.record(
                periodic,
                day,
                {
                    "von-doi-ung": (
                        Result.PARTLY,
                        "Vốn đối ứng mới chi khoảng 60 % dự toán; chưa có chứng từ phần còn lại.",
                    ),
                    "may-moc-hoat-dong": (
                        Result.PARTLY,
                        "Một máy chưa vận hành do chưa đấu nối điện ba pha.",
                    ),
                },
                photos=1,
            )
            services.recommendation_add(
                inspection=periodic,
                actor=self.actor,
                text="Hoàn thành chi vốn đối ứng theo dự toán và gửi chứng từ về Trung tâm.",
                responsible="Cơ sở thụ hưởng",
                deadline=min(day + datetime.timedelta(days=20), self.yesterday),
            )
            self.conclude(
                periodic,
                Result.PARTLY,
                "Đề án triển khai đúng nội dung; vốn đối ứng chưa chi đủ, một máy chưa vận "
                "hành. Đề nghị khắc phục theo kiến nghị.",
                prefix,
            )
            self.plan(
                proposal,
                Inspection.Kind.UNANNOUNCED,
                timezone.localdate() + datetime.timedelta(days=10),
            )
            return 2
        # submitted: the on-site appraisal before the decision
        self.plan(
            proposal,
            Inspection.Kind.APPRAISAL,
            timezone.localdate() + datetime.timedelta(days=7),
        )
        return 1


def seed_inspections(*, seed: int) -> str:
    """``seed`` is accepted like the other steps; the story is fixed (no randomness)."""
    load_catalogue(django_apps)  # the checklist: put back if a test flushed it
    created = 0
    for code in PROVINCES:
        story = _Story(code)
        proposals = Proposal.objects.filter(province__code=code).order_by("code")
        for index, role in enumerate(("closed", "accepted", "in_implementation", "submitted")):
            proposal = proposals.filter(status=role).first()
            if proposal is None or proposal.inspections.exists():
                continue
            created += story.run(proposal, role, code * 10 + index + 1)
    total = Inspection.objects.filter(proposal__province__code__in=PROVINCES).count()
    return f"Inspections: {created} created, {total} in Hà Nội and Sơn La."
