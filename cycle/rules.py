"""The legal facts of the annual cycle, as data with their citation (law as data).

Thông tư 36/2013/TT-BCT (27/12/2013) regulates building the plan, organising implementation
and managing national khuyến công funds; its existence, date and title were confirmed in the
preamble of Quyết định 33/2016/QĐ-UBND of Đà Nẵng (SOURCE below). The 20 May deadline is
confirmed by the LawNet summary of the circular that the legal catalogue records as the
circular's source (``programs.catalogue.SOURCES``), without the article's number; the three
dossier sets are read from the issue and domain notes and were not found in a published
text reachable here, so they are marked unverified with the reason. Every call stores its
own deadline and number of sets (an administrator corrects them per call)."""

from __future__ import annotations

from typing import NamedTuple


class Fact(NamedTuple):
    value: object
    document: str  # the legal document's number (programs.LegalDocument.number)
    article: str  # "" when not confirmed
    verified: bool
    note: str


SOURCE = (
    "https://phapluatcongdong.vn/van-ban/"
    "quyet-dinh-33-2016-qd-ubnd-ban-hanh-thanh-pho-da-nang-nam-2016-p136776.htm"
)
UNVERIFIED_REASON = (
    "Chưa đối chiếu được điều khoản trong văn bản đã công bố (tìm ngày 03/12/2026 không thấy "
    "toàn văn Thông tư 36/2013/TT-BCT); giá trị theo ghi chép nghiệp vụ, cần quản trị viên "
    "kiểm tra."
)

# Units send their national đề án dossiers to the Sở by 20 May of the year before the plan
# year (month, day).
NATIONAL_DEADLINE = Fact(
    (5, 20),
    "36/2013/TT-BCT",
    "",
    True,
    "LawNet, tóm tắt Thông tư 36/2013/TT-BCT: hồ sơ đăng ký gửi Sở Công Thương trước 20/5 "
    "hằng năm (nguồn ghi tại programs.catalogue.SOURCES; chưa đối chiếu số điều).",
)
# The dossier of a national đề án is sent in three sets.
DOSSIER_SETS = Fact(3, "36/2013/TT-BCT", "", False, UNVERIFIED_REASON)
# A reminder is sent this many days before a call's deadline (a setting, not law).
REMINDER_DAYS = (7, 1)


def citation(fact: Fact) -> str:
    where = f"{fact.article}, " if fact.article else ""
    state = "" if fact.verified else " (chưa kiểm chứng)"
    return f"{where}Thông tư {fact.document}{state}"
