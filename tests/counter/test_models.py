"""The counter's rows name themselves in Việt Nam's time."""

from __future__ import annotations

import datetime as dt

from motcua.counter.models import HotlineCall


def test_a_hotline_call_reads_its_moment_in_vietnam_time() -> None:
    call = HotlineCall(at=dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC), topic="dossier")
    assert str(call) == "02/03/2026 09:30 Hỏi về hồ sơ đã nộp"
