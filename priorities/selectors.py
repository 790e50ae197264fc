"""Which priorities an establishment and a đề án meet: the one place that says so.

A priority is met by an establishment when the registry shows it (``COMPUTED_RULES``: owned
by a woman, by an ethnic-minority person, employing at least the priority's threshold of
workers, member of a recognised craft village) or when the Sở declared it for the
establishment (``BeneficiaryDeclaration``). A đề án meets a priority when one of its
establishments meets it, or — for a priority about the đề án (a priority area) — when the
Sở declared it for the đề án (``ProposalDeclaration``). The appraisal panel, the council's
score sheet, the establishment's page and the dashboards' filter all read these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.policies import visible
from beneficiaries.models import Beneficiary
from priorities.models import BeneficiaryDeclaration, Priority, ProposalDeclaration
from projects.models import Proposal, ProposalBeneficiary
from villages.selectors import recognised_village_by_beneficiary

BASIS = Priority.Basis


def craft_village_members(beneficiary_ids, on_date: dt.date) -> set[int]:
    """The establishments among ``beneficiary_ids`` that belong to a craft village
    recognised on ``on_date``: the register's answer (villages.selectors), the same one the
    eligibility check reads."""
    return set(recognised_village_by_beneficiary(beneficiary_ids, on_date))


def _woman_owned(beneficiary, priority) -> bool:
    return beneficiary.woman_owned


def _ethnic_minority_owned(beneficiary, priority) -> bool:
    return beneficiary.ethnic_minority_owned


def _many_workers(beneficiary, priority) -> bool:
    return priority.threshold is not None and beneficiary.workers >= priority.threshold


# code -> (rule on one establishment, the same rule as a filter on Beneficiary). The craft
# village is computed by ``craft_village_members`` (it reads another register).
COMPUTED_RULES = {
    "woman_owned": (_woman_owned, lambda p: Q(woman_owned=True)),
    "ethnic_minority_owned": (_ethnic_minority_owned, lambda p: Q(ethnic_minority_owned=True)),
    "many_workers": (
        _many_workers,
        lambda p: Q(workers__gte=p.threshold) if p.threshold else Q(pk__in=[]),
    ),
}
CRAFT_VILLAGE = "craft_village"


def priorities_in_force(on_date: dt.date | None = None) -> list[Priority]:
    on_date = on_date or timezone.localdate()
    return list(
        Priority.objects.select_related("document")
        .filter(valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
    )


def declarable(basis: str, on_date: dt.date | None = None) -> list[Priority]:
    """The priorities in force a user may declare for an establishment or a đề án."""
    return [p for p in priorities_in_force(on_date) if p.basis == basis]


@dataclass
class Met:
    """One priority met: by which establishments (with how: None computed, else the
    declaration) and by the đề án's own declaration."""

    priority: Priority
    beneficiaries: list = field(default_factory=list)  # [(beneficiary, declaration|None)]
    declaration: ProposalDeclaration | None = None


def _active(qs):
    return qs.filter(withdrawn_at__isnull=True).select_related("declared_by")


def beneficiary_priorities(
    beneficiaries: list[Beneficiary], on_date: dt.date | None = None, priorities=None, villages=None
) -> dict[int, list[tuple[Priority, BeneficiaryDeclaration | None]]]:
    """Per establishment: the priorities in force on ``on_date`` it meets, each with its
    declaration (None: computed from the registry). Two queries (and the craft village's,
    unless ``villages`` — the register's answer for these establishments and date — is
    given)."""
    on_date = on_date or timezone.localdate()
    priorities = priorities if priorities is not None else priorities_in_force(on_date)
    ids = [b.pk for b in beneficiaries]
    declared: dict[tuple[int, int], BeneficiaryDeclaration] = {}
    if any(p.basis == BASIS.BENEFICIARY for p in priorities):
        for d in _active(BeneficiaryDeclaration.objects.filter(beneficiary_id__in=ids)):
            declared[(d.beneficiary_id, d.priority_id)] = d
    if villages is not None:
        village = {pk for pk in ids if pk in villages}
    elif any(p.code == CRAFT_VILLAGE for p in priorities):
        village = craft_village_members(ids, on_date)
    else:
        village = set()
    result: dict[int, list] = {}
    for b in beneficiaries:
        met = []
        for p in priorities:
            if p.basis == BASIS.COMPUTED:
                rule = COMPUTED_RULES.get(p.code)
                if (p.code == CRAFT_VILLAGE and b.pk in village) or (rule and rule[0](b, p)):
                    met.append((p, None))
            elif p.basis == BASIS.BENEFICIARY and (b.pk, p.pk) in declared:
                met.append((p, declared[(b.pk, p.pk)]))
        result[b.pk] = met
    return result


def proposal_date(proposal: Proposal) -> dt.date:
    """The date a đề án's priorities are judged on: its approval decision's, else today."""
    return proposal.decision_date or timezone.localdate()


def proposals_priorities(proposals: list[Proposal]) -> dict[int, list[Met]]:
    """Per đề án: the priorities it meets on its date (``proposal_date``), in the
    catalogue's order. A fixed number of queries whatever the number of đề án."""
    if not proposals:
        return {}
    all_priorities = list(Priority.objects.select_related("document"))
    links = list(
        ProposalBeneficiary.objects.filter(proposal__in=proposals)
        .select_related("beneficiary")
        .order_by("proposal_id", "beneficiary__name")
    )
    by_proposal: dict[int, list[Beneficiary]] = {}
    for link in links:
        by_proposal.setdefault(link.proposal_id, []).append(link.beneficiary)
    own = {}
    for d in _active(ProposalDeclaration.objects.filter(proposal__in=proposals)):
        own[(d.proposal_id, d.priority_id)] = d
    beneficiaries = {b.pk: b for bs in by_proposal.values() for b in bs}
    dates = {p.pk: proposal_date(p) for p in proposals}
    # The establishments' priorities, once per distinct date (usually one or two).
    # A single đề án whose page already read the register for its establishments on that
    # date (projects.checks.eligibility_of_links) does not read it again.
    known = getattr(proposals[0], "_villages", None) if len(proposals) == 1 else None
    per_date = {}
    for day in set(dates.values()):
        in_force = [p for p in all_priorities if p.in_force(day)]
        villages = None
        if known is not None and known[0] == (tuple(sorted(beneficiaries)), day):
            villages = known[1]
        per_date[day] = (
            in_force,
            beneficiary_priorities(list(beneficiaries.values()), day, in_force, villages),
        )
    result = {}
    for proposal in proposals:
        in_force, met_by = per_date[dates[proposal.pk]]
        rows = []
        for p in in_force:
            row = Met(p)
            for b in by_proposal.get(proposal.pk, []):
                for q, declaration in met_by[b.pk]:
                    if q.pk == p.pk:
                        row.beneficiaries.append((b, declaration))
            if p.basis == BASIS.PROPOSAL:
                row.declaration = own.get((proposal.pk, p.pk))
            if row.beneficiaries or row.declaration:
                rows.append(row)
        result[proposal.pk] = rows
    return result


def proposal_priorities(proposal: Proposal) -> list[Met]:
    return proposals_priorities([proposal])[proposal.pk]


def proposals_meeting(priority: Priority, *, on_date: dt.date | None = None) -> QuerySet:
    """The ids of the đề án that meet ``priority`` (as a subquery, for the dashboards'
    filter): by a declaration for the đề án, or by one of its establishments."""
    on_date = on_date or timezone.localdate()
    if priority.basis == BASIS.PROPOSAL:
        return (
            ProposalDeclaration.objects.filter(priority=priority, withdrawn_at__isnull=True)
            .values("proposal_id")
            .order_by()
        )
    if priority.basis == BASIS.BENEFICIARY:
        who = Exists(
            BeneficiaryDeclaration.objects.filter(
                priority=priority,
                withdrawn_at__isnull=True,
                beneficiary_id=OuterRef("beneficiary_id"),
            )
        )
        links = ProposalBeneficiary.objects.filter(who)
    elif priority.code == CRAFT_VILLAGE:
        linked = ProposalBeneficiary.objects.values_list("beneficiary_id", flat=True).distinct()
        links = ProposalBeneficiary.objects.filter(
            beneficiary_id__in=sorted(craft_village_members(linked.order_by(), on_date))
        )
    elif priority.code in COMPUTED_RULES:
        rule = COMPUTED_RULES[priority.code][1](priority)
        links = ProposalBeneficiary.objects.filter(
            beneficiary__in=Beneficiary.objects.filter(rule).values("pk")
        )
    else:
        links = ProposalBeneficiary.objects.none()
    return links.values("proposal_id").order_by()


def beneficiary_declarations(*, user, beneficiary: Beneficiary) -> QuerySet:
    """The declarations of ``beneficiary`` (active and withdrawn) ``user`` may see."""
    return visible(
        user, BeneficiaryDeclaration.objects.filter(beneficiary=beneficiary)
    ).select_related("priority", "declared_by", "withdrawn_by")
