"""Field types shared by the schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer, WithJsonSchema

from motcua.core.clock import local


def _render(value: dt.datetime) -> str:
    return local(value).isoformat(timespec="seconds")


#: An instant in Vietnamese local time with its offset, to the second:
#: "2026-02-25T10:00:00+07:00" (storage is UTC; people read local time).
LocalDateTime = Annotated[
    dt.datetime,
    AfterValidator(local),
    PlainSerializer(_render, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "example": "2026-02-25T10:00:00+07:00"}
    ),
]
