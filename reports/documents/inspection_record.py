"""Biên bản kiểm tra: the record of one inspection of a đề án — when and where, the
team and the representatives of the inspected unit, the đề án, its contract and the
tranches in scope, what was checked and found, the photos, the conclusion and the
recommendations with their deadlines, and the two signatures."""

from __future__ import annotations

import base64
import io
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policies import visible
from core.formatting import format_date, format_number
from disbursement.models import Tranche
from inspections.models import Inspection
from inspections.services import record_issuer
from reports.services import record_symbol

from . import queries
from .common import (
    INSPECTION_KIND_LABELS,
    RESULT_LABELS,
    SOURCE_LABELS,
    SOURCE_NAMES,
    TRANCHE_KIND_LABELS,
    TRANCHE_STATUS_LABELS,
    ReportDataMissing,
    base_context,
    in_sentence,
    local_day,
    name_of,
    text_lines,
)

TEMPLATE = "pdf/reports/inspection_record.html"
DOC_TYPE = "Biên bản"
# Before the symbol of a draft's number: room to write the number by hand once it is given.
DRAFT_BLANK = "\u2002" * 6
THUMBNAIL_PX = 360  # about 45 mm wide at 200 dpi: enough to recognise the scene
log = logging.getLogger(__name__)


def thumbnail_data_uri(photo) -> str:
    """A small JPEG of the photo as a data: URI, or "" when the file cannot be read (the
    list still gives its time and place)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with photo.image.open("rb") as fh, Image.open(fh) as image:
            image.draft("RGB", (2 * THUMBNAIL_PX, 2 * THUMBNAIL_PX))  # JPEG: decode smaller
            image = ImageOps.exif_transpose(image)
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=70)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        log.warning("inspection photo %s could not be read for the record", photo.pk)
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def build(job) -> dict:
    user = job.requested_by
    inspection = (
        visible(user, Inspection.objects.all())
        .select_related(
            "proposal__province",
            "proposal__implementing_agency",
            "proposal__activity",
            "contract",
            "concluded_by__agency__province",
            "created_by__agency__province",
        )
        .filter(pk=(job.params or {}).get("inspection"))
        .first()
    )
    if inspection is None:
        raise ReportDataMissing(_("The inspection does not exist or you may not see it."))
    proposal = inspection.proposal
    beneficiaries = queries.beneficiaries_by_proposal(
        user, type(proposal).objects.filter(pk=proposal.pk)
    ).get(proposal.pk, [])
    tranches = list(
        visible(user, Tranche.objects.all())
        .filter(inspections=inspection)
        .order_by("recorded_at", "id")
    )
    answers = list(inspection.answers.order_by("order", "id"))
    photos = list(inspection.photos.order_by("taken_at", "id"))
    recommendations = list(inspection.recommendations.order_by("deadline", "id"))
    team = text_lines(inspection.team)
    party = text_lines(inspection.inspected_party)
    day = inspection.inspected_on or inspection.planned_on
    concluded = inspection.status == Inspection.Status.CONCLUDED
    issuer = record_issuer(inspection)

    context = base_context(
        job,
        doc_type=DOC_TYPE,
        default_summary=f"Kiểm tra việc sử dụng kinh phí khuyến công của đề án {proposal.code}",
        landscape=False,
        # The record's one number (the inspection's, as its page shows it); a draft has
        # none yet: the number is left blank before its symbol, as on a paper draft.
        number=inspection.number or f"{DRAFT_BLANK}/{record_symbol(issuer)}",
        issued_on=day or local_day(job.requested_at),
        issuer=issuer,
    )
    approved = proposal.approved_by_source()
    context.update(
        {
            "inspection": inspection,
            "concluded": concluded,
            "kind_label": INSPECTION_KIND_LABELS.get(inspection.kind, inspection.kind),
            "place": in_sentence(inspection.place),
            "day": day,
            "proposal": proposal,
            "beneficiaries": [name for _, name in beneficiaries],
            "approved": [(SOURCE_NAMES[s], format_number(a)) for s, a in approved.items() if a],
            "approved_kc": proposal.approved_kc,
            "approved_total": proposal.approved_total,
            "contract": inspection.contract,
            "contract_amounts": (
                [
                    (SOURCE_NAMES[s], format_number(a))
                    for s, a in inspection.contract.amounts().items()
                    if a
                ]
                if inspection.contract
                else []
            ),
            "tranches": [
                {
                    "kind": TRANCHE_KIND_LABELS.get(t.kind, t.kind),
                    "source": SOURCE_LABELS.get(t.source, t.source),
                    "amount": t.amount,
                    "paid_on": t.paid_on,
                    "voucher": t.voucher_number,
                    "status": TRANCHE_STATUS_LABELS.get(t.status, t.status),
                }
                for t in tranches
            ],
            "answers": [
                {"text": a.text, "result": RESULT_LABELS.get(a.result, ""), "note": a.note}
                for a in answers
            ],
            "photos": [
                {
                    "caption": p.caption or p.original_name,
                    "taken_at": timezone.localtime(p.taken_at) if p.taken_at else None,
                    # Coordinates keep the decimal point (as GPS devices and maps show them).
                    "gps": (
                        f"{p.latitude:.5f}, {p.longitude:.5f}" if p.latitude is not None else ""
                    ),
                    "thumbnail": thumbnail_data_uri(p),
                }
                for p in photos
            ],
            "conclusion_label": RESULT_LABELS.get(inspection.conclusion, ""),
            "recommendations": recommendations,
            "team": team,
            "party": party,
            "team_lead": name_of(team[0]) if team else "",
            "party_lead": name_of(party[0]) if party else "",
            "day_text": format_date(day),
        }
    )
    return context
