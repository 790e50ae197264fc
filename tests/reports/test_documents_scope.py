"""What goes into a report is limited to what its requester may see (defence in depth:
the job's parameters were validated when it was requested), and the data of a report
takes a fixed number of queries whatever its number of rows. These tests stop at the
HTML (``render_html``); the PDFs are checked in test_documents.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.datasets import compliance_dataset
from programs.models import AnnualPlan, Program
from reference.models import Province
from reports.documents import render_html
from reports.documents.common import ReportDataMissing
from reports.models import ReportJob

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


def job(user, kind, params) -> ReportJob:
    return ReportJob.objects.create(kind=kind, params=params, title="", requested_by=user)


@pytest.fixture
def two_provinces(world, users):
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    return compliance_dataset(
        provinces=[hanoi, sonla], per_province=4, actor=users["admin"], seed=3
    )


@pytest.mark.parametrize(
    "params",
    [
        {"province": None, **PERIOD},  # national-looking
        {"province": "SONLA", **PERIOD},  # another province
    ],
    ids=["national", "other-province"],
)
@pytest.mark.parametrize("kind", ["compliance", "disbursement"])
def test_a_provincial_requester_gets_only_their_own_province(two_provinces, users, kind, params):
    if params["province"] == "SONLA":
        params = {**params, "province": Province.objects.get(code=14).pk}
    html = render_html(job(users["sct-hanoi"], kind, params))
    assert "KCĐP-HNI-2026-0001" in html
    assert "KCĐP-SLA-2026-" not in html
    assert "thành phố Hà Nội" in html
    assert "TỔNG CỘNG (4 đề án)" in html


def test_a_national_requester_may_ask_for_one_province(two_provinces, users):
    sonla = Province.objects.get(code=14)
    html = render_html(job(users["ministry"], "compliance", {"province": sonla.pk, **PERIOD}))
    assert "KCĐP-SLA-2026-0001" in html
    assert "KCĐP-HNI-2026-" not in html
    html = render_html(job(users["ministry"], "compliance", {"province": None, **PERIOD}))
    assert "KCĐP-SLA-2026-0001" in html and "KCĐP-HNI-2026-0001" in html


def test_objects_of_another_province_are_not_reported(two_provinces, users):
    sonla_plan = two_provinces.plans[1]
    sonla_program = two_provinces.programs[1]
    for kind, params in [
        ("disbursement", {"plan": sonla_plan.pk}),
        ("program_results", {"program": sonla_program.pk}),
        ("inspection_record", {"inspection": 0}),
    ]:
        with pytest.raises(ReportDataMissing):
            render_html(job(users["sct-hanoi"], kind, params))


def test_an_unknown_province_is_not_read_as_a_national_report(two_provinces, users):
    with pytest.raises(ReportDataMissing):
        render_html(job(users["ministry"], "compliance", {"province": 999999, **PERIOD}))


def test_the_verification_line_cannot_break_out_of_its_css_string(two_provinces, users, settings):
    settings.PORTAL_BASE_URL = 'https://kc.example.vn/"x</style><h1>'
    report = job(users["ministry"], "compliance", {"province": None, **PERIOD})
    html = render_html(report)
    assert html.count("</style>") == 1 and "<h1>" not in html
    escaped = 'https://kc.example.vn/\\"x\\3C /style\\3E \\3C h1\\3E /reports/verify/'
    assert f"{escaped}?code={report.verification_code}" in html


def test_a_national_plan_read_by_a_province_shows_only_its_own_proposals(two_provinces, users):
    """A provincial user may open the national KCQG plan; the report of it holds only
    the đề án of their province, and not the plan's figures by activity for the whole
    country."""
    from projects.models import Proposal

    national = Program.objects.get(code="kcqg-2026-2030")
    plan = AnnualPlan.objects.create(
        program=national,
        year=2026,
        title="Kế hoạch khuyến công quốc gia năm 2026",
        status="approved",
        decision_number="9/QĐ-BCT",
        decision_date="2025-12-20",
    )
    for sequence, code in enumerate(["KCĐP-HNI-2026-0002", "KCĐP-SLA-2026-0002"], start=1):
        Proposal.objects.filter(code=code).update(plan=plan, sequence=sequence, level="national")
    html = render_html(job(users["sct-hanoi"], "disbursement", {"plan": plan.pk}))
    assert "KCĐP-HNI-2026-0002" in html
    assert "KCĐP-SLA-2026-0002" not in html
    assert "GIẢI NGÂN THEO NỘI DUNG HOẠT ĐỘNG" not in html
    html = render_html(job(users["ministry"], "disbursement", {"plan": plan.pk}))
    assert "KCĐP-SLA-2026-0002" in html and "GIẢI NGÂN THEO NỘI DUNG HOẠT ĐỘNG" in html


def _queries(user, kind, params) -> int:
    report = job(user, kind, params)
    with CaptureQueriesContext(connection) as captured:
        render_html(report)
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "kind,user,params",
    [
        ("compliance", "ministry", {"province": None, **PERIOD}),
        ("compliance", "sct-hanoi", {"province": None, **PERIOD}),
        ("disbursement", "ministry", {"province": None, **PERIOD}),
        ("disbursement", "ttkc-hanoi", {"plan": "PLAN"}),
        ("program_results", "sct-hanoi", {"program": "PROGRAM"}),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_rows(world, users, kind, user, params):
    hanoi, sonla = Province.objects.get(code=1), Province.objects.get(code=14)
    small = compliance_dataset(provinces=[hanoi, sonla], per_province=2, actor=users["admin"])

    def resolved(data):
        return {
            **params,
            **({"plan": data.plans[0].pk} if "plan" in params else {}),
            **({"program": data.programs[0].pk} if "program" in params else {}),
        }

    few = _queries(users[user], kind, resolved(small))
    large = compliance_dataset(
        provinces=[hanoi, sonla], per_province=40, actor=users["admin"], year=2027, seed=9
    )
    if kind == "compliance" or "province" in params:
        params = {**params, "date_to": "2027-12-31"}
    many = _queries(users[user], kind, resolved(large))
    assert many == few
    # The plan report also reads the plan's execution by activity
    # (disbursement.selectors.execution_table), so it takes the most; the count is fixed
    # whatever the number of rows (the assertion above).
    assert many <= 16
