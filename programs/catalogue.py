"""The legal documents, activity catalogue, indicators, national programmes and example
support caps every deployment starts with. Loaded by a data migration and by
``seed_demo``; idempotent (matched on document number / codes).

Values marked ``example`` come from the excerpts found while building the portal
(domain.md) and must be checked against the texts in force by an administrator."""

from __future__ import annotations

import datetime as dt

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
        "20/2017/TT-BCT",
        "circular",
        "Thông tư sửa đổi, bổ sung một số điều của Thông tư số 46/2012/TT-BCT",
        "Bộ Công Thương",
        D(2017, 9, 29),
        D(2017, 11, 15),
        ["46/2012/TT-BCT"],
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
        D(2024, 8, 30),
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
        D(2025, 8, 28),
        D(2025, 10, 15),
        ["45/2012/NĐ-CP"],
    ),
]

# Dates not confirmed by the excerpts available: listed in the README for checking.
UNCONFIRMED_DATES = {
    "04/CT-BCT",
    "64/2024/TT-BTC",
    "235/2025/NĐ-CP",
    "46/2012/TT-BCT",
    "20/2017/TT-BCT",
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
    ("03.1", "Xây dựng mô hình trình diễn kỹ thuật", "Technical demonstration models", "03"),
    (
        "03.2",
        "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến, chuyển giao công nghệ",
        "Advanced machinery and technology transfer",
        "03",
    ),
    (
        "04",
        "Sản xuất sạch hơn, sản xuất và tiêu dùng bền vững",
        "Cleaner and sustainable production",
        None,
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
    ("06", "Tư vấn, trợ giúp cơ sở công nghiệp nông thôn", "Consulting for establishments", None),
    ("07", "Thông tin tuyên truyền", "Information and communication", None),
    (
        "08",
        "Liên doanh, liên kết, hợp tác kinh tế, phát triển cụm công nghiệp, xử lý ô nhiễm",
        "Linkage, associations, industrial clusters and pollution treatment",
        None,
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

# activity, level, province code or None, percent, amount, unit, from, document, notes
EXAMPLE_CAPS = [
    (
        "03.1",
        "national",
        None,
        "30",
        1_000_000_000,
        "model",
        D(2018, 5, 15),
        "28/2018/TT-BTC",
        "Ví dụ: mô hình trình diễn kỹ thuật từ kinh phí khuyến công quốc gia, "
        "30 % tối đa 1.000 triệu đồng/mô hình.",
    ),
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
