"""A biên bản has one number: typed by the inspector at the conclusion, or given by the
portal (the issuing agency's register, Nghị định 30/2020/NĐ-CP numbering) when the record
is first produced, and then the same on the inspection page, in the PDF, on the
verification page and in the list of reports. A typed number is unique per issuing
agency and year."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from inspections.models import Inspection
from reports import services as reports
from reports.documents import render_html
from reports.models import ReportJob, ReportNumberSequence
from tests.inspections.factories import (
    DAY,
    conclude,
    in_implementation,
    inspector,
    plan,
    record_all,
)
from tests.reports.test_jobs_factories import use_report_media

pytestmark = pytest.mark.django_db
HANOI = 1


def recorded(inspected_on=DAY) -> Inspection:
    return record_all(plan(in_implementation(HANOI)), inspected_on=inspected_on)


def concluded(number="", inspected_on=DAY) -> Inspection:
    return conclude(recorded(inspected_on), number=number)


def ask_for_record(inspection: Inspection) -> ReportJob:
    return reports.report_request(
        actor=inspector(HANOI), kind="inspection_record", params={"inspection": inspection.pk}
    )


def sequence_last(year=DAY.year) -> int:
    row = ReportNumberSequence.objects.filter(issuer=inspector(HANOI).agency, year=year).first()
    return row.last if row else 0


def test_a_typed_number_is_the_number_everywhere(world, client, settings, tmp_path):
    use_report_media(settings, tmp_path)
    inspection = concluded(number="07/BB-KT")
    assert (inspection.number_issuer, inspection.number_year) == (inspector(HANOI).agency, 2026)
    job = ask_for_record(inspection)
    assert job.number == "07/BB-KT"
    assert sequence_last() == 0  # the register gives no second number to this record
    assert "Số: 07/BB-KT" in render_html(job)
    assert reports.report_run(job.pk) == "done"
    job.refresh_from_db()

    client.force_login(inspector(HANOI))
    page = client.get(reverse("inspection-detail", args=[inspection.pk])).content.decode()
    assert "07/BB-KT" in page
    listing = client.get(reverse("report-list")).content.decode()
    assert "07/BB-KT" in listing
    verify = client.get(reverse("report-verify"), {"code": job.verification_code})
    assert "07/BB-KT" in verify.content.decode()
    assert job.issuer == inspector(HANOI).agency
    assert job.issuer.name in verify.content.decode()


def test_the_record_is_issued_by_the_inspection_teams_agency_whoever_asks(world):
    from accounts.models import User

    inspection = concluded()
    ministry = User.objects.get(username="ministry")
    job = reports.report_request(
        actor=ministry, kind="inspection_record", params={"inspection": inspection.pk}
    )
    assert job.number == "01/BB-SCT" and job.issuer == inspector(HANOI).agency
    html = render_html(job)
    assert "Số: 01/BB-SCT" in html
    assert "UBND thành phố Hà Nội" in html and "Sở Công Thương" in html


def test_without_a_typed_number_the_portal_gives_one_once(world):
    inspection = concluded()
    assert inspection.number == ""
    first = ask_for_record(inspection)
    again = ask_for_record(inspection)
    inspection.refresh_from_db()
    assert first.number == again.number == inspection.number == "01/BB-SCT"
    assert (inspection.number_issuer, inspection.number_year) == (inspector(HANOI).agency, 2026)
    assert sequence_last() == 1
    assert "Số: 01/BB-SCT" in render_html(again)


def test_the_number_comes_from_the_register_of_the_year_of_the_inspection(world):
    inspection = concluded(inspected_on=datetime.date(2025, 12, 29))
    assert ask_for_record(inspection).number == "01/BB-SCT"
    assert sequence_last(2025) == 1 and sequence_last(2026) == 0


def test_a_given_number_skips_one_already_typed(world):
    concluded(number="01/BB-SCT")
    other = concluded()
    assert ask_for_record(other).number == "02/BB-SCT"


def test_a_draft_record_has_no_number_yet(world):
    inspection = recorded()
    job = ask_for_record(inspection)
    inspection.refresh_from_db()
    assert job.number == "" and inspection.number == ""
    assert sequence_last() == 0
    html = render_html(job)
    assert "/BB-SCT" in html and "Số: 01" not in html
    assert "Dự thảo" in html


def test_a_typed_number_is_unique_per_issuing_agency_and_year(world):
    concluded(number="07/BB-KT")
    with pytest.raises(ValidationError) as refused:
        concluded(number="07/bb-kt")  # the same number in other letters
    assert "07/bb-kt" in refused.value.message_dict["number"][0]
    # Another year of the same agency: a new register.
    assert concluded(number="07/BB-KT", inspected_on=datetime.date(2025, 12, 1)).number
    # Another agency (the centre) in the same year.
    from accounts.models import Agency

    centre = Agency.objects.get(kind="promotion_centre", province__code=HANOI)
    other = concluded()
    Inspection.objects.filter(pk=other.pk).update(
        number="07/BB-KT", number_issuer=centre, number_year=2026
    )
    assert Inspection.objects.filter(number__iexact="07/BB-KT").count() == 3


def test_the_database_refuses_a_number_twice_for_one_agency_and_year(world):
    first = concluded(number="07/BB-KT")
    second = concluded()
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.filter(pk=second.pk).update(
            number="07/bb-KT", number_issuer=first.number_issuer, number_year=2026
        )


def test_the_page_says_so_next_to_the_field(world, client):
    concluded(number="07/BB-KT")
    inspection = recorded()
    client.force_login(inspector(HANOI))
    data = {
        "version": inspection.version,
        "inspected_on": DAY.isoformat(),
        "team": inspection.team,
        "conclusion": "compliant",
        "conclusion_text": "Đúng quy định.",
        "number": "07/BB-KT",
        "action": "conclude",
        "confirmed": "1",
    }
    for answer in inspection.answers.all():
        data[f"result_{answer.pk}"] = answer.result
        data[f"note_{answer.pk}"] = answer.note
    response = client.post(reverse("inspection-detail", args=[inspection.pk]), data)
    assert response.status_code == 400
    assert "07/BB-KT" in response.context["record_form"].errors["number"][0]
    inspection.refresh_from_db()
    assert inspection.status == "recorded" and inspection.number == ""
