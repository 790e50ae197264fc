"""Each user sees only what their role and province allow — on every URL that exists.

The URL patterns are enumerated from the resolver, so a page added later is covered
without editing this file: a pattern with an object id must have a builder in
OBJECT_BUILDERS (the test fails and says so until it does)."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.models import Agency, User
from beneficiaries.models import Beneficiary, ImportBatch
from cycle.models import Call, PlanDecision, RegistrationBatch
from history.models import HistoryImport
from inspections.models import Inspection, InspectionPhoto, Recommendation
from periodic.models import PeriodicReport, ReportingDeadline, ReportVersion
from priorities.models import BeneficiaryDeclaration, ProposalDeclaration
from programs.catalogue import CERTIFICATE_INDICATOR
from programs.models import AnnualPlan, Indicator, Program, SupportCap
from projects.models import (
    AppraisalCouncil,
    Attachment,
    CouncilProposal,
    Proposal,
    ProposalOutput,
)
from reference.models import Commune, Province
from reports.models import ReportJob
from tests.beneficiaries import factories as beneficiary_factories
from tests.cycle import factories as cycle_factories
from tests.inspections import factories as inspection_factories
from tests.periodic import factories as periodic_factories
from tests.priorities import factories as priority_factories
from tests.programs import factories
from tests.projects import factories as proposal_factories
from tests.reports.test_jobs_factories import done_job_in
from tests.typical_products import factories as typical_factories
from tests.villages import factories as village_factories
from typical_products.models import Entry, SelectionRound
from villages.models import CraftVillage, VillageImportBatch, VillageMembership

PROVINCIAL_USERS = ["sct-hanoi", "ttkc-hanoi", "inspector-hanoi"]
HANOI, SONLA = 1, 14

# Views reachable without logging in, by URL name.
PUBLIC = {"login", "healthz", "set_language", "report-verify", "favicon"}
# Views every logged-in user may use on their own account; they show no province data.
SELF_SERVICE = {
    "logout",
    "password_change",
    "password_change_done",
    # Two-step sign-in of the account itself (accounts.twofactor).
    "second-factor-setup",
    "second-factor-verify",
    "second-factor-backup-codes",
}
SKIPPED_NAMESPACES = {"admin"}  # Django admin: tested separately (administrators only)


def _object_in(model, province_code):
    province = Province.objects.get(code=province_code)
    if model is Province:
        return province
    if model is Agency:
        return Agency.objects.get(kind="department", province=province)
    if model is Commune:
        return Commune.objects.filter(province=province).first()
    if model is User:
        return User.objects.filter(agency__province=province).first()
    if model is Program:
        return factories.local_program(province)
    if model is AnnualPlan:
        return factories.draft_plan(province)
    if model is SupportCap:
        return factories.local_cap(province)
    if model is Beneficiary:
        return beneficiary_factories.beneficiary_in(province)
    if model is ImportBatch:
        return beneficiary_factories.import_batch_in(province)
    if model is Proposal:
        return _proposal_in(province)
    if model is Attachment:
        return _proposal_in(province).attachments.first()
    if model is Inspection:
        return inspection_factories.inspection_in(province)
    if model is InspectionPhoto:
        return inspection_factories.inspection_in(province).photos.first()
    if model is Recommendation:
        return inspection_factories.inspection_in(province).recommendations.first()
    if model is ReportJob:
        return done_job_in(province)
    if model is AppraisalCouncil:
        return _council_in(province)
    if model is CouncilProposal:
        return _council_in(province).proposal_links.first()
    if model is Call:
        return cycle_factories.local_call_in(province)
    if model is RegistrationBatch:
        return cycle_factories.batch_in(province)
    if model is PlanDecision:
        return cycle_factories.decision_in(province)
    if model is PeriodicReport:
        return periodic_factories.signed_version_in(province).report
    if model is ReportVersion:
        return periodic_factories.signed_version_in(province)
    if model is ReportingDeadline:
        return ReportingDeadline.objects.first()
    if model is HistoryImport:
        return _history_import_in(province)
    if model is BeneficiaryDeclaration:
        return priority_factories.beneficiary_declaration_in(province)
    if model is ProposalDeclaration:
        return priority_factories.proposal_declaration_in(_proposal_in(province))
    if model is SelectionRound:
        return typical_factories.provincial_round(province.code)
    if model is Entry:
        round_ = typical_factories.provincial_round(province.code)
        return round_.entries.first() or typical_factories.entered(round_)
    if model is ProposalOutput:
        output, _ = ProposalOutput.objects.get_or_create(
            proposal=_proposal_in(province),
            indicator=Indicator.objects.get(code=CERTIFICATE_INDICATOR),
            defaults={"target_value": 1},
        )
        return output
    if model is CraftVillage:
        return village_factories.village_in(province)
    if model is VillageMembership:
        return village_factories.membership_in(province)
    if model is VillageImportBatch:
        return village_factories.village_import_in(province)
    return None


def _history_import_in(province):
    """An uploaded (not yet checked) import of past records of the province's Sở."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from history.services import history_upload
    from history.workbook import template_workbook

    existing = HistoryImport.objects.filter(province=province).first()
    if existing:
        return existing
    officer = User.objects.get(
        agency__province=province, agency__kind="department", role="province_staff"
    )
    upload = SimpleUploadedFile("ho-so.xlsx", template_workbook(catalogue={}))
    return history_upload(actor=officer, upload=upload)


def _council_in(province):
    """An appraisal council of the province's Sở with a submitted đề án before it."""
    existing = AppraisalCouncil.objects.filter(agency__province=province).first()
    if existing:
        return existing
    proposal = proposal_factories.advance(
        proposal_factories.make_proposal(province.code, year=2029), "submitted"
    )
    return proposal_factories.council_for(proposal, proposal_factories.staff_of(province.code))


def _proposal_in(province):
    """A draft đề án of the province with its documents attached (built once). Its plan is
    of another year than the AnnualPlan builder's draft, which must stay a draft."""
    existing = Proposal.objects.filter(province=province).first()
    return existing or proposal_factories.make_proposal(province.code, year=2029)


OBJECT_BUILDERS = {
    *(Province, Agency, Commune, User, Program, AnnualPlan, SupportCap),
    *(Beneficiary, ImportBatch),
    *(Proposal, Attachment, AppraisalCouncil, CouncilProposal),
    *(Inspection, InspectionPhoto, Recommendation),
    ReportJob,
    *(Call, RegistrationBatch, PlanDecision),
    *(PeriodicReport, ReportVersion, ReportingDeadline),
    HistoryImport,
    *(BeneficiaryDeclaration, ProposalDeclaration),
    *(SelectionRound, Entry, ProposalOutput),
    *(CraftVillage, VillageMembership, VillageImportBatch),
}


def _text_of(response) -> str:
    """A page's text, or the cell values of an Excel download (exports are checked too)."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if not response["Content-Type"].startswith(("text/", "application/json")):
        return ""  # a downloaded file (PDF, image): not a page that could list Sơn La data
    return response.content.decode()


def iter_patterns(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from iter_patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, entry


def _view_class(pattern):
    return getattr(pattern.callback, "view_class", None)


def all_patterns():
    return [(name, p) for name, p in iter_patterns() if not str(p.pattern).startswith("static")]


def test_every_pattern_is_named():
    unnamed = [str(p.pattern) for name, p in all_patterns() if not name]
    assert not unnamed, f"unnamed URL patterns cannot be checked: {unnamed}"


def test_every_view_declares_a_permission():
    """The policy module is the one gate: every page names the action it needs."""
    missing = []
    for name, pattern in all_patterns():
        if name in PUBLIC | SELF_SERVICE:
            continue
        view_class = _view_class(pattern)
        permission = getattr(view_class, "permission", None) or getattr(
            pattern.callback, "policy_permission", None
        )
        if not permission:
            missing.append(name)
    assert not missing, f"views without a declared permission: {missing}"


def _url_for(name, pattern, obj):
    converters = pattern.pattern.converters
    if not converters:
        return reverse(name)
    assert set(converters) == {"pk"}, f"{name}: teach this test the arguments {set(converters)}"
    return reverse(name, kwargs={"pk": obj.pk})


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(world, client):
    for name, pattern in all_patterns():
        if name in PUBLIC:
            continue
        model = getattr(_view_class(pattern), "model", None)
        obj = _object_in(model, HANOI) if model else None
        url = _url_for(name, pattern, obj)
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"] == redirect_to_login(url)["Location"], name


@pytest.mark.django_db
@pytest.mark.parametrize("username", PROVINCIAL_USERS)
def test_provincial_user_cannot_reach_other_province_objects(world, client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    other_markers = [a.name for a in Agency.objects.filter(province__code=SONLA)] + [
        u.get_full_name() for u in User.objects.filter(agency__province__code=SONLA)
    ]
    # Establishments' tax codes are unique nationwide: one of Sơn La's on a page is a leak.
    other_markers += Beneficiary.objects.filter(
        province__code=SONLA, tax_code__isnull=False
    ).values_list("tax_code", flat=True)
    checked_objects = opened_own = 0
    for name, pattern in all_patterns():
        if name in PUBLIC or name in SELF_SERVICE:
            continue
        converters = pattern.pattern.converters
        if converters:
            model = getattr(_view_class(pattern), "model", None)
            assert model in OBJECT_BUILDERS, (
                f"{name}: add a builder for {model} to OBJECT_BUILDERS so isolation is tested"
            )
            foreign_url = _url_for(name, pattern, _object_in(model, SONLA))
            own = client.get(_url_for(name, pattern, _object_in(model, HANOI)))
            if own.status_code == 405:
                # An action that only takes POST: a foreign object must not be reachable.
                foreign = client.post(foreign_url)
            else:
                assert own.status_code in (200, 403), f"{name}: {username} gets {own.status_code}"
                opened_own += own.status_code == 200
                foreign = client.get(foreign_url)
            assert foreign.status_code in (403, 404), f"{name} leaks Sơn La to {username}"
            checked_objects += 1
        else:
            response = client.get(reverse(name))
            assert response.status_code in (200, 403, 405), name
            if response.status_code == 200:
                body = _text_of(response)
                leaked = [m for m in other_markers if m and m in body]
                assert not leaked, f"{name} shows Sơn La data to {username}: {leaked}"
    assert checked_objects >= 2  # the object pages exist and were exercised
    assert opened_own >= 5  # and the user's own objects open (the test is not vacuous)


@pytest.mark.django_db
def test_ministry_user_sees_every_province(world, client):
    client.force_login(User.objects.get(username="ministry"))
    for code in (HANOI, SONLA, 66):
        province = Province.objects.get(code=code)
        assert client.get(reverse("province-detail", args=[province.pk])).status_code == 200
        agency = Agency.objects.get(kind="promotion_centre", province=province)
        assert client.get(reverse("agency-detail", args=[agency.pk])).status_code == 200


@pytest.mark.django_db
def test_commune_options_are_limited_to_own_province(world, client):
    client.force_login(User.objects.get(username="sct-hanoi"))
    sonla = Province.objects.get(code=SONLA)
    response = client.get(reverse("commune-options"), {"province": sonla.pk})
    assert response.status_code == 200
    foreign_ids = set(Commune.objects.filter(province=sonla).values_list("pk", flat=True))
    shown = {int(v) for v in re.findall(r'value="(\d+)"', response.content.decode())}
    assert not shown & foreign_ids
    own = client.get(reverse("commune-options"), {"q": "Hoàn Kiếm"})
    assert "Hoàn Kiếm" in own.content.decode()


@pytest.mark.django_db
def test_commune_options_rejects_a_malformed_province(world, client):
    client.force_login(User.objects.get(username="sct-hanoi"))
    response = client.get(reverse("commune-options"), {"province": "abc"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_admin_is_for_administrators_only(world, client):
    for username in ["sct-hanoi", "ttkc-hanoi", "ministry", "inspector-hanoi"]:
        client.force_login(User.objects.get(username=username))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302, username
        assert "/admin/login/" in response["Location"]
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("admin:index")).status_code == 200
