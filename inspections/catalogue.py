"""Example checklist of what inspectors check (nội dung kiểm tra), per activity group of
Article 4 of Nghị định 45/2012/NĐ-CP (codes of ``programs.catalogue.ACTIVITIES``).

Chỉ thị 04/CT-BCT asks to inspect and supervise how the money is used: right beneficiary,
right purpose, lawful. The generic items below apply to every đề án; the others to one
activity group (and its sub-activities) or one sub-activity. No official checklist was
found in the sources: these are **examples** that an administrator replaces in the admin
("Checklist items"). Loaded by a data migration and by ``seed_demo``; idempotent (matched
on activity and code), so an item the administrator changed is never overwritten."""

from __future__ import annotations

# (activity code or None for every đề án, code, what is checked, guidance)
CHECKLIST = [
    (
        None,
        "dung-doi-tuong",
        "Đúng đối tượng: cơ sở thụ hưởng đúng danh sách được phê duyệt, là cơ sở công nghiệp "
        "nông thôn đủ điều kiện được hỗ trợ",
        "Đối chiếu tên, mã số thuế, địa điểm sản xuất của cơ sở với quyết định phê duyệt "
        "và hợp đồng.",
    ),
    (
        None,
        "dung-muc-dich",
        "Đúng mục đích: kinh phí khuyến công được sử dụng đúng nội dung đề án và hợp đồng",
        "Đối chiếu các khoản đã chi với dự toán được duyệt; ghi rõ khoản chi sai nội dung.",
    ),
    (
        None,
        "chung-tu-hop-phap",
        "Hồ sơ, chứng từ, hóa đơn thanh toán hợp pháp, hợp lệ",
        "Hóa đơn, phiếu chi, biên bản bàn giao, chứng từ Kho bạc Nhà nước; ghi số, ngày của "
        "chứng từ còn thiếu hoặc không hợp lệ.",
    ),
    (
        None,
        "von-doi-ung",
        "Vốn đối ứng của cơ sở đã được chi thực tế theo dự toán",
        "Chứng từ chi từ nguồn vốn của cơ sở; so sánh với phần vốn đối ứng trong hợp đồng.",
    ),
    (
        None,
        "san-pham-dau-ra",
        "Sản phẩm, kết quả đầu ra của đề án có thật, đúng số lượng và chất lượng cam kết",
        "Kiểm đếm thực tế; chụp ảnh sản phẩm, máy móc, lớp học, gian hàng.",
    ),
    (
        None,
        "tien-do",
        "Tiến độ thực hiện phù hợp với hợp đồng và kế hoạch được duyệt",
        "",
    ),
    # 01 — Đào tạo nghề, truyền nghề
    (
        "01",
        "danh-sach-hoc-vien",
        "Danh sách học viên, sổ điểm danh khớp với số học viên thực tế tham gia lớp học",
        "Gặp trực tiếp một số học viên; đối chiếu chữ ký trong sổ điểm danh.",
    ),
    (
        "01",
        "giao-vien-tai-lieu",
        "Giáo viên, nghệ nhân truyền nghề và tài liệu giảng dạy đúng đề án",
        "",
    ),
    (
        "01",
        "chung-chi",
        "Chứng chỉ, giấy chứng nhận đã cấp cho học viên hoàn thành khóa học",
        "",
    ),
    # 02 — Nâng cao năng lực quản lý
    (
        "02",
        "khoa-hoc-quan-ly",
        "Khóa đào tạo, hội thảo quản lý được tổ chức đúng nội dung, thời lượng và số học viên",
        "",
    ),
    # 03 — Mô hình trình diễn, chuyển giao công nghệ, máy móc tiên tiến
    (
        "03",
        "may-moc-khop-hop-dong",
        "Máy móc, thiết bị lắp đặt đúng chủng loại, số lượng, thông số kỹ thuật theo hợp đồng "
        "và hóa đơn",
        "Ghi nhãn hiệu, số máy (serial), năm sản xuất của từng máy; đối chiếu với hóa đơn.",
    ),
    (
        "03",
        "may-moc-hoat-dong",
        "Máy móc, thiết bị đang vận hành, được sử dụng đúng mục đích tại cơ sở",
        "",
    ),
    (
        "03.1",
        "mo-hinh-nhan-rong",
        "Mô hình trình diễn đã tổ chức giới thiệu, tham quan để nhân rộng",
        "Biên bản hội nghị đầu bờ, danh sách cơ sở đến tham quan.",
    ),
    (
        "03.2",
        "chuyen-giao-cong-nghe",
        "Công nghệ được chuyển giao, người lao động của cơ sở vận hành thành thạo",
        "",
    ),
    # 04 — Sản xuất sạch hơn
    (
        "04",
        "giai-phap-sxsh",
        "Giải pháp sản xuất sạch hơn đã áp dụng, có số liệu về hiệu quả (năng lượng, nguyên "
        "liệu, chất thải)",
        "",
    ),
    # 05 — Phát triển sản phẩm
    (
        "05.1",
        "binh-chon-san-pham",
        "Hồ sơ bình chọn, quyết định công nhận và giấy chứng nhận sản phẩm CNNT tiêu biểu",
        "",
    ),
    (
        "05.2",
        "hoi-cho-gian-hang",
        "Gian hàng thực tế, số cơ sở tham gia hội chợ, triển lãm đúng danh sách được hỗ trợ",
        "Ảnh gian hàng, báo cáo kết quả giao dịch, ký kết tại hội chợ.",
    ),
    (
        "05.3",
        "phong-trung-bay",
        "Phòng trưng bày, giới thiệu sản phẩm đang hoạt động, trưng bày đúng danh mục sản phẩm",
        "",
    ),
    # 06 — Tư vấn
    (
        "06",
        "ket-qua-tu-van",
        "Hợp đồng, báo cáo tư vấn và kết quả tư vấn được cơ sở xác nhận",
        "",
    ),
    # 07 — Thông tin tuyên truyền
    (
        "07",
        "san-pham-truyen-thong",
        "Sản phẩm truyền thông (bài viết, phóng sự, ấn phẩm) đã phát hành đúng số lượng, đúng kênh",
        "",
    ),
    # 08 — Liên kết, cụm công nghiệp, xử lý ô nhiễm
    (
        "08",
        "cong-trinh-hoan-thanh",
        "Hạng mục hạ tầng, công trình xử lý ô nhiễm đã hoàn thành và đưa vào sử dụng",
        "",
    ),
    # 09 — Hợp tác quốc tế
    (
        "09",
        "doan-cong-tac",
        "Đoàn công tác, hội thảo quốc tế: danh sách thành viên, chương trình và báo cáo kết quả",
        "",
    ),
    # 10 — Năng lực hệ thống khuyến công
    (
        "10",
        "nang-luc-he-thong",
        "Kết quả nâng cao năng lực: cán bộ được tập huấn, cơ sở dữ liệu, tài liệu đã xây dựng",
        "",
    ),
]


def load_catalogue(apps) -> None:
    """Create the example items that are missing (an activity not in the catalogue is
    skipped; an existing item is left as the administrator made it)."""
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    Activity = apps.get_model("programs", "Activity")
    activities = {a.code: a for a in Activity.objects.all()}
    for order, (activity_code, code, text, guidance) in enumerate(CHECKLIST, start=1):
        activity = activities.get(activity_code) if activity_code else None
        if activity_code and activity is None:
            continue
        ChecklistItem.objects.get_or_create(
            activity=activity,
            code=code,
            defaults={"text": text, "guidance": guidance, "order": order * 10},
        )
