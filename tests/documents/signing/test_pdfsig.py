"""Independent check: poppler's pdfsig (CI installs poppler-utils, see the Makefile) reads
our signatures as valid. There is no NSS `certutil` here to import the demo CA into a
database, so pdfsig runs with an empty HOME (no NSS database) and reports the issuer as not trusted:
the test asserts exactly that, next to 'Signature is Valid'."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from motcua.documents.signing.services import document_sign

pytestmark = pytest.mark.skipif(
    shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed (make poppler)"
)


def _pdfsig(path, home) -> str:
    # HOME is a fresh directory: pdfsig reads no NSS database of this machine's user
    result = subprocess.run(
        ["pdfsig", "-no-ocsp", str(path)],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout + result.stderr


def test_pdfsig_reports_our_signature_valid(hoankiem, one_page, tmp_path):
    signed = document_sign(
        pdf=one_page,
        signer=hoankiem,
        unit_name="UBND Phường Hoàn Kiếm",
        signer_name="Nguyễn Thị Hằng",
        reason="Chứng thực",
        now=dt.datetime(2026, 12, 1, 8, 5, tzinfo=dt.UTC),
    )
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    (tmp_path / "home").mkdir()
    out = _pdfsig(path, tmp_path / "home")
    assert "Signer Certificate Common Name: Phường Hoàn Kiếm (DEMO)" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Total document signed" in out
    assert "Signature Validation: Signature is Valid." in out
    assert "Certificate Validation: Certificate issuer isn't Trusted." in out
    # and a changed byte is caught by pdfsig too
    tampered = bytearray(signed)
    tampered[tampered.index(b"Ban sao")] = ord("X")
    path.write_bytes(bytes(tampered))
    assert "Signature Validation: Digest Mismatch." in _pdfsig(path, tmp_path / "home")
