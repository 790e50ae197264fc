"""Writes of the selection of typical rural industrial products. Each service checks who acts
(a provincial round: the Sở Công Thương of its province; a regional or national round: the
ministry), validates by the rules of ``rules.py``, writes and records a ``RoundEvent`` in one
transaction. The database keeps the rules that must never break (models, sql/)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policies import may_act, require_act
from programs.catalogue import CERTIFICATE_INDICATOR
from reference.models import Province
from typical_products import rules
from typical_products.models import (
    Certificate,
    Entry,
    OutputCertificate,
    RoundEvent,
    SelectionRound,
)
from typical_products.rules import CRITERIA, Level

MANAGE = "typical.manage"


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    label: object
    consequence: object = ""


S = SelectionRound.Status
# The round's workflow: the one table behind the buttons, the check and the tests.
ROUND_TRANSITIONS = [
    Transition(
        S.OPEN,
        "judge",
        S.JUDGING,
        gettext_lazy("Close entries and start judging"),
        gettext_lazy("No more products can be entered in this round."),
    ),
    Transition(S.JUDGING, "reopen", S.OPEN, gettext_lazy("Reopen for entries")),
    Transition(
        S.JUDGING,
        "conclude",
        S.CONCLUDED,
        gettext_lazy("Conclude the round"),
        gettext_lazy("Results can no longer be changed; certificates can still be recorded."),
    ),
]


def round_transitions(round_: SelectionRound, user) -> list[Transition]:
    """The steps ``user`` may take on the round now (the page's buttons)."""
    if not may_act(user, MANAGE, round_):
        return []
    return [t for t in ROUND_TRANSITIONS if t.source == round_.status]


def _event(round_, actor, action, *, entry=None, **details):
    RoundEvent.objects.create(
        round=round_, entry=entry, actor=actor, action=action, details=details
    )


def _lock_round(round_: SelectionRound) -> SelectionRound:
    return SelectionRound.objects.select_for_update().get(pk=round_.pk)


@transaction.atomic
def round_create(
    *,
    actor,
    level: str,
    year: int,
    title: str,
    organiser: str,
    decision_number: str,
    decision_date: datetime.date,
    opens_on: datetime.date,
    closes_on: datetime.date,
    province: Province | None = None,
    region: str = "",
    provinces=None,
    pass_mark: int | None = None,
    max_recognised: int | None = None,
) -> SelectionRound:
    """Open a round. A provincial round is organised in its province (UBND tỉnh, the Sở as
    standing body); regional and national rounds by the ministry (rules.ORGANISERS). The pass
    mark defaults to the level's (rules.PASS_MARKS, example values)."""
    round_ = SelectionRound(
        level=level,
        year=year,
        title=title.strip(),
        organiser=organiser.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        opens_on=opens_on,
        closes_on=closes_on,
        province=province if level == Level.PROVINCIAL else None,
        region=region if level == Level.REGIONAL else "",
        pass_mark=pass_mark or rules.PASS_MARKS[Level(level)],
        max_recognised=max_recognised,
        created_by=actor,
    )
    require_act(actor, MANAGE, round_)
    errors = {}
    if level == Level.PROVINCIAL and province is None:
        errors["province"] = _("Choose the province of a provincial round.")
    if level == Level.REGIONAL and not region:
        errors["region"] = _("Choose the region of a regional round.")
    if closes_on < opens_on:
        errors["closes_on"] = _("Entries cannot close before they open.")
    if not 1 <= round_.pass_mark <= rules.MAX_POINTS:
        errors["pass_mark"] = _("The pass mark is between 1 and %(max)s points.") % {
            "max": rules.MAX_POINTS
        }
    if SelectionRound.objects.filter(
        level=level, year=year, province=round_.province, region=round_.region
    ).exists():
        errors["year"] = _("This level already has a round of that year in that place.")
    if errors:
        raise ValidationError(errors)
    round_.save()
    if level == Level.REGIONAL:
        if provinces is None:
            provinces = Province.objects.filter(region__code__in=rules.REGION_DEFAULTS[region])
        round_.provinces.set(provinces)
    _event(round_, actor, "create", level=level, year=year)
    return round_


@transaction.atomic
def round_transition(*, round_: SelectionRound, actor, action: str) -> SelectionRound:
    """Move the round along ROUND_TRANSITIONS."""
    locked = _lock_round(round_)
    require_act(actor, MANAGE, locked)
    step = next(
        (t for t in ROUND_TRANSITIONS if t.source == locked.status and t.action == action), None
    )
    if step is None:
        raise ValidationError(_("This step is not possible in the round's present state."))
    before = locked.status
    locked.status = step.target
    locked.save(update_fields=["status"])
    _event(locked, actor, action, before=before, after=locked.status)
    return locked


def qualifying_certificates(beneficiary, level: str, on: datetime.date):
    """The establishment's certificates that let it enter a round of ``level`` on ``on``: of
    the level below (rules.QUALIFYING_LEVEL), still valid."""
    lower = rules.QUALIFYING_LEVEL.get(Level(level))
    if lower is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(
        entry__beneficiary=beneficiary,
        entry__round__level=lower,
        issued_on__lte=on,
        valid_until__gte=on,
    ).select_related("entry__round")


@transaction.atomic
def entry_add(
    *,
    round_: SelectionRound,
    actor,
    beneficiary,
    name: str,
    group: str,
    description: str = "",
    qualifying_certificate: Certificate | None = None,
    registered_on: datetime.date | None = None,
) -> Entry:
    """Register a product in an open round. The establishment must be in the round's place
    (the database checks it too), and for a regional or national round hold a valid
    certificate of the level below for this product (rules.QUALIFYING_LEVEL)."""
    locked = _lock_round(round_)
    require_act(actor, MANAGE, locked)
    registered_on = registered_on or timezone.localdate()
    errors = {}
    if locked.status != S.OPEN:
        raise ValidationError(_("The round is not open for entries."))
    if locked.level == Level.PROVINCIAL and beneficiary.province_id != locked.province_id:
        errors["beneficiary"] = _("The establishment is not in %(place)s.") % {
            "place": locked.province.name
        }
    if (
        locked.level == Level.REGIONAL
        and not locked.provinces.filter(pk=beneficiary.province_id).exists()
    ):
        errors["beneficiary"] = _("The establishment's province does not take part in this round.")
    if locked.level in rules.QUALIFYING_LEVEL:
        allowed = qualifying_certificates(beneficiary, locked.level, registered_on)
        if (
            qualifying_certificate is None
            or not allowed.filter(pk=qualifying_certificate.pk).exists()
        ):
            errors["qualifying_certificate"] = _(
                "A %(level)s round takes a product with a %(lower)s certificate of the same "
                "establishment, valid on the day it is registered."
            ) % {
                "level": Level(locked.level).label.lower(),
                "lower": Level(rules.QUALIFYING_LEVEL[Level(locked.level)]).label.lower(),
            }
    else:
        qualifying_certificate = None
    if not name.strip():
        errors["name"] = _("Name the product.")
    elif locked.entries.filter(beneficiary=beneficiary, name=name.strip()).exists():
        errors["name"] = _("This establishment has already entered this product.")
    if errors:
        raise ValidationError(errors)
    entry = Entry.objects.create(
        round=locked,
        beneficiary=beneficiary,
        name=name.strip(),
        group=group,
        description=description,
        qualifying_certificate=qualifying_certificate,
        registered_on=registered_on,
    )
    _event(locked, actor, "enter", entry=entry, name=entry.name)
    return entry


@transaction.atomic
def entry_score(*, entry: Entry, actor, points: dict, recognised: bool) -> Entry:
    """The council's result: points per criterion (each within its maximum, rules.CRITERIA)
    and whether the product is recognised. A product below the round's pass mark cannot be
    recognised (the database refuses it too), nor more products than the round's limit."""
    locked_round = _lock_round(entry.round)
    require_act(actor, MANAGE, locked_round)
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    if locked_round.status != S.JUDGING:
        raise ValidationError(_("Results are recorded while the round is being judged."))
    if hasattr(locked, "certificate"):
        raise ValidationError(_("A certificate was issued for this product: its result stays."))
    errors = {}
    for criterion in CRITERIA:
        value = points.get(criterion.code)
        if value is None or not 0 <= value <= criterion.max_points:
            errors[f"points_{criterion.code}"] = _("Between 0 and %(max)s points.") % {
                "max": criterion.max_points
            }
    if errors:
        raise ValidationError(errors)
    total = sum(points[c.code] for c in CRITERIA)
    if recognised and total < locked_round.pass_mark:
        raise ValidationError(
            _(
                "%(total)s points is below the round's pass mark (%(mark)s): the product "
                "cannot be recognised."
            )
            % {"total": total, "mark": locked_round.pass_mark}
        )
    if (
        recognised
        and locked_round.max_recognised is not None
        and locked_round.entries.filter(result=Entry.Result.RECOGNISED)
        .exclude(pk=locked.pk)
        .count()
        >= locked_round.max_recognised
    ):
        raise ValidationError(
            _("The round already recognises %(n)s products, its limit.")
            % {"n": locked_round.max_recognised}
        )
    for criterion in CRITERIA:
        setattr(locked, f"points_{criterion.code}", points[criterion.code])
    locked.total_points = total
    locked.result = Entry.Result.RECOGNISED if recognised else Entry.Result.NOT_RECOGNISED
    locked.scored_by = actor
    locked.save()
    _event(locked_round, actor, "score", entry=locked, total=total, result=locked.result)
    return locked


@transaction.atomic
def certificate_issue(
    *,
    entry: Entry,
    actor,
    number: str,
    decision_number: str,
    decision_date: datetime.date,
    issued_on: datetime.date,
) -> Certificate:
    """Record the certificate of a recognised product; valid to 31 December of the fourth
    year (rules.certificate_valid_until, Điều 17 khoản 3 as amended by TT 14/2018/TT-BCT)."""
    locked_round = _lock_round(entry.round)
    require_act(actor, MANAGE, locked_round)
    locked = Entry.objects.select_for_update().get(pk=entry.pk)
    if locked.result != Entry.Result.RECOGNISED:
        raise ValidationError(_("Only a recognised product receives a certificate."))
    if Certificate.objects.filter(entry=locked).exists():
        raise ValidationError(_("This product already has its certificate."))
    errors = {}
    if not number.strip():
        errors["number"] = _("Enter the certificate number.")
    if not decision_number.strip():
        errors["decision_number"] = _("Enter the recognition decision number.")
    if issued_on < decision_date:
        errors["issued_on"] = _("A certificate is issued on or after its decision.")
    if issued_on > timezone.localdate():
        errors["issued_on"] = _("The issue date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    certificate = Certificate.objects.create(
        entry=locked,
        number=number.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        issued_on=issued_on,
        valid_until=rules.certificate_valid_until(issued_on),
        issued_by=actor,
    )
    _event(locked_round, actor, "certify", entry=locked, number=certificate.number)
    return certificate


# --- A đề án's output "products recognised" ---------------------------------------------------


def output_candidates(output):
    """Certificates the output may count: those of the đề án's establishments not counted by
    another đề án."""
    return (
        Certificate.objects.filter(
            entry__beneficiary__in=output.proposal.beneficiary_links.values("beneficiary")
        )
        .exclude(output_link__in=OutputCertificate.objects.exclude(output=output))
        .select_related("entry__round", "entry__beneficiary")
        .order_by("-issued_on", "number")
    )


@transaction.atomic
def output_certificates_set(*, output, actor, certificates) -> int:
    """The certificates the output "products recognised" counts: its achieved value is their
    number, written here and nowhere else (the acceptance leaves this indicator alone), so the
    dashboards and reports read one definition."""
    from projects.models import Proposal, ProposalOutput

    proposal = Proposal.objects.select_for_update().get(pk=output.proposal_id)
    if not may_act(actor, "proposal.edit", proposal):
        raise PermissionDenied
    locked = ProposalOutput.objects.select_for_update().get(pk=output.pk)
    if locked.indicator.code != CERTIFICATE_INDICATOR:
        raise ValidationError(_("Only the output “products recognised” counts certificates."))
    allowed = set(output_candidates(locked).values_list("pk", flat=True))
    chosen = {c.pk for c in certificates}
    if chosen - allowed:
        raise ValidationError(
            {
                "certificates": _(
                    "A certificate must be of one of the đề án's establishments and not "
                    "counted by another đề án."
                )
            }
        )
    locked.certificate_links.exclude(certificate_id__in=chosen).delete()
    present = set(locked.certificate_links.values_list("certificate_id", flat=True))
    OutputCertificate.objects.bulk_create(
        [
            OutputCertificate(output=locked, certificate_id=pk, linked_by=actor)
            for pk in sorted(chosen - present)
        ]
    )
    locked.achieved_value = len(chosen)
    locked.save(update_fields=["achieved_value"])
    return len(chosen)
