"""The rules of the selection of typical products at their boundaries: the pass mark, each
criterion's maximum, the certificate's validity, a certificate only for a recognised entry,
one per entry, the establishment in the round's place, the certificate of the level below —
each refused by the service and, where the database keeps it, by the database too."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reference.models import Province
from tests.projects.factories import staff_of
from tests.typical_products import factories as f
from typical_products import rules, selectors, services
from typical_products.models import Certificate, Entry, SelectionRound

D = datetime.date
pytestmark = pytest.mark.django_db


def points_totalling(total: int) -> dict:
    """Points within each criterion's maximum adding up to ``total``."""
    out, left = {}, total
    for criterion in rules.CRITERIA:
        out[criterion.code] = min(criterion.max_points, left)
        left -= out[criterion.code]
    assert left == 0
    return out


# --- Validity (Điều 17 khoản 3, as amended by Thông tư 14/2018/TT-BCT) -------------------------


@pytest.mark.parametrize(
    "issued_on, last_day",
    [
        (D(2025, 1, 1), D(2028, 12, 31)),
        (D(2025, 12, 31), D(2028, 12, 31)),
        (D(2026, 6, 20), D(2029, 12, 31)),
    ],
)
def test_certificate_valid_to_31_december_of_the_fourth_year(issued_on, last_day):
    assert rules.certificate_valid_until(issued_on) == last_day


def test_issued_certificate_carries_its_validity(world):
    cert = f.provincial_certificate(issued_on=D(2025, 6, 20))
    assert cert.valid_until == D(2028, 12, 31)
    assert cert.is_valid_on(D(2028, 12, 31))
    assert not cert.is_valid_on(D(2029, 1, 1))
    assert not cert.is_valid_on(D(2025, 6, 19))


# --- Points and pass mark ----------------------------------------------------------------------


def test_pass_mark_defaults_to_the_level_and_is_inclusive(world):
    round_ = f.provincial_round()
    assert round_.pass_mark == rules.PASS_MARKS[rules.Level.PROVINCIAL]
    at_mark = f.entered(round_, name="Đúng điểm sàn")
    below = f.entered(round_, name="Thiếu một điểm")
    at_mark = f.scored(at_mark, points_totalling(round_.pass_mark))
    assert at_mark.result == Entry.Result.RECOGNISED
    assert at_mark.total_points == round_.pass_mark
    with pytest.raises(ValidationError, match="điểm tối thiểu"):
        f.scored(below, points_totalling(round_.pass_mark - 1))
    # Below the mark it can still be recorded as not recognised.
    assert f.scored(below, points_totalling(round_.pass_mark - 1), recognised=False).result == (
        Entry.Result.NOT_RECOGNISED
    )


def test_database_refuses_a_recognised_entry_below_the_pass_mark(world):
    round_ = f.provincial_round()
    entry = f.scored(
        f.entered(round_, name="Sàn"), points_totalling(round_.pass_mark - 1), recognised=False
    )
    with pytest.raises(IntegrityError, match="below the pass mark"):
        with transaction.atomic():
            Entry.objects.filter(pk=entry.pk).update(result=Entry.Result.RECOGNISED)


def test_each_criterion_within_its_maximum(world):
    entry = f.entered(f.provincial_round(), name="Quá điểm")
    other = f.entered(f.provincial_round(), name="Quá điểm 2")
    points = dict(f.POINTS_PASS)
    top = rules.CRITERIA[0]
    points[top.code] = top.max_points
    f.scored(entry, points)  # the maximum itself is allowed
    points[top.code] = top.max_points + 1
    with pytest.raises(ValidationError) as exc:
        f.scored(other, points)
    assert f"points_{top.code}" in exc.value.message_dict


def test_total_is_the_sum_of_the_criteria(world):
    entry = f.scored(f.entered(f.provincial_round(), name="Tổng"), f.POINTS_PASS)
    assert entry.total_points == sum(f.POINTS_PASS.values())


def test_most_products_recognised(world):
    round_ = f.provincial_round(max_recognised=1)
    first, second = f.entered(round_, name="Thứ nhất"), f.entered(round_, name="Thứ hai")
    f.scored(first)
    with pytest.raises(ValidationError, match="số tối đa"):
        f.scored(second)


# --- Certificates --------------------------------------------------------------------------------


def test_certificate_refused_for_an_entry_not_recognised(world):
    entry = f.scored(f.entered(f.provincial_round(), name="Không đạt"), recognised=False)
    with pytest.raises(ValidationError, match="Chỉ sản phẩm được công nhận"):
        f.certified(entry)
    with pytest.raises(IntegrityError, match="is not recognised"):
        with transaction.atomic():
            Certificate.objects.create(
                entry=entry,
                number="X",
                decision_number="Y",
                decision_date=D(2025, 6, 1),
                issued_on=D(2025, 6, 1),
                valid_until=D(2028, 12, 31),
                issued_by=f.ministry(),
            )


def test_one_certificate_per_entry_and_the_entry_stays_recognised(world):
    cert = f.provincial_certificate(name="Một giấy")
    with pytest.raises(ValidationError, match="đã có giấy chứng nhận"):
        f.certified(cert.entry, number="02/GCN")
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Certificate.objects.create(
                entry=cert.entry,
                number="dup",
                decision_number="Y",
                decision_date=D(2025, 6, 1),
                issued_on=D(2025, 6, 1),
                valid_until=D(2028, 12, 31),
                issued_by=f.ministry(),
            )
    with pytest.raises(IntegrityError, match="stays recognised"):
        with transaction.atomic():
            Entry.objects.filter(pk=cert.entry.pk).update(result=Entry.Result.NOT_RECOGNISED)
    with pytest.raises(ValidationError, match="giấy chứng nhận"):
        f.scored(cert.entry, recognised=False)


def test_certificate_not_before_its_decision(world):
    entry = f.scored(f.entered(f.provincial_round(), name="Ngày"))
    with pytest.raises(ValidationError) as exc:
        services.certificate_issue(
            entry=entry,
            actor=f.actor_of(entry.round),
            number="1",
            decision_number="2",
            decision_date=D(2025, 6, 2),
            issued_on=D(2025, 6, 1),
        )
    assert "issued_on" in exc.value.message_dict


# --- Who enters where --------------------------------------------------------------------------


def test_provincial_round_takes_only_its_provinces_beneficiaries(world):
    round_ = f.provincial_round(1)
    with pytest.raises(ValidationError) as exc:
        f.entered(round_, beneficiary=f.beneficiary_of(14), name="Chè")
    assert "beneficiary" in exc.value.message_dict
    with pytest.raises(IntegrityError, match="not in the place"):
        with transaction.atomic():
            Entry.objects.create(
                round=round_,
                beneficiary=f.beneficiary_of(14),
                name="Chè",
                group="food",
                registered_on=D(2025, 4, 1),
            )


def test_regional_round_needs_a_valid_provincial_certificate(world):
    regional = f.regional_round("north")
    assert regional.provinces.filter(code=1).exists()
    cert = f.provincial_certificate(1, name="Gốm khu vực", issued_on=D(2025, 6, 20))
    entry = f.entered(
        regional,
        beneficiary=cert.entry.beneficiary,
        name=cert.entry.name,
        qualifying_certificate=cert,
        registered_on=D(2025, 7, 10),
    )
    assert entry.qualifying_certificate == cert
    # Without a certificate, or with another establishment's, it is refused.
    with pytest.raises(ValidationError) as exc:
        f.entered(regional, beneficiary=f.beneficiary_of(1), name="Không giấy")
    assert "qualifying_certificate" in exc.value.message_dict
    with pytest.raises(ValidationError):
        f.entered(
            regional,
            beneficiary=f.beneficiary_of(1),
            name="Giấy người khác",
            qualifying_certificate=cert,
        )


def test_regional_entry_refused_once_the_certificate_has_expired(world):
    old_round = f.provincial_round(1, year=2021)
    entry = f.scored(f.entered(old_round, name="Giấy cũ"))
    cert = f.certified(entry, issued_on=D(2021, 6, 1))
    assert cert.valid_until == D(2024, 12, 31)
    regional = f.regional_round("north")
    kwargs = dict(beneficiary=entry.beneficiary, qualifying_certificate=cert)
    f.entered(regional, name="Còn hạn", registered_on=D(2024, 12, 31), **kwargs)
    with pytest.raises(ValidationError):
        f.entered(regional, name="Hết hạn", registered_on=D(2025, 1, 1), **kwargs)


def test_regional_round_takes_only_its_region(world):
    regional = f.regional_round("south")
    cert = f.provincial_certificate(1, name="Ngoài vùng")
    with pytest.raises(ValidationError) as exc:
        f.entered(
            regional,
            beneficiary=cert.entry.beneficiary,
            name=cert.entry.name,
            qualifying_certificate=cert,
            registered_on=D(2025, 7, 10),
        )
    assert "beneficiary" in exc.value.message_dict


def test_who_runs_which_round(world):
    hanoi = Province.objects.get(code=1)
    round_ = f.provincial_round(1)
    with pytest.raises(PermissionDenied):  # another province's Sở
        services.entry_add(
            round_=round_,
            actor=staff_of(14),
            beneficiary=f.beneficiary_of(1),
            name="X",
            group="other",
        )
    with pytest.raises(PermissionDenied):  # the ministry watches provincial rounds
        services.round_transition(round_=round_, actor=f.ministry(), action="judge")
    with pytest.raises(PermissionDenied):  # a Sở does not open a regional round
        services.round_create(
            actor=staff_of(1),
            level="regional",
            year=2025,
            region="north",
            title="x",
            organiser="x",
            decision_number="1",
            decision_date=D(2025, 1, 1),
            opens_on=D(2025, 1, 2),
            closes_on=D(2025, 1, 3),
        )
    with pytest.raises(ValidationError):  # one round per level, year and place
        services.round_create(
            actor=staff_of(1),
            level="provincial",
            year=round_.year,
            province=hanoi,
            title="again",
            organiser="x",
            decision_number="1",
            decision_date=D(2025, 1, 1),
            opens_on=D(2025, 1, 2),
            closes_on=D(2025, 1, 3),
        )


def test_round_workflow_table(world):
    round_ = f.provincial_round(1)
    actor = f.actor_of(round_)
    assert [t.action for t in services.round_transitions(round_, actor)] == ["judge"]
    assert services.round_transitions(round_, f.ministry()) == []
    with pytest.raises(ValidationError):
        services.round_transition(round_=round_, actor=actor, action="conclude")
    round_ = services.round_transition(round_=round_, actor=actor, action="judge")
    with pytest.raises(ValidationError, match="không còn nhận hồ sơ"):
        f.entered(round_, name="Muộn")
    round_ = services.round_transition(round_=round_, actor=actor, action="conclude")
    assert round_.status == SelectionRound.Status.CONCLUDED
    assert round_.events.filter(action="conclude").exists()


def test_scope_a_province_sees_its_rounds_and_every_regional_one(world, users):
    hanoi_round = f.provincial_round(1)
    sonla_round = f.provincial_round(14)
    regional = f.regional_round("north")
    seen = set(selectors.round_list(user=users["sct-sonla"]).values_list("pk", flat=True))
    assert seen == {sonla_round.pk, regional.pk}
    assert hanoi_round.pk not in seen
    cert = f.provincial_certificate(1, name="Chỉ Hà Nội")
    assert not selectors.certificate_list(user=users["sct-sonla"]).filter(pk=cert.pk).exists()
    assert selectors.certificate_list(user=users["sct-hanoi"]).filter(pk=cert.pk).exists()
    assert selectors.certificate_list(user=users["ministry"]).filter(pk=cert.pk).exists()


def test_database_holds_the_total_to_the_sum_of_the_criteria(world):
    entry = f.scored(f.entered(f.provincial_round(), name="Tổng giữ"), f.POINTS_PASS)
    with pytest.raises(IntegrityError, match="entry_total_is_the_sum"):
        with transaction.atomic():
            Entry.objects.filter(pk=entry.pk).update(total_points=entry.total_points + 1)
    with pytest.raises(IntegrityError, match="entry_total_is_the_sum"):
        with transaction.atomic():
            Entry.objects.filter(pk=entry.pk).update(points_other=None)
