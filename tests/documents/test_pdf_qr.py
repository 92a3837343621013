"""The QR code drawn on a generated PDF is exactly the reference encoder's symbol (segno, the
same data, error correction M, the same fixed mask), module for module."""

from __future__ import annotations

import io
import random
import re
import string

import segno
from pypdf import PdfReader

from motcua.documents.pdf import QR_BOX, QR_MASK, Block, _qr_ops, qr_matrix, text_pdf

DATA = "https://dichvucong.example.vn/verify/7K3MZQ2R/"


def _drawn_modules(pdf: bytes) -> list[list[int]]:
    """The QR code's modules read back from the last page's rectangles."""
    content = PdfReader(io.BytesIO(pdf)).pages[-1].get_contents()
    assert content is not None
    ops = content.get_data().decode("latin-1")
    qr = ops[ops.index("q 0 g") : ops.index("f Q")]
    reference = segno.make(DATA, error="m", micro=False, mask=QR_MASK)
    count = len(reference.matrix)
    x1, y1, x2, _y2 = QR_BOX
    cell = (x2 - x1) / count
    grid = [[0] * count for _ in range(count)]
    for x, y, w, h in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", qr):
        assert abs(float(h) - cell) < 0.01
        row = count - 1 - round((float(y) - y1) / cell)
        first = round((float(x) - x1) / cell)
        for column in range(first, first + round(float(w) / cell)):
            assert grid[row][column] == 0  # no module drawn twice
            grid[row][column] = 1
    return grid


def test_the_drawn_qr_code_is_the_reference_symbol_module_for_module() -> None:
    pdf = text_pdf(blocks=[Block("Biên lai")], qr_data=DATA, qr_caption="Mã: 7K3M-ZQ2R")
    reference = segno.make(DATA, error="m", micro=False, mask=QR_MASK)
    assert reference.mask == QR_MASK
    assert reference.designator in ("4-M", "4-Q", "3-M", "3-Q")  # M, or boosted when it fits
    expected = [list(row) for row in reference.matrix]
    assert [list(row) for row in qr_matrix(DATA)] == expected
    assert _drawn_modules(pdf) == expected


def _qr_ops_by_module(data: str) -> bytes:
    """What `pdf._qr_ops` wrote before its numbers were formatted once per process: each
    row walked module by module, each rectangle formatted on its own."""
    matrix = qr_matrix(data)
    count = len(matrix)
    x1, y1, x2, _y2 = QR_BOX
    cell = (x2 - x1) / count
    ops = [b"q 0 g"]
    for r, row in enumerate(matrix):
        y = y1 + (count - 1 - r) * cell
        c = 0
        while c < count:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < count and row[c]:
                c += 1
            ops.append(b"%.3f %.3f %.3f %.3f re" % (x1 + start * cell, y, (c - start) * cell, cell))
    ops.append(b"f Q")
    return b" ".join(ops)


def test_the_qr_operators_are_the_same_bytes_as_drawn_module_by_module() -> None:
    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits
    for length in [1, 8, 9, 30, 60, 120, 300]:
        data = DATA + "".join(rng.choice(alphabet) for _ in range(length))
        assert _qr_ops(data) == _qr_ops_by_module(data), length
    assert _qr_ops(DATA) == _qr_ops_by_module(DATA)
