"""Hostile input reaching the forms and query parameters: numbers a column cannot hold,
control characters, a username no account can have. Each is refused or cleaned with a
message, never a 500, and nothing is saved. (Spreadsheet injection and zip bombs are
tested with the exports and the import: tests/*/test_export*, test_import.)"""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from accounts.models import User
from beneficiaries.models import Beneficiary, LegalForm, Sector
from core.forms import DatabaseBoundsMixin, VNDField, column_range
from projects.models import ProposalOutput
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of, valid_tax_code
from tests.projects.factories import make_proposal
from tests.projects.test_views import SONLA, form_data

HUGE = str(10**30)
BIGINT_MAX = 2**63 - 1


def login(client, username) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


# --- Numbers the database cannot hold ----------------------------------------------------


def _beneficiary_post(commune, **overrides):
    return {
        "name": "Hợp tác xã Dệt thổ cẩm Bản Mòng",
        "legal_form": LegalForm.COOPERATIVE,
        "tax_code": valid_tax_code(),
        "commune": commune.pk,
        "sector": Sector.objects.get(code="det-may-da-giay").pk,
        "workers": "25",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("workers", [HUGE, str(2**31)])
def test_workers_beyond_the_column_are_a_form_error(client, users, workers):
    login(client, "sct-sonla")
    before = Beneficiary.objects.count()
    response = client.post(
        reverse("beneficiary-create"), _beneficiary_post(commune_of(14), workers=workers)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["workers"]
    assert errors == ["Số quá lớn: tối đa 2.147.483.647."]
    assert Beneficiary.objects.count() == before


@pytest.mark.django_db
def test_the_largest_worker_count_the_column_holds_is_saved(client, users):
    login(client, "sct-sonla")
    response = client.post(
        reverse("beneficiary-create"), _beneficiary_post(commune_of(14), workers="2147483647")
    )
    assert response.status_code == 302
    assert Beneficiary.objects.filter(workers=2_147_483_647).exists()


def _proposal_post(proposal, *, share="100.000.000", outputs=None):
    beneficiary = BeneficiaryFactory(commune=commune_of(SONLA))
    return form_data(proposal, beneficiaries=[(beneficiary, share)], outputs=outputs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "post,where",
    [
        ({"share": HUGE}, "beneficiaries"),
        ({"outputs": {"models": HUGE}}, "outputs"),
        ({"outputs": {"trainees": HUGE}}, "outputs"),
    ],
)
def test_huge_numbers_in_the_proposal_form_are_form_errors(world, client, post, where):
    proposal = make_proposal(SONLA, attach=False)
    version = proposal.version
    login(client, "sct-sonla")
    response = client.post(
        reverse("proposal-edit", args=[proposal.pk]), _proposal_post(proposal, **post)
    )
    assert response.status_code == 400
    if where == "beneficiaries":
        errors = response.context["beneficiaries"].forms[0].errors["support_amount"]
    else:
        form = response.context["outputs"]
        errors = next(e for name, e in form.errors.items() if name.startswith("target_"))
    assert errors == ["Số quá lớn: tối đa 9.223.372.036.854.775.807."]
    proposal.refresh_from_db()
    assert proposal.version == version
    assert not ProposalOutput.objects.filter(proposal=proposal).exclude(target_value__lt=10**6)


def test_bounds_come_from_the_model_fields():
    assert column_range(Beneficiary, "workers") == (0, 2_147_483_647)
    assert column_range(ProposalOutput, "target_value") == (0, BIGINT_MAX)

    class Form(DatabaseBoundsMixin, forms.Form):
        db_model = Beneficiary
        db_columns = {"target_*": (ProposalOutput, "target_value")}
        workers = forms.IntegerField()
        target_models = forms.IntegerField()
        target_trainees = forms.IntegerField(max_value=100)  # a tighter bound stays
        anything = forms.IntegerField()
        money = VNDField()

    data = {
        "workers": "-1",
        "target_models": str(BIGINT_MAX + 1),
        "target_trainees": "101",
        "anything": HUGE,
        "money": HUGE,
    }
    form = Form(data)
    assert set(form.errors) == set(data)
    assert Form({k: "0" for k in data}).is_valid()
    assert Form({**{k: "0" for k in data}, "target_models": str(BIGINT_MAX)}).is_valid()


# --- Control characters in queries and forms ---------------------------------------------


@pytest.mark.django_db
def test_a_nul_in_a_search_box_answers_200(world, client):
    login(client, "sct-sonla")
    sonla = Province.objects.get(code=SONLA)
    for url, params in [
        (reverse("beneficiary-list"), {"q": "ch\x00e"}),
        (reverse("beneficiary-export"), {"q": "\x00"}),
        (reverse("proposal-beneficiary-search"), {"q": "Hợp tác\x00 xã"}),
        (reverse("proposal-beneficiary-search"), {"ben-0-label": "01\x00"}),
        (reverse("commune-options"), {"province": f"{sonla.pk}\x00", "q": "T\x00à"}),
        (reverse("proposal-list"), {"q": "\x00\x01\x1f"}),
    ]:
        assert client.get(url, params).status_code == 200, url


@pytest.mark.django_db
def test_control_characters_are_stripped_from_posted_text(client, users):
    login(client, "sct-sonla")
    response = client.post(
        reverse("beneficiary-create"),
        _beneficiary_post(commune_of(14), name="Hợp tác xã\x00 Bản\x07 Mòng", address="Bản\tMòng"),
    )
    assert response.status_code == 302
    saved = Beneficiary.objects.get(name="Hợp tác xã Bản Mòng")
    assert saved.address == "Bản\tMòng"  # tab, line feed and carriage return are text


# --- Login ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("length", [151, 300, 5000])
def test_a_username_no_account_can_have_is_a_form_error(world, client, length):
    response = client.post(reverse("login"), {"username": "a" * length, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert response.wsgi_request.user.is_anonymous


@pytest.mark.django_db
def test_a_nul_in_the_username_is_a_failed_login_not_a_500(world, client):
    response = client.post(reverse("login"), {"username": "sct-\x00sonla", "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
