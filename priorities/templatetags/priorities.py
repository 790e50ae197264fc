"""The priorities panels other apps' pages include, so those apps need not import this one:
``{% beneficiary_priorities beneficiary %}`` (the registry page),
``{% proposal_priorities proposal %}`` (the appraisal section of a đề án and the score
sheet) and ``{% priority_names rows %}`` (a line per đề án on the council's page)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from accounts.policies import has_perm, may_act
from priorities import selectors
from priorities.models import Priority

register = template.Library()


@register.inclusion_tag("priorities/partials/beneficiary.html", takes_context=True)
def beneficiary_priorities(context, beneficiary):
    user = context["request"].user
    today = timezone.localdate()
    in_force = selectors.priorities_in_force(today)
    met = selectors.beneficiary_priorities([beneficiary], today, in_force)[beneficiary.pk]
    declared = {p.pk for p, d in met if d is not None}
    may_declare = has_perm(user, "priority.declare") and may_act(
        user, "priority.declare", beneficiary
    )
    return {
        "request": context["request"],
        "beneficiary": beneficiary,
        "met": met,
        "today": today,
        "may_declare": may_declare,
        "choices": [
            p for p in in_force if p.basis == Priority.Basis.BENEFICIARY and p.pk not in declared
        ]
        if may_declare
        else [],
    }


@register.inclusion_tag("priorities/partials/proposal.html", takes_context=True)
def proposal_priorities(context, proposal, declare=True):
    user = context["request"].user
    day = selectors.proposal_date(proposal)
    rows = selectors.proposal_priorities(proposal)
    may_declare = (
        declare
        and has_perm(user, "priority.declare")
        and may_act(user, "priority.declare", proposal)
    )
    declared = {r.priority.pk for r in rows if r.declaration}
    return {
        "request": context["request"],
        "proposal": proposal,
        "rows": rows,
        "day": day,
        "may_declare": may_declare,
        "choices": [
            p for p in selectors.declarable(Priority.Basis.PROPOSAL, day) if p.pk not in declared
        ]
        if may_declare
        else [],
    }


@register.simple_tag
def proposals_priorities(items):
    """{proposal id: [Met]} for a page listing several đề án (one batch of queries):
    ``items`` are đề án, or the council page's rows (``row["link"].proposal``)."""
    proposals = [i["link"].proposal if isinstance(i, dict) else i for i in items]
    return selectors.proposals_priorities(proposals)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])
