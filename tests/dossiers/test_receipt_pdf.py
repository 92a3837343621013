"""The receipt's PDF layout (`receipt_pdf_render`), read back with pypdf: the fee items are a
table (No., item, quantity, unit price, amount) with the total as its last row and the amount
in words below; each row's cells share a line and its columns run left to right; a long list
goes on to a new A4 page with the headings again."""

from __future__ import annotations

import io
from collections import defaultdict

from pypdf import PdfReader

from motcua.dossiers.services.receipts import receipt_pdf_render
from motcua.payments.models import Receipt, ReceiptSeries

from .helpers import MON

HEADINGS = ["STT", "Tên khoản thu", "Số lượng", "Đơn giá (đồng)", "Thành tiền (đồng)"]


def _receipt(items: list[dict], amount: int, words: str) -> Receipt:
    return Receipt(
        series=ReceiptSeries(form_symbol="01BLP", letters="HK", series="HK26", year=2026),
        number=7,
        issued_at=MON,
        collector_name="UBND Phường Hoàn Kiếm",
        collector_tax_code="0101234567",
        payer_name="Nguyễn Văn An",
        payer_id_number="001090000001",
        dossier_code="00070-260302-0001",
        items=items,
        amount_vnd=amount,
        amount_in_words=words,
        method="cash",
    )


def _item(name: str, quantity: int, unit: int, exempt: int = 0) -> dict:
    return {
        "name": name,
        "quantity": quantity,
        "unit_amount_vnd": unit,
        "exempt_vnd": exempt,
        "amount_vnd": quantity * unit - exempt,
    }


def _lines(pdf: bytes) -> list[list[list[tuple[float, str]]]]:
    """Each page's text runs grouped by baseline, top to bottom, each line's runs left to
    right as (x, text)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        rows: dict[float, list[tuple[float, str]]] = defaultdict(list)

        def visit(text, cm, tm, font, size, rows=rows) -> None:  # type: ignore[no-untyped-def]
            if text.strip():
                rows[round(tm[5], 1)].append((round(tm[4], 1), text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append([sorted(rows[y]) for y in sorted(rows, reverse=True)])
    return pages


def _texts(line: list[tuple[float, str]]) -> list[str]:
    return [text for _x, text in line]


def test_the_items_are_a_table_with_the_total_and_the_amount_in_words() -> None:
    items = [
        _item("Lệ phí đăng ký", 2, 50_000),
        _item("Phí thẩm định hồ sơ đề nghị cấp giấy phép xây dựng", 1, 120_000, exempt=20_000),
    ]
    pdf = receipt_pdf_render(
        receipt=_receipt(items, 200_000, "Hai trăm nghìn đồng"), code="ABCDEFGH"
    )

    [page] = _lines(pdf)
    texts = [_texts(line) for line in page]
    start = texts.index(HEADINGS)
    assert texts[start + 1] == ["1", "Lệ phí đăng ký", "2", "50.000", "100.000"]
    # a long name wraps within its cell: the other cells stay on the row's first line
    assert texts[start + 2] == ["2", "Phí thẩm định hồ sơ đề nghị cấp", "1", "120.000", "100.000"]
    assert texts[start + 3] == ["giấy phép xây dựng (miễn, giảm"]
    assert texts[start + 4] == ["20.000)"]
    assert page[start + 3][0][0] == page[start + 4][0][0] == page[start + 2][1][0]
    assert texts[start + 5] == ["Tổng số tiền", "200.000"]
    assert texts[start + 6] == ["Số tiền viết bằng chữ: Hai trăm nghìn đồng"]
    # The columns are where the headings are: each cell starts at or right of its heading's
    # column, and the amounts (right-aligned) end in the last column.
    heading_x = [x for x, _text in page[start]]
    for x, (cell_x, _text) in zip(heading_x, page[start + 1], strict=True):
        assert cell_x >= x - 40  # right-aligned numbers may start left of a long heading
    assert page[start + 1][-1][0] > heading_x[-2]
    assert page[start + 5][-1][0] > heading_x[-2]


def test_a_long_list_goes_on_to_the_next_page_with_the_headings_again() -> None:
    items = [_item(f"Lệ phí bản sao số {n}", 1, 10_000) for n in range(1, 61)]
    pdf = receipt_pdf_render(
        receipt=_receipt(items, 600_000, "Sáu trăm nghìn đồng"), code="ABCDEFGH"
    )

    pages = _lines(pdf)
    assert len(pages) >= 2
    rows = []
    for page in pages:
        texts = [_texts(line) for line in page]
        assert HEADINGS in texts
        rows += [t for t in texts if t and t[0].isdigit() and len(t) == 5]
    assert [row[0] for row in rows] == [str(n) for n in range(1, 61)]
    assert rows[-1] == ["60", "Lệ phí bản sao số 60", "1", "10.000", "10.000"]
    last = [_texts(line) for line in pages[-1]]
    assert ["Tổng số tiền", "600.000"] in last
    assert ["Số tiền viết bằng chữ: Sáu trăm nghìn đồng"] in last
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]  # A4
