"""Word wrap: the lines of a text are remembered per process for the shared font program,
and are the lines measuring every word again gives."""

from __future__ import annotations

import random

import pytest
from pyhanko.pdf_utils.writer import PdfFileWriter

from motcua.documents import pdf

WORDS = "Số tiền viết bằng chữ Một triệu hai trăm năm mươi nghìn đồng Nguyễn Thị Hằng 1.250.000"


@pytest.mark.parametrize("seed", range(20))
def test_remembered_lines_are_the_measured_lines(seed: int) -> None:
    draw = random.Random(seed)
    words = WORDS.split()
    text = " ".join(draw.choice(words) for _ in range(draw.randint(1, 60)))
    if seed % 4 == 0:
        text = text.replace(" ", "\n", 2)  # paragraphs
    width, size = draw.choice([60.0, 181.0 - 8, 451.0]), draw.choice([9, 10, 14])
    engine = pdf._engine(PdfFileWriter())
    measured = pdf._wrap_measured(lambda w: pdf._width(engine, w, size), text, width, size)
    assert pdf._wrap(engine, text, width, size) == measured
    assert pdf._wrap(engine, text, width, size) == measured  # from the remembered lines
    assert all(pdf._width(engine, line, size) <= width or " " not in line for line in measured)
