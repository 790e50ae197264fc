"""The legal documents, activity catalogue, indicators, national programmes and example
support caps every deployment starts with. Loaded by a data migration and by
``seed_demo``; idempotent (matched on document number / codes).

Values marked ``example`` come from the excerpts found while building the portal
(domain.md) and must be checked against the texts in force by an administrator.

Every legal document's number, issuer and dates were checked against published texts on
2 December 2026; ``SOURCES`` records where each was confirmed (stored on the document as
``source_url`` / ``source_note`` / ``verified_on`` and shown on the "Quy định pháp lý" page).
A document without a source is listed in ``UNVERIFIED``; a date that could not be confirmed
for a document that has a source is listed in ``UNCONFIRMED_FIELDS``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

D = dt.date

# number, type, title, issuer, signed, effective from, amends (numbers)
LEGAL_DOCUMENTS = [
    (
        "45/2012/NĐ-CP",
        "decree",
        "Nghị định về khuyến công",
        "Chính phủ",
        D(2012, 5, 21),
        D(2012, 7, 10),
        [],
    ),
    (
        "46/2012/TT-BCT",
        "circular",
        "Thông tư quy định chi tiết một số nội dung của Nghị định số 45/2012/NĐ-CP về khuyến công",
        "Bộ Công Thương",
        D(2012, 12, 28),
        D(2013, 2, 15),
        [],
    ),
    (
        "36/2013/TT-BCT",
        "circular",
        "Thông tư quy định về việc xây dựng kế hoạch, tổ chức thực hiện và quản lý kinh phí "
        "khuyến công quốc gia",
        "Bộ Công Thương",
        D(2013, 12, 27),
        D(2013, 12, 27),
        [],
    ),
    (
        "20/2017/TT-BCT",
        "circular",
        "Thông tư sửa đổi, bổ sung một số điều của Thông tư số 36/2013/TT-BCT",
        "Bộ Công Thương",
        D(2017, 9, 29),
        D(2017, 11, 15),
        ["36/2013/TT-BCT"],
    ),
    (
        "28/2018/TT-BTC",
        "circular",
        "Thông tư hướng dẫn lập, quản lý, sử dụng kinh phí khuyến công",
        "Bộ Tài chính",
        D(2018, 3, 28),
        D(2018, 5, 15),
        [],
    ),
    (
        "64/2024/TT-BTC",
        "circular",
        "Thông tư sửa đổi, bổ sung một số điều của Thông tư số 28/2018/TT-BTC",
        "Bộ Tài chính",
        D(2024, 8, 28),
        D(2024, 10, 15),
        ["28/2018/TT-BTC"],
    ),
    (
        "30/2020/NĐ-CP",
        "decree",
        "Nghị định về công tác văn thư",
        "Chính phủ",
        D(2020, 3, 5),
        D(2020, 3, 5),
        [],
    ),
    (
        "1881/QĐ-TTg",
        "decision",
        "Quyết định phê duyệt Chương trình khuyến công quốc gia giai đoạn 2021 - 2025",
        "Thủ tướng Chính phủ",
        D(2020, 11, 24),
        D(2020, 11, 24),
        [],
    ),
    (
        "04/CT-BCT",
        "directive",
        "Chỉ thị về việc đẩy mạnh hoạt động khuyến công trong giai đoạn tới",
        "Bộ Công Thương",
        D(2021, 3, 31),
        D(2021, 3, 31),
        [],
    ),
    (
        "2646/QĐ-BCT",
        "decision",
        "Quyết định phê duyệt Chương trình khuyến công quốc gia giai đoạn 2026 - 2030",
        "Bộ Công Thương",
        D(2025, 9, 23),
        D(2025, 9, 23),
        [],
    ),
    (
        "235/2025/NĐ-CP",
        "decree",
        "Nghị định sửa đổi, bổ sung một số điều của Nghị định số 45/2012/NĐ-CP về khuyến công",
        "Chính phủ",
        D(2025, 8, 27),
        D(2025, 10, 15),
        ["45/2012/NĐ-CP"],
    ),
    # The selection of typical rural industrial products (typical_products.rules).
    (
        "35/2010/TT-BCT",
        "circular",
        "Thông tư quy định về việc tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu",
        "Bộ Công Thương",
        D(2010, 11, 12),
        D(2010, 11, 12),
        [],
    ),
    (
        "26/2014/TT-BCT",
        "circular",
        "Thông tư quy định về việc tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu",
        "Bộ Công Thương",
        D(2014, 8, 28),
        D(2014, 10, 21),
        [],
    ),
    (
        "14/2018/TT-BCT",
        "circular",
        "Thông tư sửa đổi, bổ sung một số điều của Thông tư số 26/2014/TT-BCT quy định về việc "
        "tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu",
        "Bộ Công Thương",
        D(2018, 6, 28),
        D(2018, 8, 16),
        ["26/2014/TT-BCT"],
    ),
]

# Documents no longer in force: number -> (last day in force, why).
REPLACED = {
    "35/2010/TT-BCT": (
        D(2014, 10, 20),
        "Thay thế bởi Thông tư 26/2014/TT-BCT từ ngày 21/10/2014 (Điều 25 Thông tư 26/2014).",
    ),
}

# The indicator whose achieved value is the number of certificates of typical rural
# industrial products linked to the đề án's output (typical_products.OutputCertificate):
# counted from the records, never typed at acceptance.
CERTIFICATE_INDICATOR = "typical-products"

# When the catalogue's legal documents were checked against the published texts.
VERIFIED_ON = D(2026, 12, 2)


class Source(NamedTuple):
    """Where a legal document's number, issuer and dates were confirmed."""

    url: str
    note: str
    # The catalogue fields this source confirms (the number and issuer always).
    confirms: frozenset


SIGNED = frozenset({"number", "issuer", "signed_on"})
SIGNED_AND_EFFECTIVE = SIGNED | {"effective_from"}

SOURCES = {
    "45/2012/NĐ-CP": Source(
        "https://luatvietnam.vn/cong-nghiep/nghi-dinh-45-2012-nd-cp-chinh-phu-70632-d1.html",
        "LuatVietnam, thuộc tính văn bản: Chính phủ, ngày ban hành 21/05/2012; cùng ngày "
        "được viện dẫn tại Quyết định 2646/QĐ-BCT và bản dịch trên thuvienphapluat.vn. "
        "Ngày hiệu lực 10/7/2012 chưa đối chiếu được với Điều khoản thi hành (arit.gov.vn "
        "ghi 05/7/2012).",
        SIGNED,
    ),
    "46/2012/TT-BCT": Source(
        "http://ven.vn/promoting-efficiency-of-decree-45-20459.html",
        "Vietnam Economic News (Bộ Công Thương): Bộ Công Thương ban hành Thông tư "
        "46/2012/TT-BCT ngày 28/12/2012. Ngày hiệu lực 15/02/2013 chưa đối chiếu.",
        SIGNED,
    ),
    "28/2018/TT-BTC": Source(
        "https://english.luatvietnam.vn/circular-no-28-2018-tt-btc-dated-march-28-2018-of-the-"
        "ministry-of-finance-on-guiding-the-estimation-management-and-use-of-industrial-"
        "extension-fund-163904-doc1.html",
        "LuatVietnam (bản tiếng Anh): Bộ Tài chính, số 28/2018/TT-BTC, Hà Nội ngày "
        "28/3/2018; mô hình trình diễn tối đa 30 % chi phí, không quá 1.000 triệu "
        "đồng/mô hình. Ngày hiệu lực 15/5/2018 chưa đối chiếu.",
        SIGNED,
    ),
    "30/2020/NĐ-CP": Source(
        "https://trademarkvn.com.vn/legal-updated/149-administrative/1581-latest-guidance-on-"
        "administrative-document-presentation-techniques.html",
        "Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ, có hiệu lực kể từ ngày ký "
        "(cũng theo lawnet.vn: hiệu lực từ 05/3/2020).",
        SIGNED_AND_EFFECTIVE,
    ),
    "36/2013/TT-BCT": Source(
        "https://lawnet.vn/thong-tin-phap-luat/en/chinh-sach-moi/vietnam-guidance-on-formulation-"
        "of-national-industrial-encouragement-plans-143578.html",
        "LawNet: Bộ Công Thương ban hành Thông tư 36/2013/TT-BCT ngày 27/12/2013 về xây dựng "
        "kế hoạch, tổ chức thực hiện và quản lý kinh phí khuyến công quốc gia (hồ sơ đăng ký "
        "gửi Sở Công Thương trước 20/5 hằng năm). Mức tạm ứng 30 %/70 % theo nhóm đề án: "
        "https://lawnet.vn/thong-tin-phap-luat/en/chinh-sach-moi/vietnam-what-is-the-initial-"
        "advance-amount-for-the-implementation-organization-of-an-industrial-encouragement-"
        "scheme-143564.html (không nêu số điều). Ngày hiệu lực chưa đối chiếu (ghi tạm bằng "
        "ngày ký).",
        SIGNED,
    ),
    "64/2024/TT-BTC": Source(
        "https://lawnet.vn/thong-tin-phap-luat/en/thong-bao-van-ban-moi/vietnam-s-regulation-on-"
        "establishment-and-allocation-of-industrial-encouragement-funding-estimates-171513.html",
        "LawNet: Thông tư 64/2024/TT-BTC sửa đổi Thông tư 28/2018/TT-BTC, do Bộ trưởng Bộ Tài "
        "chính ban hành ngày 28/8/2024 (danh mục trước đây ghi 30/8/2024). Ngày hiệu lực "
        "15/10/2024 chưa đối chiếu được với Điều khoản thi hành; các mức hỗ trợ Thông tư này "
        "sửa (nếu có) chưa đọc được trong văn bản đã công bố (03/12/2026).",
        SIGNED,
    ),
    "2646/QĐ-BCT": Source(
        "https://hethongphapluat.vn/quyet-dinh-2646-qd-bct-nam-2025-phe-duyet-chuong-trinh-"
        "khuyen-cong-quoc-gia-giai-doan-2026-2030-do-bo-truong-bo-cong-thuong-ban-hanh.html",
        "Toàn văn: Bộ trưởng Bộ Công Thương, Hà Nội, ngày 23 tháng 9 năm 2025; Điều 2: hiệu "
        "lực kể từ ngày ký ban hành.",
        SIGNED_AND_EFFECTIVE,
    ),
    "235/2025/NĐ-CP": Source(
        "https://english.luatvietnam.vn/decreeno235-2025-nd-cpdatedaugust272025ofthegovernment"
        "amendingandsupplementinganumberofarticlesofthegovernmentsdecreeno45-20-410222-doc1.html",
        "LuatVietnam: Chính phủ, ngày ban hành 27/08/2025 (người ký Bùi Thanh Sơn); Quyết "
        'định 2646/QĐ-BCT viện dẫn "ngày 27 tháng 8 năm 2025". Hiệu lực từ 15/10/2025 '
        "(vietnam.vn, theo baodanang.vn).",
        SIGNED_AND_EFFECTIVE,
    ),
    "35/2010/TT-BCT": Source(
        "https://thuvienphapluat.vn/van-ban/doanh-nghiep/thong-tu-35-2010-tt-bct-to-chuc-binh-"
        "chon-san-pham-cong-nghiep-nong-114501.aspx",
        "Toàn văn (phần đầu): Bộ Công thương, số 35/2010/TT-BCT, Hà Nội ngày 12/11/2010, người "
        "ký Hoàng Quốc Vượng. Ngày hiệu lực chưa đối chiếu (ghi tạm bằng ngày ký). Thay thế "
        "bởi Thông tư 26/2014/TT-BCT từ 21/10/2014.",
        SIGNED,
    ),
    "26/2014/TT-BCT": Source(
        "https://hethongphapluat.com/thong-tu-26-2014-tt-bct-ve-viec-to-chuc-binh-chon-san-pham-"
        "cong-nghiep-nong-thon-tieu-bieu-do-bo-truong-bo-cong-thuong-ban-hanh/dieu-25",
        "Điều 25: có hiệu lực thi hành kể từ ngày 21/10/2014 và thay thế Thông tư số "
        "35/2010/TT-BCT; ngày ban hành 28/08/2014, người ký Hồ Thị Kim Thoa. Văn bản hợp nhất "
        "16/VBHN-BCT ngày 05/7/2018 ghi cùng ngày ban hành và ngày hiệu lực.",
        SIGNED_AND_EFFECTIVE,
    ),
    "14/2018/TT-BCT": Source(
        "https://hethongphapluat.com/van-ban-hop-nhat-16-vbhn-bct-nam-2018-hop-nhat-thong-tu-"
        "quy-dinh-ve-to-chuc-binh-chon-san-pham-cong-nghiep-nong-thon-tieu-bieu-do-bo-truong-"
        "bo-cong-thuong-ban-hanh.html",
        "Văn bản hợp nhất 16/VBHN-BCT (05/7/2018): Thông tư số 14/2018/TT-BCT ngày 28/6/2018 "
        "sửa đổi, bổ sung một số điều của Thông tư 26/2014/TT-BCT, có hiệu lực kể từ ngày "
        "16/8/2018.",
        SIGNED_AND_EFFECTIVE,
    ),
}

# Documents whose number, issuer and dates could not be confirmed in a published text.
UNVERIFIED = {
    "20/2017/TT-BCT": "Không tìm thấy văn bản đã công bố để đối chiếu ngày ký, ngày hiệu lực "
    "và văn bản được sửa đổi. Danh mục ghi Thông tư này sửa đổi Thông tư 36/2013/TT-BCT (kế "
    "hoạch và kinh phí khuyến công quốc gia), không phải 46/2012/TT-BCT: chưa đối chiếu được "
    "với toàn văn (tìm ngày 03/12/2026 trên lawnet.vn, luatvietnam.vn, thuvienphapluat.vn "
    "không thấy).",
    "1881/QĐ-TTg": "Chưa tìm thấy toàn văn; một trang của Cục Công Thương địa phương "
    "(arit.gov.vn) ghi ngày 20/11/2020, khác ngày 24/11/2020 trong danh mục.",
    "04/CT-BCT": "Không tìm thấy văn bản đã công bố để đối chiếu số và ngày ký.",
    # The provincial resolutions cited by the example caps are placeholders.
    "NQ-HĐND-ĐẮK-LẮK-2025 (ví dụ)": "Văn bản giả định cho mức hỗ trợ ví dụ; số hiệu cần cập nhật.",
    "NQ-HĐND-HẢI-DƯƠNG (ví dụ)": "Văn bản giả định cho mức hỗ trợ ví dụ; số hiệu cần cập nhật.",
}

# Fields of a document with a source that the source does not confirm.
UNCONFIRMED_FIELDS = {
    number: sorted(SIGNED_AND_EFFECTIVE - source.confirms)
    for number, source in SOURCES.items()
    if SIGNED_AND_EFFECTIVE - source.confirms
}

# code, Vietnamese name, English name, parent code (Article 4, Nghị định 45/2012/NĐ-CP)
ACTIVITIES = [
    (
        "01",
        "Đào tạo nghề, truyền nghề và phát triển nghề",
        "Vocational training, craft transfer and craft development",
        None,
    ),
    (
        "02",
        "Nâng cao năng lực quản lý cho cơ sở công nghiệp nông thôn",
        "Management capacity of rural industrial establishments",
        None,
    ),
    (
        "03",
        "Xây dựng mô hình trình diễn kỹ thuật, chuyển giao công nghệ, ứng dụng máy móc tiên tiến",
        "Demonstration models, technology transfer and advanced machinery",
        None,
    ),
    # The sub-activities 02.1, 03.3, 03.4, 04.1 and 05.4 carry support caps of their own
    # (Thông tư 28/2018/TT-BTC, Điều 8; NATIONAL_CAPS).
    (
        "02.1",
        "Hỗ trợ thành lập doanh nghiệp sản xuất công nghiệp nông thôn tại địa bàn có điều kiện "
        "kinh tế - xã hội khó khăn, đặc biệt khó khăn",
        "Founding rural industrial enterprises in areas with difficult socio-economic conditions",
        "02",
    ),
    ("03.1", "Xây dựng mô hình trình diễn kỹ thuật", "Technical demonstration models", "03"),
    (
        "03.2",
        "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến, chuyển giao công nghệ",
        "Advanced machinery and technology transfer",
        "03",
    ),
    (
        "03.3",
        "Mô hình của cơ sở công nghiệp nông thôn đang hoạt động có hiệu quả cần nhân rộng",
        "Models of establishments already working well, to be replicated",
        "03",
    ),
    ("03.4", "Hỗ trợ dây chuyền công nghệ", "Technology lines", "03"),
    (
        "04",
        "Sản xuất sạch hơn, sản xuất và tiêu dùng bền vững",
        "Cleaner and sustainable production",
        None,
    ),
    (
        "04.1",
        "Mô hình thí điểm áp dụng sản xuất sạch hơn trong công nghiệp",
        "Pilot models of cleaner production in industry",
        "04",
    ),
    (
        "05",
        "Phát triển sản phẩm công nghiệp nông thôn",
        "Rural industrial product development",
        None,
    ),
    (
        "05.1",
        "Bình chọn sản phẩm công nghiệp nông thôn tiêu biểu",
        "Selection of typical rural industrial products",
        "05",
    ),
    ("05.2", "Hội chợ, triển lãm", "Trade fairs and exhibitions", "05"),
    (
        "05.3",
        "Phòng trưng bày, giới thiệu và bán sản phẩm",
        "Showrooms for presenting and selling products",
        "05",
    ),
    (
        "05.4",
        "Tổ chức, tham gia hội chợ triển lãm tại nước ngoài",
        "Trade fairs and exhibitions abroad",
        "05",
    ),
    ("06", "Tư vấn, trợ giúp cơ sở công nghiệp nông thôn", "Consulting for establishments", None),
    ("07", "Thông tin tuyên truyền", "Information and communication", None),
    (
        "08",
        "Liên doanh, liên kết, hợp tác kinh tế, phát triển cụm công nghiệp, xử lý ô nhiễm",
        "Linkage, associations, industrial clusters and pollution treatment",
        None,
    ),
    # The parts of group 08 whose advances differ (Thông tư 36/2013/TT-BCT, ADVANCE_LIMITS).
    (
        "08.1",
        "Thành lập hiệp hội, hội ngành nghề; hình thành cụm liên kết doanh nghiệp công nghiệp",
        "Associations and clusters of linked industrial enterprises",
        "08",
    ),
    (
        "08.2",
        "Đầu tư xây dựng hạ tầng cụm công nghiệp; xử lý ô nhiễm môi trường tại cụm công nghiệp",
        "Industrial-cluster infrastructure and pollution treatment in industrial clusters",
        "08",
    ),
    ("09", "Hợp tác quốc tế về khuyến công", "International cooperation", None),
    (
        "10",
        "Nâng cao năng lực quản lý và tổ chức thực hiện hoạt động khuyến công",
        "Capacity of the industrial promotion system (staff, database, inspection)",
        None,
    ),
]

# code, name, unit
INDICATORS = [
    ("models", "Mô hình trình diễn kỹ thuật, chuyển giao công nghệ", "mô hình"),
    ("machines", "Máy móc, thiết bị, dây chuyền được hỗ trợ", "máy/dây chuyền"),
    ("trainees", "Lao động được đào tạo nghề, truyền nghề", "người"),
    ("establishments", "Cơ sở công nghiệp nông thôn được hỗ trợ", "cơ sở"),
    ("typical-products", "Sản phẩm công nghiệp nông thôn tiêu biểu được công nhận", "sản phẩm"),
    ("fairs", "Hội chợ, triển lãm được tổ chức hoặc tham gia", "hội chợ"),
    ("jobs", "Việc làm mới tạo ra", "việc làm"),
    ("cleaner-production", "Cơ sở áp dụng sản xuất sạch hơn", "cơ sở"),
]

# code, name, decision, start, end, objectives, {indicator: target}
NATIONAL_PROGRAMS = [
    (
        "kcqg-2021-2025",
        "Chương trình khuyến công quốc gia giai đoạn 2021 - 2025",
        "1881/QĐ-TTg",
        2021,
        2025,
        "Hỗ trợ phát triển công nghiệp nông thôn, thúc đẩy chuyển dịch cơ cấu kinh tế nông thôn, "
        "tạo việc làm và nâng cao thu nhập cho người lao động.",
        {"models": 340},
    ),
    (
        "kcqg-2026-2030",
        "Chương trình khuyến công quốc gia giai đoạn 2026 - 2030",
        "2646/QĐ-BCT",
        2026,
        2030,
        "Phát triển công nghiệp nông thôn bền vững, ứng dụng công nghệ, chuyển đổi số và "
        "sản xuất sạch hơn tại khu vực nông thôn.",
        {},
    ),
]


class NationalCap(NamedTuple):
    """A support level for national funds (kinh phí khuyến công quốc gia): "at most
    ``percent`` % of the cost, and at most ``amount`` đồng per ``unit``", as Thông tư
    28/2018/TT-BTC writes it, with the article and the published text it was read in.
    ``example``: the value could not be read in a published text of the circular itself."""

    activity: str
    percent: str | None
    amount: int | None
    unit: str
    since: dt.date
    until: dt.date | None
    document: str
    article: str
    source_url: str
    example: bool
    notes: str


# Thông tư 28/2018/TT-BTC takes effect on 15/5/2018 in the catalogue (LEGAL_DOCUMENTS; the
# date is not confirmed, UNCONFIRMED_FIELDS). Thông tư 64/2024/TT-BTC (signed 28/8/2024)
# amends it; its text could not be read (searched 03/12/2026), so whether it changed these
# levels is unknown: the rows stay open-ended until an administrator ends them and enters
# the amended level from the date 64/2024 takes effect (README, "Support levels").
TT28_SINCE = D(2018, 5, 15)
NOT_AMENDED_NOTE = (
    " Thông tư 64/2024/TT-BTC: chưa đọc được văn bản, chưa biết mức này có được sửa hay "
    "không (quản trị viên kết thúc dòng này và nhập mức mới từ ngày Thông tư 64 có hiệu lực "
    "nếu có)."
)
SOURCE_TVPL_MODELS = (
    "https://thuvienphapluat.vn/hoi-dap-phap-luat/3C878-hd-muc-chi-ho-tro-xay-dung-mo-hinh-"
    "trinh-dien-ky-thuat-cho-hoat-dong-khuyen-cong.html"
)
SOURCE_TVPL_FAIRS_ABROAD = (
    "https://thuvienphapluat.vn/hoi-dap-phap-luat/3C895-hd-muc-chi-hoat-dong-khuyen-cong-khi-"
    "to-chuc-tham-gia-hoi-cho-trien-lam-cho-cac-co-so-cong-nghiep-nong-thon-tai-nuoc-ngoai-"
    "la-bao-nhieu.html"
)
SOURCE_BINH_THUAN_MACHINERY = "http://www.khuyencongbinhthuan.com.vn/News/FaqView.aspx?ID=575"
SOURCE_LUATVIETNAM_TT28 = (
    "https://english.luatvietnam.vn/circular-no-28-2018-tt-btc-dated-march-28-2018-of-the-"
    "ministry-of-finance-on-guiding-the-estimation-management-and-use-of-industrial-"
    "extension-fund-163904-doc1.html"
)
SOURCE_DONG_THAP_2024 = (
    "https://congthuong.vn/dong-thap-ap-dung-muc-chi-moi-cho-hoat-dong-khuyen-cong-331398.html"
)

NATIONAL_CAPS = [
    NationalCap(
        "03.1",
        "30",
        1_000_000_000,
        "model",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 khoản 2",
        SOURCE_TVPL_MODELS,
        False,
        "Mô hình trình diễn kỹ thuật để phổ biến công nghệ mới, sản xuất sản phẩm mới: tối đa "
        "30 % chi phí nhưng không quá 1.000 triệu đồng/mô hình (thuvienphapluat.vn trích khoản "
        "2 Điều 8; cùng mức trong tóm tắt của LuatVietnam)." + NOT_AMENDED_NOTE,
    ),
    NationalCap(
        "03.3",
        "30",
        100_000_000,
        "model",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 khoản 2 (đoạn hai)",
        SOURCE_DONG_THAP_2024,
        True,
        "Ví dụ: mô hình của cơ sở đang hoạt động có hiệu quả cần nhân rộng. Đoạn này của khoản "
        "2 Điều 8 được thuvienphapluat.vn trích nhưng mức bị cắt; 30 %, 100 triệu đồng/mô hình "
        "là mức Nghị quyết 08/2024/NQ-HĐND tỉnh Đồng Tháp ghi (congthuong.vn), chưa đọc được "
        "trong Thông tư." + NOT_AMENDED_NOTE,
    ),
    NationalCap(
        "03.2",
        "50",
        300_000_000,
        "establishment",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 khoản 4",
        SOURCE_BINH_THUAN_MACHINERY,
        False,
        "Ứng dụng máy móc thiết bị tiên tiến, chuyển giao công nghệ, tiến bộ khoa học kỹ thuật: "
        "tối đa 50 % chi phí nhưng không quá 300 triệu đồng/cơ sở (Trung tâm Khuyến công Bình "
        "Thuận trích khoản 4 Điều 8; cùng câu chữ trong Nghị quyết 08/2024/NQ-HĐND Đồng Tháp)."
        + NOT_AMENDED_NOTE,
    ),
    NationalCap(
        "03.4",
        "50",
        450_000_000,
        "establishment",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 khoản 4",
        SOURCE_BINH_THUAN_MACHINERY,
        True,
        'Ví dụ: dây chuyền công nghệ "tối đa không quá 1,5 lần mức hỗ trợ ứng dụng máy móc '
        'thiết bị tiên tiến" (đã đọc): 1,5 × 300 triệu = 450 triệu đồng/cơ sở. Tỷ lệ 50 % là '
        "cách đọc của danh mục (văn bản không ghi riêng), cần quản trị viên xác nhận."
        + NOT_AMENDED_NOTE,
    ),
    NationalCap(
        "02.1",
        None,
        10_000_000,
        "enterprise",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 (số khoản chưa đối chiếu)",
        SOURCE_LUATVIETNAM_TT28,
        False,
        "Hỗ trợ thành lập doanh nghiệp sản xuất công nghiệp nông thôn tại địa bàn có điều kiện "
        "kinh tế - xã hội khó khăn, đặc biệt khó khăn: không quá 10 triệu đồng/doanh nghiệp "
        "(LuatVietnam tóm tắt Thông tư; số khoản chưa đọc được)." + NOT_AMENDED_NOTE,
    ),
    NationalCap(
        "04.1",
        "30",
        500_000_000,
        "model",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 (số khoản chưa đối chiếu)",
        SOURCE_DONG_THAP_2024,
        True,
        "Ví dụ: mô hình thí điểm áp dụng sản xuất sạch hơn trong công nghiệp, 30 %, tối đa 500 "
        "triệu đồng/mô hình, là mức Nghị quyết 08/2024/NQ-HĐND tỉnh Đồng Tháp ghi "
        "(congthuong.vn); chưa đọc được trong Thông tư." + NOT_AMENDED_NOTE,
    ),
    NationalCap(
        "05.4",
        "100",
        None,
        "event",
        TT28_SINCE,
        None,
        "28/2018/TT-BTC",
        "Điều 8 khoản 6",
        SOURCE_TVPL_FAIRS_ABROAD,
        False,
        "Tổ chức, tham gia hội chợ triển lãm cho cơ sở công nghiệp nông thôn tại nước ngoài: hỗ "
        "trợ 100 % các khoản chi phí (thuê mặt bằng, thiết kế, dàn dựng gian hàng, …), không "
        "ghi mức tối đa theo số tiền (thuvienphapluat.vn trích khoản 6 Điều 8)." + NOT_AMENDED_NOTE,
    ),
]

# The activities of Thông tư 28/2018/TT-BTC, Điều 8 whose national level could not be read in a
# published text (searched 03/12/2026): no row is loaded for them, so the checks panel warns
# that no cap is recorded (README, "Support levels").
NATIONAL_CAPS_NOT_FOUND = [
    "01 đào tạo nghề, truyền nghề",
    "02 khóa đào tạo, tập huấn nâng cao năng lực quản lý",
    "05.1 bình chọn sản phẩm công nghiệp nông thôn tiêu biểu",
    "05.2 hội chợ, triển lãm trong nước",
    "05.3 phòng trưng bày, giới thiệu và bán sản phẩm",
    "05 xây dựng, đăng ký thương hiệu",
    "06 tư vấn",
    "07 thông tin tuyên truyền",
    "08.1 hiệp hội, cụm liên kết",
    "08.2 hạ tầng cụm công nghiệp, xử lý ô nhiễm môi trường",
]

# activity, level, province code, percent, amount, unit, from, document, notes: the
# provinces' example rules (placeholders an administrator replaces by the HĐND resolution)
EXAMPLE_CAPS = [
    (
        "03.1",
        "local",
        66,
        "30",
        800_000_000,
        "model",
        D(2025, 1, 1),
        "NQ-HĐND-ĐẮK-LẮK-2025 (ví dụ)",
        "Ví dụ: Đắk Lắk 2025, mô hình trình diễn 30 % tối đa 800 triệu đồng.",
    ),
    (
        "03.2",
        "local",
        31,
        "50",
        250_000_000,
        "establishment",
        D(2025, 1, 1),
        "NQ-HĐND-HẢI-DƯƠNG (ví dụ)",
        "Ví dụ từ tỉnh Hải Dương (nay thuộc thành phố Hải Phòng): "
        "máy móc 50 % tối đa 250 triệu đồng/cơ sở.",
    ),
]

# Advances from national funds (KCQG) by activity: activity code (None: every other
# activity), level, province code, percent of the contracted amount, only after more than
# half of the work is done, document, article, valid from, example?, notes.
# Groups and percentages as LawNet summarises Thông tư 36/2013/TT-BCT (SOURCES): 30 % for
# industrial-cluster infrastructure and pollution treatment, once the implementing unit's
# progress report shows more than 50 % of the supported work done; 70 % for training and
# craft transfer, consulting, training courses, conferences, seminars, study tours, brands,
# associations, clusters of linked enterprises and cleaner-production assessment. The
# article number could not be read in a published text; the summary says nothing for the
# other activities, so none is loaded for them (the portal's configurable share applies,
# DISBURSEMENT_ADVANCE_MAX_SHARE). Whether Thông tư 20/2017/TT-BCT changed these figures is
# not confirmed (UNVERIFIED).
ADVANCE_ARTICLE = "Quy định về tạm ứng kinh phí thực hiện đề án (số điều chưa đối chiếu)"
ADVANCE_NOTE_70 = (
    "Tạm ứng 70 % kinh phí hỗ trợ của đề án (LawNet tóm tắt Thông tư 36/2013/TT-BCT); "
    "chưa đối chiếu toàn văn và số điều."
)
ADVANCE_NOTE_30 = (
    "Tạm ứng 30 % kinh phí hỗ trợ, khi báo cáo tiến độ của đơn vị thực hiện xác định đã hoàn "
    "thành trên 50 % khối lượng hạng mục được hỗ trợ (LawNet tóm tắt Thông tư 36/2013/TT-BCT); "
    "chưa đối chiếu toàn văn và số điều."
)
ADVANCE_LIMITS = [
    (
        code,
        "national",
        None,
        "70",
        False,
        "36/2013/TT-BCT",
        ADVANCE_ARTICLE,
        D(2013, 12, 27),
        False,
        ADVANCE_NOTE_70,
    )
    for code in ("01", "02", "04", "06", "08.1")
] + [
    (
        "08.2",
        "national",
        None,
        "30",
        True,
        "36/2013/TT-BCT",
        ADVANCE_ARTICLE,
        D(2013, 12, 27),
        False,
        ADVANCE_NOTE_30,
    ),
]

# Provincial resolutions cited by example caps: placeholders, clearly marked.
EXAMPLE_DOCUMENTS = [
    (
        "NQ-HĐND-ĐẮK-LẮK-2025 (ví dụ)",
        "resolution",
        "Nghị quyết của HĐND tỉnh Đắk Lắk quy định mức chi khuyến công (số hiệu cần cập nhật)",
        "HĐND tỉnh Đắk Lắk",
        D(2025, 1, 1),
        D(2025, 1, 1),
        66,
    ),
    (
        "NQ-HĐND-HẢI-DƯƠNG (ví dụ)",
        "resolution",
        "Nghị quyết của HĐND tỉnh Hải Dương quy định mức hỗ trợ khuyến công (số hiệu cần cập nhật)",
        "HĐND tỉnh Hải Dương",
        D(2025, 1, 1),
        D(2025, 1, 1),
        31,
    ),
]


def load_catalogue(apps) -> None:
    LegalDocument = apps.get_model("programs", "LegalDocument")
    Activity = apps.get_model("programs", "Activity")
    Indicator = apps.get_model("programs", "Indicator")
    Program = apps.get_model("programs", "Program")
    ProgramTarget = apps.get_model("programs", "ProgramTarget")
    SupportCap = apps.get_model("programs", "SupportCap")
    Province = apps.get_model("reference", "Province")

    docs = {}
    for number, kind, title, issuer, signed, effective, _amends in LEGAL_DOCUMENTS:
        docs[number], _ = LegalDocument.objects.get_or_create(
            number=number,
            defaults=dict(
                doc_type=kind,
                title=title,
                issuer=issuer,
                signed_on=signed,
                effective_from=effective,
            ),
        )
    for number, kind, title, issuer, signed, effective, province_code in EXAMPLE_DOCUMENTS:
        docs[number], _ = LegalDocument.objects.get_or_create(
            number=number,
            defaults=dict(
                doc_type=kind,
                title=title,
                issuer=issuer,
                signed_on=signed,
                effective_from=effective,
                province=Province.objects.get(code=province_code),
            ),
        )
    for number, *_rest, amends in LEGAL_DOCUMENTS:
        for amended in amends:
            docs[number].amends.add(docs[amended])
    if any(field.name == "source_url" for field in LegalDocument._meta.get_fields()):
        legal_sources_apply(apps)

    activities = {}
    for order, (code, name, name_en, parent) in enumerate(ACTIVITIES, start=1):
        basis = docs["45/2012/NĐ-CP"]
        activities[code], _ = Activity.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                name_en=name_en,
                parent=activities.get(parent),
                legal_basis=basis,
                valid_from=D(2012, 7, 10),
                order=order,
            ),
        )

    indicators = {}
    for order, (code, name, unit) in enumerate(INDICATORS, start=1):
        indicators[code], _ = Indicator.objects.get_or_create(
            code=code, defaults=dict(name=name, unit=unit, order=order)
        )

    for code, name, decision, start, end, objectives, targets in NATIONAL_PROGRAMS:
        program, _ = Program.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                level="national",
                start_year=start,
                end_year=end,
                decision=docs[decision],
                objectives=objectives,
            ),
        )
        for indicator, value in targets.items():
            ProgramTarget.objects.get_or_create(
                program=program,
                indicator=indicators[indicator],
                defaults={"target_value": value},
            )

    for activity, level, province_code, percent, amount, unit, since, doc, notes in EXAMPLE_CAPS:
        province = Province.objects.get(code=province_code) if province_code else None
        if not SupportCap.objects.filter(
            activity=activities[activity], level=level, province=province, effective_from=since
        ).exists():
            SupportCap.objects.create(
                activity=activities[activity],
                level=level,
                province=province,
                max_percent=percent,
                max_amount=amount,
                unit=unit,
                effective_from=since,
                legal_document=docs[doc],
                is_example=True,
                notes=notes,
            )

    if any(field.name == "article" for field in SupportCap._meta.get_fields()):
        national_caps_load(apps)

    try:
        apps.get_model("programs", "AdvanceLimit")
    except LookupError:  # an older migration's state: 0007 loads them
        return
    advance_limits_load(apps)


def _same(current, wanted) -> bool:
    if isinstance(current, Decimal) and wanted is not None:
        return current == Decimal(wanted)
    return current == wanted


def national_caps_load(apps) -> None:
    """The national support levels of NATIONAL_CAPS (idempotent: matched on activity, level
    and start date). A row the catalogue loaded (no author) is brought to the catalogue's
    values — so the former example "03.1 national, 30 %, 1,000 million" becomes the
    verified row with its article and source; a row an administrator saved is left as it
    is."""
    SupportCap = apps.get_model("programs", "SupportCap")
    Activity = apps.get_model("programs", "Activity")
    LegalDocument = apps.get_model("programs", "LegalDocument")
    for row in NATIONAL_CAPS:
        values = dict(
            max_percent=row.percent,
            max_amount=row.amount,
            unit=row.unit,
            effective_to=row.until,
            legal_document=LegalDocument.objects.get(number=row.document),
            article=row.article,
            source_url=row.source_url,
            is_example=row.example,
            notes=row.notes,
        )
        cap = SupportCap.objects.filter(
            activity=Activity.objects.get(code=row.activity),
            level="national",
            province__isnull=True,
            effective_from=row.since,
        ).first()
        if cap is None:
            SupportCap.objects.create(
                activity=Activity.objects.get(code=row.activity),
                level="national",
                effective_from=row.since,
                **values,
            )
        elif cap.created_by_id is None:
            changed = [
                name for name, value in values.items() if not _same(getattr(cap, name), value)
            ]
            if changed:  # a no-op when loaded already (the rows keep their updated_at)
                for name in changed:
                    setattr(cap, name, values[name])
                cap.save()


def advance_limits_load(apps) -> None:
    """The advance limits of ADVANCE_LIMITS (idempotent: matched on activity, level,
    province and start date; a row an administrator changed is left as it is)."""
    AdvanceLimit = apps.get_model("programs", "AdvanceLimit")
    Activity = apps.get_model("programs", "Activity")
    LegalDocument = apps.get_model("programs", "LegalDocument")
    Province = apps.get_model("reference", "Province")
    for (
        code,
        level,
        province_code,
        percent,
        half,
        doc,
        article,
        since,
        example,
        notes,
    ) in ADVANCE_LIMITS:
        AdvanceLimit.objects.get_or_create(
            activity=Activity.objects.get(code=code) if code else None,
            level=level,
            province=Province.objects.get(code=province_code) if province_code else None,
            valid_from=since,
            defaults=dict(
                percent=percent,
                requires_more_than_half_done=half,
                legal_document=LegalDocument.objects.get(number=doc),
                article=article,
                is_example=example,
                notes=notes,
            ),
        )


def legal_corrections_apply(apps) -> None:
    """The corrections of the catalogue's documents on a database loaded before them: the
    title and the amended circular of Thông tư 20/2017/TT-BCT (36/2013, not 46/2012)."""
    LegalDocument = apps.get_model("programs", "LegalDocument")
    docs = {d.number: d for d in LegalDocument.objects.all()}
    for number, _kind, title, *_rest, amends in LEGAL_DOCUMENTS:
        if number != "20/2017/TT-BCT" or number not in docs:
            continue
        doc = docs[number]
        doc.title = title
        doc.save(update_fields=["title"])
        doc.amends.set([docs[a] for a in amends if a in docs])


def legal_sources_apply(apps) -> None:
    """Record on each catalogue document where it was confirmed, and correct the values a
    source confirms (e.g. Nghị định 235/2025/NĐ-CP signed 27/8/2025, not 28/8/2025), also
    on a database loaded before the check. Values no source confirms are left as they are
    (an administrator may have corrected them); a document without a source gets the reason
    it is unverified as its note."""
    LegalDocument = apps.get_model("programs", "LegalDocument")
    for number, _kind, _title, issuer, signed, effective, _amends in LEGAL_DOCUMENTS:
        source = SOURCES.get(number)
        if source is None:
            # Say why it is unchecked, unless someone has recorded a source since.
            LegalDocument.objects.filter(number=number, source_url="").update(
                source_note=UNVERIFIED[number]
            )
            continue
        values = {"issuer": issuer, "signed_on": signed, "effective_from": effective}
        confirmed = {key: value for key, value in values.items() if key in source.confirms}
        LegalDocument.objects.filter(number=number).update(
            source_url=source.url, source_note=source.note, verified_on=VERIFIED_ON, **confirmed
        )
    for number, *_rest in EXAMPLE_DOCUMENTS:
        LegalDocument.objects.filter(number=number, source_url="").update(
            source_note=UNVERIFIED[number]
        )


def selection_documents_load(apps) -> None:
    """The circulars on the selection of typical rural industrial products on a database
    loaded before them (0003 loads them on a new one): created if missing, the replaced
    one's last day in force, the amendment and the sources (idempotent)."""
    LegalDocument = apps.get_model("programs", "LegalDocument")
    numbers = ("35/2010/TT-BCT", "26/2014/TT-BCT", "14/2018/TT-BCT")
    docs = {}
    for number, kind, title, issuer, signed, effective, _amends in LEGAL_DOCUMENTS:
        if number in numbers:
            docs[number], _ = LegalDocument.objects.get_or_create(
                number=number,
                defaults=dict(
                    doc_type=kind,
                    title=title,
                    issuer=issuer,
                    signed_on=signed,
                    effective_from=effective,
                ),
            )
    for number, *_rest, amends in LEGAL_DOCUMENTS:
        if number in numbers:
            for amended in amends:
                docs[number].amends.add(docs[amended])
    for number, (last_day, _why) in REPLACED.items():
        LegalDocument.objects.filter(number=number, effective_to__isnull=True).update(
            effective_to=last_day
        )
    legal_sources_apply(apps)
