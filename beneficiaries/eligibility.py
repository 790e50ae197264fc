"""Is an establishment a beneficiary of khuyến công on a given date?

Article 2 of Nghị định 45/2012/NĐ-CP names who may be supported; Nghị định 235/2025/NĐ-CP
amends it from 15/10/2025. A proposal approved before that date keeps the old rule, so the
rule applied is the one in force on the date asked about (the approval date).

Since 1 July 2025 there are no districts; both rules are applied on the 2025 map:

* Decree 45 (before 15/10/2025): establishments producing in the districts, towns and
  cities of a province, and in the communes of a centrally-run city — so communes
  anywhere, wards and special zones of a province, but not the wards or special zones of
  a centrally-run city. Beneficiaries were SMEs, cooperatives and their unions,
  cooperative groups and household businesses; artisans were not a category.
* Decree 235 (from 15/10/2025): communes, wards and special zones of a province; only
  communes and special zones (not wards) of a centrally-run city; members of a recognised
  craft village wherever they are; artisans join the beneficiaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from beneficiaries.models import LegalForm
from reference.models import Commune

DECREE_235_EFFECTIVE = date(2025, 10, 15)

RULE_DECREE_45 = "decree-45-2012"
RULE_DECREE_235 = "decree-235-2025"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    rule: str


def rule_in_force(on_date: date) -> str:
    return RULE_DECREE_235 if on_date >= DECREE_235_EFFECTIVE else RULE_DECREE_45


def beneficiary_eligibility(beneficiary, on_date: date) -> Eligibility:
    """The rule in force on ``on_date`` applied to ``beneficiary`` (its legal form, the
    kind of its commune and whether its province is a centrally-run city)."""
    commune = beneficiary.commune
    province = beneficiary.province
    names = {"commune": commune.name, "province": province.name, "city": province.short_name}
    in_city = province.is_centrally_run_city
    kind = commune.division_type

    if rule_in_force(on_date) == RULE_DECREE_235:
        rule = RULE_DECREE_235
        in_city_ward = in_city and kind == Commune.DivisionType.WARD
        if in_city_ward and beneficiary.craft_village_member:
            return Eligibility(
                True,
                _(
                    "Eligible under Decree 45/2012/NĐ-CP as amended by Decree 235/2025/NĐ-CP "
                    "(in force from 15/10/2025): %(commune)s is a ward of the centrally-run city "
                    "%(city)s, but an establishment of a recognised craft village "
                    "(%(village)s) is supported wherever it is located."
                )
                % {**names, "village": beneficiary.craft_village_name or "—"},
                rule,
            )
        if in_city_ward:
            return Eligibility(
                False,
                _(
                    "Not eligible under Decree 45/2012/NĐ-CP as amended by Decree "
                    "235/2025/NĐ-CP (in force from 15/10/2025): in a centrally-run city only "
                    "establishments in communes and special zones are supported, and "
                    "%(commune)s is a ward of %(province)s."
                )
                % names,
                rule,
            )
        if in_city:
            return Eligibility(
                True,
                _(
                    "Eligible under Decree 45/2012/NĐ-CP as amended by Decree 235/2025/NĐ-CP "
                    "(in force from 15/10/2025): %(commune)s is a commune or special zone of "
                    "the centrally-run city %(city)s."
                )
                % names,
                rule,
            )
        return Eligibility(
            True,
            _(
                "Eligible under Decree 45/2012/NĐ-CP as amended by Decree 235/2025/NĐ-CP "
                "(in force from 15/10/2025): establishments in the communes, wards and special "
                "zones of a province are supported, and %(commune)s is in %(province)s."
            )
            % names,
            rule,
        )

    rule = RULE_DECREE_45
    if beneficiary.legal_form == LegalForm.ARTISAN:
        return Eligibility(
            False,
            _(
                "Not eligible under Decree 45/2012/NĐ-CP (the rule before 15/10/2025): artisans "
                "became beneficiaries only with Decree 235/2025/NĐ-CP."
            ),
            rule,
        )
    if in_city and kind != Commune.DivisionType.COMMUNE:
        return Eligibility(
            False,
            _(
                "Not eligible under Decree 45/2012/NĐ-CP (the rule before 15/10/2025): in a "
                "centrally-run city only establishments in communes were supported, whether or "
                "not in a craft village, and %(commune)s is not a commune of %(province)s."
            )
            % names,
            rule,
        )
    if in_city:
        return Eligibility(
            True,
            _(
                "Eligible under Decree 45/2012/NĐ-CP (the rule before 15/10/2025): "
                "%(commune)s is a commune of the centrally-run city %(city)s."
            )
            % names,
            rule,
        )
    return Eligibility(
        True,
        _(
            "Eligible under Decree 45/2012/NĐ-CP (the rule before 15/10/2025): establishments "
            "anywhere in a province outside the centrally-run cities were supported, and "
            "%(commune)s is in %(province)s."
        )
        % names,
        rule,
    )
