"""The public look-up of a dossier without an account: `/lookup/` (the page) and
`GET /api/v1/lookup` — the status in plain words, dates, the handling unit, what to do now;
never personal data; one identical answer for a wrong code and wrong digits; rate-limited
per client address."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from motcua.core.ratelimit import rate_limits_local_clear
from motcua.dossiers.forms.render import lookup_url
from motcua.dossiers.lookup import dossier_public_lookup
from motcua.dossiers.models import Dossier, DossierStatus
from tests.dossiers.helpers import MON, World, _fresh_clock_cache, calendar, received, world

__all__ = ["_fresh_clock_cache", "calendar", "world"]

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"
ID_NUMBER = "001090012345"
ADDRESS = "12 Hàng Bạc, Hoàn Kiếm"
LIMITS = {
    "login": (1000, 60),
    "login_account": (1000, 900),
    "auth_token": (1000, 60),
    "lookup": (1000, 60),
    "verify": (1000, 60),
    "dossier_lookup": (3, 600),
}


@pytest.fixture(autouse=True)
def _no_counts() -> Iterator[None]:
    cache.clear()
    rate_limits_local_clear()
    yield
    cache.clear()
    rate_limits_local_clear()


@pytest.fixture
def dossier(world: World) -> Dossier:
    return received(
        world,
        applicant_name="Nguyễn Văn An",
        applicant_phone=PHONE,
        applicant_id_number=ID_NUMBER,
        applicant_address=ADDRESS,
    )


def _post(code: str, last4: str, client: Client | None = None, **extra: str):
    return (client or Client()).post("/lookup/", {"code": code, "last4": last4}, **extra)


def _body(response) -> str:
    """The page without its per-response CSRF token."""
    return re.sub(r'value="[^"]{32,}"', 'value="*"', response.content.decode())


# --- the selector ---------------------------------------------------------------------------


def test_the_phone_or_the_identification_number_digits_open_the_dossier(dossier) -> None:
    by_phone = dossier_public_lookup(code=dossier.code, last4="5678")
    by_id = dossier_public_lookup(code=dossier.code, last4="2345")

    assert by_phone == by_id
    assert by_phone is not None
    assert by_phone.code == dossier.code
    assert by_phone.status == DossierStatus.RECEIVED
    assert by_phone.status_label == "Đã tiếp nhận"
    assert by_phone.handling_unit == "Phường Hoàn Kiếm"
    assert by_phone.received_at == MON
    assert by_phone.appointment_at == dossier.appointment_at
    assert by_phone.action == ""


def test_wrong_digits_and_unknown_codes_answer_nothing(dossier) -> None:
    assert dossier_public_lookup(code=dossier.code, last4="0000") is None
    assert dossier_public_lookup(code="00070-260302-9999", last4="5678") is None


def test_a_dossier_without_a_phone_opens_only_with_its_identification_number(world) -> None:
    dossier = received(
        world, applicant_name="Trần Bình", applicant_phone="", applicant_id_number=""
    )

    assert dossier_public_lookup(code=dossier.code, last4="----") is None
    assert dossier_public_lookup(code=dossier.code, last4="0000") is None


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (DossierStatus.SUPPLEMENT_REQUESTED, "supplement"),
        (DossierStatus.PAYMENT_REQUESTED, "payment"),
        (DossierStatus.FINISHED, "collect_result"),
        (DossierStatus.PROCESSING, ""),
        (DossierStatus.RETURNED, ""),
    ],
)
def test_what_the_applicant_must_do_now(dossier, status, action) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(status=status)

    found = dossier_public_lookup(code=dossier.code, last4="5678")

    assert found is not None
    assert (found.status, found.action) == (int(status), action)
    assert bool(found.action_text) == bool(action)


# --- the page -------------------------------------------------------------------------------


def test_the_receipts_qr_code_opens_the_form_with_the_code_filled_in(dossier) -> None:
    path = lookup_url(dossier.code).split("://", 1)[1].split("/", 1)[1]

    response = Client().get("/" + path)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="code" value="{dossier.code}"' in html
    assert 'name="last4"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_page_shows_status_dates_and_unit_and_nothing_personal(dossier) -> None:
    response = _post(dossier.code.lower(), "5678")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Đã tiếp nhận</h1>" in html
    assert f"{MON:%d/%m/%Y}" in html
    assert dossier.appointment_at.astimezone(MON.tzinfo).strftime("%d/%m/%Y") in html
    assert "Phường Hoàn Kiếm" in html
    for personal in ("Nguyễn Văn An", "0912", "345 678", "5678", ID_NUMBER, "2345", ADDRESS):
        assert personal not in html, personal


def test_a_supplement_request_says_what_to_do(dossier) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.SUPPLEMENT_REQUESTED)

    html = _post(dossier.code, "2345").content.decode()

    assert "Bạn cần làm" in html
    assert "Bổ sung giấy tờ theo phiếu yêu cầu bổ sung" in html


def test_wrong_code_and_wrong_digits_get_one_identical_answer(dossier) -> None:
    wrong_digits = _post(dossier.code, "1111")
    other = dossier.code[:-4] + ("0002" if not dossier.code.endswith("0002") else "0003")
    wrong_code = _post(other, "1111")
    wrong_code_same_length = _body(wrong_code).replace(other, dossier.code)

    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert _body(wrong_digits) == wrong_code_same_length
    assert "Không tìm thấy hồ sơ với mã hồ sơ và 4 chữ số này" in _body(wrong_digits)


def test_badly_formed_input_is_explained_and_kept(dossier) -> None:
    response = _post("", "12a")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nhập mã hồ sơ in trên giấy tiếp nhận" in html
    assert "Nhập đúng 4 chữ số, ví dụ 5678." in html
    assert 'href="#code"' in html
    assert 'href="#last4"' in html
    assert 'name="last4" value="12a"' in html


@override_settings(MOTCUA_RATE_LIMITS=LIMITS)
def test_too_many_attempts_from_one_address_are_refused_with_the_wait(dossier) -> None:
    client = Client()
    statuses = [_post(dossier.code, "0000", client).status_code for _ in range(3)]
    refused = _post(dossier.code, "5678", client)  # even the right digits, now
    other_address = _post(dossier.code, "5678", REMOTE_ADDR="198.51.100.9")

    assert statuses == [404, 404, 404]
    assert refused.status_code == 429
    assert "Quá nhiều lần tra cứu" in refused.content.decode()
    assert re.search(r"thử lại sau (\d+) phút", refused.content.decode())
    assert 0 < int(refused["Retry-After"]) <= 601
    assert other_address.status_code == 200


@override_settings(MOTCUA_RATE_LIMITS=LIMITS)
def test_malformed_attempts_and_opening_the_form_are_not_counted(dossier) -> None:
    client = Client()
    for _ in range(5):
        client.get(f"/lookup/?code={dossier.code}")
        _post("", "", client)

    assert _post(dossier.code, "5678", client).status_code == 200


# --- the API --------------------------------------------------------------------------------


def test_the_api_answers_with_iso_dates_and_no_personal_data(dossier) -> None:
    response = Client().get("/api/v1/lookup", {"code": dossier.code, "last4": "5678"})

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == dossier.code
    assert body["status"] == 2
    assert body["status_label"] == "Đã tiếp nhận"
    assert body["received_at"] == "2026-03-02T09:00:00+07:00"
    assert body["appointment_at"].startswith(
        f"{dossier.appointment_at.astimezone(MON.tzinfo):%Y-%m-%dT}"
    )
    assert body["handling_unit"] == "Phường Hoàn Kiếm"
    assert body["action"] == ""
    text = response.content.decode()
    for personal in ("Nguyễn Văn An", "0912", ID_NUMBER, ADDRESS):
        assert personal not in text


def test_the_api_gives_one_not_found_for_wrong_code_or_digits(dossier) -> None:
    wrong_digits = Client().get("/api/v1/lookup", {"code": dossier.code, "last4": "1111"})
    wrong_code = Client().get("/api/v1/lookup", {"code": "00070-991231-0001", "last4": "5678"})

    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert wrong_digits.json() == wrong_code.json()
    assert wrong_digits.json()["code"] == "lookup_not_found"


@pytest.mark.parametrize(
    "params", [{}, {"code": "x"}, {"code": "00070-260302-0001", "last4": "12"}, {"last4": "1234"}]
)
def test_the_api_refuses_badly_formed_input(db, params) -> None:
    response = Client().get("/api/v1/lookup", params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


@override_settings(MOTCUA_RATE_LIMITS=LIMITS)
def test_the_api_is_rate_limited_per_address(dossier) -> None:
    client = Client()
    statuses = [
        client.get("/api/v1/lookup", {"code": dossier.code, "last4": "0000"}).status_code
        for _ in range(4)
    ]
    refused = client.get("/api/v1/lookup", {"code": dossier.code, "last4": "5678"})

    assert statuses == [404, 404, 404, 429]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
