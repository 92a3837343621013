"""Signing in with the demo "VNeID" through OpenID Connect, end to end: the browser is a
Django test client; Authlib's back-channel calls (discovery, token, JWKS, userinfo) reach the
same in-process application through a requests adapter (no socket is opened)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from joserfc import jwt
from joserfc.jwk import RSAKey
from requests.structures import CaseInsensitiveDict

from motcua.accounts.identity.registry import identity_providers_reset
from motcua.accounts.models import User
from motcua.catalog.eforms import Identity
from motcua.core.models import AuditEvent
from motcua.idp_demo.keys import signing_key
from motcua.idp_demo.models import DemoPerson
from motcua.idp_demo.services import demo_people_load

pytestmark = pytest.mark.django_db

AN: dict[str, Any] = {
    "personal_id": "001090012345",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": dt.date(1990, 5, 12),
    "permanent_address": "12 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
    "phone": "0912345678",
}
BICH: dict[str, Any] = {
    "personal_id": "001195000777",
    "full_name": "Trần Thị Bích",
    "date_of_birth": dt.date(1995, 3, 8),
    "permanent_address": "5 Phố Huế, Phường Hai Bà Trưng, Hà Nội",
    "phone": "0987000777",
}

Transform = Callable[[dict[str, Any]], dict[str, Any]]


class InProcess(requests.adapters.BaseAdapter):
    """requests -> the Django test client, for http://testserver only. `answers[path]`
    replaces the application's answer with a function of it (a forged provider)."""

    def __init__(self) -> None:
        super().__init__()
        self.client = Client()
        self.answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self.down = False
        self.calls: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = urlsplit(request.url or "")
        self.calls.append(url.path)
        if self.down or url.hostname != "testserver":
            raise requests.ConnectionError(f"unreachable: {url.hostname}")
        headers = {
            k: str(v)
            for k, v in request.headers.items()
            if k.lower() not in {"content-type", "content-length", "host"}
        }
        body = request.body or b""
        answer = self.client.generic(
            request.method or "GET",
            url.path + (f"?{url.query}" if url.query else ""),
            data=body.encode() if isinstance(body, str) else body,
            content_type=str(request.headers.get("Content-Type", "")),
            headers=headers,
        )
        content = answer.content
        if url.path in self.answers and answer.status_code == 200:
            content = json.dumps(self.answers[url.path](json.loads(content))).encode()
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response


@pytest.fixture
def backchannel(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcess]:
    adapter = InProcess()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: adapter)
    identity_providers_reset()  # metadata and keys are cached by the provider
    yield adapter
    identity_providers_reset()


@pytest.fixture
def people() -> dict[str, DemoPerson]:
    demo_people_load(people=[AN, BICH])
    return {p.personal_id: p for p in DemoPerson.objects.all()}


def _authorize(browser: Client, next_url: str = "") -> dict[str, str]:
    """Start at motcua, land on the provider's page: the authorization request's params."""
    start = browser.get("/accounts/oidc/login/", {"next": next_url} if next_url else {})
    assert start.status_code == 302, start.content
    location = urlsplit(start["Location"])
    assert location.path == "/demo-idp/authorize/"
    page = browser.get(start["Location"])
    assert page.status_code == 200
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params["code_challenge_method"] == "S256"
    assert params["nonce"]
    assert params["state"]
    return params


def _consent(browser: Client, params: dict[str, str], person: DemoPerson) -> str:
    """Pick the person on the sandbox page and consent: the callback URL with its code."""
    answer = browser.post(
        "/demo-idp/authorize/",
        {
            **params,
            "person": person.pk,
            "decision": "allow",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert answer.status_code == 302
    assert urlsplit(answer["Location"]).path == "/accounts/oidc/callback/"
    return answer["Location"]


def _sign_in(browser: Client, person: DemoPerson, next_url: str = "") -> Any:
    params = _authorize(browser, next_url)
    return browser.get(_consent(browser, params, person))


def _browser() -> Client:
    return Client(enforce_csrf_checks=True)


def _resign(key: RSAKey, **changes: Any) -> Transform:
    """A forged token endpoint: the real answer, its ID token's claims changed (None
    removes one) and signed again with `key`."""

    def transform(answer: dict[str, Any]) -> dict[str, Any]:
        claims = dict(jwt.decode(answer["id_token"], signing_key()).claims)
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        header = {"alg": "RS256", "kid": key.kid}
        return {**answer, "id_token": jwt.encode(header, claims, key)}

    return transform


def test_a_new_citizen_signs_in_and_gets_a_verified_account(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    browser = _browser()
    done = _sign_in(browser, people[BICH["personal_id"]], next_url="/ho-so/?trang=2")
    assert done.status_code == 302
    assert done["Location"] == "/ho-so/?trang=2"
    user = User.objects.get(personal_id=BICH["personal_id"])
    assert user.kind == User.Kind.CITIZEN
    assert (user.full_name, user.date_of_birth, user.address, user.phone) == (
        BICH["full_name"],
        BICH["date_of_birth"],
        BICH["permanent_address"],
        BICH["phone"],
    )
    assert user.identity_verified_at is not None
    assert user.identity_source == "vneid"
    assert not user.has_usable_password()
    assert BICH["personal_id"] not in user.username
    assert browser.session["_auth_user_id"] == str(user.pk)
    # The verified identity locks the e-form's name, number and date of birth.
    locked = Identity.of_user(user).locked
    assert {"profile.full_name", "profile.personal_id", "profile.date_of_birth"} <= locked
    event = AuditEvent.objects.get(action="identity_sign_in", object_id=str(user.pk))
    assert event.after["created"] is True
    assert BICH["full_name"] not in json.dumps(event.after)
    # Every back-channel call went to the provider in process.
    assert set(backchannel.calls) == {
        "/demo-idp/.well-known/openid-configuration",
        "/demo-idp/token/",
        "/demo-idp/jwks/",
        "/demo-idp/userinfo/",
    }


def test_an_account_already_verified_is_found_by_personal_id_and_updated(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    existing = User.objects.create_user(
        username="congdan",
        password="x-secret-123",
        full_name="Nguyen Van An (cu)",
        personal_id=AN["personal_id"],
        phone="0900000001",
        identity_verified_at=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        identity_source="vneid",
    )
    browser = _browser()
    browser.cookies.load({"sessionid": "planted-by-an-attacker"})
    done = _sign_in(browser, people[AN["personal_id"]])
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.full_name == AN["full_name"]
    assert existing.date_of_birth == AN["date_of_birth"]
    assert existing.address == AN["permanent_address"]
    assert existing.phone == "0900000001"  # the person's own phone is kept
    assert existing.identity_source == "vneid"
    assert existing.has_usable_password()
    assert browser.session["_auth_user_id"] == str(existing.pk)
    assert browser.cookies["sessionid"].value != "planted-by-an-attacker"


def test_a_number_typed_on_another_account_never_opens_that_account(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    # given someone typed An's number on their own unverified account
    squatter = User.objects.create_user(
        username="ke-mao-danh",
        password="x-secret-123",
        full_name="Người khác",
        personal_id=AN["personal_id"],
    )
    # when An signs in with VNeID for the first time
    browser = _browser()
    assert _sign_in(browser, people[AN["personal_id"]]).status_code == 302

    # then An has an account of their own, and the typed claim left the other account
    an = User.objects.get(personal_id=AN["personal_id"])
    assert an.pk != squatter.pk
    assert browser.session["_auth_user_id"] == str(an.pk)
    assert an.identity_verified_at is not None
    assert not an.has_usable_password()
    squatter.refresh_from_db()
    assert (squatter.personal_id, squatter.full_name) == ("", "Người khác")
    assert squatter.identity_verified_at is None
    assert AuditEvent.objects.filter(
        action="identity_claim_dropped", object_id=str(squatter.pk)
    ).exists()


def test_a_signed_in_password_account_is_verified_by_its_owner(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    # given An's own password account, signed in, with the number typed (or not yet)
    own = User.objects.create_user(
        username="an", password="x-secret-123", full_name="Nguyen Van An", phone="0900000001"
    )
    browser = _browser()
    browser.force_login(own)

    # when An signs in with VNeID from that session
    assert _sign_in(browser, people[AN["personal_id"]]).status_code == 302

    # then the same account is verified, with its password and phone
    assert User.objects.count() == 1
    own.refresh_from_db()
    assert (own.personal_id, own.full_name) == (AN["personal_id"], AN["full_name"])
    assert own.identity_verified_at is not None
    assert own.has_usable_password()
    assert own.phone == "0900000001"
    assert browser.session["_auth_user_id"] == str(own.pk)


def test_the_address_the_person_gave_on_their_profile_is_kept(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    existing = User.objects.create_user(
        username="an",
        password="x-secret-123",
        full_name="Nguyen Van An",
        personal_id=AN["personal_id"],
        identity_verified_at=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        address="5 Phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội",
        address_province_code="01",
        address_ward_code="00256",
        address_street="5 Phố Huế",
    )
    assert _sign_in(_browser(), people[AN["personal_id"]]).status_code == 302
    existing.refresh_from_db()
    assert existing.full_name == AN["full_name"]  # verified: overwritten
    assert existing.address == "5 Phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội"  # kept
    assert (existing.address_ward_code, existing.address_street) == ("00256", "5 Phố Huế")


def _refused(answer: Any, code: str, status: int = 400) -> None:
    assert answer.status_code == status, answer.content
    assert f'data-code="{code}"' in answer.content.decode()
    assert "_auth_user_id" not in answer.wsgi_request.session


def test_a_forged_state_is_refused(
    backchannel: InProcess, people: dict[str, DemoPerson], caplog: pytest.LogCaptureFixture
) -> None:
    browser = _browser()
    callback = _consent(browser, _authorize(browser), people[BICH["personal_id"]])
    forged = callback.replace("state=", "state=x")
    with caplog.at_level(logging.WARNING, logger="motcua.accounts.identity"):
        answer = browser.get(forged)
    _refused(answer, "state")
    assert "Phiên đăng nhập không hợp lệ" in answer.content.decode()
    assert not User.objects.exists()
    assert "reason=state" in caplog.text
    assert BICH["personal_id"] not in caplog.text
    assert "/demo-idp/token/" not in backchannel.calls  # the code was never exchanged


def test_a_used_callback_cannot_be_replayed(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    browser = _browser()
    callback = _consent(browser, _authorize(browser), people[BICH["personal_id"]])
    assert browser.get(callback).status_code == 302
    browser.logout()
    _refused(browser.get(callback), "state")


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("another issuer, another key", {"iss": "http://evil.example/idp"}),
        ("another issuer, the right key", {"iss": "http://evil.example/idp"}),
        ("expired", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}),
        ("another audience", {"aud": "another-client"}),
        ("no nonce", {"nonce": None}),
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused(
    backchannel: InProcess,
    people: dict[str, DemoPerson],
    case: str,
    changes: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = signing_key()
    if "another key" in case:
        key = RSAKey.generate_key(2048, parameters={"alg": "RS256"})
        key.ensure_kid()
    backchannel.answers["/demo-idp/token/"] = _resign(key, **changes)
    browser = _browser()
    with caplog.at_level(logging.WARNING, logger="motcua.accounts.identity"):
        answer = _sign_in(browser, people[BICH["personal_id"]])
    _refused(answer, "token")
    assert not User.objects.exists()
    assert not AuditEvent.objects.filter(action="identity_sign_in").exists()
    assert "reason=token" in caplog.text


def test_an_id_token_of_an_earlier_sign_in_is_refused(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    """Nonce replay: the ID token of a finished sign-in, handed back for a new one."""
    seen: list[dict[str, Any]] = []

    def record(answer: dict[str, Any]) -> dict[str, Any]:
        seen.append(answer)
        return answer

    backchannel.answers["/demo-idp/token/"] = record
    first = _browser()
    assert _sign_in(first, people[BICH["personal_id"]]).status_code == 302
    backchannel.answers["/demo-idp/token/"] = lambda answer: {**answer, **seen[0]}
    second = _browser()
    _refused(_sign_in(second, people[BICH["personal_id"]]), "token")


def test_an_identity_without_a_valid_personal_id_is_refused(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    backchannel.answers["/demo-idp/token/"] = _resign(signing_key(), personal_id=None)
    backchannel.answers["/demo-idp/userinfo/"] = lambda claims: {
        **claims,
        "personal_id": "001195",
    }
    _refused(_sign_in(_browser(), people[BICH["personal_id"]]), "personal_id")
    assert not User.objects.exists()


def test_a_personal_id_that_contradicts_the_date_of_birth_is_refused(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    backchannel.answers["/demo-idp/userinfo/"] = lambda claims: {
        **claims,
        "birthdate": "1996-03-08",
    }
    _refused(_sign_in(_browser(), people[BICH["personal_id"]]), "personal_id")


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "http://testserver.evil/"]
)
def test_a_next_address_off_the_site_is_ignored(
    backchannel: InProcess, people: dict[str, DemoPerson], next_url: str
) -> None:
    done = _sign_in(_browser(), people[BICH["personal_id"]], next_url=next_url)
    assert done.status_code == 302
    assert done["Location"] == "/"


def test_a_provider_that_is_down_gives_a_clear_page(
    backchannel: InProcess, caplog: pytest.LogCaptureFixture
) -> None:
    backchannel.down = True
    with caplog.at_level(logging.WARNING, logger="motcua.accounts.identity"):
        answer = _browser().get("/accounts/oidc/login/")
    _refused(answer, "unavailable", status=502)
    assert "Không kết nối được với nhà cung cấp định danh" in answer.content.decode()
    assert "reason=unavailable detail=ConnectionError" in caplog.text


def test_refusing_consent_signs_nobody_in(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    browser = _browser()
    params = _authorize(browser)
    answer = browser.post(
        "/demo-idp/authorize/",
        {**params, "decision": "deny", "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )
    _refused(browser.get(answer["Location"]), "denied")


def test_the_error_page_speaks_english_too(backchannel: InProcess) -> None:
    backchannel.down = True
    answer = _browser().get("/accounts/oidc/login/", headers={"accept-language": "en"})
    assert "Could not reach the identity provider" in answer.content.decode()


def test_a_staff_account_with_that_number_is_not_taken_over(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    User.objects.create_user(
        username="canbo", kind=User.Kind.STAFF, personal_id=BICH["personal_id"]
    )
    _refused(_sign_in(_browser(), people[BICH["personal_id"]]), "not_citizen")
    assert User.objects.count() == 1


def test_failed_callbacks_count_against_the_address(
    backchannel: InProcess, people: dict[str, DemoPerson], settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()  # earlier tests' refusals from this address, in this window
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "login": (2, 60)}
    browser = _browser()
    for _attempt in range(2):
        _refused(browser.get("/accounts/oidc/callback/?code=x&state=forged"), "state")
    _refused(_sign_in(browser, people[BICH["personal_id"]]), "limited", status=429)
    assert not User.objects.exists()


def test_the_sign_in_button_keeps_next() -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/accounts/login/", {"next": "/ho-so/?a=1&b=2"})
    html = render_to_string("web/identity/buttons.html", request=request)
    assert 'href="/accounts/oidc/login/?next=/ho-so/%3Fa%3D1%26b%3D2"' in html
    assert "Đăng nhập bằng VNeID" in html


def test_a_rotated_provider_key_is_fetched_again(
    backchannel: InProcess, people: dict[str, DemoPerson]
) -> None:
    from motcua.idp_demo import keys

    assert _sign_in(_browser(), people[AN["personal_id"]]).status_code == 302
    old = signing_key()
    keys._keys.clear()  # the provider rotates its key; motcua still holds the old JWKS
    assert signing_key().kid != old.kid
    backchannel.calls.clear()
    assert _sign_in(_browser(), people[BICH["personal_id"]]).status_code == 302
    assert backchannel.calls.count("/demo-idp/jwks/") == 1
    assert User.objects.filter(personal_id=BICH["personal_id"]).exists()
