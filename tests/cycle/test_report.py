"""The registration report (báo cáo đăng ký) through the reports app: the batch's report
sections and its đề án with their grassroots scores, for the Sở of the province."""

import pytest
from django.core.exceptions import PermissionDenied

from reports import documents, services
from reports.documents import render_report
from tests.cycle.factories import appraised_national, batch_with, open_call
from tests.projects.factories import plan_for, staff_of
from tests.reports.documents_support import Rendered, save_artifacts

pytestmark = pytest.mark.django_db


def test_the_registration_report_lists_the_batch_with_its_scores(world):
    call = open_call(plan_for(14, national=True))
    proposals = [appraised_national(14, call=call) for _ in range(2)]
    batch = batch_with(proposals, call)
    batch.previous_year_results = "Năm trước thực hiện 6 đề án."
    batch.save()
    job = services.report_request(
        actor=staff_of(14), kind="registration", params={"batch": batch.pk}
    )
    assert job.province.code == 14 and "đăng ký kế hoạch khuyến công quốc gia" in job.title
    html = documents.render_html(job)
    assert "IV. DANH SÁCH ĐỀ ÁN ĐỀ NGHỊ" in html and "Năm trước thực hiện 6 đề án." in html
    for proposal in proposals:
        assert proposal.code in html
    assert "80,00" in html  # the grassroots weighted score
    assert "600.000.000" in html  # KCQG asked, in total
    # The PDF itself, read back: the official header, the report's number, every đề án.
    doc = Rendered(job, render_report(job, progress=lambda _p: None), [])
    save_artifacts("registration_report", doc)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.flat
    assert f"Số: {job.number}" in doc.flat
    assert all(p.code in doc.flat for p in proposals)
    with pytest.raises(PermissionDenied):
        services.report_request(actor=staff_of(66), kind="registration", params={"batch": batch.pk})
