"""Example appraisal criteria and dossier checklists (configurable in the admin).

Thông tư 46/2012/TT-BCT lists what a dossier holds and how the Sở appraises, but the
excerpts available give no official weights: these are examples to be replaced."""

CRITERIA = [
    ("necessity", "Sự cần thiết, phù hợp với chương trình và kế hoạch khuyến công", 20),
    ("feasibility", "Tính khả thi của nội dung, phương án và tiến độ thực hiện", 20),
    ("impact", "Hiệu quả kinh tế - xã hội, khả năng nhân rộng", 25),
    ("capacity", "Năng lực của đơn vị thực hiện và cơ sở thụ hưởng", 15),
    ("budget", "Tính hợp lý của dự toán kinh phí và vốn đối ứng", 20),
]

# (activity code or None for every đề án, code, name)
REQUIRED_DOCUMENTS = [
    (None, "thuyet-minh", "Thuyết minh đề án"),
    (None, "du-toan", "Dự toán kinh phí chi tiết"),
    (None, "de-nghi-co-so", "Văn bản đề nghị hỗ trợ của cơ sở"),
    ("03", "bao-gia", "Báo giá máy móc, thiết bị (ít nhất 03 báo giá)"),
    ("01", "danh-sach-hoc-vien", "Danh sách học viên dự kiến"),
]


def load_catalogue(apps) -> None:
    Criterion = apps.get_model("projects", "AppraisalCriterion")
    RequiredDocument = apps.get_model("projects", "RequiredDocument")
    Activity = apps.get_model("programs", "Activity")
    for order, (code, name, weight) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "max_score": 10, "order": order}
        )
    for order, (activity_code, code, name) in enumerate(REQUIRED_DOCUMENTS, start=1):
        activity = Activity.objects.get(code=activity_code) if activity_code else None
        RequiredDocument.objects.get_or_create(
            activity=activity, code=code, defaults={"name": name, "order": order}
        )
