"""Pipelined "sent" marks: during a dispatch batch on PostgreSQL, the mark of each message
goes to the server without the worker waiting for its answer (libpq's pipeline mode), so
the server writes one mark while the worker renders and sends the next message.

Each mark is its own transaction (`BEGIN`, the `UPDATE`, `COMMIT`, all sent at once): the
server commits it as soon as it has read it, whether or not the worker is still alive, so a
worker killed with SIGKILL loses no mark it had sent, exactly as when it waited for each
(tests/notifications/test_kill_worker.py). Only the marks of channels whose far end
deduplicates by the delivery key are pipelined (see `services._DEDUPLICATED`): a mark that
does not arrive only means the message is sent again with the same reference.

The pipeline is a state of the connection, so nothing else may run while marks are in
flight: inside `marks_pipelined()` every other statement on the connection, and opening a
transaction, first waits for every mark (`marks_flush`). A
failure anywhere in the pipeline (a mark's error reaches the worker only with a later
answer) ends the pipeline, and the marks sent since it was last known good are written
again, one normal statement each, skipping rows already `sent`: none is lost, none counted
twice. If even that fails (the database is gone), the error propagates before the batch's
acknowledgement, so the outbox delivers those messages again.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

from .models import DeliveryStatus, NotificationDelivery

logger = logging.getLogger(__name__)


class _State(threading.local):
    """Per thread (Django's connections are)."""

    def __init__(self) -> None:
        self.depth = 0  # nested `marks_pipelined()` scopes
        self.pipeline: contextlib.ExitStack | None = None  # the open pipeline, if any
        self.of: Any = None  # the raw connection it is open on
        self.window: list[Sequence[Any]] = []  # marks sent since the pipeline was last good
        self.busy = False  # a mark or a flush is running: the barrier lets its statements by
        self.cursor: Any = None  # the kept server-binding cursor (see `server_binding_cursor`)
        self.cursor_of: Any = None
        self.cursor_logged: bool | None = None


_state = _State()


def _supported() -> bool:
    return connection.vendor == "postgresql" and _libpq_has_pipeline()


@functools.cache
def _libpq_has_pipeline() -> bool:
    """libpq 14 or later (psycopg's binary wheels carry one)."""
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


@contextlib.contextmanager
def marks_pipelined() -> Iterator[None]:
    """A dispatch batch's scope: `mark_sent_relaxed` pipelines its marks within it, and every
    mark has reached the database (or raised) when it ends. Outside a transaction only (the
    marks are their own transactions); anywhere else, and on SQLite, it does nothing."""
    if _state.depth or connection.in_atomic_block or not _supported():
        _state.depth += 1
        try:
            yield
        finally:
            _state.depth -= 1
        return
    _state.depth = 1
    # Two guards while marks may be in flight: Django's execute wrapper for every other
    # statement, and one around `set_autocommit`, which `atomic` calls to open a transaction
    # (no statement; psycopg refuses it while a pipeline has commands in flight) and which
    # has no documented hook.
    opening = connection.set_autocommit

    def set_autocommit(autocommit: bool, *args: Any, **kwargs: Any) -> None:
        marks_flush()
        opening(autocommit, *args, **kwargs)

    connection.set_autocommit = set_autocommit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(_barrier):
            try:
                yield
            except BaseException:
                try:
                    marks_flush()
                except Exception:  # the body's error is the one to see; the marks stay owed
                    logger.exception("notifications: marks could not be written after an error")
                raise
            marks_flush()
    finally:
        del connection.set_autocommit  # the class's again
        _state.depth = 0


def _barrier(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """Every statement not of a mark waits for the marks in flight (and their repair);
    `marks_flush` lets the marks' own statements by."""
    marks_flush()
    return execute(sql, params, many, context)


def marks_flush() -> None:
    """Wait for every pipelined mark; on a failure, write the owed marks again (raises if
    that fails too: they stay owed, and the next flush tries again). Cheap when nothing is in
    flight."""
    if _state.busy or (_state.pipeline is None and not _state.window):
        return
    _state.busy = True
    try:
        pipeline, _state.pipeline = _state.pipeline, None
        if pipeline is not None:
            try:
                pipeline.close()  # the Sync: every mark answered
            except Exception as exc:
                logger.warning(
                    "notifications: the marks' pipeline failed (%s); writing its %s marks again",
                    type(exc).__name__,
                    len(_state.window),
                )
                _discard_connection_if_unusable()
            else:
                _state.window.clear()
        if _state.window:
            _write_again(_state.window)
            _state.window.clear()
    finally:
        _state.busy = False


def _discard_connection_if_unusable() -> None:
    """After a failed pipeline the raw connection may be broken or still in pipeline mode;
    then it is closed (Django opens a new one for the next statement)."""
    import psycopg

    raw = connection.connection
    if raw is None:
        return
    usable = (
        not raw.closed
        and not raw.broken
        and raw.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF
        and raw.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    )
    if not usable:
        if connection.in_atomic_block:  # never closed under a transaction that owns it
            connection.needs_rollback = True
            raise RuntimeError("the marks' pipeline broke the connection inside a transaction")
        connection.close()
    _state.cursor = None


#: The mark as a normal statement, for rows not already sent (a repeat writes nothing).
_AGAIN_SQL = (
    "UPDATE {table} SET status = %s, provider = %s, provider_message_id = %s, sent_at = %s, "
    "last_error = '', attempts = attempts + 1 WHERE id = %s AND status <> '{sent}'"
)


def _write_again(window: list[Sequence[Any]]) -> None:
    table = connection.ops.quote_name(NotificationDelivery._meta.db_table)
    sql = _AGAIN_SQL.format(table=table, sent=DeliveryStatus.SENT)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [list(params) for params in window])


def mark_sent_relaxed(sql: str, params: Sequence[Any]) -> None:
    """Run one relaxed-commit mark (`sql`, an UPDATE of one delivery whose parameters are
    `status, provider, provider_message_id, sent_at, id`): pipelined within
    `marks_pipelined()`, else one statement whose answer it waits for."""
    if not _state.depth or connection.in_atomic_block or not _supported():
        server_binding_cursor().execute(sql, params)
        return
    connection.ensure_connection()
    if _state.pipeline is not None and _state.of is not connection.connection:
        marks_flush()  # Django replaced the connection under an open pipeline
    _state.busy = True
    try:
        if _state.pipeline is None:
            _open()
        _state.window.append(params)
        cursor = server_binding_cursor()
        cursor.execute("BEGIN")
        cursor.execute(sql, params)
        cursor.execute("COMMIT")
    except Exception as exc:
        logger.warning("notifications: a pipelined mark failed (%s)", type(exc).__name__)
        _state.busy = False
        marks_flush()  # writes the owed marks again, or raises
    finally:
        _state.busy = False


def _open() -> None:
    stack = contextlib.ExitStack()
    stack.enter_context(connection.connection.pipeline())
    _state.pipeline, _state.of = stack, connection.connection


def server_binding_cursor() -> Any:
    """A cursor of Django's connection (its execute wrappers apply) that binds parameters
    on the server, so psycopg prepares a statement run again and again (after
    `prepare_threshold` runs; per connection). Kept per thread while its connection is open
    and query logging unchanged (the dispatch marks rows one by one with it: not a new
    cursor each). PostgreSQL only."""
    import psycopg

    connection.ensure_connection()
    raw, logged = connection.connection, connection.queries_logged
    kept = _state.cursor
    if (
        kept is None
        or kept.cursor.closed
        or _state.cursor_of is not raw
        or _state.cursor_logged != logged
    ):
        cursor: Any = psycopg.Cursor(raw)  # (django-stubs type the wrapper's cursor)
        kept = connection.make_cursor(cursor)
        _state.cursor, _state.cursor_of, _state.cursor_logged = kept, raw, logged
    return kept
