"""The `Signer` interface: what the signing service needs from a key, wherever the key lives.

A backend (a PKCS#12 file, an HSM through PKCS#11, a remote signing service) implements
`Signer` and is registered by name in `registry.py`. The service only asks for the pyHanko
signer object (which performs the raw signature, locally or not) and the certificate.
"""

from __future__ import annotations

import abc

from asn1crypto import x509
from pyhanko.sign import signers


class Signer(abc.ABC):
    """One signing identity: a certificate and a way to produce signatures with its key."""

    #: The unit code (organisation.Unit.code) this identity signs for.
    unit_code: str

    @property
    @abc.abstractmethod
    def certificate(self) -> x509.Certificate:
        """The signing certificate (asn1crypto)."""

    @abc.abstractmethod
    def pyhanko_signer(self) -> signers.Signer:
        """The pyHanko signer that makes the CMS signature.

        A software key returns a `SimpleSigner`; an HSM returns pyHanko's `PKCS11Signer`
        (pyhanko.sign.pkcs11) opened on a session; a remote service returns a subclass of
        `pyhanko.sign.signers.ExternalSigner` whose `async_sign_raw` calls the service.
        """

    @property
    def subject_common_name(self) -> str:
        return str(self.certificate.subject.native.get("common_name", ""))
