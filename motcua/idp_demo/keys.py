"""The demo provider's RS256 signing key: read from `MOTCUA_DEMO_IDP_KEY_FILE` (a private
JWK in JSON), generated there on first use (mode 0600); with no file set (the tests), one
key per process, in memory."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from django.conf import settings
from joserfc.jwk import RSAKey

_lock = threading.Lock()
_keys: dict[str, RSAKey] = {}


def _generate() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True)
    key.ensure_kid()
    return key


def signing_key() -> RSAKey:
    path: Path | None = settings.MOTCUA_DEMO_IDP_KEY_FILE
    where = str(path) if path else ":memory:"
    with _lock:
        if where in _keys:
            return _keys[where]
        if path is None:
            key = _generate()
        elif path.exists():
            key = RSAKey.import_key(json.loads(path.read_text()))
            key.ensure_kid()
        else:
            key = _generate()
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
        _keys[where] = key
        return key
