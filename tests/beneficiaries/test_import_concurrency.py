"""Real threads and connections on PostgreSQL: the confirmation of an import locks only the
batch row, so another transaction holding the province (or the communes and sectors the
rows name) does not hold it up, and two confirmations of one batch write its rows once."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction

from beneficiaries import services
from beneficiaries.models import Beneficiary, ImportBatch
from reference.models import Province
from tests.beneficiaries.factories import commune_of, valid_tax_code, workbook_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _batch(actor, n=20) -> ImportBatch:
    commune = commune_of(14)
    rows = [
        {
            "name": f"Hợp tác xã Đồng thời {i}",
            "legal_form": "HTX",
            "tax_code": valid_tax_code(),
            "commune_code": commune.code,
            "sector": "khac",
        }
        for i in range(n)
    ]
    return services.import_batch_create(
        actor=actor, upload=SimpleUploadedFile("co-so.xlsx", workbook_bytes(rows))
    )


class RowLocks:
    """Another connection, in its own thread, holding row locks on reference rows until
    released: ``statements`` are run in one transaction, which is rolled back at the end."""

    def __init__(self, statements: list[tuple[str, list]]):
        self.statements = statements
        self.held = threading.Event()
        self.release = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        from django.db import connection as own

        try:
            with transaction.atomic():
                with own.cursor() as cursor:
                    for sql, params in self.statements:
                        cursor.execute(sql, params)
                        assert cursor.fetchall(), sql
                self.held.set()
                self.release.wait(timeout=60)
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.held.set()
        finally:
            own.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(timeout=10) and self.error is None, self.error
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(timeout=30)


# The locks other transactions take on a province row: KEY SHARE is what any insert of a
# row pointing at the province takes (the foreign key check) — another import, a đề án, a
# plan being saved —, SHARE an explicit reader, NO KEY UPDATE an update of the row (an
# administrator renaming it).
@pytest.mark.parametrize("mode", ["FOR KEY SHARE", "FOR SHARE", "FOR NO KEY UPDATE"])
def test_the_confirmation_does_not_wait_for_the_province_row(world, users, mode):
    actor = users["sct-sonla"]
    batch = _batch(actor)
    sonla = Province.objects.get(code=14)
    commune_id = commune_of(14).pk
    sector_id = batch.rows.first().cleaned["sector_id"]
    held = [
        (f"SELECT id FROM reference_province WHERE id = %s {mode}", [sonla.pk]),
        (f"SELECT id FROM reference_commune WHERE id = %s {mode}", [commune_id]),
        (f"SELECT id FROM beneficiaries_sector WHERE id = %s {mode}", [sector_id]),
    ]
    before = Beneficiary.objects.count()
    with RowLocks(held):
        # What the confirmation used to do (select_related("province") under FOR UPDATE)
        # waits for that lock: it gives up after the lock timeout.
        with pytest.raises(OperationalError, match="lock timeout"):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                ImportBatch.objects.select_for_update().select_related("province").get(pk=batch.pk)
        # The confirmation itself, under the same lock timeout, goes through.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            confirmed = services.import_batch_confirm(batch=batch, actor=actor)
    assert confirmed.created_count == 20
    assert Beneficiary.objects.count() == before + 20


def test_two_confirmations_of_one_batch_write_its_rows_once(world, users, monkeypatch):
    """Both start at the same moment; the check of what changed since the upload is slowed
    down, so without the lock on the batch row both would pass the status check and write.
    With it the second waits, then finds the batch confirmed."""
    actor = users["sct-sonla"]
    batch = _batch(actor)
    real = services._import_changes

    def slow_check(batch, rows):
        found = real(batch, rows)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "_import_changes", slow_check)
    barrier = threading.Barrier(2)
    results = [None, None]

    def confirm(index):
        from django.db import connection as own

        try:
            own.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = ("ok", services.import_batch_confirm(batch=batch, actor=actor))
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = (type(exc).__name__, exc)
        finally:
            own.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(2)]
    before = Beneficiary.objects.count()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(kind for kind, _ in results) == ["ValidationError", "ok"], results
    error = next(exc for kind, exc in results if kind == "ValidationError")
    assert isinstance(error, ValidationError) and error.code == "confirmed"
    assert Beneficiary.objects.count() == before + 20
    batch.refresh_from_db()
    assert batch.is_confirmed and batch.created_count == 20 and batch.refused_count == 0
