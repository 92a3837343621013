"""Idempotency records are purged after MOTCUA_IDEMPOTENCY_TTL_DAYS; a purged key is new."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.api import idempotency
from motcua.api.idempotency import idempotency_purge, idempotent_call
from motcua.api.models import IdempotencyRecord
from motcua.api.tasks import purge_idempotency
from motcua.core.clock import VN_TZ

NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=VN_TZ)
DAY = dt.timedelta(days=1)


def _record(user: User, key: str, age: dt.timedelta) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        principal=user,
        key=key,
        operation="dossier_submit",
        fingerprint="f" * 64,
        response_status=201,
        response_body={"code": key},
        created_at=NOW - age,
    )


def _keys() -> list[str]:
    return sorted(IdempotencyRecord.objects.values_list("key", flat=True))


def test_records_older_than_the_ttl_are_purged(citizen: User) -> None:
    # given records of 8, 7 (exactly) and 6 days and one hour ago (TTL 7 days by default)
    _record(citizen, "old", 8 * DAY)
    _record(citizen, "edge", 7 * DAY)
    _record(citizen, "recent", 6 * DAY)
    _record(citizen, "new", dt.timedelta(hours=1))

    assert idempotency_purge(now=NOW) == 1

    assert _keys() == ["edge", "new", "recent"]
    assert idempotency_purge(now=NOW) == 0  # nothing left to purge: nothing changes
    assert _keys() == ["edge", "new", "recent"]


def test_the_ttl_is_a_setting(citizen: User, settings) -> None:
    settings.MOTCUA_IDEMPOTENCY_TTL_DAYS = 1
    _record(citizen, "two-days", 2 * DAY)
    _record(citizen, "hour", dt.timedelta(hours=1))
    assert idempotency_purge(now=NOW) == 1
    assert _keys() == ["hour"]


def test_purging_runs_in_batches(citizen: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idempotency, "PURGE_BATCH", 2)
    for n in range(5):
        _record(citizen, f"k{n}", 10 * DAY)
    _record(citizen, "keep", DAY)
    assert idempotency_purge(now=NOW) == 5
    assert _keys() == ["keep"]


def test_a_purged_key_counts_as_new(citizen: User) -> None:
    _record(citizen, "k", 8 * DAY)
    idempotency_purge(now=NOW)
    calls: list[int] = []

    def perform() -> tuple[int, dict[str, str]]:
        calls.append(1)
        return 201, {"code": "again"}

    result = idempotent_call(
        principal=citizen,
        key="k",
        operation="dossier_submit",
        fingerprint="g" * 64,
        now=NOW,
        perform=perform,
    )
    assert (result, calls) == ((201, {"code": "again"}, False), [1])


def test_the_command_and_the_task(citizen: User) -> None:
    _record(citizen, "old", 8 * DAY)
    _record(citizen, "older", 30 * DAY)
    out = io.StringIO()
    call_command("purge_idempotency", "--days", "10", "--now", NOW.isoformat(), stdout=out)
    assert "Đã xoá 1 khoá chống gửi trùng cũ hơn 10 ngày." in out.getvalue()
    assert _keys() == ["old"]
    with freeze_time(NOW):
        assert purge_idempotency() == 1  # the Celery beat task, 7 days
    assert _keys() == []


@pytest.mark.django_db
def test_the_command_refuses_bad_input() -> None:
    with pytest.raises(CommandError, match="bad --now"):
        call_command("purge_idempotency", "--now", "hôm qua", stdout=io.StringIO())
    with pytest.raises(CommandError, match="negative"):
        call_command("purge_idempotency", "--days", "-1", stdout=io.StringIO())
