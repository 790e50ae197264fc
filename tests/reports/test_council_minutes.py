"""Biên bản họp hội đồng thẩm định: the minutes of a council, read back from the PDF."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from projects import services
from reports.documents import render_report
from reports.services import report_request
from tests.projects.factories import (
    S,
    advance,
    council_for,
    council_seats,
    make_proposal,
    score_sheet,
    staff,
    tmp_media,  # noqa: F401
    user_with,
)
from tests.reports.documents_support import Rendered, save_artifacts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
SONLA = 14


def concluded_council():
    sct = staff(SONLA)
    first = advance(make_proposal(SONLA, title="Hỗ trợ máy sấy chè"), S.SUBMITTED)
    second = advance(make_proposal(SONLA, title="Đào tạo nghề đan lát"), S.SUBMITTED)
    chair, secretary = council_seats(sct.agency)
    member = user_with(Role.INSPECTOR, SONLA)
    chair.first_name, chair.last_name, chair.position = "Sơn", "Quàng Văn", "Phó Giám đốc Sở"
    chair.save()
    secretary.first_name, secretary.last_name = "Mai", "Lường Thị"
    secretary.save()
    council = council_for(
        [first, second],
        sct,
        members=[(chair, "chair"), (secretary, "secretary"), (member, "member")],
    )
    links = {link.proposal_id: link for link in council.proposal_links.all()}
    for user, mark in ((chair, 9), (secretary, 8), (member, 7)):
        score_sheet(links[first.pk], user, score=mark)
        score_sheet(links[second.pk], user, "reject", score=4)
    services.council_conclude(
        link=links[first.pk], actor=chair, recommendation="approve", opinions="Đề án khả thi."
    )
    services.council_conclude(
        link=links[second.pk],
        actor=secretary,
        recommendation="reject",
        opinions="Dự toán chưa hợp lý.",
    )
    return services.council_close(council=council, actor=chair), first, second


def test_the_minutes_print_members_scores_averages_conclusions_and_signatures(world):
    council, first, second = concluded_council()
    job = report_request(actor=staff(SONLA), kind="council_minutes", params={"council": council.pk})
    calls: list[int] = []
    doc = Rendered(job, render_report(job, progress=calls.append), calls)
    save_artifacts("council_minutes", doc)
    flat = doc.flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "BIÊN BẢN" in doc.text
    assert "SỞ CÔNG THƯƠNG" in flat.upper()
    assert f"Số: {job.number}" in flat and job.number.endswith("/BB-SCT")
    assert job.number == type(council).objects.get(pk=council.pk).minutes_number
    assert "ngày 05 tháng 11 năm 2026" in flat  # the meeting day, NĐ 30/2020
    assert "Quyết định số 12/QĐ-SCT ngày 01/11/2026" in flat
    assert "Quàng Văn Sơn, Phó Giám đốc Sở — Chủ tịch" in flat
    assert "Hình thức thẩm định: Hội đồng thẩm định" in flat
    assert "Lường Thị Mai" in flat
    assert first.code in flat and second.code in flat
    assert "90,00" in flat and "80,00" in flat and "70,00" in flat  # each member's score
    assert "Điểm trung bình 80,00" in flat and "Điểm trung bình 40,00" in flat
    assert "Kết luận: Đề nghị phê duyệt" in flat and "Đề án khả thi." in flat
    assert "Kết luận: Đề nghị không phê duyệt" in flat and "Dự toán chưa hợp lý." in flat
    assert "THƯ KÝ" in flat and "CHỦ TỊCH HỘI ĐỒNG" in flat
    # Asked again: the same number.
    again = report_request(
        actor=staff(SONLA), kind="council_minutes", params={"council": council.pk}
    )
    assert again.number == job.number


def test_minutes_only_of_a_concluded_council_for_its_members_and_organisers(world):
    sct = staff(SONLA)
    proposal = advance(make_proposal(SONLA), S.SUBMITTED)
    council = council_for(proposal, sct)
    with pytest.raises(ValidationError):
        report_request(actor=sct, kind="council_minutes", params={"council": council.pk})
    council, _first, _second = concluded_council()
    with pytest.raises(PermissionDenied):  # another province
        report_request(actor=staff(66), kind="council_minutes", params={"council": council.pk})
    with pytest.raises(PermissionDenied):  # the province's centre has no part in it
        report_request(
            actor=staff(SONLA, role=Role.CENTRE_STAFF),
            kind="council_minutes",
            params={"council": council.pk},
        )
