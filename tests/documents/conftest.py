"""A demo PKI built once per session in a temporary directory from the shipped certomancer
config (var/pki need not exist), and settings pointing the signing service at it."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.demo.pki import DemoPki, demo_pki_build

CRL_PREFIX = "http://pki.motcua.invalid/"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return demo_pki_build(directory=tmp_path_factory.mktemp("pki"), now=dt.datetime.now(tz=dt.UTC))


@pytest.fixture
def signing_settings(settings, pki: DemoPki):
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = pki.directory / "signers"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [pki.ca_path]
    settings.MOTCUA_SIGNING_CRL_MIRRORS = {CRL_PREFIX: str(pki.crl_dir)}
    return settings
