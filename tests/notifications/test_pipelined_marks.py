"""Pipelined "sent" marks (`motcua.notifications.marks`): within a dispatch batch on
PostgreSQL each mark goes out without the worker waiting for its answer. These tests show
that every mark is in the database when the batch's scope ends, that any other statement or
transaction on the connection first waits for the marks in flight, and that a failure in the
pipeline loses no mark and counts none twice.

PostgreSQL only (SQLite has no pipeline: there `marks_pipelined` does nothing, and the rest
of the notification tests cover that path)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction

from motcua.core.clock import VN_TZ
from motcua.notifications import marks
from motcua.notifications.marks import mark_sent_relaxed, marks_pipelined
from motcua.notifications.models import DeliveryStatus, NotificationDelivery
from motcua.notifications.rendering import Rendered
from motcua.notifications.services import Outgoing, deliveries_insert

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has no pipeline mode",
    ),
    pytest.mark.django_db(transaction=True),  # outside a transaction, as the dispatch runs
]

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
TABLE = NotificationDelivery._meta.db_table
MARK = (  # the table's name is the model's
    "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608
    f'UPDATE "{TABLE}" SET status = %s, provider = %s, provider_message_id = %s, '
    "sent_at = %s, last_error = '', attempts = attempts + 1 FROM relaxed WHERE id = %s"
)
#: The same mark, failing on the server (a division by zero): what an error in the middle of
#: the pipeline looks like to the worker (it learns of it only with a later answer).
FAILING = MARK.replace("WHERE id = %s", "WHERE id = %s AND 1 / 0 = 1")


def _rows(count: int) -> list[NotificationDelivery]:
    outgoing = [
        Outgoing(
            key=f"k{n}",
            channel="sms",
            event="received",
            language="vi",
            dossier_code="00070-260302-0001",
            person_id=None,
            recipient="0912345678",
            rendered=Rendered("", f"Ho so {n}"),
        )
        for n in range(count)
    ]
    stored = deliveries_insert(((o, True) for o in outgoing), now=NOW)
    return [stored[o.key] for o in outgoing]


def _params(row: NotificationDelivery) -> list[Any]:
    return [DeliveryStatus.SENT, "console", f"m-{row.pk}", NOW, row.pk]


def _from_another_connection() -> dict[int, tuple[str, int]]:
    """What a second session sees committed (not this connection's view)."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"]
    ) as other:
        rows = other.execute(f'SELECT id, status, attempts FROM "{TABLE}"').fetchall()  # noqa: S608
    return {pk: (status, attempts) for pk, status, attempts in rows}


def test_every_mark_is_committed_when_the_scope_ends() -> None:
    rows = _rows(30)
    with marks_pipelined():
        for row in rows:
            mark_sent_relaxed(MARK, _params(row))
        assert marks._state.pipeline is not None  # they went out pipelined
    assert marks._state.pipeline is None
    assert not marks._state.window
    seen = _from_another_connection()
    assert {seen[row.pk] for row in rows} == {("sent", 1)}
    assert not connection.connection.pgconn.pipeline_status  # the connection is normal again


def test_any_other_statement_first_waits_for_the_marks() -> None:
    rows = _rows(5)
    with marks_pipelined():
        for row in rows:
            mark_sent_relaxed(MARK, _params(row))
        # An ORM update reads its row count: it must see every mark done, not a pipeline.
        updated = NotificationDelivery.objects.filter(status=DeliveryStatus.SENT).update(
            last_error="checked"
        )
        assert updated == 5
        assert marks._state.pipeline is None
        mark_sent_relaxed(MARK, _params(rows[0]))  # a new pipeline opens for the next mark
        assert marks._state.pipeline is not None
    assert NotificationDelivery.objects.get(pk=rows[0].pk).attempts == 2


def test_opening_a_transaction_first_waits_for_the_marks() -> None:
    rows = _rows(3)
    with marks_pipelined():
        for row in rows:
            mark_sent_relaxed(MARK, _params(row))
        # `atomic` changes the connection's autocommit, which psycopg refuses while a
        # pipeline has commands in flight; the guard waits for them first.
        with transaction.atomic():
            statuses = set(
                NotificationDelivery.objects.select_for_update().values_list("status", flat=True)
            )
    assert statuses == {"sent"}
    assert "set_autocommit" not in vars(connection._connections[connection._alias])  # type: ignore[attr-defined]


def test_a_failure_in_the_pipeline_loses_no_mark_and_counts_none_twice() -> None:
    rows = _rows(6)
    with marks_pipelined():
        for n, row in enumerate(rows):
            # The 3rd fails on the server: it and everything after it until the pipeline's
            # end is discarded there, and the worker learns of it with a later answer.
            mark_sent_relaxed(FAILING if n == 2 else MARK, _params(row))
    seen = _from_another_connection()
    assert {seen[row.pk] for row in rows} == {("sent", 1)}  # each written once, none lost
    stored = {r.pk: r for r in NotificationDelivery.objects.all()}
    assert {stored[row.pk].provider_message_id for row in rows} == {f"m-{r.pk}" for r in rows}


def test_marks_that_cannot_be_written_again_stay_owed_and_raise(monkeypatch: Any) -> None:
    rows = _rows(2)

    def unreachable(window: list[Any]) -> None:
        raise psycopg.OperationalError("the database is restarting")

    monkeypatch.setattr(marks, "_write_again", unreachable)

    def batch() -> None:
        with marks_pipelined():
            mark_sent_relaxed(MARK, _params(rows[0]))
            mark_sent_relaxed(FAILING, _params(rows[1]))

    with pytest.raises(psycopg.OperationalError):  # at the latest when the scope ends
        batch()
    # the failing one is owed (its pipeline failed): still in the window, not forgotten
    assert [p[-1] for p in marks._state.window] == [rows[0].pk, rows[1].pk]
    monkeypatch.undo()
    marks.marks_flush()  # the next flush writes them
    assert not marks._state.window
    seen = _from_another_connection()
    assert {seen[row.pk] for row in rows} == {("sent", 1)}


def test_outside_a_scope_or_in_a_transaction_a_mark_waits_for_its_answer() -> None:
    rows = _rows(2)
    mark_sent_relaxed(MARK, _params(rows[0]))
    assert marks._state.pipeline is None
    assert _from_another_connection()[rows[0].pk] == ("sent", 1)
    with transaction.atomic(), marks_pipelined():
        mark_sent_relaxed(MARK, _params(rows[1]))
        assert marks._state.pipeline is None  # the transaction owns the connection
