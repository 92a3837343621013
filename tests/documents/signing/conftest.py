"""Signers of the demo PKI (built once per session by `tests/conftest.py`) and a
sample PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.demo.pki import DemoPki
from motcua.documents.signing.contrib.pkcs12 import Pkcs12Signer
from motcua.documents.signing.registry import DEMO_PASSPHRASE
from motcua.documents.signing.samples import sample_pdf


def signer_from(path: Path, unit_code: str = "TEST") -> Pkcs12Signer:
    return Pkcs12Signer(unit_code=unit_code, path=path, passphrase=DEMO_PASSPHRASE.encode())


@pytest.fixture(scope="session")
def hoankiem(pki: DemoPki) -> Pkcs12Signer:
    return signer_from(pki.signers["00070"], "00070")


@pytest.fixture(scope="session")
def one_page() -> bytes:
    return sample_pdf("Ban sao dien tu")
