"""The daily warnings on the money of đề án (``DisbursementFlag``), and who is told.

Raised for: an approved đề án still without a contract after N days; money still
undisbursed within M days of the year-end deadline (31/12 of the plan year); an advance
not followed by a payment or settlement in time; an acceptance (nghiệm thu) overdue after
the planned end. The thresholds are settings, examples to be set by an administrator:
the legal texts read set no exact deadlines.

One open flag per đề án and kind (a unique constraint); a flag whose condition no longer
holds is resolved. The centre and the Sở of the province are e-mailed once per flag.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.formatting import format_vnd
from disbursement.models import Contract, DisbursementFlag, Tranche
from projects.models import Proposal

K = DisbursementFlag.Kind
S = Proposal.Status


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _no_contract(today: datetime.date) -> dict[int, str]:
    days = _days("DISBURSEMENT_NO_CONTRACT_DAYS", 30)
    found = (
        Proposal.objects.filter(
            status=S.APPROVED, decision_date__lt=today - datetime.timedelta(days=days)
        )
        .exclude(contracts__active=True)
        .only("pk", "decision_number", "decision_date")
    )
    return {
        p.pk: _("Approved on %(date)s (%(decision)s), still no contract after %(days)s days.")
        % {"date": _date(p.decision_date), "decision": p.decision_number, "days": days}
        for p in found
    }


def _year_end(today: datetime.date) -> dict[int, str]:
    days = _days("DISBURSEMENT_YEAR_END_WARNING_DAYS", 45)
    # The deadline is 31/12 of the plan year: warn from M days before it (and after it).
    last_year = (today + datetime.timedelta(days=days)).year
    proposals = Proposal.objects.filter(
        status=S.IN_IMPLEMENTATION, plan__year__lte=last_year
    ).select_related("plan")
    contracts = {
        c.proposal_id: c.total for c in Contract.objects.filter(active=True, proposal__in=proposals)
    }
    paid = dict(
        Tranche.objects.filter(
            proposal__in=proposals, status__in=[Tranche.Status.PAID, Tranche.Status.REVERSED]
        )
        .values_list("proposal")
        .annotate(total=Sum("amount"))
    )
    found = {}
    for p in proposals:
        contracted, done = contracts.get(p.pk, 0), paid.get(p.pk, 0)
        deadline = datetime.date(p.plan.year, 12, 31)
        if done < contracted and (deadline - today).days <= days:
            found[p.pk] = _(
                "%(left)s of the contract is still undisbursed; the deadline is %(deadline)s."
            ) % {"left": format_vnd(contracted - done), "deadline": _date(deadline)}
    return found


def _advance_unsettled(today: datetime.date) -> dict[int, str]:
    days = _days("DISBURSEMENT_ADVANCE_SETTLE_DAYS", 90)
    advances = Tranche.objects.filter(
        kind=Tranche.Kind.ADVANCE,
        status=Tranche.Status.PAID,
        paid_on__lt=today - datetime.timedelta(days=days),
        proposal__status__in=[S.IN_IMPLEMENTATION, S.ACCEPTED],
        proposal__settlement__isnull=True,
    ).order_by("proposal_id", "paid_on", "pk")
    found = {}
    for advance in advances:
        if advance.proposal_id in found:
            continue
        settled = Tranche.objects.filter(
            proposal_id=advance.proposal_id,
            source=advance.source,
            kind__in=[Tranche.Kind.PAYMENT, Tranche.Kind.SETTLEMENT],
            status=Tranche.Status.PAID,
        ).filter(Q(paid_on__gt=advance.paid_on) | Q(paid_on=advance.paid_on, pk__gt=advance.pk))
        if not settled.exists():
            found[advance.proposal_id] = _(
                "The advance of %(amount)s paid on %(date)s has not been settled after "
                "%(days)s days."
            ) % {"amount": format_vnd(advance.amount), "date": _date(advance.paid_on), "days": days}
    return found


def _acceptance_overdue(today: datetime.date) -> dict[int, str]:
    days = _days("DISBURSEMENT_ACCEPTANCE_GRACE_DAYS", 30)
    found = Proposal.objects.filter(
        status=S.IN_IMPLEMENTATION,
        acceptance__isnull=True,
        end_date__lt=today - datetime.timedelta(days=days),
    ).only("pk", "end_date")
    return {
        p.pk: _("The work was to end on %(date)s; no acceptance after %(days)s days.")
        % {"date": _date(p.end_date), "days": days}
        for p in found
    }


CHECKS = {
    K.NO_CONTRACT: _no_contract,
    K.YEAR_END: _year_end,
    K.ADVANCE_UNSETTLED: _advance_unsettled,
    K.ACCEPTANCE_OVERDUE: _acceptance_overdue,
}


def flags_evaluate(*, today: datetime.date) -> dict[str, int]:
    """Raise the flags whose condition holds on ``today``, resolve the others, then e-mail
    the responsible people of each flag not yet notified. Safe to run twice."""
    raised = resolved = 0
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for kind, check in CHECKS.items():
            holding = check(today)
            open_flags = DisbursementFlag.objects.filter(kind=kind, resolved_on__isnull=True)
            resolved += open_flags.exclude(proposal_id__in=holding).update(resolved_on=today)
            already = set(open_flags.values_list("proposal_id", flat=True))
            new = [
                DisbursementFlag(proposal_id=pk, kind=kind, message=message, raised_on=today)
                for pk, message in holding.items()
                if pk not in already
            ]
            # A concurrent run may have raised the same flag: the unique constraint keeps one.
            DisbursementFlag.objects.bulk_create(new, ignore_conflicts=True)
            raised += len(new)
    notified = flags_notify()
    return {"raised": raised, "resolved": resolved, "notified": notified}


def _recipients(province_id: int) -> list[str]:
    return list(
        User.objects.filter(
            is_active=True,
            agency__province_id=province_id,
            role__in=[Role.CENTRE_STAFF, Role.PROVINCE_STAFF],
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def flags_notify() -> int:
    """E-mail each open flag not yet notified, once: the flag row is locked (skipping one
    another run is sending) and marked in the same transaction as the mail is sent."""
    sent = 0
    pending = DisbursementFlag.objects.filter(resolved_on__isnull=True, notified=False)
    for pk in pending.order_by("pk").values_list("pk", flat=True):
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            flag = (
                DisbursementFlag.objects.select_for_update(skip_locked=True)
                .select_related("proposal")
                .filter(pk=pk, notified=False)
                .first()
            )
            if flag is None:
                continue
            recipients = _recipients(flag.proposal.province_id)
            if recipients:
                send_mail(
                    subject=_("[Khuyến công] %(code)s: %(kind)s")
                    % {"code": flag.proposal.code, "kind": flag.get_kind_display()},
                    message=_("Proposal “%(title)s” (%(code)s): %(message)s")
                    % {
                        "title": flag.proposal.title,
                        "code": flag.proposal.code,
                        "message": flag.message,
                    },
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=recipients,
                )
                sent += 1
            flag.notified = True
            flag.save(update_fields=["notified"])
    return sent
