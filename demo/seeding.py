"""Builders for the demo data. Each step matches on natural keys so that running it again
changes nothing; later issues add steps (plans, beneficiaries, đề án ...)."""

from __future__ import annotations

from django.apps import apps as django_apps

from accounts.loader import ensure_agencies
from accounts.models import Agency, Role, User
from beneficiaries.catalogue import add_sectors
from reference.legacy import legacy_load
from reference.loader import load_reference_data, reference_data_loaded
from reference.models import Commune, LegacyCommune, Province, Region

DEMO_PASSWORD = "khuyencong-demo"

# Province code -> slug used in the demo user names.
DEMO_PROVINCES = {1: "hanoi", 14: "sonla", 66: "daklak"}

# username, role, agency kind, province code, first name, last name, position
DEMO_USERS = [
    (
        "ministry",
        Role.MINISTRY_OFFICIAL,
        "ministry_department",
        None,
        "Minh",
        "Nguyễn Văn",
        "Chuyên viên chính",
    ),
    ("sct-hanoi", Role.PROVINCE_STAFF, "department", 1, "Lan", "Trần Thị", "Chuyên viên"),
    ("ttkc-hanoi", Role.CENTRE_STAFF, "promotion_centre", 1, "Hùng", "Lê Quang", "Cán bộ"),
    ("inspector-hanoi", Role.INSPECTOR, "department", 1, "Bình", "Phạm Thanh", "Thanh tra viên"),
    ("sct-sonla", Role.PROVINCE_STAFF, "department", 14, "Thảo", "Lò Thị", "Chuyên viên"),
    ("ttkc-sonla", Role.CENTRE_STAFF, "promotion_centre", 14, "Dũng", "Cầm Văn", "Cán bộ"),
    ("sct-daklak", Role.PROVINCE_STAFF, "department", 66, "Hà", "H'Niê", "Chuyên viên"),
    ("ttkc-daklak", Role.CENTRE_STAFF, "promotion_centre", 66, "Quý", "Y Bhin", "Cán bộ"),
]


def demo_user(province: Province, role: str) -> User:
    """The demo user of ``role`` in the province (DEMO_USERS), whoever else was added since
    (the members of the demo's appraisal councils, test users)."""
    return User.objects.get(
        agency__province=province, role=role, username__in=[u[0] for u in DEMO_USERS]
    )


def seed_reference() -> str:
    if reference_data_loaded():
        return "Reference data already loaded."
    counts = load_reference_data(Region, Province, Commune)
    counts["legacy"] = legacy_load(LegacyCommune, Commune, Province)
    return (
        "Reference data: {provinces} provinces, {communes} communes/wards, "
        "{legacy} communes before 1 July 2025.".format(**counts)
    )


def seed_agencies() -> str:
    created = ensure_agencies(Agency, Province)
    return f"Agencies: {created} created, {Agency.objects.count()} in all."


def _agency(kind: str, province_code: int | None) -> Agency:
    if province_code is None:
        return Agency.objects.get(kind=kind, province__isnull=True)
    return Agency.objects.get(kind=kind, province__code=province_code)


def seed_users() -> str:
    created = 0
    admin, was_created = User.objects.get_or_create(
        username="admin",
        defaults={
            "first_name": "Quản trị hệ thống",
            "last_name": "",
            "is_staff": True,
            "is_superuser": True,
            "role": Role.MINISTRY_ADMIN,
            "agency": _agency("ministry_department", None),
            "email": "admin@khuyencong.example",
        },
    )
    if was_created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
        created += 1
    for username, role, kind, province_code, first, last, position in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "position": position,
                "agency": _agency(kind, province_code),
                "email": f"{username}@khuyencong.example",
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
    return f"Demo accounts: {created} created, {1 + len(DEMO_USERS)} expected."


def seed_all(*, seed: int, beneficiaries: bool = True) -> list[str]:
    from demo import beneficiaries as demo_beneficiaries
    from demo import (
        councils,
        cycle,
        disbursement,
        inspections,
        periodic,
        programs,
        projects,
        typical_products,
    )
    from demo import priorities as demo_priorities
    from inspections.catalogue import load_catalogue as load_checklist

    add_sectors(django_apps)  # catalogue data, as the reference data: put back if missing
    report = [seed_reference(), seed_agencies(), seed_users(), programs.seed_programs(seed=seed)]
    load_checklist(django_apps)  # the inspection checklist (a data migration): put back if missing
    if beneficiaries:
        report.append(demo_beneficiaries.seed_beneficiaries(seed=seed))
        report.append(projects.seed_proposals(seed=seed))  # đề án need the beneficiaries
        report.append(disbursement.seed_disbursement(seed=seed))
        report.append(inspections.seed_inspections(seed=seed))
        report.append(councils.seed_councils())
        report.append(cycle.seed_cycle(seed=seed))  # the batch carries the councils' results
        report.append(periodic.seed_periodic())  # the six-month reports of the demo year
        report.append(demo_priorities.seed_priorities())  # on the establishments and đề án
        report.append(typical_products.seed_typical_products())  # needs funded đề án
    return report
