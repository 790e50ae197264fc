"""The priorities every deployment starts with, each with where it comes from. Loaded by a
data migration and by ``seed_demo``; idempotent (matched on ``code``).

``verified=True``: the priority was read in a published source (``source_url``); the note
says what was not confirmed (the article's number where only a summary was found).
``verified=False``: example data an administrator must check against the text in force.
Searched on 3 December 2026 (README, "Priorities")."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

D = dt.date

# Báo Cần Thơ's summary of Decree 45/2012/NĐ-CP (13/06/2012): the list of trades and the
# priorities, as the decree wrote them; the article's number is not given there.
DECREE_45_SUMMARY = (
    "https://baocantho.com.vn/danh-muc-7-nganh-nghe-duoc-huong-chinh-sach-khuyen-cong-a24847.html"
)
DECREE_45_NOTE = (
    "Báo Cần Thơ (13/06/2012) tóm tắt Nghị định 45/2012/NĐ-CP: “ưu tiên các chương trình, đề án "
    "… {what}”. Số điều, khoản chưa đối chiếu với toàn văn; chưa đối chiếu việc Nghị định "
    "235/2025/NĐ-CP có sửa đổi nội dung này hay không."
)
DECREE_45_ARTICLE = "Điều về ngành, nghề được hưởng chính sách khuyến công (số điều chưa đối chiếu)"
DECREE_45_FROM = D(2012, 7, 10)  # the decree's effective date in programs.catalogue

# The threshold of "employs many workers": the decree names no number (the summary above
# reads "sử dụng nhiều lao động"); 50 is the portal's example, to be set by an administrator.
EXAMPLE_WORKER_THRESHOLD = 50


class Entry(NamedTuple):
    code: str
    name: str
    basis: str  # computed | beneficiary | proposal
    document: str  # LegalDocument.number
    article: str
    source_url: str
    source_note: str
    verified: bool
    valid_from: dt.date
    valid_to: dt.date | None = None
    threshold: int | None = None


def _decree_45(code, name, basis, what, *, verified=True, threshold=None, extra=""):
    return Entry(
        code,
        name,
        basis,
        "45/2012/NĐ-CP",
        DECREE_45_ARTICLE,
        DECREE_45_SUMMARY,
        DECREE_45_NOTE.format(what=what) + extra,
        verified,
        DECREE_45_FROM,
        None,
        threshold,
    )


PRIORITIES = [
    # --- Computed from the registry ------------------------------------------------------
    Entry(
        "woman_owned",
        "Cơ sở do phụ nữ làm chủ",
        "computed",
        "235/2025/NĐ-CP",
        "Điều 1 (sửa đổi Nghị định 45/2012/NĐ-CP; số khoản chưa đối chiếu)",
        "",
        "Ví dụ: theo tóm tắt nội dung Nghị định 235/2025/NĐ-CP trong tài liệu nghiệp vụ của dự "
        "án (ưu tiên cơ sở do phụ nữ, người dân tộc thiểu số làm chủ); chưa tìm được toàn văn.",
        False,
        D(2025, 10, 15),
    ),
    Entry(
        "ethnic_minority_owned",
        "Cơ sở do người dân tộc thiểu số làm chủ",
        "computed",
        "235/2025/NĐ-CP",
        "Điều 1 (sửa đổi Nghị định 45/2012/NĐ-CP; số khoản chưa đối chiếu)",
        "",
        "Ví dụ: theo tóm tắt nội dung Nghị định 235/2025/NĐ-CP trong tài liệu nghiệp vụ của dự "
        "án; chưa tìm được toàn văn.",
        False,
        D(2025, 10, 15),
    ),
    _decree_45(
        "many_workers",
        "Sản xuất sử dụng nhiều lao động",
        "computed",
        "sản xuất sản phẩm sử dụng nguyên liệu tại chỗ, sử dụng nhiều lao động",
        # The priority is in the text; its threshold is not: the row stays example data.
        verified=False,
        threshold=EXAMPLE_WORKER_THRESHOLD,
        extra=" Văn bản không nêu số lao động: ngưỡng 50 lao động là giá trị ví dụ của cổng.",
    ),
    Entry(
        "craft_village",
        "Cơ sở thuộc làng nghề được công nhận",
        "computed",
        "235/2025/NĐ-CP",
        "Điều 1 (đối tượng áp dụng; số khoản chưa đối chiếu)",
        "",
        "Ví dụ: Nghị định 235/2025/NĐ-CP đưa cơ sở trong làng nghề được công nhận vào đối tượng "
        "áp dụng; chưa tìm thấy điều khoản ghi làng nghề là đối tượng ưu tiên.",
        False,
        D(2025, 10, 15),
    ),
    # --- Declared for the establishment --------------------------------------------------
    _decree_45(
        "local_raw_materials",
        "Sản xuất sản phẩm sử dụng nguyên liệu tại chỗ",
        "beneficiary",
        "sản xuất sản phẩm sử dụng nguyên liệu tại chỗ",
    ),
    _decree_45(
        "export",
        "Sản xuất sản phẩm có thị trường xuất khẩu",
        "beneficiary",
        "sản xuất các sản phẩm có thị trường xuất khẩu",
    ),
    _decree_45(
        "supporting_industry",
        "Công nghiệp hỗ trợ",
        "beneficiary",
        "công nghiệp hỗ trợ",
    ),
    _decree_45(
        "agri_machinery_chemicals",
        "Công nghiệp cơ khí, hóa chất phục vụ nông nghiệp, nông thôn",
        "beneficiary",
        "hỗ trợ phát triển công nghiệp cơ khí, hóa chất phục vụ nông nghiệp, nông thôn",
    ),
    # --- Declared for the đề án ----------------------------------------------------------
    _decree_45(
        "difficult_area",
        "Thực hiện tại địa bàn có điều kiện kinh tế - xã hội khó khăn, đặc biệt khó khăn",
        "proposal",
        "thực hiện tại các địa bàn có điều kiện kinh tế - xã hội khó khăn và đặc biệt khó khăn",
    ),
    _decree_45(
        "highland_island_border",
        "Thực hiện tại vùng cao, hải đảo, biên giới đất liền",
        "proposal",
        "huyện vùng cao, hải đảo, biên giới đất liền",
        extra=" Văn bản viết “huyện”; từ 01/7/2025 không còn cấp huyện.",
    ),
    _decree_45(
        "ethnic_minority_area",
        "Thực hiện tại vùng đồng bào dân tộc thiểu số",
        "proposal",
        "vùng đồng bào dân tộc thiểu số",
    ),
    _decree_45(
        "new_rural_commune",
        "Thực hiện tại xã trong kế hoạch xây dựng nông thôn mới",
        "proposal",
        "địa bàn các xã trong kế hoạch thực hiện Chương trình mục tiêu quốc gia xây dựng nông "
        "thôn mới",
    ),
    _decree_45(
        "poor_district",
        "Thực hiện tại huyện nghèo",
        "proposal",
        "các huyện nghèo theo quy định của Chính phủ",
        extra=" Từ 01/7/2025 không còn cấp huyện: địa bàn do Sở xác định.",
    ),
    Entry(
        "cleaner_production",
        "Đề án sản xuất sạch hơn, sản xuất bền vững",
        "proposal",
        "2646/QĐ-BCT",
        "Chương trình ban hành kèm theo (mục chưa đối chiếu)",
        "https://hethongphapluat.vn/quyet-dinh-2646-qd-bct-nam-2025-phe-duyet-chuong-trinh-"
        "khuyen-cong-quoc-gia-giai-doan-2026-2030-do-bo-truong-bo-cong-thuong-ban-hanh.html",
        "Ví dụ: chỉ đọc được phần quyết định (ngày ký 23/9/2025, hiệu lực từ ngày ký), chưa đọc "
        "được nội dung ưu tiên của Chương trình kèm theo.",
        False,
        D(2026, 1, 1),
        D(2030, 12, 31),
    ),
    Entry(
        "digital_transformation",
        "Đề án chuyển đổi số",
        "proposal",
        "2646/QĐ-BCT",
        "Chương trình ban hành kèm theo (mục chưa đối chiếu)",
        "https://hethongphapluat.vn/quyet-dinh-2646-qd-bct-nam-2025-phe-duyet-chuong-trinh-"
        "khuyen-cong-quoc-gia-giai-doan-2026-2030-do-bo-truong-bo-cong-thuong-ban-hanh.html",
        "Ví dụ: chỉ đọc được phần quyết định, chưa đọc được nội dung ưu tiên của Chương trình "
        "kèm theo.",
        False,
        D(2026, 1, 1),
        D(2030, 12, 31),
    ),
]


def load_priorities(apps) -> None:
    """Create or update the catalogue's priorities (by code); a priority whose document is
    not loaded is skipped (the documents come from programs.catalogue)."""
    Priority = apps.get_model("priorities", "Priority")
    LegalDocument = apps.get_model("programs", "LegalDocument")
    documents = {d.number: d for d in LegalDocument.objects.filter(province__isnull=True)}
    for order, e in enumerate(PRIORITIES, start=1):
        document = documents.get(e.document)
        if document is None:
            continue
        Priority.objects.update_or_create(
            code=e.code,
            defaults={
                "name": e.name,
                "basis": e.basis,
                "document": document,
                "article": e.article,
                "source_url": e.source_url,
                "source_note": e.source_note,
                "verified": e.verified,
                "valid_from": e.valid_from,
                "valid_to": e.valid_to,
                "threshold": e.threshold,
                "order": order * 10,
            },
        )
