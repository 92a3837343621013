"""The demo PKI: a demo CA, one PKCS#12 per signing demo unit and a CRL, built by certomancer.

DEMO ONLY. `demo_pki_build` reads `certomancer.yml` beside this file, generates the private keys
it names (RSA 2048, with pyca/cryptography) when they are missing, and writes:

- `ca.pem`: the demo CA certificate (the trust root in demo mode);
- `signers/<unit code>.p12`: one PKCS#12 per demo unit that signs (passphrase `DEMO_PASSPHRASE`);
- `test/<label>.p12`: a revoked and an expired certificate, for the validation tests;
- `crl/<arch>/crls/root/latest.crl`: the CA's CRL, at the path its distribution point URL names.

It keeps what exists (keys, certificates, PKCS#12 files) and only rewrites a CRL that is stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, ServiceLabel
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from motcua.documents.signing.registry import DEMO_PASSPHRASE, signer_file_name

CONFIG = Path(__file__).resolve().parent / "certomancer.yml"
ARCH = "motcua-demo"
CRL_REPO = "root"
# Certificate label -> the unit code it signs for (organisation.Unit.code).
UNIT_SIGNERS = {
    "hoankiem": "00070",
    "badinh": "00004",
    "caugiay": "00167",
    "dongda": "00235",
    "sontay": "09574",
    "dongan": "00454",
    "stp": "01.STP",
    "stc": "01.STC",
    "sxd": "01.SXD",
    "cn01": "01.TTHCC.CN01",
}
TEST_CERTS = ("revoked", "expired")
KEY_LABELS = ("root", *UNIT_SIGNERS, *TEST_CERTS)


@dataclass
class DemoPki:
    directory: Path
    ca_path: Path
    crl_path: Path
    signers: dict[str, Path] = field(default_factory=dict)  # unit code -> PKCS#12
    test: dict[str, Path] = field(default_factory=dict)  # label -> PKCS#12
    created: list[str] = field(default_factory=list)  # what this run wrote

    @property
    def crl_dir(self) -> Path:
        return self.directory / "crl"


def _keys(directory: Path, created: list[str]) -> Path:
    keys = directory / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    for label in KEY_LABELS:
        path = keys / f"{label}.key.pem"
        if path.exists():
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
        created.append(str(path.relative_to(directory)))
    return keys


def _write(path: Path, data: bytes, created: list[str], directory: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    created.append(str(path.relative_to(directory)))


def _crl_is_fresh(path: Path, now: dt.datetime) -> bool:
    if not path.exists():
        return False
    try:
        crl = asn1_crl.CertificateList.load(path.read_bytes())
        next_update = crl["tbs_cert_list"]["next_update"].native
    except Exception:  # an unreadable CRL is rewritten
        return False
    return next_update is not None and next_update > now + dt.timedelta(days=1)


def crl_url_path() -> str:
    """The path part of the CRL distribution point (also the file's place under crl/)."""
    return f"{ARCH}/crls/{CRL_REPO}/latest.crl"


def demo_pki_build(*, directory: Path, now: dt.datetime) -> DemoPki:
    """Build (or complete) the demo PKI in `directory`; idempotent."""
    directory.mkdir(parents=True, exist_ok=True)
    created: list[str] = []
    keys = _keys(directory, created)
    config = CertomancerConfig.from_file(str(CONFIG), key_search_dir=str(keys))
    arch = config.get_pki_arch(ArchLabel(ARCH))
    result = DemoPki(
        directory=directory,
        ca_path=directory / "ca.pem",
        crl_path=directory / "crl" / crl_url_path(),
    )
    if not result.ca_path.exists():
        ca = arch.get_cert(CertLabel("root"))
        _write(result.ca_path, pem.armor("CERTIFICATE", ca.dump()), created, directory)
    for label, unit_code in UNIT_SIGNERS.items():
        path = directory / "signers" / signer_file_name(unit_code)
        result.signers[unit_code] = path
        if not path.exists():
            data = arch.package_pkcs12(CertLabel(label), password=DEMO_PASSPHRASE.encode())
            _write(path, data, created, directory)
    for label in TEST_CERTS:
        path = directory / "test" / f"{label}.p12"
        result.test[label] = path
        if not path.exists():
            data = arch.package_pkcs12(CertLabel(label), password=DEMO_PASSPHRASE.encode())
            _write(path, data, created, directory)
    if not _crl_is_fresh(result.crl_path, now):
        crl = arch.service_registry.get_crl(ServiceLabel(CRL_REPO), at_time=now)
        _write(result.crl_path, crl.dump(), created, directory)
    result.created = created
    return result
