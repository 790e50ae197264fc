"""The timeline of a đề án in words: each ``ProposalEvent`` (written by the services of
projects, disbursement and inspections) as a row the detail page prints — what was done,
the status it led to, and the before/after of each change written out ("2 establishments,
shares 300.000.000 ₫" rather than the stored ids and numbers).

Presentation only: nothing here decides anything. The event rows themselves are the
services' record (``ProposalEvent``), and the words are the model choices' labels."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Agency
from core.formatting import format_decimal, format_vnd
from core.funding import SOURCE_SHORT, SOURCES
from programs.models import Indicator
from projects import workflow
from projects.models import Appraisal, Proposal, ProposalEvent

# The event of a đề án brought in (or corrected) by an import of past records
# (history.services): it carries the file, its checksum, the place as the record wrote it,
# the decisions, and on a corrected file what changed.
IMPORT_ACTION = "import"
# The groups of records an import may change, as history.services names them.
IMPORT_GROUPS = {
    "beneficiaries": gettext_lazy("Establishments"),
    "support_amounts": gettext_lazy("Establishments"),
    "budget": gettext_lazy("Budget lines"),
    "outputs": gettext_lazy("Outputs"),
    "payments": gettext_lazy("Payments"),
    "contracts": gettext_lazy("Contract"),
    "acceptances": gettext_lazy("Acceptance"),
    "liquidations": gettext_lazy("Liquidation"),
    "settlements": gettext_lazy("Settlement"),
}
IMPORT_GROUP_VERBS = {
    "added": gettext_lazy("added"),
    "changed": gettext_lazy("changed"),
    "removed": gettext_lazy("removed"),
}

# The actions that are not a transition of workflow.TRANSITIONS (those take the table's
# label), by the service that records them.
EVENT_LABELS = {
    # projects.services
    "create": gettext_lazy("Created the draft"),
    "edit": gettext_lazy("Saved changes"),
    "attach": gettext_lazy("Attached a document"),
    "detach": gettext_lazy("Removed a document"),
    "appraisal": gettext_lazy("Recorded an appraisal"),
    "council_assign": gettext_lazy("Put before an appraisal council"),
    "council_conclusion": gettext_lazy("The appraisal council concluded"),
    # cycle.services (the annual cycle: calls, batches, plan decisions)
    "register": gettext_lazy("Registered against the call"),
    "batch_add": gettext_lazy("Added to the registration batch"),
    "batch_remove": gettext_lazy("Removed from the registration batch"),
    "plan_left_out": gettext_lazy("Left out of the plan decision"),
    # disbursement.services
    "contract": gettext_lazy("Recorded the signed contract"),
    "contract_amend": gettext_lazy("Amended the contract"),
    "tranche_request": gettext_lazy("Requested a tranche"),
    "tranche_approve": gettext_lazy("Approved a tranche"),
    "tranche_pay": gettext_lazy("Paid a tranche"),
    "tranche_reject": gettext_lazy("Rejected a tranche"),
    "payment": gettext_lazy("Recorded a payment"),
    "tranche_reverse": gettext_lazy("Reversed a payment"),
    "accept": gettext_lazy("Recorded the acceptance"),
    "settle": gettext_lazy("Recorded the final settlement"),
    "progress": gettext_lazy("Recorded a progress report"),
    "liquidate": gettext_lazy("Recorded the contract's liquidation"),
    # inspections.services
    "inspection_planned": gettext_lazy("Planned an inspection"),
    "inspection_recorded": gettext_lazy("Recorded inspection findings"),
    "inspection_photo": gettext_lazy("Added an inspection photo"),
    "inspection_photo_removed": gettext_lazy("Removed an inspection photo"),
    "inspection_concluded": gettext_lazy("Concluded an inspection"),
    "inspection_cancelled": gettext_lazy("Cancelled an inspection"),
    "recommendation_added": gettext_lazy("Added a recommendation"),
    "recommendation_removed": gettext_lazy("Withdrew a recommendation"),
    "recommendation_follow_up": gettext_lazy("Followed up a recommendation"),
    "recommendation_remedied": gettext_lazy("Recommendation remedied"),
    # history.services: a đề án brought in from the workbooks of past years
    IMPORT_ACTION: gettext_lazy("Imported from the records of past years"),
}
# The labels of the choices of apps above projects (which projects does not import):
# inspections.models.Inspection.Kind and Result, disbursement.models.Tranche.Kind. The
# tests of those apps check that they stay the same.
INSPECTION_KIND_LABELS = {
    "periodic": gettext_lazy("Periodic inspection"),
    "unannounced": gettext_lazy("Unannounced inspection"),
    "appraisal": gettext_lazy("On-site appraisal before approval"),
    "acceptance": gettext_lazy("Acceptance visit"),
}
INSPECTION_RESULT_LABELS = {
    "compliant": gettext_lazy("Compliant"),
    "partly": gettext_lazy("Partly compliant"),
    "not_compliant": gettext_lazy("Not compliant"),
}
TRANCHE_KIND_LABELS = {
    "advance": gettext_lazy("Advance (tạm ứng)"),
    "payment": gettext_lazy("Payment (thanh toán)"),
    "settlement": gettext_lazy("Final settlement payment (quyết toán)"),
    "reversal": gettext_lazy("Reversal"),
}
CHANGE_LABELS = {
    "entered_as_history": gettext_lazy("Entered as history"),
    "call": gettext_lazy("Call"),
    "late": gettext_lazy("Registered after the deadline"),
    "registration_batch": gettext_lazy("Registration batch"),
    "plan_decision": gettext_lazy("Plan decision"),
    "title": gettext_lazy("Proposal title"),
    "kind": gettext_lazy("Kind of proposal"),
    "activity": gettext_lazy("Activity"),
    "implementing_agency": gettext_lazy("Implementing unit"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "beneficiaries": gettext_lazy("Establishments"),
    "budget_lines": gettext_lazy("Budget lines"),
    "outputs": gettext_lazy("Outputs"),
    "totals": gettext_lazy("Budget total"),
    "approved": gettext_lazy("Approved amounts"),
    "score": gettext_lazy("Weighted score"),
    "recommendation": gettext_lazy("Recommendation"),
    "inspection_kind": gettext_lazy("Kind of inspection"),
    "planned_on": gettext_lazy("Planned date"),
    "answered": gettext_lazy("Checklist items answered"),
    "conclusion": gettext_lazy("Overall conclusion"),
    "compliance": gettext_lazy("Compliance"),
    "deadline": gettext_lazy("Deadline"),
    "remedied_on": gettext_lazy("Remedied on"),
    "contracted": gettext_lazy("Contracted amounts"),
    "accepted": gettext_lazy("Accepted amounts"),
    "settled": gettext_lazy("Settled amounts"),
    "done": gettext_lazy("Work done"),
    "percent_done": gettext_lazy("Work done (%)"),
    "reported_on": gettext_lazy("Report date"),
    "returned": gettext_lazy("To be returned"),
    "amount": gettext_lazy("Amount"),
    "source": gettext_lazy("Funding source"),
    "file": gettext_lazy("File"),
    "recorded_place": gettext_lazy("Place as the record wrote it"),
    "decisions": gettext_lazy("Decisions"),
    "status": gettext_lazy("Status"),
    "objectives": gettext_lazy("Objectives"),
    "decision_number": gettext_lazy("Approval decision"),
    "decision_date": gettext_lazy("Decision date"),
    "communes": gettext_lazy("Locality"),
    "records": gettext_lazy("Records changed"),
}
# In the events of the money services, "kind" is the kind of tranche, not of đề án.
CHANGE_LABELS_OF_PAYMENTS = {"kind": gettext_lazy("Kind of payment")}
MONEY_ACTIONS = frozenset(
    {
        "contract",
        "contract_amend",
        "tranche_request",
        "tranche_approve",
        "tranche_pay",
        "tranche_reject",
        "payment",
        "tranche_reverse",
        "accept",
        "settle",
        "progress",
        "liquidate",
    }
)
DATE_CHANGES = (
    "start_date",
    "end_date",
    "planned_on",
    "deadline",
    "remedied_on",
    "reported_on",
    "decision_date",
)
# Amounts per funding source ({"kcdp": 100, "counterpart": 300, ...}).
SOURCE_AMOUNTS = ("approved", "contracted", "accepted", "settled", "done", "returned")
# Row ids kept in the event for tracing, not for the reader.
HIDDEN_CHANGES = frozenset({"tranche", "reversal"})


def _source_amounts(value: dict) -> list[str]:
    return [f"{SOURCE_SHORT[s]} {format_vnd(value[s])}" for s in SOURCES if value.get(s)]


def change_text(key: str, value, names: dict, *, action: str = "") -> str:
    """One side of a change in words: "2 establishment(s), shares 300.000.000 ₫"."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "kind" and action in MONEY_ACTIONS:
        return str(TRANCHE_KIND_LABELS.get(value, value))
    if key == "kind":
        return str(Proposal.Kind(value).label) if value in Proposal.Kind.values else value
    if key == "implementing_agency":
        return names["agencies"].get(value, str(value))
    if key in DATE_CHANGES:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    if key == "inspection_kind":
        return str(INSPECTION_KIND_LABELS.get(value, value))
    if key == "conclusion":
        return str(INSPECTION_RESULT_LABELS.get(value, value))
    if key == "status" and value in Proposal.Status.values:
        return str(Proposal.Status(value).label)
    if key == "compliance" and value in Proposal.Compliance.values:
        return str(Proposal.Compliance(value).label)
    if key == "beneficiaries":
        share = sum(amount or 0 for _id, amount in value)
        return _("%(n)s establishment(s), shares %(total)s") % {
            "n": len(value),
            "total": format_vnd(share),
        }
    if key == "budget_lines":
        return _("%(n)s line(s), %(total)s") % {
            "n": len(value),
            "total": format_vnd(sum(line["amount"] for line in value)),
        }
    if key == "outputs":
        return "; ".join(f"{names['indicators'].get(k, k)}: {v}" for k, v in value.items())
    if key == "totals":
        return ", ".join([format_vnd(value.get("amount", 0)), *_source_amounts(value)])
    if key in SOURCE_AMOUNTS and isinstance(value, dict):
        return ", ".join(_source_amounts(value)) or format_vnd(0)
    if key == "amount" and isinstance(value, int):
        return format_vnd(value)
    if key == "source" and value in SOURCE_SHORT:
        return str(SOURCE_SHORT[value])
    if key == "score":
        return f"{format_decimal(value, 2)} / 100"
    if key == "recommendation" and value in Appraisal.Recommendation.values:
        return str(Appraisal.Recommendation(value).label)
    return str(value)


def _import_changes(changes: dict) -> dict:
    """The import event in the timeline's terms: the file, the place as written, the
    decisions, and for a corrected file each field's before and after, then the records
    added, changed or removed, by group."""
    decision_kinds = {"approval": _("Approval"), "amendment": _("Amendment")}
    out = {
        "file": f"{changes.get('file', '')} (SHA-256 {changes.get('checksum', '')[:12]}…)",
        "recorded_place": changes.get("recorded_place", ""),
        "decisions": "; ".join(
            f"{decision_kinds.get(d['kind'], d['kind'])} {d['number']} "
            f"({datetime.date.fromisoformat(d['date']).strftime('%d/%m/%Y')})"
            for d in changes.get("decisions", [])
        ),
    }
    changed = dict(changes.get("changed") or {})
    approved = {k: changed.pop(k) for k in list(changed) if k.startswith("approved_")}
    if approved:
        out["approved"] = {
            side: {k.removeprefix("approved_"): v[side] for k, v in approved.items()}
            for side in ("before", "after")
        }
    agency = changed.pop("implementing_agency_id", None)
    if agency:
        out["implementing_agency"] = agency
    groups = []
    for key, value in changed.items():
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            out[key] = value
            continue
        group, _sep, verb = key.rpartition("_")
        name = IMPORT_GROUPS.get(group) or IMPORT_GROUPS.get(key)
        what = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
        groups.append(
            f"{name or key} {IMPORT_GROUP_VERBS.get(verb, verb)}"
            + (f": {', '.join(str(w) for w in what)}" if what else "")
        )
    if groups:
        out["records"] = "; ".join(groups)
    return {k: v for k, v in out.items() if v}


def _changes_of(event: ProposalEvent) -> dict:
    changes = event.changes or {}
    if event.action == IMPORT_ACTION:
        return _import_changes(changes)
    if event.action == "contract_amend" and set(changes) == {"before", "after"}:
        # The amendment stores the contracted amounts before and after at the top level.
        return {"contracted": changes}
    return {k: v for k, v in changes.items() if k not in HIDDEN_CHANGES}


def _names(events) -> dict:
    """The names behind the ids the events store (one query each, only when needed)."""
    agency_ids = set()
    for event in events:
        change = (event.changes or {}).get("implementing_agency") or (
            (event.changes or {}).get("changed") or {}
        ).get("implementing_agency_id")
        if isinstance(change, dict):
            agency_ids |= {change.get("before"), change.get("after")}
    agency_ids.discard(None)
    return {
        "agencies": dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
        if agency_ids
        else {},
        "indicators": {i.code: i.name for i in Indicator.objects.all()},
    }


def timeline_rows(events) -> list[dict]:
    """The timeline with the before/after of each change written out: per event, its
    ``label``, the status it led to (``to_status``, empty when the status stayed) and its
    ``changes`` as ``{"label", "before", "after"}`` (``before`` None for a plain value)."""
    events = list(events)
    names = _names(events)
    labels = {**EVENT_LABELS, **{t.action: t.label for t in workflow.TRANSITIONS}}
    statuses = dict(Proposal.Status.choices)
    rows = []
    for event in events:
        money = event.action in MONEY_ACTIONS
        changes = []
        for key, change in _changes_of(event).items():
            label = (money and CHANGE_LABELS_OF_PAYMENTS.get(key)) or CHANGE_LABELS.get(key, key)
            if isinstance(change, dict) and set(change) == {"before", "after"}:
                before = change_text(key, change["before"], names, action=event.action)
                after = change_text(key, change["after"], names, action=event.action)
            else:  # a value recorded once (a score, a deadline): no "before"
                before, after = None, change_text(key, change, names, action=event.action)
            changes.append({"label": label, "before": before, "after": after})
        rows.append(
            {
                "event": event,
                "label": labels.get(event.action, event.action),
                "to_status": statuses.get(event.to_status, "")
                if event.from_status != event.to_status
                else "",
                "changes": changes,
            }
        )
    return rows
