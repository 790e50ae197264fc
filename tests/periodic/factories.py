"""Periodic reports for other tests (isolation of every URL): a province's six-month report
with its latest version signed, its scan stored."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from periodic import services
from periodic.models import PeriodicReport, ReportVersion
from tests.projects.factories import staff_of


def signed_version_in(province) -> ReportVersion:
    existing = ReportVersion.objects.filter(
        report__province=province, status=ReportVersion.Status.SIGNED
    ).first()
    if existing:
        return existing
    user = staff_of(province.code)
    report = PeriodicReport.objects.filter(province=province, kind="six_month", year=2026).first()
    report = report or services.report_start(
        actor=user, kind="six_month", province=province, year=2026
    )
    version = services.version_review(version=report.versions.get(), actor=user)
    return services.version_sign(
        version=version,
        actor=user,
        document_number="12/BC-SCT",
        signed_on=datetime.date(2026, 7, 10),
        signer="Giám đốc Sở",
        scan=SimpleUploadedFile("ky.pdf", b"%PDF-1.4 signed", content_type="application/pdf"),
    )
