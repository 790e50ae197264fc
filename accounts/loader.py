"""The agencies every deployment has: the ministry department, and in each province its
Sở Công Thương and trung tâm khuyến công. Idempotent; names can be edited in the admin
afterwards (matching is on kind and province, not on name)."""

MINISTRY_DEPARTMENT_NAME = "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"


def ensure_agencies(agency_model, province_model) -> int:
    created = 0
    _, was_created = agency_model.objects.get_or_create(
        kind="ministry_department",
        province=None,
        defaults={"name": MINISTRY_DEPARTMENT_NAME, "short_name": "Cục ĐMST, CĐX và KC"},
    )
    created += was_created
    for province in province_model.objects.order_by("code"):
        short = province.name.removeprefix("Thành phố ")
        where = (
            f"thành phố {short}"
            if province.division_type == "thanh_pho_trung_uong"
            else f"tỉnh {short}"
        )
        for kind, name, short_name in [
            ("department", f"Sở Công Thương {where}", f"SCT {short}"),
            ("promotion_centre", f"Trung tâm Khuyến công {where}", f"TTKC {short}"),
        ]:
            _, was_created = agency_model.objects.get_or_create(
                kind=kind, province=province, defaults={"name": name, "short_name": short_name}
            )
            created += was_created
    return created
