"""A client that follows the lifecycle with nothing but the API (shared by the action tests).

`token_headers` is the one place a test gets its credentials: the person signs in through
`POST /api/v1/auth/token` with a password, as an API client would (integrators, whose
tokens an administrator creates, get one from `api_token_create`)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from motcua.accounts.models import User
from tests.api.conftest import bearer

PASSWORD = "mat-khau-thu-nghiem-2026"


def token_headers(client: Client, user: User) -> dict[str, Any]:
    """Headers authenticating `user` (`Authorization: Bearer <token>`), the token obtained
    from `POST /api/v1/auth/token`."""
    if user.kind == User.Kind.INTEGRATOR:
        return bearer(user)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": user.username, "password": PASSWORD, "name": "walk-through"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content[:300]
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['key']}"}


class ApiUser:
    """One person using the API with their own token."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.user = user
        self.headers = token_headers(client, user)

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(f"/api/v1{path}", **self.headers, **extra)

    def post(self, path: str, body: Any, **extra: Any) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            **self.headers,
            **extra,
        )

    def actions(self, code: str) -> dict[str, Any]:
        response = self.get(f"/dossiers/{code}/actions")
        assert response.status_code == 200, response.content
        return dict(response.json())

    def action_names(self, code: str) -> list[str]:
        return [item["action"] for item in self.actions(code)["items"]]

    def act(self, code: str, action: str, **values: Any) -> Any:
        """POST the action with the version `GET .../actions` gave (unless given)."""
        listed = self.actions(code)
        body = {"expected_version": listed["version"], **values}
        return self.post(f"/dossiers/{code}/actions/{action}", body)


def option(listing: dict[str, Any], action: str) -> dict[str, Any]:
    return next(item for item in listing["items"] if item["action"] == action)


def field_choices(listing: dict[str, Any], action: str, field: str) -> list[Any]:
    spec = next(f for f in option(listing, action)["fields"] if f["name"] == field)
    return [choice["value"] for choice in spec["choices"] or []]


SUBMISSION = {
    "procedure": "1.001193",
    "receiving_unit": "00070",
    "form_data": {"ten_tre": "Nguyễn An"},
}


class People:
    def __init__(self, client: Client, **users: User) -> None:
        self.citizen = ApiUser(client, users["citizen"])
        self.officer = ApiUser(client, users["officer"])
        self.specialist = ApiUser(client, users["specialist"])
        self.leader = ApiUser(client, users["leader"])
        self.stranger = ApiUser(client, users["stranger"])


def submit(people: People) -> str:
    response = people.citizen.post("/dossiers", SUBMISSION)
    assert response.status_code == 201, response.content
    return str(response.json()["code"])


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return dict(response.json())


def event_actions(people: People, code: str) -> list[str]:
    return [e["action"] for e in people.citizen.get(f"/dossiers/{code}/events").json()["items"]]
