"""The rule of a đề án's compliance (Chỉ thị 04/CT-BCT: right beneficiary, right purpose,
lawful use of the money), written once as a pure function of the đề án's concluded
inspections and their recommendations, as at a date.

``inspections.services.compliance_refresh`` applies it to today's data (as at no date:
everything recorded so far) and stores the result on the đề án; the report on the use of
khuyến công funds (``reports.documents.compliance``) applies it as at the end of its
period, so the counts and the rows of a report come from the same definition as the
status the pages show.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol

from inspections.models import Inspection, Recommendation, Result
from projects.models import Proposal

C = Proposal.Compliance


class InspectionFacts(Protocol):
    pk: int
    kind: str
    status: str
    inspected_on: datetime.date | None
    conclusion: str


class RecommendationFacts(Protocol):
    inspection_id: int
    status: str
    remedied_on: datetime.date | None


def counts(inspection: InspectionFacts, as_at: datetime.date | None = None) -> bool:
    """Whether an inspection counts for compliance (as at ``as_at``): concluded, dated on
    or before the date, and not the on-site appraisal before approval (it looks at the
    proposal, not at how the money is used)."""
    return (
        inspection.status == Inspection.Status.CONCLUDED
        and inspection.kind != Inspection.Kind.APPRAISAL
        and inspection.inspected_on is not None
        and (as_at is None or inspection.inspected_on <= as_at)
    )


def is_open(recommendation: RecommendationFacts, as_at: datetime.date | None = None) -> bool:
    """Not remedied (as at ``as_at``: still open, or remedied after that date)."""
    if recommendation.status == Recommendation.Status.OPEN:
        return True
    return as_at is not None and (
        recommendation.remedied_on is None or recommendation.remedied_on > as_at
    )


def latest(
    inspections: Iterable[InspectionFacts], as_at: datetime.date | None = None
) -> InspectionFacts | None:
    """The inspection that decides: the latest counted one, by date then id."""
    counted = [i for i in inspections if counts(i, as_at)]
    return max(counted, key=lambda i: (i.inspected_on, i.pk), default=None)


def compliance_derive(
    inspections: Iterable[InspectionFacts],
    recommendations: Iterable[RecommendationFacts],
    as_at: datetime.date | None = None,
) -> str:
    """A đề án's compliance from its inspections and their recommendations, as at
    ``as_at`` (None: as recorded now).

    Not inspected while no inspection counts (:func:`counts`); otherwise the latest
    counted inspection decides: not compliant if it concluded so; findings to remedy if
    it concluded "partly compliant" or a recommendation of a counted inspection is open
    (:func:`is_open`); compliant otherwise."""
    inspections = list(inspections)
    decisive = latest(inspections, as_at)
    if decisive is None:
        return C.NOT_INSPECTED
    if decisive.conclusion == Result.NOT_COMPLIANT:
        return C.NOT_COMPLIANT
    counted = {i.pk for i in inspections if counts(i, as_at)}
    pending = any(r.inspection_id in counted and is_open(r, as_at) for r in recommendations)
    if decisive.conclusion == Result.PARTLY or pending:
        return C.REMEDY_PENDING
    return C.COMPLIANT
