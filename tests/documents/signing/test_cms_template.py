"""The PKCS#12 signer's CMS template: the same bytes pyHanko makes, for any digest; other
kinds of signature (a dry run, a timestamp, non-PAdES) are pyHanko's own."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib

from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from motcua.documents.signing.contrib.pkcs12 import _LoadedKeySigner


def _cms(signer, digest: bytes, *, pyhanko: bool = False, **kwargs) -> bytes:
    call = signers.SimpleSigner.async_sign if pyhanko else type(signer).async_sign
    settings = PdfCMSSignedAttributes(signing_time=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))
    coroutine = call(signer, digest, "sha256", signed_attr_settings=settings, **kwargs)
    # In a thread of its own: a test run that drove the browser (Playwright's sync API) may
    # still have an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        made = pool.submit(asyncio.run, coroutine).result()
    return made.dump()


def test_the_template_gives_the_bytes_pyhanko_gives_for_every_digest(hoankiem) -> None:
    signer = hoankiem.pyhanko_signer()
    assert isinstance(signer, _LoadedKeySigner)
    for text in (b"a", b"receipt 2", b"\x00" * 40):
        digest = hashlib.sha256(text).digest()
        fast = _cms(signer, digest, use_pades=True)
        assert fast == _cms(signer, digest, use_pades=True, pyhanko=True)
        assert digest in fast
    assert signer._templates["sha256"] is not None


def test_other_signatures_are_made_by_pyhanko(hoankiem) -> None:
    signer = hoankiem.pyhanko_signer()
    digest = hashlib.sha256(b"x").digest()
    # not PAdES: the signing time is a signed attribute, so no template applies
    assert _cms(signer, digest, use_pades=False) == _cms(
        signer, digest, use_pades=False, pyhanko=True
    )
    assert len(_cms(signer, digest, use_pades=True, dry_run=True)) > 1000
