"""Builders for the report-job tests (and tests/test_isolation.py): inspections to make a
record of, report jobs requested through the service and run through the real renderer,
and a temporary storage for the files."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone

from accounts.models import Agency, Role, User
from inspections.models import Inspection
from reference.models import Province
from reports import services
from reports.models import ReportJob

DAY = datetime.date(2026, 11, 22)


def storage_settings(location: Path) -> dict:
    backend = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location)},
    }
    return {"default": backend, "reports": backend}


def use_report_media(settings, tmp_path) -> Path:
    """Report files of a test go to a temporary directory, not the portal's media (for a
    ``report_media`` fixture in each test module)."""
    root = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, **storage_settings(root)}
    return root


def report_files(root: Path) -> list[Path]:
    """The reports' PDFs under ``root`` (one per job, whatever the runs)."""
    return sorted(p for p in (root / "reports").rglob("*.pdf") if p.is_file())


def word_copies(root: Path) -> list[Path]:
    """The Word copies stored beside the PDFs (one per job too)."""
    return sorted(p for p in (root / "reports").rglob("*.docx") if p.is_file())


def user_in(province_code: int | None, role: str, *, kind: str = "department") -> User:
    """A user of ``role`` in the province's Sở (or ``kind``), or in the ministry."""
    if province_code is None:
        agency = Agency.objects.get(kind="ministry_department")
    else:
        agency = Agency.objects.get(kind=kind, province__code=province_code)
    username = f"report-{role}-{province_code or 'bct'}-{kind}"
    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "agency": agency, "last_name": "Thử"}
    )
    return user


def viewer(province_code: int) -> User:
    return user_in(province_code, Role.VIEWER)


def inspection_in(province_code: int, *, status: str = "concluded") -> Inspection:
    """An inspection of an approved đề án of the province (recorded, concluded...)."""
    from tests.disbursement.factories import approved

    proposal = approved(province_code)
    author = User.objects.get(
        agency__province__code=province_code, agency__kind="department", role="province_staff"
    )
    concluded = status == "concluded"
    return Inspection.objects.create(
        proposal=proposal,
        kind=Inspection.Kind.PERIODIC,
        status=status,
        planned_on=DAY,
        inspected_on=DAY if status in ("recorded", "concluded") else None,
        place="Trụ sở cơ sở thụ hưởng",
        team="Phạm Thanh Bình, Thanh tra viên, Sở Công Thương\nLê Quang Hùng, Cán bộ, TTKC",
        inspected_party="Nguyễn Văn An, Chủ cơ sở",
        conclusion="compliant" if concluded else "",
        conclusion_text="Sử dụng kinh phí đúng đối tượng, đúng mục đích." if concluded else "",
        created_by=author,
        concluded_by=author if concluded else None,
        concluded_at=timezone.now() if concluded else None,
    )


def compliance_params(province: Province | None, year: int = 2026) -> dict:
    return {
        "province": province.pk if province else None,
        "date_from": f"{year}-01-01",
        "date_to": f"{year}-12-31",
    }


def done_job_in(province: Province) -> ReportJob:
    """A finished report of the province (built once): requested by its Sở and produced
    in-process through the real renderer."""
    existing = ReportJob.objects.filter(province=province, status="done").first()
    if existing:
        return existing
    actor = User.objects.get(
        agency__province=province, agency__kind="department", role="province_staff"
    )
    job = services.report_request(
        actor=actor, kind="compliance", params=compliance_params(province)
    )
    assert services.report_run(job.pk) == "done", ReportJob.objects.get(pk=job.pk).error
    return ReportJob.objects.get(pk=job.pk)
