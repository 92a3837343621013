"""Who may read and write dossiers through the API: the authorisation matrix.

Anything an actor may not see is 404 `not_found`, exactly as a code that does not exist."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import api_token_create
from motcua.catalog.models import Procedure
from motcua.core.models import DataAccessLog
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_submit
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 2, 13, 3, 0, tzinfo=dt.UTC)
BODY = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}
NOT_FOUND = {"code": "not_found", "message": "Không tìm thấy hồ sơ 00070-260213-0001."}
UNAUTHENTICATED = {"code": "unauthenticated", "message": "Cần đăng nhập hoặc gửi khoá API hợp lệ."}


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def dossier(procedure: Procedure, ward: Unit, citizen: User) -> Dossier:
    return dossier_submit(
        applicant=citizen,
        procedure_version=procedure.versions.get(number=2),
        receiving_unit=ward,
        form_data={"ten_tre": "An"},
        now=NOW,
    )


def get(client: Client, path: str, headers: dict[str, Any]) -> tuple[int, object]:
    response = client.get(path, **headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("citizen", 200),
        ("other_citizen", 404),
        ("officer", 200),
        ("other_officer", 404),
        ("integrator", 200),
    ],
)
def test_read_matrix(
    request: pytest.FixtureRequest, client: Client, dossier: Dossier, actor: str, expected: int
) -> None:
    user: User = request.getfixturevalue(actor)
    headers = bearer(user)

    one_status, one = get(client, "/api/v1/dossiers/00070-260213-0001", headers)
    events_status, events = get(client, "/api/v1/dossiers/00070-260213-0001/events", headers)
    _, mine = get(client, "/api/v1/dossiers", headers)

    assert (one_status, events_status) == (expected, expected)
    if expected == 404:
        assert one == NOT_FOUND
        assert events == NOT_FOUND
        assert mine == {"items": [], "count": 0}
    else:
        assert one["code"] == "00070-260213-0001"  # type: ignore[index]
        assert [item["code"] for item in mine["items"]] == ["00070-260213-0001"]  # type: ignore[index]


def test_a_staff_read_is_logged_as_a_read_of_personal_data_through_the_api(
    client: Client, dossier: Dossier, officer: User, citizen: User
) -> None:
    client.get("/api/v1/dossiers/00070-260213-0001", **bearer(citizen))
    client.get("/api/v1/dossiers/00070-260213-0001", **bearer(officer))

    assert list(DataAccessLog.objects.values_list("actor__username", "subject_id", "channel")) == [
        ("officer", "00070-260213-0001", "api")
    ]


def test_an_unknown_code_looks_exactly_like_a_forbidden_one(
    client: Client, dossier: Dossier, citizen: User
) -> None:
    status, body = get(client, "/api/v1/dossiers/00070-260213-0009", bearer(citizen))

    assert status == 404
    assert body == {"code": "not_found", "message": "Không tìm thấy hồ sơ 00070-260213-0009."}


def test_anonymous_requests_are_401_and_write_nothing(client: Client, dossier: Dossier) -> None:
    write = client.post("/api/v1/dossiers", json.dumps(BODY), content_type="application/json")

    assert (write.status_code, write.json()) == (401, UNAUTHENTICATED)
    assert get(client, "/api/v1/dossiers/00070-260213-0001", {}) == (401, UNAUTHENTICATED)
    assert get(client, "/api/v1/dossiers", {}) == (401, UNAUTHENTICATED)
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(
    "spoil",
    ["revoked", "expired", "inactive_user", "unknown", "malformed", "basic"],
)
def test_a_bad_token_is_denied_and_nothing_changes(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, spoil: str
) -> None:
    token, raw = api_token_create(user=citizen, name="t", now=timezone.now())
    header = f"Bearer {raw}"
    if spoil == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=NOW)
    elif spoil == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=NOW)
    elif spoil == "inactive_user":
        User.objects.filter(pk=citizen.pk).update(is_active=False)
    elif spoil == "unknown":
        header = "Bearer mc_not-a-real-key"
    elif spoil == "malformed":
        header = "Bearer"
    elif spoil == "basic":
        header = "Basic YW46bWF0a2hhdQ=="

    response = client.post(
        "/api/v1/dossiers",
        json.dumps(BODY),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )

    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    assert not Dossier.objects.exists()
    assert get(client, "/api/v1/dossiers", {"HTTP_AUTHORIZATION": header})[0] == 401


def test_the_token_scheme_spelling_is_accepted(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    _, raw = api_token_create(user=citizen, name="t", now=timezone.now())

    response = client.post(
        "/api/v1/dossiers",
        json.dumps(BODY),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )

    assert response.status_code == 201


def test_a_bad_token_is_not_rescued_by_a_session(
    procedure: Procedure, ward: Unit, citizen: User
) -> None:
    client = Client()
    client.force_login(citizen)

    response = client.get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer mc_revoked")

    assert response.status_code == 401


def test_a_session_write_needs_the_csrf_token(
    procedure: Procedure, ward: Unit, citizen: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    without = client.post("/api/v1/dossiers", json.dumps(BODY), content_type="application/json")
    client.get("/api/v1/dossiers")  # a page view sets the CSRF cookie in a browser; here:
    client.cookies["csrftoken"] = "a" * 32
    with_token = client.post(
        "/api/v1/dossiers",
        json.dumps(BODY),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="a" * 32,
    )

    assert without.status_code == 403
    assert without.json() == {
        "code": "csrf_failed",
        "message": "Thiếu hoặc sai mã CSRF: gửi lại yêu cầu kèm mã CSRF của phiên đăng nhập.",
    }
    assert with_token.status_code == 201
    assert Dossier.objects.count() == 1


def test_a_session_read_needs_no_csrf_token(dossier: Dossier, citizen: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    assert client.get("/api/v1/dossiers/00070-260213-0001").status_code == 200
