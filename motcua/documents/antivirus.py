"""A minimal clamd client: the INSTREAM command over a Unix socket or TCP.

The `clamd` package on PyPI (last release 2014) imports `pkg_resources`, which current
setuptools no longer ships; the protocol is small enough to speak here (clamd(8)): send
`zINSTREAM\\0`, then chunks each prefixed with its length (4 bytes, big-endian), then a zero
length; clamd answers `stream: OK`, `stream: <signature> FOUND` or `... ERROR`, NUL-terminated.

Scanning is on when `MOTCUA_CLAMAV_SOCKET` (a Unix socket path) or `MOTCUA_CLAMAV_HOST`
(with `MOTCUA_CLAMAV_PORT`, 3310) is set.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import IO

from django.conf import settings

CHUNK_BYTES = 64 * 1024


class ScanFailed(Exception):
    """clamd could not be reached or did not give a verdict."""


@dataclass(frozen=True)
class Scanner:
    socket_path: str = ""
    host: str = ""
    port: int = 3310
    timeout: float = 30.0

    def _connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, stream: IO[bytes]) -> str | None:
        """The signature clamd found in the bytes of `stream`, or None when clean."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(CHUNK_BYTES):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScanFailed(str(exc)) from exc
        text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if text.endswith(" OK"):
            return None
        if text.endswith(" FOUND"):
            verdict = text.rsplit(":", 1)[-1].strip()
            return verdict.removesuffix(" FOUND").strip() or "?"
        raise ScanFailed(text or "no answer")


def scanner_from_settings() -> Scanner | None:
    """The configured scanner, or None when scanning is off."""
    path = getattr(settings, "MOTCUA_CLAMAV_SOCKET", "")
    host = getattr(settings, "MOTCUA_CLAMAV_HOST", "")
    if not path and not host:
        return None
    return Scanner(
        socket_path=path,
        host=host,
        port=int(getattr(settings, "MOTCUA_CLAMAV_PORT", 3310)),
        timeout=float(getattr(settings, "MOTCUA_CLAMAV_TIMEOUT", 30)),
    )
