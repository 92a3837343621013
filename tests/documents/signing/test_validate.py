from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.errors import ValidationError
from motcua.documents.signing.registry import signer_for_unit
from motcua.documents.signing.services import document_sign
from motcua.documents.signing.validation import REASONS, document_validate, load_certificates

from .conftest import signer_from

SIGNED_AT = dt.datetime(2026, 12, 1, 8, 5, tzinfo=dt.UTC)


def _sign(signer, pdf, now=SIGNED_AT):
    return document_sign(
        pdf=pdf,
        signer=signer,
        unit_name="UBND Phường Hoàn Kiếm",
        signer_name="Nguyễn Thị Hằng",
        reason="Chứng thực",
        now=now,
    )


@pytest.fixture(scope="module")
def signed(hoankiem, one_page) -> bytes:
    return _sign(hoankiem, one_page)


def test_a_signed_pdf_validates_with_every_detail(signing_settings, signed):
    report = document_validate(pdf=signed)
    assert report.ok is True
    assert report.failures == ()
    [check] = report.signatures
    assert check.signer_common_name == "Phường Hoàn Kiếm (DEMO)"
    assert check.signer_unit == "00070"
    assert check.signing_time == SIGNED_AT
    assert check.integrity == "intact"
    assert check.coverage == "ENTIRE_FILE"
    assert check.modification_level == "NONE"
    assert check.changed_after_signing is False
    assert check.trusted is True
    assert check.chain == ("Phường Hoàn Kiếm (DEMO)", "motcua DEMO CA — không dùng thật")
    assert check.revocation_checked is True
    assert check.not_after == dt.datetime(2035, 1, 1, tzinfo=dt.UTC)


def test_a_changed_byte_after_signing_fails(signing_settings, signed):
    # given one byte of the signed page content changed
    tampered = bytearray(signed)
    at = tampered.index(b"Ban sao")
    tampered[at] = ord("X")
    report = document_validate(pdf=bytes(tampered))
    [check] = report.signatures
    assert report.ok is False
    assert check.failures == ("modified_after_signing",)
    assert check.integrity == "modified"
    assert report.messages() == ["Tài liệu đã bị sửa sau khi ký."]


def test_a_damaged_signature_value_fails_as_invalid(signing_settings, signed):
    # given a byte of the CMS signature value (inside /Contents, not a signed range) changed
    reader_sig = signed.index(b"/Contents <") + len(b"/Contents <")
    tampered = bytearray(signed)
    # the RSA signature value sits near the end of the CMS blob, before the zero padding
    end = tampered.index(b"0000000000", reader_sig)
    tampered[end - 10] = ord("0") if tampered[end - 10] != ord("0") else ord("1")
    report = document_validate(pdf=bytes(tampered))
    [check] = report.signatures
    assert check.failures == ("signature_invalid",)
    assert check.integrity == "modified"


def test_content_added_in_a_later_revision_fails(signing_settings, signed):
    # given a later incremental update that replaces the page's content
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (FORGED) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = document_validate(pdf=out.getvalue())
    [check] = report.signatures
    assert check.intact is True
    assert check.changed_after_signing is True
    assert check.coverage == "ENTIRE_REVISION"
    assert check.modification_level == "OTHER"
    assert check.failures == ("modified_after_signing",)


def test_a_second_signature_keeps_the_first_valid(signing_settings, signed):
    # given Sở Tư pháp countersigns the ward's document
    countersigned = _sign(signer_for_unit("01.STP"), signed)
    report = document_validate(pdf=countersigned)
    first, second = report.signatures
    assert report.ok is True
    assert (first.signer_unit, second.signer_unit) == ("00070", "01.STP")
    assert first.changed_after_signing is True
    assert first.modification_level == "FORM_FILLING"
    assert second.changed_after_signing is False
    # and the second stamp sits above the first
    assert (first.field_name, second.field_name) == ("motcua-signature-1", "motcua-signature-2")
    fields = PdfFileReader(io.BytesIO(countersigned)).root["/AcroForm"]["/Fields"]
    assert [[float(v) for v in f["/Rect"]] for f in (f.get_object() for f in fields)] == [
        [36.0, 36.0, 316.0, 112.0],
        [36.0, 120.0, 316.0, 196.0],
    ]


def test_a_signature_from_an_unknown_ca_is_untrusted(signing_settings, signed):
    report = document_validate(pdf=signed, trust_roots=[])
    assert report.failures == ("untrusted",)
    assert report.signatures[0].integrity == "intact"


def test_a_revoked_certificate_fails(signing_settings, pki, one_page):
    signed = _sign(signer_from(pki.test["revoked"]), one_page)
    report = document_validate(pdf=signed)
    assert report.failures == ("revoked",)
    assert report.messages() == ["Chứng thư ký số đã bị thu hồi."]


def test_an_expired_certificate_fails(signing_settings, pki, one_page):
    # signed while it was valid (Feb 2025), checked now (it expired on 1 March 2025)
    signed = _sign(
        signer_from(pki.test["expired"]), one_page, now=dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    )
    report = document_validate(pdf=signed)
    assert report.failures == ("expired",)


def test_a_crl_that_is_not_mirrored_locally_fails_hard(signing_settings, signed):
    report = document_validate(pdf=signed, crl_mirrors={})
    assert report.failures == ("revocation_unknown",)
    assert report.signatures[0].revocation_checked is False


def test_a_pdf_without_signature(signing_settings, one_page):
    report = document_validate(pdf=one_page)
    assert report.ok is False
    assert report.signatures == ()
    assert report.failures == ("no_signature",)


def test_what_is_not_a_pdf_is_refused(signing_settings):
    with pytest.raises(ValidationError) as raised:
        document_validate(pdf=b"%PDF-1.7 garbage")
    assert raised.value.code == "not_a_pdf"


def test_validation_time_is_an_input(signing_settings, pki, signed):
    # checked in 2036, after the signer's certificate (valid to 2035) expired
    report = document_validate(pdf=signed, now=dt.datetime(2036, 1, 1, tzinfo=dt.UTC))
    assert report.failures == ("expired",)
    # and the same file checked today passes
    assert document_validate(pdf=signed).ok is True


def test_trust_roots_load_from_pem_and_der(pki, tmp_path):
    [ca] = load_certificates([pki.ca_path])
    der = tmp_path / "ca.der"
    der.write_bytes(ca.dump())
    assert [c.dump() for c in load_certificates([der, tmp_path / "missing.pem"])] == [ca.dump()]


def test_every_reason_code_has_a_message():
    assert set(REASONS) == {
        "no_signature",
        "signature_invalid",
        "modified_after_signing",
        "untrusted",
        "revoked",
        "expired",
        "revocation_unknown",
    }
