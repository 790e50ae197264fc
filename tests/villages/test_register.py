"""The register of craft villages: who records what, the rules held by the services and the
database (one village at a time), the pages, the Excel import, and the village the
eligibility check reads (villages.selectors.recognised_village_by_beneficiary)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Agency, Role, User
from beneficiaries.models import ImportBatch, Sector
from reference.models import Commune, Province
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.villages.factories import join, make_village
from villages import imports, services
from villages.models import CraftVillage, VillageMembership
from villages.selectors import recognised_village_by_beneficiary

D = datetime.date
pytestmark = pytest.mark.django_db


def admin_of(province_code: int, username: str | None = None) -> User:
    agency = Agency.objects.get(kind="department", province__code=province_code)
    return User.objects.create(
        username=username or f"admin-{province_code}",
        role=Role.PROVINCE_ADMIN,
        agency=agency,
    )


def village_data(province_code=1, **overrides):
    province = Province.objects.get(code=province_code)
    data = {
        "province": province,
        "name": "Làng nghề mây tre đan Phú Vinh",
        "kind": CraftVillage.Kind.TRADITIONAL,
        "sector": Sector.objects.get(code="thu-cong-my-nghe"),
        "communes": [commune_of(province_code, "xa")],
        "decision_number": "1234/QĐ-UBND",
        "decision_date": D(2016, 5, 20),
        "status": CraftVillage.Status.RECOGNISED,
        "revocation_number": "",
        "revocation_date": None,
        "note": "",
    }
    data.update(overrides)
    return data


# --- Who records ----------------------------------------------------------------------------


def test_a_province_administrator_registers_a_village_of_their_province(world, users):
    admin = admin_of(1)
    village = services.village_create(actor=admin, data=village_data())
    assert village.province.code == 1 and village.name_folded == "lang nghe may tre dan phu vinh"
    assert list(village.communes.all()) == [commune_of(1, "xa")]
    with pytest.raises(ValidationError) as info:  # another province's
        services.village_create(actor=admin, data=village_data(14, name="Làng khác"))
    assert "province" in info.value.message_dict
    with pytest.raises(PermissionDenied):  # staff of the Sở are not administrators
        services.village_create(actor=users["sct-hanoi"], data=village_data(name="Làng khác"))
    # The ministry's administrator records any province's.
    ministry_admin = User.objects.get(username="admin")
    assert services.village_create(actor=ministry_admin, data=village_data(14, name="Làng B"))


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"name": " "}, "name"),
        ({"communes": []}, "communes"),
        ({"communes": [None]}, "communes"),  # replaced by a commune of another province
        ({"decision_number": ""}, "decision_number"),
        ({"decision_date": None}, "decision_date"),
        ({"status": "revoked"}, "revocation_number"),
        (
            {
                "status": "revoked",
                "revocation_number": "9/QĐ-UBND",
                "revocation_date": D(2010, 1, 1),
            },
            "revocation_date",
        ),
        ({"sector": None}, "sector"),
    ],
)
def test_the_service_explains_each_refusal_next_to_its_field(world, overrides, field):
    if overrides.get("communes") == [None]:
        overrides = {"communes": [commune_of(14, "xa")]}  # a commune of another province
    with pytest.raises(ValidationError) as info:
        services.village_clean(actor=admin_of(1), data=village_data(**overrides))
    assert field in info.value.message_dict


def test_the_same_name_twice_in_a_province_is_refused(world):
    admin = admin_of(1)
    services.village_create(actor=admin, data=village_data())
    with pytest.raises(ValidationError) as info:
        services.village_create(
            actor=admin, data=village_data(name="Làng nghề mây tre đan PHÚ VINH")
        )
    assert "name" in info.value.message_dict


def test_the_database_refuses_an_inconsistent_revocation(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_village(1, decision_date=D(2020, 1, 1), revocation_date=D(2019, 1, 1))
    village = make_village(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CraftVillage.objects.filter(pk=village.pk).update(status="revoked")


# --- One village at a time ------------------------------------------------------------------


def test_a_beneficiary_belongs_to_one_village_at_a_time(world):
    admin = admin_of(1)
    b = BeneficiaryFactory(commune=commune_of(1, "phuong"))
    first, second = make_village(1), make_village(1)
    services.membership_add(village=first, beneficiary=b, joined_on=D(2018, 1, 1), actor=admin)
    with pytest.raises(ValidationError) as info:
        services.membership_add(village=second, beneficiary=b, joined_on=D(2020, 1, 1), actor=admin)
    assert first.name in info.value.message_dict["beneficiary"][0]
    membership = VillageMembership.objects.get(beneficiary=b)
    services.membership_end(membership=membership, left_on=D(2019, 12, 31), actor=admin)
    services.membership_add(village=second, beneficiary=b, joined_on=D(2020, 1, 1), actor=admin)
    # The database holds it too: an open membership each, and no overlapping periods.
    with pytest.raises(IntegrityError), transaction.atomic():
        join(first, b, joined_on=D(2021, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        join(first, b, joined_on=D(2019, 6, 1), left_on=D(2020, 6, 1))
    assert join(first, b, joined_on=D(2010, 1, 1), left_on=D(2017, 12, 31)).pk


def test_a_member_is_of_the_villages_province(world):
    with pytest.raises(ValidationError) as info:
        services.membership_add(
            village=make_village(1),
            beneficiary=BeneficiaryFactory(commune=commune_of(14)),
            joined_on=D(2020, 1, 1),
            actor=admin_of(1),
        )
    assert "beneficiary" in info.value.message_dict


# --- The village the eligibility reads ------------------------------------------------------


def test_the_recognised_village_at_a_date(world, django_assert_num_queries):
    ward = commune_of(1, "phuong")
    member, late_joiner, revoked_member, left_member, outsider = (
        BeneficiaryFactory(commune=ward) for _ in range(5)
    )
    village = make_village(1, decision_date=D(2015, 6, 1))
    join(village, member, joined_on=D(2016, 1, 1))
    join(village, late_joiner, joined_on=D(2025, 10, 16))  # joined after the date
    join(village, left_member, joined_on=D(2016, 1, 1), left_on=D(2025, 10, 14))
    revoked = make_village(1, decision_date=D(2015, 6, 1), revocation_date=D(2025, 10, 15))
    join(revoked, revoked_member, joined_on=D(2016, 1, 1))
    ids = [b.pk for b in (member, late_joiner, revoked_member, left_member, outsider)]
    with django_assert_num_queries(1):
        on_15 = recognised_village_by_beneficiary(ids, D(2025, 10, 15))
    assert on_15 == {member.pk: village}
    on_14 = recognised_village_by_beneficiary(ids, D(2025, 10, 14))
    assert set(on_14) == {member.pk, revoked_member.pk, left_member.pk}
    # A village recognised after the date does not count on it.
    later = make_village(1, decision_date=D(2025, 11, 1))
    newcomer = BeneficiaryFactory(commune=ward)
    join(later, newcomer, joined_on=D(2025, 1, 1))
    assert recognised_village_by_beneficiary([newcomer.pk], D(2025, 10, 31)) == {}
    assert recognised_village_by_beneficiary([newcomer.pk], D(2025, 11, 1)) == {newcomer.pk: later}
    assert recognised_village_by_beneficiary([], D(2025, 11, 1)) == {}


# --- Pages ----------------------------------------------------------------------------------


def test_the_pages_list_show_and_edit_a_village(client, world, users):
    admin = admin_of(1)
    village = make_village(1, name="Làng gốm Bát Tràng", commune=commune_of(1, "xa"))
    b = BeneficiaryFactory(commune=commune_of(1, "xa"), name="Hợp tác xã Gốm Bát Tràng")
    join(village, b)
    other = make_village(14, name="Làng nghề chè Tà Xùa")
    client.force_login(users["sct-hanoi"])
    body = client.get(reverse("village-list")).content.decode()
    assert "Làng gốm Bát Tràng" in body and "Tà Xùa" not in body
    assert client.get(reverse("village-detail", args=[other.pk])).status_code == 404
    detail = client.get(reverse("village-detail", args=[village.pk])).content.decode()
    assert village.decision_number in detail and "Hợp tác xã Gốm Bát Tràng" in detail
    assert 'data-testid="member-add"' not in detail  # staff read, administrators record
    assert client.get(reverse("village-create")).status_code == 403
    registry = client.get(reverse("beneficiary-detail", args=[b.pk])).content.decode()
    assert "Làng gốm Bát Tràng" in registry  # the establishment's page names its village
    listing = client.get(reverse("beneficiary-list") + "?q=Gốm Bát Tràng").content.decode()
    assert "Làng gốm Bát Tràng" in listing

    client.force_login(admin)
    response = client.get(reverse("village-detail", args=[village.pk]))
    assert 'data-testid="member-add"' in response.content.decode()
    ward_member = BeneficiaryFactory(commune=commune_of(1, "phuong"))
    response = client.post(
        reverse("village-member-add", args=[village.pk]),
        {"beneficiary": ward_member.pk, "joined_on": "2024-03-01"},
    )
    assert response.status_code == 302
    assert VillageMembership.objects.filter(beneficiary=ward_member, village=village).exists()
    response = client.post(
        reverse("village-member-add", args=[village.pk]),
        {"beneficiary": ward_member.pk, "joined_on": "2024-03-01"},
    )
    assert response.status_code == 400  # already a member: not offered, said next to the field
    membership = VillageMembership.objects.get(beneficiary=ward_member)
    client.post(reverse("village-member-leave", args=[membership.pk]), {"left_on": "2025-01-31"})
    membership.refresh_from_db()
    assert membership.left_on == D(2025, 1, 31)

    response = client.post(
        reverse("village-create"),
        {
            "name": "Làng nghề rèn Đa Sỹ",
            "kind": "traditional",
            "sector": Sector.objects.get(code="co-khi").pk,
            "communes": [commune_of(1, "phuong").pk],
            "decision_number": "88/QĐ-UBND",
            "decision_date": "2012-04-02",
            "status": "recognised",
            "decision_file": SimpleUploadedFile("qd.pdf", b"%PDF-1.4 scan", "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = CraftVillage.objects.get(name="Làng nghề rèn Đa Sỹ")
    assert created.province.code == 1 and created.decision_file.name.endswith(".pdf")


# --- Excel import ---------------------------------------------------------------------------


def workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in imports.COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key, "") for c in imports.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("lang-nghe.xlsx", buffer.getvalue())


def test_the_import_previews_with_errors_per_row_then_registers_the_valid_rows(client, world):
    admin = admin_of(14)
    ta_xua = Commune.objects.get(name="Xã Tà Xùa", province__code=14)
    client.force_login(admin)
    template = client.get(reverse("village-import-template"))
    assert template.status_code == 200
    rows = [
        {
            "name": "Làng nghề chè Shan tuyết Tà Xùa",
            "kind": "LNTT",
            "sector": "nong-lam-thuy-san",
            "commune_codes": f"{ta_xua.code:05d}",
            "decision_number": "321/QĐ-UBND",
            "decision_date": "12/08/2019",
        },
        {  # errors: unknown kind, a commune of another province, a date not a date
            "name": "Làng nghề lỗi",
            "kind": "XYZ",
            "sector": "nong-lam-thuy-san",
            "commune_codes": f"{commune_of(1).code:05d}",
            "decision_number": "1/QĐ-UBND",
            "decision_date": "hôm qua",
        },
        {  # the same name again in the file
            "name": "Làng nghề chè Shan tuyết Tà Xùa",
            "kind": "LN",
            "sector": "nong-lam-thuy-san",
            "commune_codes": f"{ta_xua.code:05d}",
            "decision_number": "322/QĐ-UBND",
            "decision_date": "12/08/2019",
        },
    ]
    response = client.post(reverse("village-import"), {"file": workbook(rows)})
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ImportBatch.objects.get(kind="villages")
    assert (batch.row_count, batch.valid_count) == (3, 1)
    assert not CraftVillage.objects.filter(province__code=14).exists()  # nothing yet
    preview = client.get(reverse("village-import-preview", args=[batch.pk])).content.decode()
    assert "Loại" in preview or "LN" in preview
    errors = {r.number: [e["message"] for e in r.errors] for r in batch.rows.all()}
    assert errors[2] == []
    assert any("XYZ" in m for m in errors[3]) and any(
        "hôm qua" in m or "dd/mm/yyyy" in m for m in errors[3]
    )
    assert any("hàng 2" in m or "row 2" in m or "dòng 2" in m for m in errors[4]), errors[4]
    # The registry's import does not see this batch.
    assert client.get(reverse("beneficiary-import-preview", args=[batch.pk])).status_code in (
        403,
        404,
    )
    response = client.post(reverse("village-import-confirm", args=[batch.pk]))
    assert response.status_code == 302
    village = CraftVillage.objects.get(province__code=14)
    assert village.decision_date == D(2019, 8, 12) and list(village.communes.all()) == [ta_xua]
    batch.refresh_from_db()
    assert batch.is_confirmed and batch.created_count == 1
    with pytest.raises(ValidationError):
        services.import_batch_confirm(batch=batch, actor=admin)  # once only


def test_the_beneficiary_page_records_the_village_it_belongs_to(client, world, users):
    b = BeneficiaryFactory(commune=commune_of(1, "phuong"))
    own = make_village(1, name="Làng rèn Đa Sỹ")
    foreign = make_village(14, name="Làng nghề chè Tà Xùa")
    revoked = make_village(1, name="Làng đã thu hồi", revocation_date=D(2020, 1, 1))
    client.force_login(users["sct-hanoi"])  # staff: the link is not offered, the page refused
    assert 'data-testid="join-village"' not in client.get(b.get_absolute_url()).content.decode()
    assert client.get(reverse("village-join", args=[b.pk])).status_code == 403
    client.force_login(admin_of(1))
    assert 'data-testid="join-village"' in client.get(b.get_absolute_url()).content.decode()
    page = client.get(reverse("village-join", args=[b.pk])).content.decode()
    assert own.name in page and foreign.name not in page and revoked.name not in page
    url = reverse("village-join", args=[b.pk])
    refused = client.post(url, {"village": foreign.pk, "joined_on": "2020-01-01"})
    assert refused.status_code == 200 and not VillageMembership.objects.filter(beneficiary=b)
    response = client.post(url, {"village": own.pk, "joined_on": "2020-01-01"})
    assert response.status_code == 302
    assert VillageMembership.objects.get(beneficiary=b).village == own
    assert own.name in client.get(b.get_absolute_url()).content.decode()


def test_the_registry_does_not_import_the_register():
    """Layering: villages imports beneficiaries, never the reverse (the eligibility takes the
    village as an argument; projects.checks, above both, looks it up)."""
    import ast
    from pathlib import Path

    found = []
    for path in Path("beneficiaries").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [f"{path}: {n}" for n in names if n.split(".")[0] == "villages"]
    assert not found, found
