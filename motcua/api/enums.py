"""Enum types whose class name is shared with another enum (`Unit.Kind` and `Fee.Kind` are
both "Kind"). Ninja builds each schema on its own and merges their definitions by class name,
so the second silently replaced the first in the OpenAPI document. These are documented
inline under their own title instead; the values and their validation are unchanged.
`tests/api/test_openapi.py` fails on any component defined twice differently."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import WithJsonSchema

from motcua.catalog.models import Fee
from motcua.organisation.models import Unit


def _inline(choices: type[Enum], title: str) -> WithJsonSchema:
    schema: dict[str, Any] = {
        "title": title,
        "type": "string",
        "enum": [member.value for member in choices],
    }
    return WithJsonSchema(schema)


UnitKind = Annotated[Unit.Kind, _inline(Unit.Kind, "UnitKind")]
UnitLevel = Annotated[Unit.Level, _inline(Unit.Level, "UnitLevel")]
FeeKind = Annotated[Fee.Kind, _inline(Fee.Kind, "FeeKind")]
