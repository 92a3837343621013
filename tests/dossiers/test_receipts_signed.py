"""Signed electronic receipts: a payment's receipt is laid out with what Decree 123/2020 asks,
signed by the collecting unit, stored and verifiable at /verify/<code>; a failed signature
takes no number; cancel and replace revokes the old one on its verification page."""

from __future__ import annotations

import importlib
import io
import re
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.test import Client
from pypdf import PdfReader

from motcua.documents.issued import issued_document_get, verify_code_display
from motcua.documents.models import IssuedDocument, IssuedDocumentKind, StoredFile
from motcua.documents.selectors import stored_file_open
from motcua.documents.signing.validation import document_validate
from motcua.dossiers.services import receipts
from motcua.dossiers.services.receipts import (
    dossier_payment_receipt,
    dossier_receipt_cancel,
    dossier_receipt_issue,
    dossier_receipts_issue_missing,
    receipt_number_display,
)
from motcua.payments.models import Receipt, ReceiptSeries, ReceiptStatus
from motcua.payments.services import fee_line_add, fee_lines_pay
from tests.documents.samples import stored_names

from .helpers import MON, hk_receipt_series, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world):
    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(world, applicant_id_number="001090000001")

    def pay(*amounts: int, reference: str = ""):
        lines = [
            fee_line_add(
                dossier_code=dossier.code,
                collecting_unit=world.ward,
                name=f"Lệ phí {index}",
                kind="charge",
                timing="before",
                unit_amount_vnd=amount,
                quantity=1 if index else 2,
                now=MON,
            )
            for index, amount in enumerate(amounts)
        ]
        return fee_lines_pay(lines=lines, method="cash", reference=reference, now=MON)

    pay.dossier = dossier  # type: ignore[attr-defined]
    return pay


def _bytes(receipt: Receipt) -> bytes:
    document = issued_document_get(code=receipt.verify_code)
    assert document is not None
    with stored_file_open(stored=document.file) as handle:
        return handle.read()


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_is_signed_by_the_collecting_unit_and_prints_what_the_decree_asks(
    world, paid
) -> None:
    receipt = dossier_receipt_issue(payment=paid(50_000, 5_000), now=MON, actor=world.officer)

    assert receipt.number == 1
    assert receipt_number_display(receipt) == "HK26-0000001"
    assert len(receipt.verify_code) == 8
    document = issued_document_get(code=receipt.verify_code)
    assert document is not None
    assert document.kind == IssuedDocumentKind.RECEIPT
    assert document.unit == world.ward
    assert document.reference == "HK26-0000001"  # the receipt's own number
    assert document.dossier_code == paid.dossier.code
    assert document.subject_masked == "Nguyễn V. A."
    data = _bytes(receipt)
    assert document.file.sha256
    assert StoredFile.objects.filter(pk=document.file_id).exists()
    text = " ".join(_text(data).split())
    for expected in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Mẫu số: 01BLP",
        "Ký hiệu: HK26",
        "Số: 0000001",
        "Mã số thuế: 0101234567",
        "Người nộp: Nguyễn Văn An",
        "001090000001",
        "1 Lệ phí 0 2 50.000 100.000",
        "2 Lệ phí 1 1 5.000 5.000",
        "Tổng số tiền 105.000",
        "Số tiền viết bằng chữ: Một trăm linh năm nghìn đồng",
        verify_code_display(receipt.verify_code),
    ):
        assert expected in text, expected
    report = document_validate(pdf=data)
    [signature] = report.signatures
    assert signature.signer_unit == "00070"
    assert report.ok


def test_the_same_payment_again_answers_the_same_receipt(paid) -> None:
    payment = paid(20_000)
    first = dossier_receipt_issue(payment=payment, now=MON)
    again = dossier_receipt_issue(payment=payment, now=MON)
    assert again.pk == first.pk
    assert Receipt.objects.count() == 1
    assert ReceiptSeries.objects.get().last == 1


def test_a_failed_signature_takes_no_number_and_leaves_no_bytes_and_is_made_later(paid) -> None:
    payment = paid(20_000)
    before = stored_names()
    with mock.patch.object(receipts, "text_pdf_signed", side_effect=RuntimeError("no key")):
        assert dossier_payment_receipt(payment=payment, now=MON) is None
    assert Receipt.objects.count() == 0
    assert ReceiptSeries.objects.get().last == 0
    assert stored_names() == before

    assert dossier_receipts_issue_missing(now=MON) == 1
    receipt = Receipt.objects.get()
    assert (receipt.number, receipt.payment_id) == (1, payment.pk)
    assert dossier_receipts_issue_missing(now=MON) == 0


def test_cancel_and_replace_revokes_the_old_page_and_signs_the_new_one(world, paid) -> None:
    old = dossier_receipt_issue(payment=paid(30_000), now=MON)
    new = dossier_receipt_cancel(
        receipt=old,
        reason="Sai tên người nộp",
        actor=world.officer,
        now=MON,
        replace_with={"payer_name": "Nguyễn Văn Anh"},
    )
    assert new is not None
    assert new.number == 2
    assert new.replaces_id == old.pk
    old.refresh_from_db()
    assert old.status == ReceiptStatus.CANCELLED
    revoked = issued_document_get(code=old.verify_code)
    assert revoked is not None
    assert revoked.revoked_at is not None
    assert "HK26-0000002" in revoked.revoked_reason
    text = " ".join(_text(_bytes(new)).split())
    assert "Người nộp: Nguyễn Văn Anh" in text
    assert "Thay thế biên lai ký hiệu HK26 số 0000001" in text

    page = Client().get(f"/verify/{old.verify_code}/").content.decode()
    assert "Sai tên người nộp" in page
    current = Client().get(f"/verify/{new.verify_code}/")
    assert current.status_code == 200
    assert "Biên lai thu phí, lệ phí HK26-0000002" in current.content.decode()


# --- the public verification page of a receipt ---------------------------------------------


def _page(receipt: Receipt) -> str:
    response = Client().get(f"/verify/{receipt.verify_code}/")
    assert response.status_code == 200
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # keeps no-break spaces


def _facts(page: str) -> dict[str, str]:
    """The page's summary list as {label: value}, tags stripped."""
    pairs = re.findall(r"<dt>(.*?)</dt> ?<dd[^>]*>(.*?)</dd>", page)
    return {label: re.sub(r"<[^>]+>", "", value).strip() for label, value in pairs}


def test_a_receipt_page_shows_its_own_number_and_what_the_decree_prints(world, paid) -> None:
    receipt = dossier_receipt_issue(payment=paid(50_000, 5_000), now=MON, actor=world.officer)

    page = _page(receipt)
    facts = _facts(page)
    assert facts["Đơn vị thu"] == "UBND Phường Hoàn Kiếm"
    assert facts["Mã số thuế đơn vị thu"] == "0101234567"
    assert facts["Mẫu số"] == "01BLP"
    assert facts["Ký hiệu"] == "HK26"
    assert facts["Số biên lai"] == "0000001"
    assert facts["Mã hồ sơ"] == paid.dossier.code
    assert facts["Ngày lập"] == "02/03/2026"
    assert facts["Người nộp"] == "Nguyễn V. A."
    assert facts["Hình thức thanh toán"] == "Nộp tại quầy (Tiền mặt)"
    assert facts["Tình trạng"] == "Còn hiệu lực"
    assert "Số hiệu" not in facts  # the dossier code is no longer passed off as the number
    # Privacy: neither the payer's full name nor their identity number is public.
    assert "Nguyễn Văn An" not in page
    assert "001090000001" not in page
    rows = re.findall(r"<tbody>(.*?)</tbody>", page)[0]
    cells = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", rows)
    ]
    assert cells == [
        ["1", "Lệ phí 0", "2", "50.000\u00a0đ", "100.000\u00a0đ"],
        ["2", "Lệ phí 1", "1", "5.000\u00a0đ", "5.000\u00a0đ"],
    ]
    total = re.findall(r"<tfoot>(.*?)</tfoot>", page)[0]
    assert "Tổng số tiền" in total
    assert "105.000\u00a0đ" in total
    assert "Một trăm linh năm nghìn đồng" in page


def test_a_cancelled_receipt_links_to_its_replacement_and_back(world, paid) -> None:
    old = dossier_receipt_issue(payment=paid(30_000), now=MON)
    new = dossier_receipt_cancel(
        receipt=old,
        reason="Sai tên người nộp",
        actor=world.officer,
        now=MON,
        replace_with={"payer_name": "Nguyễn Văn Anh"},
    )
    assert new is not None
    old.refresh_from_db()

    page = _page(old)
    assert "Biên lai đã bị hủy" in page
    assert "Hủy ngày 02/03/2026." in page
    assert "Lý do: Sai tên người nộp" in page
    assert f'Được thay thế bởi biên lai <a href="/verify/{new.verify_code}/">HK26-0000002</a>' in (
        page
    )
    assert _facts(page)["Tình trạng"] == "Đã hủy"

    page = _page(new)
    facts = _facts(page)
    assert facts["Số biên lai"] == "0000002"
    assert facts["Tình trạng"] == "Còn hiệu lực"
    assert facts["Người nộp"] == "Nguyễn V. A."
    assert f'<a href="/verify/{old.verify_code}/">HK26-0000001</a>' in page
    assert "Biên lai đã bị hủy" not in page


def test_a_receipt_cancelled_without_replacement_names_none(world, paid) -> None:
    old = dossier_receipt_issue(payment=paid(30_000), now=MON)
    assert (
        dossier_receipt_cancel(
            receipt=old, reason="Thu nhầm", actor=world.officer, now=MON, replace=False
        )
        is None
    )
    page = _page(old)
    assert "Lý do: Thu nhầm" in page
    assert "Được thay thế" not in page
    assert _facts(page)["Tình trạng"] == "Đã hủy"


def test_an_organisation_payer_is_named_with_its_tax_code(world) -> None:
    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(
        world, applicant_name="Công ty TNHH An Bình", applicant_id_number="0109876543"
    )
    line = fee_line_add(
        dossier_code=dossier.code,
        collecting_unit=world.ward,
        name="Lệ phí đăng ký",
        kind="charge",
        timing="before",
        unit_amount_vnd=100_000,
        quantity=1,
        now=MON,
    )
    receipt = dossier_receipt_issue(
        payment=fee_lines_pay(lines=[line], method="cash", reference="", now=MON), now=MON
    )
    facts = _facts(_page(receipt))
    assert facts["Người nộp"] == "Công ty TNHH An Bình"
    assert facts["Mã số thuế người nộp"] == "0109876543"


@pytest.mark.django_db(transaction=True)
def test_a_signed_receipt_takes_a_fixed_number_of_statements(paid) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.core import outbox

    dossier_receipt_issue(payment=paid(5_000), now=MON)  # warm: the series exists
    payment = paid(7_000)
    # the receipt's own statements: not the delivery of its message, which runs after commit
    with (
        mock.patch.object(outbox, "_schedule_delivery", return_value=None),
        CaptureQueriesContext(connection) as queries,
    ):
        receipt = dossier_receipt_issue(payment=payment, now=MON)
    assert receipt.verify_code
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # the payer (and the dossier's status and version), the payment's receipt (none yet),
    # its lines, the number, the receipt, the stored file, the verification record, the
    # outbox message and its deliveries (one statement on PostgreSQL, ADR 0032); no savepoint
    # (docs/payments.md, "Speed": 15 statements before, with BEGIN and COMMIT, which
    # SQLite's backend logs and PostgreSQL's does not)
    outbox_rows = ["WITH"] if connection.vendor == "postgresql" else ["INSERT", "INSERT"]
    assert "SAVEPOINT" not in statements, statements
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == [
        "SELECT",
        "SELECT",
        "SELECT",
        "UPDATE",
        "INSERT",
        "INSERT",
        "INSERT",
        *outbox_rows,
    ], statements


def test_the_public_verify_api_names_the_receipt_by_its_number_and_its_dossier_apart(
    world, paid
) -> None:
    receipt = dossier_receipt_issue(payment=paid(50_000), now=MON, actor=world.officer)

    body = Client().get(f"/api/v1/verify/{receipt.verify_code}").json()

    assert (body["kind"], body["reference"], body["dossier_code"]) == (
        "receipt",
        "HK26-0000001",
        paid.dossier.code,
    )


def test_receipts_signed_before_get_their_number_as_reference_and_keep_their_dossier(
    world, paid
) -> None:
    receipt = dossier_receipt_issue(payment=paid(50_000), now=MON, actor=world.officer)
    IssuedDocument.objects.filter(code=receipt.verify_code).update(
        reference=paid.dossier.code, dossier_code=""
    )
    documents = importlib.import_module(
        "motcua.documents.migrations.0005_issued_document_dossier_code"
    )
    payments = importlib.import_module("motcua.payments.migrations.0009_receipt_document_reference")

    documents.forwards(django_apps, None)
    payments.forwards(django_apps, None)

    document = IssuedDocument.objects.get(code=receipt.verify_code)
    assert (document.reference, document.dossier_code) == ("HK26-0000001", paid.dossier.code)
    payments.backwards(django_apps, None)
    document.refresh_from_db()
    assert (document.reference, document.dossier_code) == (paid.dossier.code, paid.dossier.code)
