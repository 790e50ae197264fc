"""Rounds, entries and certificates of the selection of typical products, made through the
services (so each builder also exercises the rules)."""

from __future__ import annotations

import datetime

from accounts.models import User
from reference.models import Province
from tests.beneficiaries.factories import BeneficiaryFactory, commune_of
from tests.projects.factories import staff_of
from typical_products import services
from typical_products.models import SelectionRound
from typical_products.rules import Level

D = datetime.date
YEAR = 2025
POINTS_PASS = {"market": 30, "technical": 25, "culture": 20, "other": 3}  # 78


def ministry() -> User:
    return User.objects.get(username="ministry")


def beneficiary_of(province_code: int):
    return BeneficiaryFactory(commune=commune_of(province_code))


def provincial_round(province_code: int = 1, *, year=YEAR, **kwargs) -> SelectionRound:
    existing = SelectionRound.objects.filter(
        level=Level.PROVINCIAL, year=year, province__code=province_code
    ).first()
    if existing:
        return existing
    province = Province.objects.get(code=province_code)
    return services.round_create(
        actor=staff_of(province_code),
        level=Level.PROVINCIAL,
        year=year,
        province=province,
        title=f"Bình chọn cấp tỉnh {province.short_name} {year}",
        organiser=f"UBND {province.administrative_name}",
        decision_number="12/KH-UBND",
        decision_date=D(year, 3, 1),
        opens_on=D(year, 3, 5),
        closes_on=D(year, 4, 30),
        **kwargs,
    )


def regional_round(region="north", *, year=YEAR) -> SelectionRound:
    return services.round_create(
        actor=ministry(),
        level=Level.REGIONAL,
        year=year,
        region=region,
        title=f"Bình chọn cấp khu vực {region} {year}",
        organiser="Bộ Công Thương",
        decision_number="99/KH-BCT",
        decision_date=D(year, 7, 1),
        opens_on=D(year, 7, 5),
        closes_on=D(year, 8, 30),
    )


def entered(round_, beneficiary=None, name="Gốm men lam", **kwargs):
    actor = staff_of(round_.province.code) if round_.province_id else ministry()
    beneficiary = beneficiary or beneficiary_of(round_.province.code)
    return services.entry_add(
        round_=round_,
        actor=actor,
        beneficiary=beneficiary,
        name=name,
        group="handicraft",
        registered_on=kwargs.pop("registered_on", D(round_.year, 4, 1)),
        **kwargs,
    )


def actor_of(round_):
    return staff_of(round_.province.code) if round_.province_id else ministry()


def judging(round_):
    round_.refresh_from_db()
    if round_.status == SelectionRound.Status.OPEN:
        services.round_transition(round_=round_, actor=actor_of(round_), action="judge")
    round_.refresh_from_db()
    return round_


def scored(entry, points=None, recognised=True):
    judging(entry.round)
    return services.entry_score(
        entry=entry,
        actor=actor_of(entry.round),
        points=points or POINTS_PASS,
        recognised=recognised,
    )


def certified(entry, issued_on=None, number="01/GCN"):
    issued_on = issued_on or D(entry.round.year, 6, 20)
    return services.certificate_issue(
        entry=entry,
        actor=actor_of(entry.round),
        number=number,
        decision_number="55/QĐ-UBND",
        decision_date=issued_on,
        issued_on=issued_on,
    )


def provincial_certificate(province_code=1, name="Gốm men lam", beneficiary=None, issued_on=None):
    round_ = provincial_round(province_code)
    if round_.status != SelectionRound.Status.OPEN:
        services.round_transition(round_=round_, actor=actor_of(round_), action="reopen")
        round_.refresh_from_db()
    entry = entered(round_, beneficiary=beneficiary, name=name)
    return certified(scored(entry), issued_on=issued_on, number=f"{entry.pk}/GCN")
