"""A demo PKI built once per session in a temporary directory from the shipped certomancer
config (var/pki need not exist), and settings pointing the signing service at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.demo.pki import DemoPki
from motcua.documents.signing.contrib.pkcs12 import Pkcs12Signer
from motcua.documents.signing.registry import DEMO_PASSPHRASE
from motcua.documents.signing.samples import sample_pdf
from tests.conftest import CRL_PREFIX


@pytest.fixture
def signing_settings(settings, pki: DemoPki):
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = pki.directory / "signers"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [pki.ca_path]
    settings.MOTCUA_SIGNING_CRL_MIRRORS = {CRL_PREFIX: str(pki.crl_dir)}
    return settings


def signer_from(path: Path, unit_code: str = "TEST") -> Pkcs12Signer:
    return Pkcs12Signer(unit_code=unit_code, path=path, passphrase=DEMO_PASSPHRASE.encode())


@pytest.fixture(scope="session")
def hoankiem(pki: DemoPki) -> Pkcs12Signer:
    return signer_from(pki.signers["00070"], "00070")


@pytest.fixture(scope="session")
def one_page() -> bytes:
    return sample_pdf("Ban sao dien tu")
