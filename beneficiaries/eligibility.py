"""Is an establishment a beneficiary of khuyến công on a given date?

Clause 2 of Article 1 of Nghị định 45/2012/NĐ-CP ("Đối tượng áp dụng") names who may be
supported; Nghị định 235/2025/NĐ-CP (Article 1, clause 1) replaces that clause from
15/10/2025. A đề án approved before that date keeps the old rule, so the rule applied is
the one in force on the date asked about (the approval date).

The rules are data: :data:`RULES` holds one row per period, each with the legal forms it
names, the outcome for each kind of place (commune, ward, special zone; of a province or
of a centrally-run city) on the 2025 map, whether a recognised craft village makes any
place eligible, and the article and source it comes from. :func:`beneficiary_eligibility`
reads the table; it holds no rule of its own. The programmes' legal rules page shows the
same table.

The craft village is passed in (``village``: the village the establishment belongs to and
that is recognised on the date, or None) by the caller that looked it up in the register
(``villages.selectors.recognised_village_by_beneficiary``); this module does not import
the villages app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import LegalForm
from reference.models import Commune

DECREE_235_EFFECTIVE = date(2025, 10, 15)

RULE_DECREE_45 = "decree-45-2012"
RULE_DECREE_235 = "decree-235-2025"

# Outcomes for a kind of place.
ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
# Eligible if a condition the 2025 map cannot tell held; the check warns without blocking.
CONDITIONAL = "conditional"

WARD = Commune.DivisionType.WARD
COMMUNE = Commune.DivisionType.COMMUNE
SPECIAL_ZONE = Commune.DivisionType.SPECIAL_ZONE


@dataclass(frozen=True)
class PlaceRule:
    in_city: bool  # the province is a centrally-run city
    division: str  # Commune.DivisionType
    outcome: str
    note: str = ""  # why, or the condition (lazy translation)


@dataclass(frozen=True)
class EligibilityRule:
    code: str
    title: str
    valid_from: date | None
    valid_to: date | None  # last day in force, inclusive
    legal_forms: tuple[str, ...]
    places: tuple[PlaceRule, ...]
    # A member of a craft village recognised by the UBND tỉnh is eligible wherever it is.
    craft_village_anywhere: bool
    article: str
    source_url: str
    source_note: str
    verified: bool
    other_sources: tuple[str, ...] = ()

    def in_force(self, on_date: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on_date) and (
            self.valid_to is None or on_date <= self.valid_to
        )

    @property
    def legal_form_labels(self) -> list[str]:
        return [str(LegalForm(f).label) for f in self.legal_forms]

    @property
    def place_rows(self) -> list[tuple[str, str, str]]:
        """(kind of place, outcome, note) for the legal rules page."""
        return [
            (_place_label(in_city=p.in_city, division=p.division), p.outcome, str(p.note))
            for p in self.places
        ]

    def place(self, *, in_city: bool, division: str) -> PlaceRule:
        for rule in self.places:
            if rule.in_city == in_city and rule.division == division:
                return rule
        raise LookupError((self.code, in_city, division))


DECREE_45_URL = (
    "http://thuvienphapluat.vn/archive/Nghi-dinh-45-2012-ND-CP-khuyen-cong-vb139487.aspx"
)
DECREE_235_URL = (
    "https://english.luatvietnam.vn/decreeno235-2025-nd-cpdatedaugust272025ofthegovernment"
    "amendingandsupplementinganumberofarticlesofthegovernmentsdecreeno45-20-410222-doc1.html"
)
TT_28_2018_URL = (
    "https://english.luatvietnam.vn/circular-no-28-2018-tt-btc-dated-march-28-2018-of-the-"
    "ministry-of-finance-on-guiding-the-estimation-management-and-use-of-industrial-"
    "extension-fund-163904-doc1.html"
)
ARTISANS_URL = "https://www.vietnam.vn/en/nhieu-diem-moi-ve-khuyen-cong-co-hieu-luc-tu-ngay-15-10"

_TYPE_1_WARDS = gettext_lazy(
    "Wards of a city of grade 1 were covered only if converted from a commune less than 5 "
    "years before; wards of towns (thị xã) and of cities of grades 2 and 3 were covered. The "
    "2025 map does not say which the ward was before 1/7/2025: check it."
)
_CITY_WARDS = gettext_lazy(
    "The wards of the urban districts (quận) of a centrally-run city were not covered. "
    "Wards of a former town (thị xã) of the city were, but the 2025 map does not tell them "
    "apart."
)
_ISLAND_DISTRICTS = gettext_lazy(
    "The special zones replace island districts (huyện), which the decree covered."
)

RULES: tuple[EligibilityRule, ...] = (
    EligibilityRule(
        code=RULE_DECREE_45,
        title=gettext_lazy("Decree 45/2012/NĐ-CP (the rule before 15/10/2025)"),
        valid_from=None,
        valid_to=date(2025, 10, 14),
        # "doanh nghiệp nhỏ và vừa, hợp tác xã, tổ hợp tác, hộ kinh doanh": no union of
        # cooperatives, no artisan.
        legal_forms=(
            LegalForm.SME,
            LegalForm.COOPERATIVE,
            LegalForm.COOPERATIVE_GROUP,
            LegalForm.HOUSEHOLD_BUSINESS,
        ),
        places=(
            PlaceRule(False, COMMUNE, ELIGIBLE),
            PlaceRule(False, WARD, CONDITIONAL, _TYPE_1_WARDS),
            PlaceRule(False, SPECIAL_ZONE, ELIGIBLE, _ISLAND_DISTRICTS),
            PlaceRule(True, COMMUNE, ELIGIBLE),
            PlaceRule(True, WARD, NOT_ELIGIBLE, _CITY_WARDS),
            PlaceRule(True, SPECIAL_ZONE, ELIGIBLE, _ISLAND_DISTRICTS),
        ),
        craft_village_anywhere=False,
        article=gettext_lazy(
            "Decree 45/2012/NĐ-CP, Article 1, clause 2, point a (the rule before 15/10/2025)"
        ),
        source_url=DECREE_45_URL,
        source_note=gettext_lazy(
            "Establishments producing in districts, towns, townships, communes, wards of "
            "cities of grades 2 and 3, and wards of cities of grade 1 converted from "
            "communes less than 5 years before: small and medium enterprises, cooperatives, "
            "cooperative groups (tổ hợp tác) and household businesses. Thông tư "
            "28/2018/TT-BTC, Article 2, clause 1, repeats it (rural districts, towns, "
            "townships, communes; the same kinds, no union of cooperatives)."
        ),
        other_sources=(TT_28_2018_URL,),
        verified=True,
    ),
    EligibilityRule(
        code=RULE_DECREE_235,
        title=gettext_lazy("Decree 45/2012/NĐ-CP as amended by Decree 235/2025/NĐ-CP"),
        valid_from=DECREE_235_EFFECTIVE,
        valid_to=None,
        legal_forms=(
            LegalForm.SME,
            LegalForm.COOPERATIVE_GROUP,
            LegalForm.COOPERATIVE,
            LegalForm.COOPERATIVE_UNION,
            LegalForm.HOUSEHOLD_BUSINESS,
            LegalForm.ARTISAN,
        ),
        places=(
            PlaceRule(False, COMMUNE, ELIGIBLE),
            PlaceRule(False, WARD, ELIGIBLE),
            PlaceRule(False, SPECIAL_ZONE, ELIGIBLE),
            PlaceRule(True, COMMUNE, ELIGIBLE),
            PlaceRule(True, WARD, NOT_ELIGIBLE),
            PlaceRule(True, SPECIAL_ZONE, ELIGIBLE),
        ),
        craft_village_anywhere=True,
        article=gettext_lazy(
            "Decree 45/2012/NĐ-CP, Article 1, clause 2, point a, as amended by Decree "
            "235/2025/NĐ-CP (Article 1, clause 1; in force from 15/10/2025)"
        ),
        source_url=DECREE_235_URL,
        other_sources=(ARTISANS_URL,),
        source_note=gettext_lazy(
            "Small and medium enterprises, cooperative groups, cooperatives, unions of "
            "cooperatives and household businesses producing in the communes, wards and "
            "special zones of provinces, the communes and special zones of centrally-run "
            "cities, and craft villages recognised by the UBND tỉnh. Artisans (nghệ nhân "
            "nhân dân, nghệ nhân ưu tú) join the beneficiaries (vietnam.vn, the clause's "
            "letter not read); the portal applies the place rule to them too."
        ),
        verified=True,
    ),
)


def rule_for(on_date: date) -> EligibilityRule:
    for rule in RULES:
        if rule.in_force(on_date):
            return rule
    raise LookupError(on_date)


def rule_in_force(on_date: date) -> str:
    return rule_for(on_date).code


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    rule: str
    # A condition the portal cannot check (eligible, with a warning); empty otherwise.
    condition: str = ""
    village: object = None  # the craft village that made it eligible, if one did


def _place_label(*, in_city: bool, division: str) -> str:
    labels = {
        (False, COMMUNE): _("a commune of a province"),
        (False, WARD): _("a ward of a province"),
        (False, SPECIAL_ZONE): _("a special zone of a province"),
        (True, COMMUNE): _("a commune of a centrally-run city"),
        (True, WARD): _("a ward of a centrally-run city"),
        (True, SPECIAL_ZONE): _("a special zone of a centrally-run city"),
    }
    return labels[(in_city, division)]


def beneficiary_eligibility(beneficiary, on_date: date, *, village=None) -> Eligibility:
    """The rule in force on ``on_date`` (:data:`RULES`) applied to ``beneficiary``: its
    legal form, the kind of its commune, whether its province is a centrally-run city, and
    ``village`` — the craft village it belongs to that is recognised on ``on_date`` (None
    if none; the caller looks it up in the register)."""
    rule = rule_for(on_date)
    commune = beneficiary.commune
    in_city = beneficiary.province.is_centrally_run_city
    place = rule.place(in_city=in_city, division=commune.division_type)
    names = {
        "rule": rule.title,
        "article": rule.article,
        "commune": commune.name,
        "province": beneficiary.province.name,
        "place": _place_label(in_city=in_city, division=commune.division_type),
    }

    if beneficiary.legal_form not in rule.legal_forms:
        return Eligibility(
            False,
            _(
                "Not eligible under %(article)s: the legal form “%(form)s” is not "
                "among those it names (%(forms)s)."
            )
            % {
                **names,
                "form": LegalForm(beneficiary.legal_form).label,
                "forms": "; ".join(str(LegalForm(f).label) for f in rule.legal_forms),
            },
            rule.code,
        )
    if place.outcome == ELIGIBLE:
        return Eligibility(
            True,
            _("Eligible under %(article)s: %(commune)s is %(place)s (%(province)s).") % names,
            rule.code,
        )
    if place.outcome == CONDITIONAL:
        return Eligibility(
            True,
            _(
                "Eligible under %(article)s if the condition holds: %(commune)s is "
                "%(place)s (%(province)s). %(condition)s"
            )
            % {**names, "condition": place.note},
            rule.code,
            condition=str(place.note),
        )
    if rule.craft_village_anywhere and village is not None:
        return Eligibility(
            True,
            _(
                "Eligible under %(article)s: %(commune)s is %(place)s, but the "
                "establishment belongs to the craft village %(village)s, recognised by decision "
                "%(decision)s of %(date)s."
            )
            % {
                **names,
                "village": village.name,
                "decision": village.decision_number,
                "date": village.decision_date.strftime("%d/%m/%Y"),
            },
            rule.code,
            village=village,
        )
    if rule.craft_village_anywhere:
        message = _(
            "Not eligible under %(article)s: %(commune)s is %(place)s "
            "(%(province)s), where only members of a craft village recognised by the UBND "
            "tỉnh are supported, and on %(date)s the establishment belongs to none."
        )
    else:
        message = _(
            "Not eligible under %(article)s: %(commune)s is %(place)s "
            "(%(province)s), whether or not in a craft village. %(note)s"
        )
    return Eligibility(
        False,
        message % {**names, "date": on_date.strftime("%d/%m/%Y"), "note": place.note},
        rule.code,
    )
