"""Feedback tests: the dossier tests' world (a ward, another ward, the province, their staff,
a city-wide supervisor, citizens) and a feedback sent without an account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.feedback.models import Feedback
from motcua.feedback.services import Submitted, feedback_submit
from motcua.organisation.models import Unit
from tests.dossiers.helpers import MON


def send(*, place: Unit | None = None, now: dt.datetime = MON, **kw: Any) -> Submitted:
    kw.setdefault("subject", "Hồ sơ đất đai chậm trả kết quả")
    kw.setdefault("body", "Hồ sơ của tôi đã quá hẹn 5 ngày mà chưa có thư xin lỗi.")
    kw.setdefault("sender_name", "Phạm Văn Cường")
    if "sender" not in kw:
        kw.setdefault("sender_phone", "0912 345 678")
    return feedback_submit(place=place, now=now, **kw)


def reload(feedback: Feedback) -> Feedback:
    return Feedback.objects.get(pk=feedback.pk)
