"""Validating the signatures of any PDF: integrity, later changes, trust, revocation, expiry.

Nothing is fetched from the network: the trust roots are files (settings or the caller), and
the CRL a certificate names in its distribution points is read from a local mirror
(`MOTCUA_SIGNING_CRL_MIRRORS`: URL prefix -> directory). A certificate that names a CRL that
is not mirrored fails with `revocation_unknown` (hard fail), never with a silent pass.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem, x509
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.core.clock import now as wall_now
from motcua.core.errors import ValidationError
from motcua.documents.signing._sync import outside_event_loop

# Machine reason codes, stable (API clients and templates switch on them).
NO_SIGNATURE = "no_signature"
SIGNATURE_INVALID = "signature_invalid"
MODIFIED_AFTER_SIGNING = "modified_after_signing"
UNTRUSTED = "untrusted"
REVOKED = "revoked"
EXPIRED = "expired"
REVOCATION_UNKNOWN = "revocation_unknown"

REASONS = {
    NO_SIGNATURE: _("Tệp không có chữ ký số nào."),
    SIGNATURE_INVALID: _("Chữ ký số không hợp lệ (không kiểm được bằng khoá của chứng thư)."),
    MODIFIED_AFTER_SIGNING: _("Tài liệu đã bị sửa sau khi ký."),
    UNTRUSTED: _("Chứng thư ký số không do tổ chức được tin cậy cấp."),
    REVOKED: _("Chứng thư ký số đã bị thu hồi."),
    EXPIRED: _("Chứng thư ký số đã hết hạn hoặc chưa có hiệu lực."),
    REVOCATION_UNKNOWN: _("Không kiểm tra được tình trạng thu hồi của chứng thư ký số."),
}

_REVOKED = {
    AdESFailure.REVOKED,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.REVOKED_CA_NO_POE,
}
_EXPIRED = {
    AdESFailure.NOT_YET_VALID,
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
}
_REVOCATION_UNKNOWN = {
    AdESIndeterminate.TRY_LATER,
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE,
}


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer_common_name: str
    signer_unit: str  # the subject's organisational unit (the unit code in the demo PKI)
    signing_time: dt.datetime | None  # as the signer claims it (no timestamp authority)
    intact: bool  # the signed bytes hash to the signed digest
    valid: bool  # the cryptographic signature verifies
    coverage: str  # pyHanko SignatureCoverageLevel name (ENTIRE_FILE: nothing added since)
    modification_level: str  # pyHanko ModificationLevel name of what was added since
    changed_after_signing: bool  # any revision was added after this signature
    trusted: bool
    chain: tuple[str, ...]  # subject CNs, signer first
    not_after: dt.datetime
    revocation_checked: bool  # a CRL was read for the signer's certificate
    failures: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def integrity(self) -> str:
        return "intact" if self.intact and self.valid else "modified"


@dataclass(frozen=True)
class SignatureReport:
    signatures: tuple[SignatureCheck, ...]
    failures: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.failures

    def messages(self) -> list[str]:
        return [str(REASONS[code]) for code in self.failures]


def load_certificates(paths: Iterable[Path]) -> list[x509.Certificate]:
    """PEM (one or more certificates) or DER files; missing files are skipped."""
    certs: list[x509.Certificate] = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            continue
        data = path.read_bytes()
        if pem.detect(data):
            certs.extend(x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, True))
        else:
            certs.append(x509.Certificate.load(data))
    return certs


def local_crls_for(
    cert: x509.Certificate, mirrors: Mapping[str, str | Path]
) -> list[asn1_crl.CertificateList]:
    """The CRLs `cert` names in its distribution points, read from the local mirrors only."""
    found = []
    urls = [point.url for point in cert.crl_distribution_points if point.url]
    for url in urls:
        for prefix, directory in mirrors.items():
            if not url.startswith(prefix):
                continue
            relative = url[len(prefix) :].lstrip("/")
            base = Path(directory).resolve()
            path = (base / relative).resolve()
            if base in path.parents and path.is_file():
                data = path.read_bytes()
                if pem.detect(data):
                    _t, _h, data = pem.unarmor(data)
                found.append(asn1_crl.CertificateList.load(data))
    return found


def _failures(status, *, names_crl: bool, revocation_checked: bool) -> list[str]:
    failures: list[str] = []
    if not status.intact:
        failures.append(MODIFIED_AFTER_SIGNING)
    elif not status.valid:
        failures.append(SIGNATURE_INVALID)
    if (
        status.intact
        and (
            status.docmdp_ok is False
            or status.coverage
            not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
            or status.modification_level == ModificationLevel.OTHER
        )
        and MODIFIED_AFTER_SIGNING not in failures
    ):
        failures.append(MODIFIED_AFTER_SIGNING)
    if failures:
        # a broken signature says nothing about its certificate: no trust codes on top
        return failures
    if not status.trusted:
        indic = status.trust_problem_indic
        if indic in _REVOKED:
            failures.append(REVOKED)
        elif indic in _EXPIRED:
            failures.append(EXPIRED)
        elif indic in _REVOCATION_UNKNOWN or (
            indic == AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE
            and names_crl
            and not revocation_checked
        ):
            failures.append(REVOCATION_UNKNOWN)
        else:
            failures.append(UNTRUSTED)
    return failures


def _chain(status) -> tuple[str, ...]:
    path = status.validation_path
    if path is None:
        return (str(status.signing_cert.subject.native.get("common_name", "")),)
    names = [str(c.subject.native.get("common_name", "")) for c in path.iter_certs(True)]
    return tuple(reversed(names))


def document_validate(
    *,
    pdf: bytes,
    trust_roots: Iterable[x509.Certificate] | None = None,
    now: dt.datetime | None = None,
    crl_mirrors: Mapping[str, str | Path] | None = None,
) -> SignatureReport:
    """Check every signature of `pdf` at `now` against `trust_roots` (default: the
    configured MOTCUA_SIGNING_TRUST_ROOTS). Refuses a file that is not a PDF (`not_a_pdf`)."""
    moment = now or wall_now()
    roots = (
        list(trust_roots)
        if trust_roots is not None
        else load_certificates(settings.MOTCUA_SIGNING_TRUST_ROOTS)
    )
    mirrors = crl_mirrors if crl_mirrors is not None else settings.MOTCUA_SIGNING_CRL_MIRRORS
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise ValidationError(
            _("Tệp không phải PDF đọc được nên không kiểm tra được chữ ký."), code="not_a_pdf"
        ) from exc
    if not embedded:
        return SignatureReport(signatures=(), failures=(NO_SIGNATURE,))
    checks = []
    for sig in embedded:
        cert = sig.signer_cert
        crls = local_crls_for(cert, mirrors) if cert is not None else []
        context = ValidationContext(
            trust_roots=roots,
            crls=crls,
            allow_fetching=False,
            revocation_mode="hard-fail",
            moment=moment,
        )
        try:
            status = outside_event_loop(
                validate_pdf_signature, sig, signer_validation_context=context
            )
        except (SignatureValidationError, PdfError, ValueError, KeyError) as exc:
            checks.append(_broken(sig, exc))
            continue
        failures = _failures(
            status,
            names_crl=bool(cert is not None and cert.crl_distribution_points),
            revocation_checked=bool(crls),
        )
        subject = status.signing_cert.subject.native
        checks.append(
            SignatureCheck(
                field_name=sig.field_name,
                signer_common_name=str(subject.get("common_name", "")),
                signer_unit=str(subject.get("organizational_unit_name", "")),
                signing_time=status.signer_reported_dt,
                intact=status.intact,
                valid=status.valid,
                coverage=status.coverage.name if status.coverage else "UNCLEAR",
                modification_level=(
                    status.modification_level.name if status.modification_level else "OTHER"
                ),
                changed_after_signing=status.coverage != SignatureCoverageLevel.ENTIRE_FILE,
                trusted=status.trusted,
                chain=_chain(status),
                not_after=status.signing_cert.not_valid_after,
                revocation_checked=bool(crls),
                failures=tuple(failures),
            )
        )
    codes = tuple(dict.fromkeys(code for check in checks for code in check.failures))
    return SignatureReport(signatures=tuple(checks), failures=codes)


def _broken(sig, exc: Exception) -> SignatureCheck:
    cert = sig.signer_cert
    subject = cert.subject.native if cert is not None else {}
    return SignatureCheck(
        field_name=sig.field_name,
        signer_common_name=str(subject.get("common_name", "")),
        signer_unit=str(subject.get("organizational_unit_name", "")),
        signing_time=None,
        intact=False,
        valid=False,
        coverage="UNCLEAR",
        modification_level="OTHER",
        changed_after_signing=False,
        trusted=False,
        chain=(),
        not_after=cert.not_valid_after
        if cert is not None
        else dt.datetime.min.replace(tzinfo=dt.UTC),
        revocation_checked=False,
        failures=(SIGNATURE_INVALID,),
    )
