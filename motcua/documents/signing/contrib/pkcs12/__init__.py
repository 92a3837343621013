"""A software key from a PKCS#12 file (the demo PKI, or a key an operator exports to disk)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from motcua.documents.signing.base import Signer

#: The digest the template is first made for: 32 bytes that no document hashes to.
_MARKER = hashlib.sha256(b"motcua: CMS template marker digest").digest()


@dataclass(frozen=True)
class _Template:
    """pyHanko's own PAdES CMS for `_MARKER`, with where the digest and the signature sit."""

    cms: bytes
    signed_attrs: bytes  # as signed: a SET (0x31), not the [0] of the SignerInfo
    digest_at: tuple[int, int]  # in cms, in signed_attrs
    signature_at: int
    signature_length: int


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-parses (and re-checks) the private key for every signature,
    which costs ~40 ms for RSA 2048: this one parses it once (RSA PKCS#1 v1.5, the default);
    other mechanisms go through pyHanko unchanged.

    It also makes the CMS of a plain PAdES signature (baseline B: no timestamp, no extra
    attributes) from a template: for one key, pyHanko's signed attributes are the content
    type, the message digest and the signing certificate (the signing time is the PDF's /M,
    not an attribute), so only the digest and the signature value change from one signature
    to the next. The template is pyHanko's own CMS for a marker digest, made once; each
    signature puts the document's digest in its place, signs the attributes (checking the
    value with the public key) and puts the value in place of the template's, lengths
    unchanged. pyHanko's asn1crypto assembly took ~15 ms per signature; this takes ~1 ms."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pyca_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        self._templates: dict[str, _Template | None] = {}

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._pyca_key, RSAPrivateKey) and (
            mechanism["algorithm"].native in ("rsassa_pkcs1v15", "sha256_rsa")
        ):
            return self._pyca_key.sign(
                data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
        return super().sign_raw(data, digest_algorithm)

    def _rsa_pkcs1(self, digest_algorithm: str) -> bool:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        return isinstance(self._pyca_key, RSAPrivateKey) and (
            mechanism["algorithm"].native in ("rsassa_pkcs1v15", "sha256_rsa")
        )

    async def _template(self, digest_algorithm: str) -> _Template | None:
        if digest_algorithm in self._templates:
            return self._templates[digest_algorithm]
        template = None
        if (
            digest_algorithm == "sha256"
            and self._rsa_pkcs1(digest_algorithm)
            and not (self.attribute_certs)
        ):
            made = []
            # twice, at two signing times: the template holds only if they are the same
            for when in (dt.datetime(2001, 1, 1, tzinfo=dt.UTC), dt.datetime.now(tz=dt.UTC)):
                info = await super().async_sign(
                    _MARKER,
                    digest_algorithm,
                    use_pades=True,
                    signed_attr_settings=PdfCMSSignedAttributes(signing_time=when),
                )
                made.append(info.dump(force=True))
            if made[0] == made[1] and made[0].count(_MARKER) == 1:
                info = cms.ContentInfo.load(made[0])
                signer_info = info["content"]["signer_infos"][0]
                signature = signer_info["signature"].native
                attrs = b"\x31" + signer_info["signed_attrs"].dump()[1:]
                if made[0].count(signature) == 1 and attrs.count(_MARKER) == 1:
                    template = _Template(
                        cms=made[0],
                        signed_attrs=attrs,
                        digest_at=(made[0].index(_MARKER), attrs.index(_MARKER)),
                        signature_at=made[0].index(signature),
                        signature_length=len(signature),
                    )
        self._templates[digest_algorithm] = template
        return template

    async def async_sign(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: Any = None,
        signed_attr_settings: PdfCMSSignedAttributes | None = None,
        is_pdf_sig: bool = True,
        encap_content_info: Any = None,
    ) -> cms.ContentInfo:
        plain = (
            use_pades
            and is_pdf_sig
            and not dry_run
            and timestamper is None
            and encap_content_info is None
            and len(data_digest) == len(_MARKER)
            and (
                signed_attr_settings is None
                or (
                    signed_attr_settings.adobe_revinfo_attr is None
                    and signed_attr_settings.cades_signed_attrs is None
                )
            )
        )
        template = await self._template(digest_algorithm) if plain else None
        if template is None:
            return await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
        at_cms, at_attrs = template.digest_at
        size = len(_MARKER)
        attrs = template.signed_attrs
        attrs = attrs[:at_attrs] + data_digest + attrs[at_attrs + size :]
        signature = self.sign_raw(attrs, digest_algorithm)
        key = self._pyca_key
        assert isinstance(key, RSAPrivateKey)
        # a wrong value (a fault in the key operation) raises here, before anything is kept
        key.public_key().verify(
            signature, attrs, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
        )
        if len(signature) != template.signature_length:
            raise ValueError("RSA signature of an unexpected length")
        out = bytearray(template.cms)
        out[at_cms : at_cms + size] = data_digest
        out[template.signature_at : template.signature_at + len(signature)] = signature
        return cms.ContentInfo.load(bytes(out))


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
