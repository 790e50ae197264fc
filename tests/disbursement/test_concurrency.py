"""Real threads on PostgreSQL: payments recorded at the same moment never pay more than
the contract, and a form submitted twice at once pays once."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError

from disbursement import services
from disbursement.models import Tranche
from projects.models import ProposalEvent
from tests.disbursement.factories import D, M, centre, contracted
from tests.projects.factories import tmp_media  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tmp_media")]


@pytest.fixture(autouse=True)
def no_mail_queue(monkeypatch):
    monkeypatch.setattr("projects.services.task_send", lambda task, *, args: True)


def run_together(jobs):
    """Start the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        from django.db import connection

        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = ("ok", job())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = (type(exc).__name__, exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def payment(proposal, actor, amount, key):
    return lambda: services.payment_record(
        proposal=proposal,
        actor=actor,
        kind="payment",
        source="kcdp",
        amount=amount,
        paid_on=D,
        voucher_number=f"PC-{key}",
        idempotency_key=key,
    )


def test_twelve_payments_at_once_never_exceed_the_contract(world):
    """KCĐP contract of 300 million; twelve payments of 40 million (480 million) arrive
    together. Exactly seven fit (280 million); the five others are told what is left."""
    proposal = contracted().proposal
    actor = centre()
    results = run_together([payment(proposal, actor, 40 * M, f"c-{i}") for i in range(12)])
    assert all(r is not None for r in results), results  # no thread lost
    ok = [value for kind, value in results if kind == "ok"]
    refused = [exc for kind, exc in results if kind != "ok"]
    assert len(ok) == 7, results
    assert all(isinstance(exc, ValidationError) for exc in refused), refused
    for exc in refused:
        message = " ".join(exc.messages)
        assert "vượt số còn lại của hợp đồng từ" in message and "KCĐP" in message
    paid = services.paid_by_source(proposal)["kcdp"]
    assert paid == 280 * M <= 300 * M
    rows = Tranche.objects.filter(proposal=proposal)
    assert rows.count() == 7 == len({t.pk for t in ok})
    assert set(rows.values_list("idempotency_key", flat=True)) == {t.idempotency_key for t in ok}
    assert ProposalEvent.objects.filter(proposal=proposal, action="payment").count() == 7


def test_the_same_form_submitted_twice_at_once_pays_once(world):
    proposal = contracted().proposal
    actor = centre()
    results = run_together([payment(proposal, actor, 100 * M, "same-key") for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert len({t.pk for _, t in results}) == 1
    assert Tranche.objects.filter(proposal=proposal).count() == 1
    assert services.paid_by_source(proposal)["kcdp"] == 100 * M
    assert ProposalEvent.objects.filter(proposal=proposal, action="payment").count() == 1
