"""GET/POST /api/v1/verify/{code}: public, JSON, rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.documents.issued import verify_code_display
from motcua.documents.signing.samples import sample_pdf
from tests.documents.samples import (
    content_replaced_after_signing,
    flip_content_byte,
    issued_sample,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    return issued_sample()


def _check(code: str, data: bytes):
    return Client().post(f"/api/v1/verify/{code}", {"file": SimpleUploadedFile("a.pdf", data)})


def test_get_tells_what_the_code_certifies(issued):
    document, _signed = issued
    response = Client().get(f"/api/v1/verify/{document.code.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == verify_code_display(document.code)
    assert body["kind"] == "result"
    assert body["title"] == "Kết quả giải quyết: Đăng ký khai sinh"
    assert body["unit"] == "Phường Hoàn Kiếm"
    assert body["reference"] == "00070-260304-0001"
    assert body["subject"] == "Nguyễn V. A."
    assert body["revoked"] is False
    assert body["sha256"] == document.file.sha256
    assert body["issued_at"].endswith("+07:00")
    assert "Nguyễn Văn An" not in response.content.decode()


def test_post_the_exact_file_matches(issued):
    document, signed = issued
    body = _check(document.code, signed).json()
    assert body["match"] is True
    assert body["signature_valid"] is True
    assert body["signed_by"] == "Phường Hoàn Kiếm (DEMO)"
    assert body["reasons"] == []


def test_post_a_changed_byte_says_what_differs(issued):
    document, signed = issued
    body = _check(document.code, flip_content_byte(signed)).json()
    assert body["match"] is False
    assert body["signature_valid"] is False
    assert [r["code"] for r in body["reasons"]] == ["not_same_file", "modified_after_signing"]
    assert all(r["message"] for r in body["reasons"])


def test_post_content_added_after_signing(issued):
    document, signed = issued
    body = _check(document.code, content_replaced_after_signing(signed)).json()
    assert body["match"] is False
    assert [r["code"] for r in body["reasons"]] == ["not_same_file", "modified_after_signing"]


def test_post_another_valid_pdf_is_not_the_document(issued):
    document, _signed = issued
    body = _check(document.code, sample_pdf("Other")).json()
    assert body["match"] is False
    assert [r["code"] for r in body["reasons"]] == [
        "not_same_file",
        "not_signed_by_unit",
        "no_signature",
    ]


def test_post_another_document_signed_by_the_same_unit(issued):
    document, _signed = issued
    _other, other_signed = issued_sample(title="Khác")
    body = _check(document.code, other_signed).json()
    assert body["match"] is False
    assert body["signature_valid"] is True
    assert [r["code"] for r in body["reasons"]] == ["not_same_file", "other_document"]


def test_reasons_follow_the_language(issued):
    document, signed = issued
    response = Client().post(
        f"/api/v1/verify/{document.code}",
        {"file": SimpleUploadedFile("a.pdf", flip_content_byte(signed))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    messages = [r["message"] for r in response.json()["reasons"]]
    assert messages[0].startswith("The uploaded file is not")


def test_unknown_and_malformed_codes_are_404():
    for code in ("ABCDEFGH", "x"):
        response = Client().get(f"/api/v1/verify/{code}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_rate_limited_per_address(issued, settings):
    document, _signed = issued
    cache.clear()
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "verify": (1, 60)}
    client = Client()
    assert client.get(f"/api/v1/verify/{document.code}").status_code == 200
    response = client.get(f"/api/v1/verify/{document.code}")
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
