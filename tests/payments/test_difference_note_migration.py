"""Migration payments 0008 reads the Vietnamese notes of earlier reconciliation runs back into
their code and values, and its way back writes the same sentences again."""

from __future__ import annotations

import importlib

import pytest
from django.utils import translation

from motcua.payments.models import DIFFERENCE_NOTES, difference_note_text

migration = importlib.import_module("motcua.payments.migrations.0008_difference_note_code")

PARAMS: dict[str, dict[str, str]] = {
    "other_gateway": {"gateway": "vnpay"},
    "currency": {"currency": "USD"},
    "order_status": {"status": "cancelled"},
    "paid_other_day": {"paid_at": "2026-12-01T17:00:04+00:00"},
    "recorded_at": {"at": "2026-11-30T02:15:00+00:00"},
}


@pytest.mark.parametrize("code", [c for c in DIFFERENCE_NOTES if c != "text"])
def test_every_note_as_it_was_written_in_vietnamese_is_read_back_into_its_code(code: str) -> None:
    params = PARAMS.get(code, {})
    with translation.override("vi"):
        text = difference_note_text(code, params)

    parsed = migration.note_parse(text)

    # seconds are not in the sentence: what was kept is the minute
    expected = {k: v.replace(":04+", ":00+") for k, v in params.items()}
    assert parsed == (code, expected)
    assert migration.note_render(*parsed) == text


def test_a_note_no_code_matches_is_kept_as_its_text() -> None:
    assert migration.note_parse("ghi chú tay") == ("text", {"text": "ghi chú tay"})
    assert migration.note_parse("Giao dịch đang ở trạng thái lạ") == (
        "text",
        {"text": "Giao dịch đang ở trạng thái lạ"},
    )
    assert migration.note_parse("") == ("", {})
    with translation.override("en"):
        assert difference_note_text("text", {"text": "ghi chú tay"}) == "ghi chú tay"
