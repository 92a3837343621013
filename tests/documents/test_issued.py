"""Issued documents: a short code per signed document, read leniently, unique, masked names."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.test import override_settings
from PIL import Image

from motcua.documents import issued
from motcua.documents.issued import (
    document_issue,
    document_revoke,
    issued_document_get,
    name_mask,
    qr_png,
    qr_svg,
    verify_code_display,
    verify_code_normalise,
    verify_url,
)
from motcua.documents.models import IssuedDocument
from motcua.documents.services import file_store
from tests.factories import UnitFactory, UserFactory

from .samples import pdf_bytes

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def stored(db):
    return file_store(actor=None, upload=io.BytesIO(pdf_bytes(1)), name="kq.pdf", now=NOW)


def test_a_document_gets_an_eight_character_code_and_a_masked_subject(stored) -> None:
    unit = UnitFactory()
    officer = UserFactory()
    doc = document_issue(
        kind=IssuedDocument.Kind.RESULT,
        file=stored,
        unit=unit,
        title="Giấy khai sinh",
        reference="00070-260302-0001",
        subject_name="Nguyễn Thị Minh Khai",
        issued_by=officer,
        now=NOW,
    )
    assert len(doc.code) == 8
    assert set(doc.code) <= set(issued.ALPHABET)
    assert doc.subject_masked == "Nguyễn T. M. K."
    assert doc.issued_by == officer
    assert doc.issued_at == NOW
    assert not doc.is_revoked
    assert issued_document_get(code=doc.code) == doc


def test_an_organisation_keeps_its_name(stored) -> None:
    doc = document_issue(
        kind="certified_copy",
        file=stored,
        unit=UnitFactory(),
        title="Bản sao",
        subject_name="Công ty TNHH Ánh Dương",
        subject_is_person=False,
        now=NOW,
    )
    assert doc.subject_masked == "Công ty TNHH Ánh Dương"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("ABCD2345", "ABCD2345"),
        ("abcd-2345", "ABCD2345"),
        (" ab cd 23 45 ", "ABCD2345"),
        ("OIL12345", "01112345"),  # O, I and L are read as the digits they look like
        ("ABCD234", None),
        ("ABCD23456", None),
        ("ABCD234U", None),  # no U in Crockford's alphabet
        ("../etc/x", None),
    ],
)
def test_codes_are_read_leniently(typed: str, canonical: str | None) -> None:
    assert verify_code_normalise(typed) == canonical


def test_a_code_taken_already_is_drawn_again(stored) -> None:
    unit = UnitFactory()
    first = document_issue(kind="result", file=stored, unit=unit, title="A", now=NOW)
    draws = iter([first.code, first.code, "ZZZZ9999"])
    with mock.patch.object(issued, "verify_code_generate", side_effect=lambda: next(draws)):
        second = document_issue(kind="result", file=stored, unit=unit, title="B", now=NOW)
    assert second.code == "ZZZZ9999"
    assert IssuedDocument.objects.count() == 2


def test_an_unknown_or_malformed_code_finds_nothing(stored) -> None:
    assert issued_document_get(code="ZZZZ9999") is None
    assert issued_document_get(code="not a code") is None


def test_revoking_keeps_the_row_and_says_when(stored) -> None:
    doc = document_issue(kind="result", file=stored, unit=UnitFactory(), title="A", now=NOW)
    later = NOW + dt.timedelta(days=1)
    document_revoke(document=doc, reason="Cấp nhầm", now=later)
    document_revoke(document=doc, reason="lần hai", now=later + dt.timedelta(days=1))
    doc.refresh_from_db()
    assert doc.revoked_at == later
    assert doc.revoked_reason == "Cấp nhầm"


@override_settings(MOTCUA_PUBLIC_URL="https://dichvucong.example.vn")
def test_the_qr_code_points_to_the_public_page() -> None:
    url = verify_url("ABCD2345")
    assert url == "https://dichvucong.example.vn/verify/ABCD2345/"
    assert verify_code_display("ABCD2345") == "ABCD-2345"
    assert qr_svg(url).startswith("<svg")
    image = Image.open(io.BytesIO(qr_png(url)))
    assert image.format == "PNG"
    assert image.size[0] == image.size[1]


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Nguyễn Văn An", "Nguyễn V. A."), ("Lê", "Lê"), ("", ""), ("  Trần   Bình ", "Trần B.")],
)
def test_names_are_masked_to_family_name_and_initials(name: str, masked: str) -> None:
    assert name_mask(name) == masked
