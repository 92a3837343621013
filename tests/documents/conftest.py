"""Settings pointing the signing service at the session's demo PKI (built once per session
by `tests/conftest.py`, which also signs with it by default)."""

from __future__ import annotations

import pytest

from motcua.demo.pki import DemoPki
from tests.conftest import CRL_PREFIX


@pytest.fixture
def signing_settings(settings, pki: DemoPki):
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = pki.directory / "signers"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [pki.ca_path]
    settings.MOTCUA_SIGNING_CRL_MIRRORS = {CRL_PREFIX: str(pki.crl_dir)}
    return settings
