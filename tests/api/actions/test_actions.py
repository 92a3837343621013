"""GET /api/v1/dossiers/{code}/actions and POST .../actions/{action}: the lifecycle through
the API — the walk-through of issue 6 (status 1 to 10 with nothing but the API), the errors
and idempotency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from freezegun.api import FrozenDateTimeFactory

from motcua.accounts.models import User
from motcua.api.dossier_actions import ActionIn
from motcua.api.models import IdempotencyRecord
from motcua.core.models import DataAccessLog
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import Dossier, DossierEvent
from tests.api.actions.helpers import (
    ApiUser,
    People,
    event_actions,
    field_choices,
    ok,
    option,
    submit,
)

pytestmark = pytest.mark.django_db

# --- the walk-through ------------------------------------------------------------------------


def test_a_client_walks_a_dossier_from_1_to_10_with_nothing_but_the_api(
    people: People, frozen: FrozenDateTimeFactory, specialist: User, leader: User
) -> None:
    # given a citizen's online submission
    code = submit(people)
    assert people.citizen.action_names(code) == ["withdraw"]

    # the one-stop officer receives it (a receipt, form 01)
    frozen.tick(dt.timedelta(hours=1))
    listing = people.officer.actions(code)
    assert listing["version"] == 1
    assert [i["action"] for i in listing["items"]] == [
        "receive",
        "refuse",
        "request_supplement",
        "withdraw",
    ]
    assert option(listing, "receive") == {
        "action": "receive",
        "label": "Tiếp nhận hồ sơ",
        "role": "officer",
        "form": "01",
        "reason_required": False,
        "fields": [
            {
                "name": "reason",
                "kind": "text",
                "label": "Ghi chú",
                "required": False,
                "choices": None,
            }
        ],
    }
    received = ok(people.officer.act(code, "receive"))
    assert received["status"] == 2
    assert received["version"] == 2
    assert received["received_at"] == "2026-02-13T10:00:00+07:00"
    assert received["clock_started_at"] == "2026-02-13T10:00:00+07:00"
    assert received["appointment_at"] is not None
    assert received["current_step"] == {
        "name": "Thẩm định, trình ký",
        "role": "specialist",
        "assignee": None,
        "started_at": "2026-02-13T10:00:00+07:00",
        "due_at": "2026-02-16T16:00:00+07:00",
    }

    # the specialist appraises it and forwards it to the leader, picked from the choices
    frozen.tick(dt.timedelta(hours=1))
    listing = people.specialist.actions(code)
    assert "issue_result" not in [i["action"] for i in listing["items"]]  # steps remain
    assert field_choices(listing, "forward", "to_user") == [leader.pk]
    forwarded = ok(people.specialist.act(code, "forward", to_user=leader.pk))
    assert forwarded["status"] == 4
    assert forwarded["current_step"]["name"] == "Ký duyệt"
    assert forwarded["current_step"]["assignee"] == leader.pk

    # the specialist asks for a supplement during processing (the clock pauses)
    frozen.tick(dt.timedelta(hours=1))
    listing = people.specialist.actions(code)
    assert field_choices(listing, "request_supplement", "items") == ["TK", "GCS"]
    asked = ok(
        people.specialist.act(
            code,
            "request_supplement",
            items=[{"component": "GCS", "reason": "Bản chụp không đọc được"}],
        )
    )
    assert asked["status"] == 5
    assert asked["supplement_count"] == 1

    # the citizen supplements: back to processing; a second supplement is not offered
    frozen.tick(dt.timedelta(hours=1))
    assert people.citizen.action_names(code) == ["supplement", "withdraw"]
    supplemented = ok(
        people.citizen.act(code, "supplement", form_data={"ten_tre": "Nguyễn Văn An"})
    )
    assert supplemented["status"] == 4
    assert supplemented["form_data"]["ten_tre"] == "Nguyễn Văn An"
    assert "request_supplement" not in people.specialist.action_names(code)

    # the leader issues the result (the last processing step: no forward)
    frozen.tick(dt.timedelta(hours=1))
    listing = people.leader.actions(code)
    names = [i["action"] for i in listing["items"]]
    assert "forward" not in names
    assert "issue_result" in names
    assert field_choices(listing, "issue_result", "outcome") == ["granted", "refused"]
    issued = ok(people.leader.act(code, "issue_result", outcome="granted"))
    assert issued["status"] == 9
    assert issued["result_outcome"] == "granted"
    assert issued["current_step"]["name"] == "Trả kết quả"

    # the one-stop officer returns it
    frozen.tick(dt.timedelta(hours=1))
    assert people.officer.action_names(code) == ["return_result"]
    returned = ok(people.officer.act(code, "return_result", reason="Đã trao tận tay"))
    assert returned["status"] == 10
    assert returned["status_name"] == "Đã trả kết quả"
    assert returned["current_step"] is None
    assert returned["returned_at"] is not None

    # and the trail is the walk, and nothing is left to do
    assert event_actions(people, code) == [
        "submit",
        "receive",
        "forward",
        "request_supplement",
        "supplement",
        "issue_result",
        "return_result",
    ]
    for person in (people.citizen, people.officer, people.specialist, people.leader):
        assert person.action_names(code) == []
    # the POST answers the dossier exactly as GET shows it
    assert ok(people.citizen.get(f"/dossiers/{code}")) == returned


def test_a_refusal_to_settle_is_a_result_with_its_reason_and_ends_at_10(
    people: People, frozen: FrozenDateTimeFactory, specialist: User, leader: User
) -> None:
    code = submit(people)
    ok(people.officer.act(code, "receive"))
    ok(people.specialist.act(code, "forward", to_user=leader.pk))

    # a refusal without its reason is refused, and nothing changed
    response = people.leader.act(code, "issue_result", outcome="refused")
    assert response.status_code == 400
    assert response.json()["code"] == "required"
    assert ok(people.leader.get(f"/dossiers/{code}"))["status"] == 4

    refused = ok(
        people.leader.act(
            code, "issue_result", outcome="refused", reason="Không đủ điều kiện đăng ký"
        )
    )
    assert (refused["status"], refused["result_outcome"]) == (9, "refused")
    returned = ok(people.officer.act(code, "return_result"))
    assert (returned["status"], returned["result_outcome"]) == (10, "refused")
    assert event_actions(people, code)[-2:] == ["issue_result", "return_result"]


# --- GET .../actions ---------------------------------------------------------------------------


def test_the_actions_follow_accept_language(people: People) -> None:
    code = submit(people)

    response = people.officer.get(f"/dossiers/{code}/actions", HTTP_ACCEPT_LANGUAGE="en")

    assert option(response.json(), "receive")["label"] == "Receive the dossier"
    refused = post_action(people.citizen, code, "receive", {"expected_version": 1}, lang="en")
    assert refused.json()["message"] == "You are not allowed to receive this dossier."


def test_actions_of_a_dossier_the_caller_cannot_see_are_404_and_need_a_token(
    people: People, client: Client
) -> None:
    code = submit(people)

    assert people.stranger.get(f"/dossiers/{code}/actions").status_code == 404
    assert people.officer.get("/dossiers/00070-260213-9999/actions").status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}/actions").status_code == 401


def test_listing_actions_logs_no_read_a_refused_action_neither_and_acting_logs_one(
    people: People,
) -> None:
    code = submit(people)

    people.officer.actions(code)
    refused = post_action(people.officer, code, "return_result", {"expected_version": 1})
    assert refused.status_code == 409
    assert DataAccessLog.objects.count() == 0
    ok(people.officer.act(code, "receive"))
    assert list(DataAccessLog.objects.values_list("subject_id", "purpose", "channel")) == [
        (code, "dossier_view", "api")
    ]


# --- POST .../actions/{action}: the errors ------------------------------------------------------


def _state(code: str) -> tuple[int, int, int]:
    dossier = Dossier.objects.get(code=code)
    return dossier.status, dossier.version, DossierEvent.objects.filter(dossier=dossier).count()


def post_action(
    person: ApiUser, code: str, action: str, body: dict[str, Any], lang: str = "vi"
) -> Any:
    return person.post(f"/dossiers/{code}/actions/{action}", body, HTTP_ACCEPT_LANGUAGE=lang)


def test_a_stale_version_is_409_conflict_and_nothing_changes(people: People) -> None:
    code = submit(people)
    ok(people.officer.act(code, "receive"))  # version 2 now
    before = _state(code)

    response = post_action(people.officer, code, "forward", {"expected_version": 1})

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert _state(code) == before


def test_an_action_the_caller_may_not_take_is_403_or_404_when_they_cannot_see_it(
    people: People,
) -> None:
    code = submit(people)
    before = _state(code)

    by_applicant = post_action(people.citizen, code, "receive", {"expected_version": 1})
    by_stranger = post_action(people.stranger, code, "receive", {"expected_version": 1})

    assert (by_applicant.status_code, by_applicant.json()["code"]) == (403, "forbidden")
    assert (by_stranger.status_code, by_stranger.json()["code"]) == (404, "not_found")
    assert _state(code) == before


def test_an_illegal_action_is_409_with_its_code(people: People) -> None:
    code = submit(people)
    early = post_action(people.officer, code, "return_result", {"expected_version": 1})
    ok(people.officer.act(code, "receive"))
    before = _state(code)

    again = post_action(people.officer, code, "receive", {"expected_version": 2})

    assert (early.status_code, early.json()["code"]) == (409, "illegal_transition")
    assert (again.status_code, again.json()["code"]) == (409, "already_received")
    assert _state(code) == before


def test_an_unknown_action_is_404_unknown_action(people: People) -> None:
    code = submit(people)

    response = post_action(people.officer, code, "approve", {"expected_version": 1})

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_action"
    assert _state(code) == (1, 1, 1)


@pytest.mark.parametrize(
    ("action", "body", "status", "errors"),
    [
        (
            "receive",
            {"to_user": 1},
            400,
            [{"field": "to_user", "code": "extra_forbidden"}],
        ),
        (
            "forward",
            {"to_user": 999_999},
            400,
            [{"field": "to_user", "code": "not_found"}],
        ),
        (
            "transfer",
            {"reason": "Sai thẩm quyền"},
            400,
            [{"field": "to_unit", "code": "missing"}],
        ),
        (
            "forward",
            {"to_user": "someone"},
            422,
            [{"field": "to_user", "code": "int_parsing"}],
        ),
        (
            "apologize",
            {"new_appointment_at": "2026-03-10T17:00:00", "reason": "Chậm"},
            422,
            [{"field": "new_appointment_at", "code": "timezone_aware"}],
        ),
        ("receive", {"note": "x"}, 422, [{"field": "note", "code": "extra_forbidden"}]),
        ("receive", {}, 422, [{"field": "expected_version", "code": "missing"}]),
    ],
)
def test_invalid_fields_are_field_errors_and_nothing_changes(
    people: People, action: str, body: dict[str, Any], status: int, errors: list[dict[str, str]]
) -> None:
    code = submit(people)
    ok(people.officer.act(code, "receive"))
    before = _state(code)
    full = {"expected_version": 2, **body} if body or status == 400 else body

    response = post_action(people.officer, code, action, full)

    assert response.status_code == status
    assert response.json()["code"] == "invalid"
    assert [{k: e[k] for k in ("field", "code")} for e in response.json()["errors"]] == errors
    assert _state(code) == before


# --- Idempotency-Key -----------------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_answer_instead_of_a_conflict(
    people: People,
) -> None:
    code = submit(people)
    key = {"HTTP_IDEMPOTENCY_KEY": "3f0d2c1e-receive"}
    body = {"expected_version": 1, "reason": "Đủ hồ sơ"}

    first = people.officer.post(f"/dossiers/{code}/actions/receive", body, **key)
    retry = people.officer.post(f"/dossiers/{code}/actions/receive", body, **key)
    unkeyed = people.officer.post(f"/dossiers/{code}/actions/receive", body)

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert (unkeyed.status_code, unkeyed.json()["code"]) == (409, "conflict")
    assert event_actions(people, code) == ["submit", "receive"]
    assert IdempotencyRecord.objects.filter(operation="dossiers_act").count() == 1


def test_the_same_key_for_another_request_is_422_and_nothing_changes(people: People) -> None:
    code = submit(people)
    key = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    ok(people.officer.post(f"/dossiers/{code}/actions/receive", {"expected_version": 1}, **key))
    before = _state(code)

    response = people.officer.post(
        f"/dossiers/{code}/actions/forward", {"expected_version": 2}, **key
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert _state(code) == before


def test_the_body_schema_takes_every_field_of_the_lifecycle_table() -> None:
    """A field added to `TRANSITIONS` must be accepted by the API's body (else every POST
    of that action would be refused as an unknown field)."""
    table = {f.name for t in TRANSITIONS.values() for f in t.fields}

    # `files` is not a JSON field: it comes as multipart parts `files[<component>]`
    # (api/multipart.py, tests/api/test_supplement_files.py).
    assert set(ActionIn.model_fields) - {"expected_version"} == table - {"files"}
