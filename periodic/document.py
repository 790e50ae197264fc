"""The periodic report as an official document (PDF and Word, through the report jobs of
``reports``): the Sở's (or the Cục's) report with its tables and narrative, numbered and
dated as signed, or marked as a draft before it is signed. Registered with ``reports`` in
``PeriodicConfig.ready()`` (kind "periodic", params {"version": id})."""

from __future__ import annotations

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import Agency
from accounts.policies import visible
from core.formatting import amount_in_words
from reports.documents.common import ReportDataMissing, base_context, roman
from reports.services import Resolved, report_object, where

from . import rules, services
from .models import ReportVersion
from .presentation import headings, present

TEMPLATE = "pdf/reports/periodic.html"
DOC_TYPE = "Báo cáo"


def resolve(actor, params: dict) -> Resolved:
    """Check the parameters of a report job on a version, as every kind's are checked: the
    version exists and is of a province the requester may report on; a signed version keeps
    its own number, a draft has none yet."""
    version = report_object(
        actor,
        ReportVersion.objects.select_related("report__province", "report__program"),
        params,
        "version",
    )
    report = version.report
    title = rules.document_title(
        report.kind, report.year, report.program.start_year if report.program else None
    )
    return Resolved(
        params={"version": version.pk},
        province=report.province,
        title=(
            f"Báo cáo {title[:1].lower()}{title[1:]} {where(report.province)} "
            f"(phiên bản {version.number})"
        ),
        number=version.document_number,
    )


def _issuer(report) -> Agency | None:
    """The report is the Sở's (whoever of the province asks for its copy), or the Cục's."""
    kind = Agency.Kind.MINISTRY_DEPARTMENT if report.is_national else Agency.Kind.DEPARTMENT
    return Agency.objects.filter(kind=kind, province=report.province).order_by("pk").first()


def build(job) -> dict:
    user = job.requested_by
    version = (
        visible(user, ReportVersion.objects.all())
        .select_related("report__province", "report__program")
        .filter(pk=(job.params or {}).get("version"))
        .first()
    )
    if version is None:
        raise ReportDataMissing(_("The report does not exist or you may not see it."))
    report = version.report
    if version.is_frozen:
        data = version.figures
        sources = list(version.sources.select_related("report__province"))
    else:
        data, sources = services.live_figures(report)
    tables = present(data, report.kind)
    title = rules.document_title(
        report.kind, report.year, report.program.start_year if report.program else None
    )
    context = base_context(
        job,
        doc_type=DOC_TYPE,
        default_summary=title,
        landscape=True,
        number=version.document_number,
        issued_on=version.signed_on,
        issuer=_issuer(report),
    )
    context["title"] = title
    if version.signer:
        context["closing"]["name"] = version.signer
    if version.signer_title:
        context["closing"]["role"] = version.signer_title
    context.update(
        {
            "report": report,
            "version": version,
            "draft": not version.is_frozen,
            "tables": tables,
            "headings": headings(),
            # Section I is the figures; the narrative follows from II (sanitised on save).
            "sections": [
                (roman(number), heading, mark_safe(version.sections.get(key, "")))
                for number, (key, heading, _hint) in enumerate(rules.SECTIONS, start=2)
            ],
            "sources": sources,
            "consolidated": tables["consolidated"],
            "missing": data.get("missing") or [],
            "where": where(report.province),
            "paid_words": amount_in_words(tables["total"]["paid"]),
        }
    )
    return context
