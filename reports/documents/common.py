"""What every official document shares (Nghị định 30/2020/NĐ-CP): the issuing body and
its direct superior, the number and symbol, the place-and-date line, the closing block
(recipients, signature) and the verification line printed on every page.

The texts printed here are Vietnamese on purpose: these are documents in Vietnamese by
law, whatever language the person who asked for them reads the portal in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import Agency
from core.formatting import format_date, place_date_line

# Labels printed in the documents (the portal's own choice labels are English msgids).
SOURCE_LABELS = {
    "kcqg": "KCQG",
    "kcdp": "KCĐP",
    "counterpart": "Đối ứng",
    "other": "Khác",
}
SOURCE_NAMES = {
    "kcqg": "Kinh phí khuyến công quốc gia",
    "kcdp": "Kinh phí khuyến công địa phương",
    "counterpart": "Vốn đối ứng của cơ sở",
    "other": "Nguồn khác",
}
RESULT_LABELS = {
    "compliant": "Đạt",
    "partly": "Đạt một phần",
    "not_compliant": "Không đạt",
    "": "",
}
COMPLIANCE_LABELS = {
    "not_inspected": "Chưa kiểm tra",
    "compliant": "Đúng quy định",
    "remedy_pending": "Còn tồn tại phải khắc phục",
    "not_compliant": "Không đúng quy định",
}
INSPECTION_KIND_LABELS = {
    "periodic": "Kiểm tra định kỳ",
    "unannounced": "Kiểm tra đột xuất",
    "appraisal": "Kiểm tra thực địa trước khi phê duyệt",
    "acceptance": "Kiểm tra phục vụ nghiệm thu",
}
TRANCHE_KIND_LABELS = {
    "advance": "Tạm ứng",
    "payment": "Thanh toán",
    "settlement": "Thanh toán quyết toán",
    "reversal": "Thu hồi, điều chỉnh giảm",
}
TRANCHE_STATUS_LABELS = {
    "requested": "Đề nghị",
    "approved": "Đã duyệt chi",
    "paid": "Đã chi",
    "rejected": "Từ chối",
    "reversed": "Đã thu hồi",
}
PROPOSAL_STATUS_LABELS = {
    "approved": "Đã phê duyệt",
    "amending": "Đang điều chỉnh",
    "in_implementation": "Đang thực hiện",
    "accepted": "Đã nghiệm thu",
    "settled": "Đã quyết toán",
    "closed": "Đã kết thúc",
}

MINISTRY = "Bộ Công Thương"


@dataclass(frozen=True)
class Letterhead:
    """Tên cơ quan chủ quản (parent) and tên cơ quan ban hành (issuer), as printed in the
    top-left corner; the place of issue; the title of the head who signs."""

    parent: str
    issuer: str
    place: str
    head: str
    short: str
    recipients: tuple[str, ...]


def _without_province(name: str, agency: Agency) -> str:
    """ "Sở Công Thương tỉnh Sơn La" under "UBND TỈNH SƠN LA" reads "SỞ CÔNG THƯƠNG"."""
    if agency.province_id is None:
        return name
    suffix = " " + agency.province.administrative_name
    if name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
        return name[: -len(suffix)]
    return name


def letterhead(agency: Agency | None) -> Letterhead:
    """The header of a document issued by ``agency`` (the requester's agency).

    A Sở Công Thương writes under its province's people's committee, a promotion centre
    under its Sở, the ministry department under the ministry."""
    if agency is None or agency.province_id is None:
        if agency is None:
            agency = Agency.objects.filter(kind=Agency.Kind.MINISTRY_DEPARTMENT).first()
        name = agency.name if agency else "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
        short = agency.short_name if agency and agency.short_name else name
        return Letterhead(
            parent=MINISTRY,
            issuer=name,
            place="Hà Nội",
            head="Cục trưởng",
            short=short,
            recipients=("Lãnh đạo Bộ (để báo cáo)", f"Lưu: VT, {short}."),
        )
    province = agency.province
    issuer = _without_province(agency.name, agency)
    short = agency.short_name or agency.name
    if agency.kind == Agency.Kind.PROMOTION_CENTRE:
        department = (
            Agency.objects.filter(kind=Agency.Kind.DEPARTMENT, province=province)
            .only("name")
            .first()
        )
        parent = department.name if department else f"Sở Công Thương {province.administrative_name}"
        recipients = (parent, f"Lưu: VT, {short}.")
    elif agency.kind == Agency.Kind.DEPARTMENT:
        parent = f"UBND {province.administrative_name}"
        recipients = (
            "Bộ Công Thương (Cục ĐMST, CĐX và KC)",
            f"UBND {province.administrative_name}",
            f"Lưu: VT, {short}.",
        )
    else:
        parent = ""
        issuer = agency.name
        recipients = (f"Sở Công Thương {province.administrative_name}", "Lưu: VT.")
    return Letterhead(
        parent=parent,
        issuer=issuer,
        place=province.short_name,
        head="Thủ trưởng đơn vị" if agency.kind == Agency.Kind.OTHER_UNIT else "Giám đốc",
        short=short,
        recipients=recipients,
    )


def verify_url(code: str) -> str:
    """The public page that shows a report's metadata and SHA-256 for its code."""
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/reports/verify/?code={code}"


def verification_line(code: str) -> str:
    return f"Mã xác thực: {code} — kiểm tra tại {verify_url(code)}"


def css_string(text: str) -> str:
    """A CSS string literal for ``content:`` (the text goes into a <style> element)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\A ")
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
    )
    # Safe for the template: quotes, backslashes and angle brackets are escaped above, so
    # the text can neither end the string nor the <style> element.
    return mark_safe(f'"{escaped}"')  # noqa: S308


def local_day(value: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(value) if value else timezone.localdate()


def parse_day(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def period_text(date_from: datetime.date | None, date_to: datetime.date | None) -> str:
    if date_from and date_to:
        return f"từ ngày {format_date(date_from)} đến ngày {format_date(date_to)}"
    if date_to:
        return f"đến ngày {format_date(date_to)}"
    if date_from:
        return f"từ ngày {format_date(date_from)}"
    return ""


def period_phrase(date_from: datetime.date, date_to: datetime.date) -> str:
    """How a report's title names its period: "năm 2026", "6 tháng đầu năm 2026", "6
    tháng cuối năm 2026", or the dates."""
    if date_from.year == date_to.year:
        span = ((date_from.month, date_from.day), (date_to.month, date_to.day))
        if span == ((1, 1), (12, 31)):
            return f"năm {date_to.year}"
        if span == ((1, 1), (6, 30)):
            return f"6 tháng đầu năm {date_to.year}"
        if span == ((7, 1), (12, 31)):
            return f"6 tháng cuối năm {date_to.year}"
    return period_text(date_from, date_to)


def summary_from_title(title: str, doc_type: str, default: str) -> str:
    """The trích yếu under the document type: the job's title without a leading
    "Báo cáo" / "Biên bản" (already printed as the document type)."""
    text = (title or "").strip()
    if text.lower().startswith(doc_type.lower()):
        text = text[len(doc_type) :].strip(" :-–—")
    if not text:
        return default
    return text[:1].upper() + text[1:]


def person_line(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name}, {user.position}" if getattr(user, "position", "") else name


def base_context(
    job,
    *,
    doc_type: str,
    default_summary: str,
    landscape: bool,
    number: str = "",
    issued_on: datetime.date | None = None,
) -> dict:
    """Header, title, footer and closing block shared by every document."""
    user = job.requested_by
    agency = user.agency if user.agency_id else None
    head = letterhead(agency)
    code = job.verification_code
    return {
        "doc_type": doc_type,
        "title": summary_from_title(job.title, doc_type, default_summary),
        "landscape": landscape,
        "parent_agency": head.parent,
        "issuing_agency": head.issuer,
        "letterhead": head,
        "number": job.number or number or "",
        "place_date": place_date_line(head.place, issued_on or local_day(job.requested_at)),
        "verification_code": code,
        "verify_url": verify_url(code),
        "footer_css": css_string(verification_line(code)),
        "closing": {
            "recipients": head.recipients,
            "authority": "",
            "role": head.head,
            "name": "",
            "prepared_by": person_line(user),
        },
    }


def roman(number: int) -> str:
    """Section numbers of Vietnamese reports: 1 -> I, 4 -> IV, 14 -> XIV."""
    numerals = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    result = []
    for value, numeral in numerals:
        count, number = divmod(number, value)
        result.append(numeral * count)
    return "".join(result)


class ReportDataMissing(LookupError):
    """The object a report is about does not exist or is outside the requester's scope."""


def text_lines(text: str) -> list[str]:
    """Non-empty lines of a multi-line field (team members, representatives)."""
    return [line.strip(" -\t") for line in (text or "").splitlines() if line.strip(" -\t")]


def name_of(line: str) -> str:
    """ "Phạm Thanh Bình, Thanh tra viên, Sở Công Thương" -> "Phạm Thanh Bình"."""
    return line.split(",")[0].strip()
