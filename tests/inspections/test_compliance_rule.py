"""The compliance rule as a pure function (inspections.compliance): what counts, which
inspection decides, which findings are open as at a date. The same function derives the
stored compliance (compliance_refresh) and the compliance report's rows as at the end of
its period (tests/reports/test_documents.py)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace as Row

import pytest

from inspections.compliance import compliance_derive, counts, is_open, latest

D = datetime.date


def inspection(pk, day, conclusion, *, kind="periodic", status="concluded"):
    return Row(pk=pk, kind=kind, status=status, inspected_on=day, conclusion=conclusion)


def recommendation(inspection_id, *, remedied_on=None):
    status = "remedied" if remedied_on else "open"
    return Row(inspection_id=inspection_id, status=status, remedied_on=remedied_on)


def test_nothing_concluded_is_not_inspected():
    assert compliance_derive([], []) == "not_inspected"
    planned = inspection(1, D(2026, 3, 1), "", status="recorded")
    assert compliance_derive([planned], []) == "not_inspected"


def test_the_on_site_appraisal_never_counts():
    appraisal = inspection(1, D(2026, 3, 1), "compliant", kind="appraisal")
    assert not counts(appraisal)
    assert compliance_derive([appraisal], []) == "not_inspected"


@pytest.mark.parametrize(
    "conclusion,expected",
    [("compliant", "compliant"), ("partly", "remedy_pending"), ("not_compliant", "not_compliant")],
)
def test_the_latest_inspection_by_date_decides(conclusion, expected):
    # The older inspection has the higher id: the date decides, not the order of entry.
    older = inspection(9, D(2026, 2, 1), "not_compliant")
    newer = inspection(3, D(2026, 5, 1), conclusion)
    assert latest([older, newer]) is newer
    assert compliance_derive([older, newer], []) == expected


def test_an_open_finding_keeps_remedy_pending():
    first = inspection(1, D(2026, 2, 1), "partly")
    second = inspection(2, D(2026, 5, 1), "compliant")
    assert compliance_derive([first, second], [recommendation(1)]) == "remedy_pending"
    done = recommendation(1, remedied_on=D(2026, 6, 1))
    assert compliance_derive([first, second], [done]) == "compliant"


def test_as_at_a_date_later_inspections_do_not_count_and_later_remedies_are_not_done():
    first = inspection(1, D(2026, 2, 1), "partly")
    second = inspection(2, D(2026, 8, 1), "compliant")
    done_in_july = recommendation(1, remedied_on=D(2026, 7, 10))
    facts = ([first, second], [done_in_july])
    assert compliance_derive(*facts) == "compliant"  # as recorded now
    assert compliance_derive(*facts, D(2026, 12, 31)) == "compliant"
    assert compliance_derive(*facts, D(2026, 7, 31)) == "remedy_pending"  # first decides
    assert compliance_derive(*facts, D(2026, 6, 30)) == "remedy_pending"
    assert compliance_derive(*facts, D(2026, 1, 31)) == "not_inspected"
    assert is_open(done_in_july, D(2026, 7, 9)) and not is_open(done_in_july, D(2026, 7, 10))


def test_a_finding_of_an_inspection_not_counted_does_not_count():
    appraisal = inspection(1, D(2026, 1, 10), "partly", kind="appraisal")
    periodic = inspection(2, D(2026, 3, 1), "compliant")
    assert compliance_derive([appraisal, periodic], [recommendation(1)]) == "compliant"
