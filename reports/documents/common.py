"""What every official document shares (Nghị định 30/2020/NĐ-CP): the issuing body and
its direct superior, the number and symbol, the place-and-date line, the closing block
(recipients, signature) and the verification line printed on every page.

The texts printed here are Vietnamese on purpose: these are documents in Vietnamese by
law, whatever language the person who asked for them reads the portal in."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from accounts.models import Agency
from core.formatting import date_in_words, place_date_line
from core.funding import SOURCE_SHORT, FundingSource
from disbursement.models import Tranche
from inspections.models import Inspection, Result
from programs.models import Level
from projects.models import Proposal


def vi(label) -> str:
    """A label of the portal (a lazy gettext string) as the documents print it: in
    Vietnamese, whatever language is active."""
    with translation.override("vi"):
        return str(label)


class ChoiceLabels(Mapping):
    """value → the Vietnamese label of a model choice (or of a core label table), read
    through the gettext catalogue when used. The documents never write their own wording
    of a status, result, kind, level or source: they print what the screen shows
    (tests/test_glossary.py holds them to it)."""

    def __init__(self, labels):
        self._labels = dict(labels)

    def __getitem__(self, value) -> str:
        return vi(self._labels[value])

    def __iter__(self):
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


# The labels printed in the documents: those of the model choices and of core.funding.
SOURCE_LABELS = ChoiceLabels(SOURCE_SHORT)  # short, for table cells: "KCĐP"
SOURCE_NAMES = ChoiceLabels(FundingSource.choices)  # in full, for sentences
LEVEL_LABELS = ChoiceLabels(Level.choices)
RESULT_LABELS = ChoiceLabels(Result.choices)
COMPLIANCE_LABELS = ChoiceLabels(Proposal.Compliance.choices)
INSPECTION_KIND_LABELS = ChoiceLabels(Inspection.Kind.choices)
TRANCHE_KIND_LABELS = ChoiceLabels(Tranche.Kind.choices)
TRANCHE_STATUS_LABELS = ChoiceLabels(Tranche.Status.choices)
PROPOSAL_STATUS_LABELS = ChoiceLabels(Proposal.Status.choices)

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
    """ "từ ngày 01 tháng 3 năm 2026 đến ngày 30 tháng 9 năm 2026": dates in a document's
    text are written as Nghị định 30/2020/NĐ-CP writes them (core.formatting.date_in_words)."""
    if date_from and date_to:
        return f"từ {date_in_words(date_from)} đến {date_in_words(date_to)}"
    if date_to:
        return f"đến {date_in_words(date_to)}"
    if date_from:
        return f"từ {date_in_words(date_from)}"
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


# The words that name a kind of administrative unit or place before its proper name.
# Inside a sentence they are common nouns and take no capital ("tại xã Bắc Yên, tỉnh Sơn
# La"); the proper name keeps its own.
UNIT_WORDS = (
    "Xã",
    "Phường",
    "Đặc khu",
    "Thị trấn",
    "Tỉnh",
    "Thành phố",
    "Thôn",
    "Bản",
    "Ấp",
    "Tổ dân phố",
    "Khu phố",
)


def in_sentence(place: str) -> str:
    """A place as written inside a sentence: "Xã Bắc Yên, Tỉnh Sơn La" → "xã Bắc Yên, tỉnh
    Sơn La" (each part that starts with a unit word; anything else is left as typed)."""
    parts = []
    for part in (place or "").split(","):
        stripped = part.lstrip()
        lead = part[: len(part) - len(stripped)]
        for word in UNIT_WORDS:
            if stripped.startswith(word + " "):
                stripped = word.lower() + stripped[len(word) :]
                break
        parts.append(lead + stripped)
    return ",".join(parts)


def person_line(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name}, {user.position}" if getattr(user, "position", "") else name


def base_context(
    job,
    *,
    doc_type: str,
    default_summary: str,
    landscape: bool,
    number: str | None = None,
    issued_on: datetime.date | None = None,
    issuer: Agency | None = None,
) -> dict:
    """Header, title, footer and closing block shared by every document. The number is
    the job's unless the document has its own (a biên bản: the inspection's); the issuer
    is the requester's agency unless the document has its own (a biên bản: the agency of
    the inspection team)."""
    user = job.requested_by
    if issuer is None:
        issuer = user.agency if user.agency_id else None
    head = letterhead(issuer)
    code = job.verification_code
    return {
        "doc_type": doc_type,
        "title": summary_from_title(job.title, doc_type, default_summary),
        "landscape": landscape,
        "parent_agency": head.parent,
        "issuing_agency": head.issuer,
        "letterhead": head,
        "number": job.number if number is None else number,
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
