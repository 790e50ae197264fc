"""Which support cap applies, and the most a budget may receive.

One answer for forms, services and reports alike (Thông tư 28/2018/TT-BTC, amended by
Thông tư 64/2024/TT-BTC: support is "X % of the cost, at most Y đồng per unit", and a
province may set lower caps by resolution of its HĐND).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from core.formatting import format_date, format_decimal, format_vnd
from core.funding import FundingSource
from programs.models import Activity, AdvanceLimit, SupportCap


def cap_rule_for(
    *, activity: Activity, level: str, province, on_date: datetime.date
) -> SupportCap | None:
    """The rule in force on ``on_date`` for this activity, funding level and province.

    For local funds a province's own rule (HĐND resolution) wins over a rule for every
    province; national funds follow the national rules only, whatever the province (a
    province's rule never applies to them). An activity without a rule of its own takes its
    group's. Two queries at most."""
    activity_ids = [activity.pk] + ([activity.parent_id] if activity.parent_id else [])
    province_id = getattr(province, "pk", province)
    places = Q(province__isnull=True)
    if level != "national":
        places |= Q(province_id=province_id)
    candidates = (
        SupportCap.objects.filter(
            activity_id__in=activity_ids,
            level=level,
            effective_from__lte=on_date,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on_date))
        .filter(places)
        .select_related("legal_document", "activity", "province")
    )

    def rank(cap: SupportCap):
        # Own activity before its group, the province's rule before the national one.
        return (activity_ids.index(cap.activity_id), cap.province_id is None)

    rules = sorted(candidates, key=rank)
    return rules[0] if rules else None


def support_limit(rule: SupportCap, *, eligible_cost: int, units: int = 1) -> int:
    """The most the programme may pay under ``rule``: the lower of the share of the cost
    and the amount per unit times the number of units, in whole đồng (rounded down)."""
    limits = []
    if rule.max_percent is not None:
        share = (Decimal(eligible_cost) * rule.max_percent / 100).to_integral_value(ROUND_FLOOR)
        limits.append(int(share))
    if rule.max_amount is not None:
        limits.append(rule.max_amount * max(units, 1))
    return min(limits)


def describe_rule(rule: SupportCap) -> str:
    parts = []
    if rule.max_percent is not None:
        parts.append(
            _("%(percent)s %% of the cost") % {"percent": format_decimal(rule.max_percent)}
        )
    if rule.max_amount is not None:
        parts.append(
            _("at most %(amount)s %(unit)s")
            % {"amount": format_vnd(rule.max_amount), "unit": rule.get_unit_display()}
        )
    text = ", ".join(parts)
    since = format_date(rule.effective_from)
    document = rule.legal_document.citation
    if rule.article:
        # "Điều 8 khoản 2 Thông tư số 28/2018/TT-BTC": where the rule is written.
        document = _("%(article)s of %(document)s") % {
            "article": rule.article,
            "document": document,
        }
    text = _("%(limits)s (%(document)s, in force from %(since)s)") % {
        "limits": text,
        "document": document,
        "since": since,
    }
    if rule.is_example:
        text += " " + _("[example value, not read in the published text]")
    return text


@dataclass(frozen=True)
class CapCheck:
    rule: SupportCap | None
    limit: int | None
    requested: int
    ok: bool
    message: str


def cap_check(
    *,
    activity: Activity,
    level: str,
    province,
    on_date: datetime.date,
    eligible_cost: int,
    requested: int,
    units: int = 1,
) -> CapCheck:
    """Is ``requested`` within the cap in force? The message cites the rule and document."""
    rule = cap_rule_for(activity=activity, level=level, province=province, on_date=on_date)
    if rule is None:
        return CapCheck(
            None,
            None,
            requested,
            True,
            _("No support cap is recorded for this activity on %(date)s.")
            % {"date": format_date(on_date)},
        )
    limit = support_limit(rule, eligible_cost=eligible_cost, units=units)
    if requested <= limit:
        message = _("Within the cap: at most %(limit)s under %(rule)s.") % {
            "limit": format_vnd(limit),
            "rule": describe_rule(rule),
        }
        return CapCheck(rule, limit, requested, True, message)
    message = _(
        "Requested support %(requested)s exceeds the cap by %(excess)s: at most %(limit)s "
        "under %(rule)s."
    ) % {
        "requested": format_vnd(requested),
        "excess": format_vnd(requested - limit),
        "limit": format_vnd(limit),
        "rule": describe_rule(rule),
    }
    return CapCheck(rule, limit, requested, False, message)


# The funding level whose advance rules apply to money from a source: national rules to
# KCQG, a province's to KCĐP; counterpart and other money has none.
ADVANCE_LEVELS = {FundingSource.KCQG.value: "national", FundingSource.KCDP.value: "local"}


def advance_limit(proposal, source: str, on_date: datetime.date) -> AdvanceLimit | None:
    """The advance rule in force on ``on_date`` for money from ``source`` of ``proposal``
    (Thông tư 36/2013/TT-BCT for national funds; a province's own rule for its local
    funds), or None when no rule is recorded (the contract alone limits the advance).

    The đề án's own activity before its group, a group's rule before the rule for every
    other activity (no activity), the province's rule before a national one. One query."""
    level = ADVANCE_LEVELS.get(source)
    if level is None:
        return None
    activity = proposal.activity
    activity_ids = [activity.pk] + ([activity.parent_id] if activity.parent_id else [])
    candidates = (
        AdvanceLimit.objects.filter(level=level, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .filter(Q(activity_id__in=activity_ids) | Q(activity__isnull=True))
        .filter(Q(province__isnull=True) | Q(province_id=proposal.province_id))
        .select_related("legal_document")
    )

    def rank(rule: AdvanceLimit):
        place = activity_ids.index(rule.activity_id) if rule.activity_id else len(activity_ids)
        return (place, rule.province_id is None, -rule.valid_from.toordinal())

    rules = sorted(candidates, key=rank)
    return rules[0] if rules else None


def advance_amount_limit(rule: AdvanceLimit, contracted: int) -> int:
    """The most that may be advanced under ``rule`` on a contracted amount, in whole đồng
    (rounded down)."""
    return int((Decimal(contracted) * rule.percent / 100).to_integral_value(ROUND_FLOOR))


def describe_advance_limit(rule: AdvanceLimit) -> str:
    """ "Tạm ứng tối đa 70 % giá trị hợp đồng theo Thông tư số 36/2013/TT-BCT, …"."""
    text = _(
        "Advance at most %(percent)s %% of the contract's value under %(document)s, %(article)s"
    ) % {
        "percent": format_decimal(rule.percent),
        "document": rule.legal_document.citation,
        "article": rule.article,
    }
    if rule.requires_more_than_half_done:
        text += _(", once more than half of the work is done")
    return text
