"""Helpers of the document tests: render a report job and read the PDF back, keep PNGs
of its pages as artifacts, and a module-wide transaction that is rolled back (building
the data and running WeasyPrint are the slow parts; the assertions on the PDFs are many,
so the documents are rendered once per module)."""

from __future__ import annotations

import io
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from pypdf import PdfReader

from reports.documents import render_report
from reports.models import ReportJob

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "reports"


class Rendered:
    """A rendered report: the PDF, its pages' text, the job and the progress calls."""

    def __init__(self, job: ReportJob, result, progress: list[int]):
        self.job = job
        self.pdf = result.pdf
        self.page_count = result.page_count
        self.progress = progress
        self.reader = PdfReader(io.BytesIO(result.pdf))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        # Whitespace collapsed, and a code broken after a hyphen at a line end joined again.
        self.flat = " ".join(self.text.replace("-\n", "-").split())

    def page_size_mm(self, index: int = 0) -> tuple[float, float]:
        box = self.reader.pages[index].mediabox
        return float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72


def render(user, kind: str, params: dict, *, title: str = "", number: str = "") -> Rendered:
    job = ReportJob.objects.create(
        kind=kind, params=params, title=title, number=number, requested_by=user
    )
    calls: list[int] = []
    result = render_report(job, progress=calls.append)
    return Rendered(job, result, calls)


def save_artifacts(name: str, rendered: Rendered, pages=(1,)) -> list[Path]:
    """Keep the PDF, and PNGs of some pages, under artifacts/reports/ (to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(rendered.pdf)
    for stale in ARTIFACTS.glob(f"{name}-p*.png"):  # from an earlier run with more pages
        stale.unlink()
    if shutil.which("pdftoppm") is None:
        return []
    made = []
    for page in pages:
        target = ARTIFACTS / f"{name}-p{page}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile"]
            + [str(pdf_path), str(target)],
            check=True,
        )
        made.append(target.with_suffix(".png"))
    return made


@contextmanager
def rolled_back(django_db_blocker):
    """A transaction for a whole test module (used by its module-scoped fixture), rolled
    back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield
            transaction.set_rollback(True)


def check_deferred_constraints() -> None:
    """Fire the deferred money triggers now, as a commit would: the data built in a
    rolled-back transaction is then known to be what the database accepts."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
