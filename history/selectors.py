"""Reads of the history imports, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.policies import visible
from history.models import HistoryImport, HistoryIssue
from programs.models import Activity, Indicator


def history_import_list(*, user) -> QuerySet[HistoryImport]:
    return visible(user, HistoryImport.objects.select_related("province", "created_by"))


def history_issues(*, job: HistoryImport, limit: int) -> list[HistoryIssue]:
    """The first ``limit`` problems, errors first, in the order they were found."""
    return list(job.issues.order_by("severity", "id")[:limit])


def template_catalogue() -> dict[str, list[tuple[str, str]]]:
    """The codes the workbook's cells name, for its "Danh mục" sheet."""
    from beneficiaries.imports import LEGAL_FORM_CODES, LEGAL_FORM_NAMES
    from beneficiaries.models import Sector

    return {
        "Nội dung hoạt động khuyến công": [(a.code, a.name) for a in Activity.objects.all()],
        "Chỉ tiêu": [(i.code, f"{i.name} ({i.unit})") for i in Indicator.objects.all()],
        "Loại hình cơ sở": [
            (LEGAL_FORM_CODES[form], LEGAL_FORM_NAMES[form]) for form in LEGAL_FORM_CODES
        ],
        "Ngành nghề": [(s.code, s.name) for s in Sector.objects.all()],
    }
