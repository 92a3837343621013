"""The public verification pages: /verify/, /verify/<code>/ (facts, masked; a PDF checked
against the document), /verify/<code>/qr.svg — without signing in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.documents.issued import document_revoke, verify_code_display, verify_path
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


def _post(client: Client, code: str, data: bytes, name: str = "tep.pdf"):
    return client.post(verify_path(code), {"file": SimpleUploadedFile(name, data)})


def test_the_page_shows_what_was_issued_without_signing_in(issued):
    document, _signed = issued
    response = Client().get(verify_path(document.code))
    assert response.status_code == 200
    page = response.content.decode()
    assert verify_code_display(document.code) in page
    assert "Kết quả giải quyết: Đăng ký khai sinh" in page
    assert "Phường Hoàn Kiếm" in page
    assert "00070-260304-0001" in page
    assert "Nguyễn V. A." in page
    assert "Nguyễn Văn An" not in page  # the subject is masked
    assert "Còn hiệu lực" in page
    assert (
        document.issued_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M")
        in page
    )
    assert 'name="csrfmiddlewaretoken"' in page
    assert len(response.content) < 150_000
    # Works without JavaScript: the shared layout's own deferred scripts only enhance, and
    # nothing runs inline.
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script src="/static/web/vendor/htmx.min.js" defer></script>'[:-9],
        '<script src="/static/web/app.js" defer></script>'[:-9],
    ]


def test_a_code_is_read_leniently(issued):
    document, _signed = issued
    typed = f" {document.code[:4].lower()}-{document.code[4:].lower()} "
    response = Client().get("/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == verify_path(document.code)
    lower = Client().get(f"/verify/{document.code.lower()}/")
    assert (lower.status_code, lower["Location"]) == (302, verify_path(document.code))


def test_the_form_explains_a_malformed_code():
    response = Client().get("/verify/", {"code": "12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "8 ký tự" in page
    assert Client().get("/verify/").status_code == 200


def test_an_unknown_or_malformed_code_is_404():
    assert Client().get("/verify/ABCDEFGH/").status_code == 404
    assert Client().get("/verify/not-a-code-at-all/").status_code == 404
    assert Client().get("/verify/ABCDEFGH/qr.svg").status_code == 404


def test_the_exact_file_matches(issued):
    document, signed = issued
    response = _post(Client(enforce_csrf_checks=False), document.code, signed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đúng giấy tờ đã phát hành" in page
    assert "banner-success" in page


def test_one_changed_byte_is_explained(issued):
    document, signed = issued
    page = _post(Client(), document.code, flip_content_byte(signed)).content.decode()
    assert "Không phải giấy tờ đã phát hành" in page
    assert "Tệp tải lên không phải đúng tệp đã được phát hành với mã này." in page
    assert "Tài liệu đã bị sửa sau khi ký." in page


def test_content_added_after_signing_is_explained(issued):
    document, signed = issued
    page = _post(Client(), document.code, content_replaced_after_signing(signed)).content.decode()
    assert "Không phải giấy tờ đã phát hành" in page
    assert "Tài liệu đã bị sửa sau khi ký." in page


def test_another_pdf_is_not_the_same_document(issued):
    document, _signed = issued
    page = _post(Client(), document.code, sample_pdf("Other")).content.decode()
    assert "Tệp tải lên không phải đúng tệp đã được phát hành với mã này." in page
    assert "Tệp tải lên không có chữ ký số của Phường Hoàn Kiếm." in page


def test_a_file_that_is_not_a_pdf_gets_an_error_summary(issued):
    document, _signed = issued
    response = _post(Client(), document.code, b"\x89PNG\r\n\x1a\n....")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "không phải tệp PDF" in page
    missing = Client().post(verify_path(document.code), {})
    assert missing.status_code == 400
    assert "Chọn tệp PDF cần đối chiếu." in missing.content.decode()


def test_the_upload_form_is_csrf_protected(issued):
    document, signed = issued
    response = _post(Client(enforce_csrf_checks=True), document.code, signed)
    assert response.status_code == 403


def test_a_too_large_upload_is_refused_before_reading(issued, settings):
    document, signed = issued
    response = Client().post(
        verify_path(document.code),
        {"file": SimpleUploadedFile("a.pdf", signed)},
        CONTENT_LENGTH=str(11 * 1024 * 1024),
    )
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()


def test_a_revoked_document_says_so(issued):
    document, signed = issued
    document_revoke(document=document, reason="Cấp nhầm.", now=document.issued_at)
    page = Client().get(verify_path(document.code)).content.decode()
    assert "Giấy tờ đã bị thu hồi" in page
    assert "Đã thu hồi" in page
    matched = _post(Client(), document.code, signed).content.decode()
    assert "Giấy tờ mang mã này đã bị thu hồi." in matched


def test_the_page_is_rate_limited_per_address(issued, settings):
    document, _signed = issued
    cache.clear()  # the counters of earlier tests, same address and window
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "verify": (2, 60)}
    client = Client()
    assert [client.get(verify_path(document.code)).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_the_qr_code_of_the_page_is_public_and_cached(issued):
    document, _signed = issued
    response = Client().get(f"/verify/{document.code}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"]
    assert response.content.startswith(b"<svg")
