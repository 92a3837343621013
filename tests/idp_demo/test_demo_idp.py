"""The demo "VNeID" provider on its own: what a client may and may not get from it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from motcua.idp_demo import keys
from motcua.idp_demo.models import DemoPerson
from motcua.idp_demo.services import Grant, authorization_code_issue, demo_people_load

pytestmark = pytest.mark.django_db

VERIFIER = "v" * 50
REDIRECT = "http://testserver/accounts/oidc/callback/"
BASIC = "Basic " + base64.b64encode(b"motcua-demo:motcua-demo-secret").decode()


@pytest.fixture
def person() -> DemoPerson:
    demo_people_load(
        people=[
            {
                "personal_id": "001195000777",
                "full_name": "Trần Thị Bích",
                "date_of_birth": dt.date(1995, 3, 8),
                "permanent_address": "5 Phố Huế, Hà Nội",
            }
        ]
    )
    return DemoPerson.objects.get()


def _code(person: DemoPerson) -> str:
    return authorization_code_issue(
        grant=Grant(
            person_id=person.pk,
            client_id="motcua-demo",
            redirect_uri=REDIRECT,
            code_challenge=create_s256_code_challenge(VERIFIER),
            nonce="n-1",
            scope="openid profile",
            auth_time=0,
        )
    )


def _exchange(code: str, *, verifier: str = VERIFIER, auth: str = BASIC, **extra: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **extra,
    }
    return Client().post("/demo-idp/token/", data, headers={"authorization": auth})


def test_the_discovery_document_names_the_endpoints() -> None:
    doc = Client().get("/demo-idp/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver/demo-idp"
    assert doc["token_endpoint"] == "http://testserver/demo-idp/token/"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_provider_is_off_without_its_setting(settings: Any) -> None:
    settings.MOTCUA_DEMO_IDP = False
    assert Client().get("/demo-idp/.well-known/openid-configuration").status_code == 404
    assert Client().get("/demo-idp/jwks/").status_code == 404


def test_the_jwks_holds_the_public_key_only() -> None:
    jwks = Client().get("/demo-idp/jwks/").json()
    assert [k["kty"] for k in jwks["keys"]] == ["RSA"]
    assert "d" not in jwks["keys"][0]
    assert "p" not in jwks["keys"][0]


def test_a_code_gives_a_signed_id_token_once(person: DemoPerson) -> None:
    code = _code(person)
    answer = _exchange(code)
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    body = answer.json()
    key_set = KeySet.import_key_set(Client().get("/demo-idp/jwks/").json())
    claims = jwt.decode(body["id_token"], key_set).claims
    assert claims["iss"] == "http://testserver/demo-idp"
    assert claims["aud"] == "motcua-demo"
    assert claims["nonce"] == "n-1"
    assert claims["personal_id"] == "001195000777"
    assert claims["gender"] == "female"
    assert claims["exp"] - claims["iat"] == 300
    userinfo = Client().get(
        "/demo-idp/userinfo/", headers={"authorization": f"Bearer {body['access_token']}"}
    )
    assert userinfo.json()["sub"] == claims["sub"]
    # the same code a second time: refused
    again = _exchange(code)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [
        ({"verifier": "w" * 50}, 400, "invalid_grant"),
        ({"verifier": ""}, 400, "invalid_grant"),
        ({"redirect_uri": "http://testserver/elsewhere/"}, 400, "invalid_grant"),
        (
            {"auth": "Basic " + base64.b64encode(b"motcua-demo:wrong").decode()},
            401,
            "invalid_client",
        ),
        ({"auth": ""}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_a_token_request_that_does_not_prove_itself_is_refused(
    person: DemoPerson, kwargs: dict[str, str], status: int, error: str
) -> None:
    answer = _exchange(_code(person), **kwargs)
    assert answer.status_code == status
    assert answer.json() == {"error": error}


def test_an_unknown_client_is_not_sent_anywhere() -> None:
    answer = Client().get(
        "/demo-idp/authorize/",
        {
            "client_id": "someone",
            "redirect_uri": "https://evil.example/cb",
            "response_type": "code",
        },
    )
    assert answer.status_code == 400
    assert "Location" not in answer


def test_an_authorization_request_without_pkce_is_sent_back_with_an_error() -> None:
    answer = Client().get(
        "/demo-idp/authorize/",
        {
            "client_id": "motcua-demo",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "openid",
            "state": "s1",
            "nonce": "n1",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"{REDIRECT}?error=invalid_request&state=s1"


def test_consent_needs_the_csrf_token(person: DemoPerson) -> None:
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post(
        "/demo-idp/authorize/",
        {
            "client_id": "motcua-demo",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "openid",
            "state": "s1",
            "nonce": "n1",
            "code_challenge": create_s256_code_challenge(VERIFIER),
            "code_challenge_method": "S256",
            "person": person.pk,
            "decision": "allow",
        },
    )
    assert answer.status_code == 403


def test_the_signing_key_is_generated_once_into_its_file(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "demo_idp" / "signing-key.json"
    settings.MOTCUA_DEMO_IDP_KEY_FILE = path
    first = keys.signing_key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "d" in json.loads(path.read_text())
    keys._keys.clear()  # a new process reads the same key
    assert keys.signing_key().kid == first.kid
