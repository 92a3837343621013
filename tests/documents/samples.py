"""Small files made on the spot: PDFs (plain, encrypted, broken), JPEG and PNG images, and a
fake clamd speaking INSTREAM on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject


def stored_names() -> list[str]:
    """Every file in the documents storage."""
    from motcua.documents.services import documents_storage

    storage = documents_storage()
    names: list[str] = []
    stack = [""]
    while stack:
        folder = stack.pop()
        dirs, files = storage.listdir(folder)
        names += [f"{folder}/{f}".lstrip("/") for f in files]
        stack += [f"{folder}/{d}".lstrip("/") for d in dirs]
    return names


EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_bytes(
    pages: int = 1, *, password: str | None = None, extra: bytes = b"", padding: int = 0
) -> bytes:
    """A PDF of blank pages; `padding` bytes of comment in the first page's content make it
    that much larger (a valid PDF); `extra` is appended after its end."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        content = DecodedStreamObject()
        content.set_data(b"% " + b"0" * padding + b"\n")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(content)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue() + extra


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (20, 10), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    color: tuple[int, ...] = (200, 10, 10) if mode == "RGB" else (200, 10, 10, 128)
    Image.new(mode, size, color).save(out, format=fmt)
    return out.getvalue()


class FakeClamd:
    """Answers `stream: OK`, or FOUND when the bytes contain the EICAR string; remembers
    what it was sent."""

    def __init__(self, *, answer: bytes | None = None) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.answer = answer
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = self._read(conn, len(b"zINSTREAM\0"))
                assert command == b"zINSTREAM\0"
                body = b""
                while True:
                    (length,) = struct.unpack("!L", self._read(conn, 4))
                    if length == 0:
                        break
                    body += self._read(conn, length)
                self.received.append(body)
                if self.answer is not None:
                    conn.sendall(self.answer)
                elif EICAR in body:
                    conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
                else:
                    conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
        self.server.close()
        self.thread.join(timeout=5)


def free_port() -> int:
    """A local port nobody listens on (bound, never listened, closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_clamd(**kw: bytes | None) -> Iterator[FakeClamd]:
    server = FakeClamd(**kw)
    try:
        yield server
    finally:
        server.close()


def issued_sample(
    *, unit_code: str = "00070", title: str = "Kết quả giải quyết: Đăng ký khai sinh"
):
    """A PDF signed for `unit_code` (the test signing backend), stored and issued with a
    verification code: (the IssuedDocument, its signed bytes)."""
    import datetime as dt

    from motcua.documents.issued import document_issue
    from motcua.documents.services import file_store_pdf
    from motcua.documents.signing.registry import signer_for_unit
    from motcua.documents.signing.samples import sample_pdf
    from motcua.documents.signing.services import document_sign
    from tests.factories import UnitFactory

    now = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    unit = UnitFactory(code=unit_code, name="Phường Hoàn Kiếm")
    signed = document_sign(
        pdf=sample_pdf("Ket qua giai quyet"),
        signer=signer_for_unit(unit_code),
        unit_name=unit.name,
        signer_name="Nguyễn Thị Hằng",
        reason="Ban hành kết quả",
        now=now,
    )
    stored = file_store_pdf(actor=None, data=signed, name="ket-qua.pdf", now=now)
    document = document_issue(
        kind="result",
        file=stored,
        unit=unit,
        title=title,
        now=now,
        reference="00070-260304-0001",
        subject_name="Nguyễn Văn An",
    )
    return document, signed


def flip_content_byte(signed: bytes) -> bytes:
    """`signed` with one byte of the page's text changed (inside the signed range)."""
    tampered = bytearray(signed)
    tampered[tampered.index(b"Ket qua")] = ord("X")
    return bytes(tampered)


def content_replaced_after_signing(signed: bytes) -> bytes:
    """An incremental update after the signature that replaces the page's content."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (FORGED) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
