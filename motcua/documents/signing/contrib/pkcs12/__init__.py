"""A software key from a PKCS#12 file (the demo PKI, or a key an operator exports to disk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash

from motcua.documents.signing.base import Signer


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-parses (and re-checks) the private key for every signature,
    which costs ~40 ms for RSA 2048: this one parses it once (RSA PKCS#1 v1.5, the default);
    other mechanisms go through pyHanko unchanged."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pyca_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._pyca_key, RSAPrivateKey) and (
            mechanism["algorithm"].native in ("rsassa_pkcs1v15", "sha256_rsa")
        ):
            return self._pyca_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)


class Pkcs12Signer(Signer):
    def __init__(self, *, unit_code: str, path: Path, passphrase: bytes | None) -> None:
        self.unit_code = unit_code
        self.path = path
        loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
        if loaded is None:
            raise ValueError(f"cannot read the PKCS#12 file {path} with the given passphrase")
        self._signer = _LoadedKeySigner(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )

    @property
    def certificate(self) -> x509.Certificate:
        cert = self._signer.signing_cert
        assert cert is not None
        return cert

    def pyhanko_signer(self) -> signers.Signer:
        return self._signer
