"""`GET /api/v1/me/notifications` and `POST /api/v1/me/notifications/read`: the caller's own
in-app notifications only, newest first, paginated, ISO 8601 times; marking read by ids (another
person's ignored) or all, exactly one of the two."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.notifications.models import Notification
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội


def _note(person: User, n: int) -> Notification:
    return Notification.objects.create(
        person=person,
        delivery_key=f"api-{person.pk}-{n}",
        event="result_ready",
        dossier_code=f"00070-260302-{n:04d}",
        title=f"Thông báo {n}",
        body="Đã có kết quả.",
        created_at=T0 + dt.timedelta(minutes=n),
    )


def _read(client: Client, body: object, auth: dict[str, str]) -> dict[str, object]:
    answer = client.post(
        "/api/v1/me/notifications/read", json.dumps(body), content_type="application/json", **auth
    )
    assert answer.status_code == 200, answer.content
    result: dict[str, object] = answer.json()
    return result


def test_the_list_is_mine_newest_first_paginated_with_the_unread_count(
    citizen: User, other_citizen: User
) -> None:
    for n in range(1, 4):
        _note(citizen, n)
    _note(other_citizen, 9)
    auth = bearer(citizen)
    body = Client().get("/api/v1/me/notifications?page_size=2", **auth).json()
    assert body["count"] == 3
    assert body["unread"] == 3
    assert [i["title"] for i in body["items"]] == ["Thông báo 3", "Thông báo 2"]
    first = body["items"][0]
    assert first == {
        "id": first["id"],
        "event": "result_ready",
        "event_label": "Đã có kết quả",
        "dossier_code": "00070-260302-0003",
        "title": "Thông báo 3",
        "body": "Đã có kết quả.",
        "created_at": "2026-03-02T09:03:00+07:00",
        "read_at": None,
    }
    page2 = Client().get("/api/v1/me/notifications?page_size=2&page=2", **auth).json()
    assert [i["title"] for i in page2["items"]] == ["Thông báo 1"]


def test_marking_read_by_ids_ignores_another_persons_and_all_marks_the_rest(
    citizen: User, other_citizen: User
) -> None:
    mine = [_note(citizen, n) for n in range(1, 4)]
    theirs = _note(other_citizen, 9)
    auth = bearer(citizen)
    client = Client()
    assert _read(client, {"ids": [mine[0].pk, theirs.pk]}, auth) == {"marked": 1, "unread": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    unread = client.get("/api/v1/me/notifications?unread=true", **auth).json()
    assert [i["title"] for i in unread["items"]] == ["Thông báo 3", "Thông báo 2"]
    assert _read(client, {"all": True}, auth) == {"marked": 2, "unread": 0}
    assert _read(client, {"all": True}, auth) == {"marked": 0, "unread": 0}
    listed = client.get("/api/v1/me/notifications", **auth).json()["items"]
    assert all(i["read_at"].endswith("+07:00") for i in listed)


def test_marking_read_needs_exactly_one_of_ids_or_all(citizen: User) -> None:
    auth = bearer(citizen)
    for body in ({}, {"ids": [1], "all": True}, {"all": False}):
        answer = Client().post(
            "/api/v1/me/notifications/read",
            json.dumps(body),
            content_type="application/json",
            **auth,
        )
        assert answer.status_code == 422, body
        assert answer.json()["code"] == "invalid"
