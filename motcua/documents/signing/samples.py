"""A small one-page PDF (demo, tests, bench), written with pyHanko's own writer."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter


def sample_pdf(title: str = "motcua") -> bytes:
    """A one-page A4 PDF showing `title` (ASCII is printed; other characters are dropped)."""
    writer = PdfFileWriter()
    safe = title.encode("ascii", "ignore").decode().replace("\\", "").replace("(", "")
    safe = safe.replace(")", "")
    stream = generic.StreamObject(stream_data=f"BT /F1 18 Tf 72 760 Td ({safe}) Tj ET".encode())
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {
            generic.pdf_name("/Font"): generic.DictionaryObject(
                {generic.pdf_name("/F1"): writer.add_object(font)}
            )
        }
    )
    page = PageObject(
        contents=writer.add_object(stream), media_box=(0, 0, 595, 842), resources=resources
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
