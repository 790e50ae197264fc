"""Dates that make sense: a decision cannot predate what it decides on.

The one rule, used by the individual approval in ``projects.services.proposal_transition``
and by the plan decision of ``cycle.services``: a đề án's approval decision is dated on or
after its registration (submission against a call) and on or after its plan's decision
where the plan has one; a plan decision on or after each listed đề án's registration.

Records entered as history (an import of past years) may bypass it only through the
services' explicit ``entered_as_history`` argument, which the event records.

The registration lives in the ``cycle`` app, above this one: it plugs its lookups in with
:func:`set_registration_lookup` (``cycle.apps``), so projects never imports cycle. The same
hook says why a đề án may not be submitted outside its registration
(:func:`submission_problem`): while a call for its plan is open, a đề án is submitted by
registering against it, so that the deadline is checked."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _

_registration_lookup: Callable | None = None
_submission_check: Callable | None = None


def set_registration_lookup(lookup: Callable, submission_check: Callable | None = None) -> None:
    """``lookup(proposal) -> date | None``: the date the đề án was registered;
    ``submission_check(proposal) -> str | None``: why it may not be submitted unregistered."""
    global _registration_lookup, _submission_check
    _registration_lookup = lookup
    _submission_check = submission_check


def registered_on(proposal) -> datetime.date | None:
    return _registration_lookup(proposal) if _registration_lookup else None


def submission_problem(proposal) -> str | None:
    return _submission_check(proposal) if _submission_check else None


def _d(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def decision_date_problem(proposal, decision_date: datetime.date) -> str | None:
    """Why ``decision_date`` cannot be the date of the decision approving ``proposal``
    (None when it can)."""
    registered = registered_on(proposal)
    if registered is not None and decision_date < registered:
        return _(
            "The decision date %(date)s is before the proposal %(code)s was registered "
            "(%(registered)s): a decision cannot predate what it decides on."
        ) % {"date": _d(decision_date), "code": proposal.code, "registered": _d(registered)}
    plan_date = proposal.plan.decision_date
    if plan_date is not None and decision_date < plan_date:
        return _(
            "The decision date %(date)s is before the decision on the annual plan "
            "%(plan)s (%(plan_date)s): a proposal is approved within its approved plan."
        ) % {"date": _d(decision_date), "plan": proposal.plan.title, "plan_date": _d(plan_date)}
    return None
