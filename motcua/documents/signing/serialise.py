"""Faster, byte-identical serialisation of the PDF objects pyHanko writes for motcua's signed
documents (docs/adr/0030-faster-pdf-serialisation.md).

pyHanko's `generic.NameObject.write_to_stream` escapes a name byte by byte, writing each byte
to the stream on its own, and a signed receipt writes about 120 names (every dictionary key);
`ArrayObject` writes its items one call at a time, and the font's /W array holds a few
hundred numbers. Both were a tenth of writing a receipt.

- `install()` (called once, by `signing.services` on import) replaces
  `NameObject.write_to_stream` by one that remembers the bytes of each name the original
  wrote (there are a few dozen distinct names): the original runs once per name, so its
  output and its refusal of a name without a leading slash are unchanged.
- `NumberArray` is an `ArrayObject` of integers and of such arrays (the /W entry of a
  CID font) that writes itself in one piece, as `ArrayObject` and `NumberObject` would.

`tests/documents/signing/test_serialise.py` compares both with pyHanko's own output.
"""

from __future__ import annotations

import io
from typing import Any

from pyhanko.pdf_utils import generic

# pyHanko's own method, even when this module is loaded again after `install()`
_original_name_write = getattr(
    generic.NameObject.write_to_stream, "pyhanko_original", generic.NameObject.write_to_stream
)
_NAMES: dict[str, bytes] = {}
_MAX_NAMES = 10_000


def name_bytes(name: generic.NameObject) -> bytes:
    """What pyHanko writes for `name` (remembered per process)."""
    found = _NAMES.get(name)
    if found is None:
        out = io.BytesIO()
        _original_name_write(name, out)
        found = out.getvalue()
        if len(_NAMES) < _MAX_NAMES:
            _NAMES[str(name)] = found
    return found


def _name_write(
    self: generic.NameObject, stream: Any, handler: Any = None, container_ref: Any = None
) -> None:
    stream.write(name_bytes(self))


_name_write.pyhanko_original = _original_name_write  # type: ignore[attr-defined]


def install() -> None:
    """Use the remembered names for every `NameObject` pyHanko writes (idempotent)."""
    generic.NameObject.write_to_stream = _name_write  # type: ignore[method-assign]


def _array_bytes(items: list[Any]) -> bytes:
    parts = [b"["]
    for item in items:
        if isinstance(item, list):
            parts.append(b" " + _array_bytes(item))
        elif type(item) in (int, generic.NumberObject):
            parts.append(b" %d" % item)
        else:  # anything else as pyHanko writes it
            out = io.BytesIO()
            item.write_to_stream(out)
            parts.append(b" " + out.getvalue())
    parts.append(b" ]")
    return b"".join(parts)


class NumberArray(generic.ArrayObject):
    """An array of integers (`NumberObject`) and of arrays of them, written in one piece:
    the bytes `ArrayObject` writes for it."""

    def write_to_stream(self, stream: Any, handler: Any = None, container_ref: Any = None) -> None:
        stream.write(_array_bytes(self))
