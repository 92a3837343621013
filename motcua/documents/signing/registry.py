"""Which signer signs for a unit: backends by name, configured in settings.

Settings (config/settings/base.py, block "Signing"):
- `MOTCUA_SIGNING_BACKEND`: a backend name registered here (`pkcs12` is bundled);
- `MOTCUA_SIGNING_DIR`: for `pkcs12`, the directory of `<unit code>.p12` files;
- passphrases from the environment: `MOTCUA_SIGNING_PASSPHRASE_<CODE>` (the unit code upper-cased,
  every character other than A-Z and 0-9 replaced by `_`), else `MOTCUA_SIGNING_PASSPHRASE`;
  in demo mode, with neither set, the demo PKI's public passphrase.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound, ValidationError
from motcua.documents.signing.base import Signer

#: The demo PKI's PKCS#12 passphrase: public, like the demo accounts' password.
DEMO_PASSPHRASE = "motcua-demo"  # noqa: S105 (public on purpose, demo only)

BackendFactory = Callable[[str], Signer]
_BACKENDS: dict[str, BackendFactory] = {}


def signer_backend_register(name: str, factory: BackendFactory) -> None:
    """Make a backend available as `MOTCUA_SIGNING_BACKEND = name` (factory(unit_code))."""
    _BACKENDS[name] = factory


def signer_file_name(unit_code: str) -> str:
    return f"{unit_code}.p12"


def passphrase_env_name(unit_code: str) -> str:
    return "MOTCUA_SIGNING_PASSPHRASE_" + re.sub(r"[^A-Z0-9]", "_", unit_code.upper())


def _passphrase(unit_code: str) -> bytes | None:
    value = os.environ.get(passphrase_env_name(unit_code)) or os.environ.get(
        "MOTCUA_SIGNING_PASSPHRASE"
    )
    if value is None and getattr(settings, "MOTCUA_DEMO_MODE", False):
        value = DEMO_PASSPHRASE
    return value.encode() if value else None


@functools.lru_cache(maxsize=256)
def _pkcs12_load(unit_code: str, path: str, mtime_ns: int, passphrase: bytes | None) -> Signer:
    # one parse per file version: a replaced file (new mtime) is read again
    from motcua.documents.signing.contrib.pkcs12 import Pkcs12Signer

    return Pkcs12Signer(unit_code=unit_code, path=Path(path), passphrase=passphrase)


def _pkcs12(unit_code: str) -> Signer:
    if not re.fullmatch(r"[0-9A-Za-z.\-_]+", unit_code):
        raise NotFound(_("Đơn vị %(unit)s chưa có chứng thư ký số."), code="no_signer", unit="?")
    path = Path(settings.MOTCUA_SIGNING_DIR) / signer_file_name(unit_code)
    if not path.is_file():
        raise NotFound(
            _("Đơn vị %(unit)s chưa có chứng thư ký số."), code="no_signer", unit=unit_code
        )
    try:
        return _pkcs12_load(unit_code, str(path), path.stat().st_mtime_ns, _passphrase(unit_code))
    except ValueError as exc:
        raise ValidationError(
            _("Không mở được khoá ký của đơn vị %(unit)s (sai mật khẩu hoặc tệp hỏng)."),
            code="signer_unreadable",
            unit=unit_code,
        ) from exc


signer_backend_register("pkcs12", _pkcs12)


def signer_for_unit(unit_code: str) -> Signer:
    """The signer of a unit, from the configured backend. NotFound (`no_signer`) if none."""
    backend = getattr(settings, "MOTCUA_SIGNING_BACKEND", "pkcs12")
    try:
        factory = _BACKENDS[backend]
    except KeyError as exc:
        raise ValidationError(
            _("Cấu hình ký số không hợp lệ: không có kiểu khoá %(backend)s."),
            code="signer_backend_unknown",
            backend=backend,
        ) from exc
    return factory(unit_code)
