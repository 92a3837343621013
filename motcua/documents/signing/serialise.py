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
- `install()` also replaces `DictionaryObject.write_to_stream` and
  `ArrayObject.write_to_stream` (docs/adr/0033-receipt-pdf-one-walk-and-released-writer.md):
  a dictionary or an array is rendered to bytes in one walk over its plain items (names,
  integers, numbers, booleans, null, references, byte and text strings, nested dictionaries
  and arrays), each as pyHanko writes it, and written in one call, instead of a method call
  and a `write` per item (three per dictionary entry). A text string's bytes are remembered
  per value like a name's. Anything else (a signature's /ByteRange and /Contents
  placeholders, which note where the stream stands; a stream; a subclass with its own
  writer) is written by its own method at its own place in the stream, and anything
  encrypted (a security handler) goes through pyHanko's methods unchanged.

`tests/documents/signing/test_serialise.py` compares all of them with pyHanko's own output.
"""

from __future__ import annotations

import binascii
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
    """Use the remembered names for every `NameObject` pyHanko writes, and the one-walk
    writer for its dictionaries and arrays (idempotent)."""
    generic.NameObject.write_to_stream = _name_write  # type: ignore[method-assign]
    generic.DictionaryObject.write_to_stream = _dict_write  # type: ignore[method-assign]
    generic.ArrayObject.write_to_stream = _array_write  # type: ignore[method-assign]


# pyHanko's own methods, even when this module is loaded again after `install()`
_original_dict_write = getattr(
    generic.DictionaryObject.write_to_stream,
    "pyhanko_original",
    generic.DictionaryObject.write_to_stream,
)
_original_array_write = getattr(
    generic.ArrayObject.write_to_stream, "pyhanko_original", generic.ArrayObject.write_to_stream
)
_TEXTS: dict[str, bytes] = {}
_MAX_TEXTS = 10_000


def text_bytes(text: generic.TextStringObject) -> bytes:
    """What pyHanko writes for a text string without a forced encoding and without a
    security handler (remembered per process, as names are)."""
    found = _TEXTS.get(text)
    if found is None:
        out = io.BytesIO()
        generic.TextStringObject.write_to_stream(text, out)
        found = out.getvalue()
        if len(_TEXTS) < _MAX_TEXTS:
            _TEXTS[str(text)] = found
    return found


def _render(obj: Any, parts: list[bytes], stream: Any, container_ref: Any) -> list[bytes]:
    """Add what pyHanko writes for `obj` (no security handler) to `parts`; an object this
    function does not know is written by its own method, after `parts` so far (the list
    answered is then a new one)."""
    kind = type(obj)
    if kind is generic.NameObject:
        parts.append(_NAMES.get(obj) or name_bytes(obj))
    elif kind is generic.NumberObject:
        parts.append(b"%d" % obj)
    elif kind is generic.IndirectObject:
        parts.append(b"%d %d R" % (obj.idnum, obj.generation))
    elif kind is generic.DictionaryObject or (
        isinstance(obj, generic.DictionaryObject) and kind.write_to_stream is _dict_write
    ):
        parts.append(b"<<\n")
        for key, value in list(obj.items()):
            parts = _render(key, parts, stream, container_ref)
            parts.append(b" ")
            parts = _render(value, parts, stream, container_ref)
            parts.append(b"\n")
        parts.append(b">>")
    elif kind is generic.ArrayObject or (
        isinstance(obj, generic.ArrayObject) and kind.write_to_stream is _array_write
    ):
        parts.append(b"[")
        for item in obj:
            parts.append(b" ")
            parts = _render(item, parts, stream, container_ref)
        parts.append(b" ]")
    elif kind is NumberArray:
        parts.append(_array_bytes(obj))
    elif kind is FixedNumberArray:
        parts.append(obj.written)
    elif kind is generic.TextStringObject and obj.force_output_encoding is None:
        parts.append(_TEXTS.get(obj) or text_bytes(obj))
    elif kind is generic.FloatObject:
        parts.append(repr(obj).encode("ascii"))
    elif kind is generic.ByteStringObject:
        parts.append(b"<" + binascii.hexlify(obj) + b">")
    elif kind is generic.BooleanObject:
        parts.append(b"true" if obj.value else b"false")
    elif kind is generic.NullObject:
        parts.append(b"null")
    else:
        stream.write(b"".join(parts))
        obj.write_to_stream(stream, None, container_ref)
        parts = []
    return parts


def _dict_write(
    self: generic.DictionaryObject, stream: Any, handler: Any = None, container_ref: Any = None
) -> None:
    if handler is not None:
        _original_dict_write(self, stream, handler, container_ref)
        return
    parts = [b"<<\n"]
    for key, value in list(self.items()):
        parts = _render(key, parts, stream, container_ref)
        parts.append(b" ")
        parts = _render(value, parts, stream, container_ref)
        parts.append(b"\n")
    parts.append(b">>")
    stream.write(b"".join(parts))


def _array_write(
    self: generic.ArrayObject, stream: Any, handler: Any = None, container_ref: Any = None
) -> None:
    if handler is not None:
        _original_array_write(self, stream, handler, container_ref)
        return
    parts = [b"["]
    for item in self:
        parts.append(b" ")
        parts = _render(item, parts, stream, container_ref)
    parts.append(b" ]")
    stream.write(b"".join(parts))


_dict_write.pyhanko_original = _original_dict_write  # type: ignore[attr-defined]
_array_write.pyhanko_original = _original_array_write  # type: ignore[attr-defined]


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


class FixedNumberArray(NumberArray):
    """A `NumberArray` that never changes (shared by the documents of a process: the common
    font subset's /W), its bytes worked out once. Do not modify it."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__(items)
        self.written = _array_bytes(self)

    def write_to_stream(self, stream: Any, handler: Any = None, container_ref: Any = None) -> None:
        stream.write(self.written)
