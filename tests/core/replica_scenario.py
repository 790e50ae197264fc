"""The scenario of tests/core/test_replica.py, run by it in a child pytest whose
DATABASE_URL names a primary and DATABASE_REPLICA_URL its streaming standby (not collected
by the suite: the file name does not start with ``test_``).

Replay on the standby is paused with ``pg_wal_replay_pause()`` while a change is made on
the primary: a page that still shows the old figure was read from the standby, one that
shows the new figure from the primary. Waiting for the standby is polling its replay
position until it reaches the primary's, never a sleep."""

from __future__ import annotations

import re
import socket
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.models import Agency
from core import replica
from programs.models import Activity
from tests.projects.factories import make_proposal, staff_of

pytestmark = [
    pytest.mark.skipif(
        "replica" not in settings.DATABASES, reason="run by tests/core/test_replica.py"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

SONLA = 14


def wait_replayed(timeout: float = 60.0) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    lsn = replica.primary_position()
    deadline = time.monotonic() + timeout
    while not replica.replica_position(lsn)[0]:
        assert time.monotonic() < deadline, "the standby did not replay the primary's WAL"


@pytest.fixture
def paused():
    """Replay paused on the standby for the test's middle part, resumed in any case."""
    standby = connections["replica"]

    def pause():
        with standby.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")

    def resume():
        with standby.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    pause.resume = resume
    yield pause
    resume()


def total_count(response) -> int:
    assert response.status_code == 200
    page = response.content.decode()
    return int(re.search(r'data-testid="total-count">([\d.]+)<', page).group(1).replace(".", ""))


def dashboard(client):
    return client.get(reverse("dashboard-national"))


def test_a_change_on_the_primary_appears_on_the_dashboard_once_replayed(
    world, client, paused, settings
):
    settings.REPLICA_LAG_NOTICE = 0  # any delay is shown, so the test needs no waiting
    client.force_login(staff_of(SONLA))
    make_proposal(SONLA, attach=False)
    wait_replayed()
    response = dashboard(client)
    before = total_count(response)
    assert before >= 1
    assert response.context["replica"].from_replica
    assert 'data-testid="replica-lag"' not in response.content.decode()  # caught up

    paused()
    make_proposal(SONLA, attach=False)  # committed on the primary, not replayed
    response = dashboard(client)
    assert total_count(response) == before  # the standby's figures: exact for what it has
    page = response.content.decode()
    assert "Số liệu tính đến" in page and 'data-testid="replica-lag"' in page

    paused.resume()
    wait_replayed()
    response = dashboard(client)
    assert total_count(response) == before + 1
    assert 'data-testid="replica-lag"' not in response.content.decode()


def test_a_users_own_change_is_visible_at_once(world, client, paused):
    user = staff_of(SONLA)
    client.force_login(user)
    colleague = Client()  # the same user in another browser, who changed nothing there
    colleague.force_login(user)
    form = client.get(reverse("proposal-create")).context["form"]
    plan = next(p for p in form.fields["plan"].queryset if p.year == 2026)
    wait_replayed()
    before = total_count(dashboard(client))

    paused()
    response = client.post(
        reverse("proposal-create"),
        {
            "plan": plan.pk,
            "title": "Mô hình trình diễn sấy nông sản",
            "kind": "group",
            "activity": Activity.objects.get(code="03.1").pk,
            "implementing_agency": Agency.objects.get(
                province__code=SONLA, kind="promotion_centre"
            ).pk,
            "start_date": "01/03/2026",
            "end_date": "30/11/2026",
        },
    )
    assert response.status_code == 302
    response = dashboard(client)
    assert total_count(response) == before + 1  # the primary: their own change, at once
    assert response.context["replica"].reason == "recent-write"
    assert total_count(dashboard(colleague)) == before  # the paused standby

    paused.resume()
    wait_replayed()
    assert total_count(dashboard(colleague)) == before + 1


def test_the_page_is_read_from_the_primary_when_the_replica_is_down(world, client):
    client.force_login(staff_of(SONLA))
    make_proposal(SONLA, attach=False)
    standby = connections["replica"]
    port = standby.settings_dict["PORT"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]  # bound, not listening: connections are refused
        standby.close()
        standby.settings_dict["PORT"] = closed_port
        try:
            response = dashboard(client)
            assert total_count(response) >= 1
            assert response.context["replica"].reason == "unreachable"
            # The next pages leave the replica alone for a while, without trying again.
            assert dashboard(client).context["replica"].reason == "unreachable"
        finally:
            standby.close()
            standby.settings_dict["PORT"] = port
            replica._unreachable_until = 0.0
    assert dashboard(client).context["replica"].from_replica
