"""The official PDF documents of the portal, in the layout of Nghị định 30/2020/NĐ-CP:
the inspection record (biên bản kiểm tra), the report on the use of khuyến công funds,
the disbursement report and the programme results report.

``render_report(job, progress=...)`` is called by the report job (``reports.tasks``): it
checks that the job fits in the worker's memory (``limits``), reads the data the
requester may see, builds the HTML from ``templates/pdf/reports/`` and renders it with
WeasyPrint (a long one in sections: ``sections``), calling ``progress`` between the
stages. ``render_html(job)`` stops before WeasyPrint. Every read goes through
``accounts.policies.visible`` for ``job.requested_by``; an object the requester may not
see (or that no longer exists) raises ``common.ReportDataMissing``, whose message is
written for the requester."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from . import (
    compliance,
    council_minutes,
    disbursement,
    inspection_record,
    limits,
    program_results,
    registration,
)
from .sections import html_to_pdf_sections

BUILDERS = {
    "inspection_record": inspection_record,
    "compliance": compliance,
    "disbursement": disbursement,
    "program_results": program_results,
    "council_minutes": council_minutes,
    "registration": registration,
}


def register(kind: str, builder) -> None:
    """A document built by another app (registered in its AppConfig.ready(): periodic)."""
    BUILDERS[kind] = builder


# Progress reported after each stage (the job row shows it to the requester).
PROGRESS_STARTED = 5
PROGRESS_DATA = 30
PROGRESS_HTML = 45
PROGRESS_PDF = 95


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    page_count: int
    # The editable Word copy, built from the same context and HTML as the PDF in the same
    # run, so the two never differ (stored beside the PDF).
    docx: bytes = b""


def _builder(job):
    try:
        return BUILDERS[job.kind]
    except KeyError:
        raise ValueError(f"unknown report kind: {job.kind!r}") from None


def _parts(job, progress: Callable[[int], None]) -> tuple[dict, str]:
    builder = _builder(job)
    limits.check(builder, job)  # a job too large for the worker fails before it grows
    # The documents are in Vietnamese whatever the requester's language (dates, decimal
    # commas and any translated label follow it).
    with translation.override("vi"):
        context = builder.build(job)
        progress(PROGRESS_DATA)
        return context, render_to_string(builder.TEMPLATE, context)


def render_parts(job) -> tuple[dict, str]:
    """The context and the HTML of the report (the Word copy is built from both)."""
    return _parts(job, lambda _percent: None)


def render_html(job) -> str:
    """The HTML of the report (data read and template rendered, no PDF)."""
    return render_parts(job)[1]


def render_report(job, *, progress: Callable[[int], None]) -> RenderedReport:
    """Read the data, build the HTML, render the PDF; ``progress(percent)`` in between."""
    from reports.documents.docx import docx_from_parts

    progress(PROGRESS_STARTED)
    context, html = _parts(job, progress)
    progress(PROGRESS_HTML)
    rendered = html_to_pdf_sections(
        html,
        progress=lambda done: progress(PROGRESS_HTML + (PROGRESS_PDF - PROGRESS_HTML) * done),
    )
    progress(PROGRESS_PDF)
    return RenderedReport(
        pdf=rendered.content,
        page_count=rendered.page_count,
        docx=docx_from_parts(context, html),
    )
