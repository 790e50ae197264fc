"""The catalogue of rural-industry sectors every deployment starts with (editable in the
admin afterwards). Loaded by a data migration and, when missing, by ``seed_demo``."""

SECTORS = [
    ("nong-lam-thuy-san", "Chế biến nông, lâm, thủy sản"),
    ("thu-cong-my-nghe", "Thủ công mỹ nghệ"),
    ("det-may-da-giay", "Dệt may - da giày"),
    ("co-khi", "Cơ khí - sửa chữa"),
    ("vat-lieu-xay-dung", "Vật liệu xây dựng"),
    ("hoa-chat-phan-bon", "Hóa chất - phân bón"),
    ("do-go", "Đồ gỗ"),
    ("dien-dien-tu", "Điện - điện tử"),
    ("hang-tieu-dung", "Sản xuất hàng tiêu dùng"),
    ("khac", "Khác"),
]


def add_sectors(apps, schema_editor=None):
    """Create the sectors that are missing; takes the app registry so a migration can
    pass its historical models."""
    Sector = apps.get_model("beneficiaries", "Sector")
    for order, (code, name) in enumerate(SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "order": order})
