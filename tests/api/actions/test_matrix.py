"""What `GET .../actions` lists is exactly what `POST .../actions/{action}` accepts: for several
statuses and every person, each listed action succeeds and each other action of the table
fails with 403 or 409 (every POST is rolled back, so each starts from the same dossier)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import Dossier
from motcua.organisation.models import Unit
from tests.api.actions.helpers import ApiUser, People, field_choices, ok, submit

pytestmark = pytest.mark.django_db


def _to_status(people: People, state: str) -> str:
    code = submit(people)
    if state == "registered":
        return code
    ok(people.officer.act(code, "receive"))
    if state == "received":
        return code
    leader_id = people.leader.user.pk
    ok(people.specialist.act(code, "forward", to_user=leader_id))
    if state == "processing":
        return code
    if state == "supplement_requested":
        items = [{"component": "GCS", "reason": "Thiếu bản chính"}]
        ok(people.specialist.act(code, "request_supplement", items=items))
        return code
    if state == "stopped":
        ok(people.specialist.act(code, "stop", reason="Chờ xác minh"))
        return code
    if state == "payment_requested":
        ok(people.officer.act(code, "request_payment", amount_vnd=50_000))
        return code
    ok(people.leader.act(code, "issue_result", outcome="granted"))
    if state == "finished":
        return code
    ok(people.officer.act(code, "return_result"))
    assert state == "returned"
    return code


def _values(
    action: str, listing: dict[str, Any], *, listed: bool, dossier: Dossier, other_unit: Unit
) -> dict[str, Any]:
    """A body the action's service accepts when the action is allowed: values picked from the
    listed choices, or plausible ones for an action that is not listed."""
    reason = {"reason": "Lý do thử nghiệm"}
    if action in {"refuse", "stop", "withdraw", "return_step", "answer_consult"}:
        return reason
    if action == "request_supplement":
        return {"items": [{"component": "GCS", "reason": "Thiếu bản chính"}]}
    if action == "supplement":
        return {"form_data": {"ten_tre": "Nguyễn An"}}
    if action == "forward":
        choices = field_choices(listing, action, "to_user") if listed else []
        return {"to_user": choices[0]} if choices else {}
    if action == "transfer":
        choices = field_choices(listing, action, "to_unit") if listed else [other_unit.code]
        return {"to_unit": choices[0], **reason}
    if action == "consult":
        choices = field_choices(listing, action, "to_unit") if listed else [other_unit.code]
        answer_by = dt.datetime(2030, 3, 6, 17, tzinfo=dt.UTC).isoformat()
        return {"to_unit": choices[0], "answer_by": answer_by, **reason}
    if action == "request_payment":
        return {"amount_vnd": 50_000}
    if action == "apologize":
        base = dossier.appointment_at or dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
        return {"new_appointment_at": (base + dt.timedelta(days=3)).isoformat(), **reason}
    if action == "issue_result":
        return {"outcome": "granted"}
    return {}


STATES = [
    "registered",
    "received",
    "processing",
    "supplement_requested",
    "stopped",
    "payment_requested",
    "finished",
    "returned",
]


@pytest.mark.parametrize("state", STATES)
def test_the_listed_actions_are_exactly_the_accepted_ones(
    people: People, state: str, other_ward: Unit
) -> None:
    code = _to_status(people, state)
    dossier = Dossier.objects.get(code=code)
    persons: dict[str, ApiUser] = {
        "citizen": people.citizen,
        "officer": people.officer,
        "specialist": people.specialist,
        "leader": people.leader,
    }
    offered: dict[str, list[str]] = {}
    outcomes: dict[tuple[str, str], int] = {}
    for who, person in persons.items():
        listing = person.actions(code)
        assert listing["version"] == dossier.version
        listed = [item["action"] for item in listing["items"]]
        offered[who] = listed
        for action in TRANSITIONS:
            body = {
                "expected_version": dossier.version,
                **_values(
                    action,
                    listing,
                    listed=action in listed,
                    dossier=dossier,
                    other_unit=other_ward,
                ),
            }
            with transaction.atomic():
                response = person.post(f"/dossiers/{code}/actions/{action}", body)
                transaction.set_rollback(True)
            outcomes[(who, action)] = response.status_code
            if action in listed:
                assert response.status_code == 200, (state, who, action, response.json())
            else:
                assert response.status_code in {403, 409}, (state, who, action, response.json())
    # nothing changed, and somebody could always do something until the end
    assert Dossier.objects.get(code=code).version == dossier.version
    assert any(offered.values()) == (state != "returned"), offered
