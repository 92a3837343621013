"""The canonical form of a clean version (see `schema.py` for reading and checking): the JSON
a catalog document carries, what decides "unchanged" on import, and a stored version read back
into the clean shape (for export and for checking a stored version again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .models import Component, ProcedureVersion
from .schema import VERSION_KEYS, plain_number

_TWO_PLACES = Decimal("0.01")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def version_json(clean: Mapping[str, Any]) -> dict[str, Any]:
    """A clean version as it is written in a catalog document."""
    out: dict[str, Any] = {}
    for key in VERSION_KEYS:
        value = clean.get(key)
        if key in ("components", "fees", "steps"):
            out[key] = [{k: _json_value(v) for k, v in item.items()} for item in value or []]
        else:
            out[key] = _json_value(value)
    return out


def canonical_version(clean: Mapping[str, Any]) -> dict[str, Any]:
    """What decides "changed": the version's content without its number and status."""
    out = version_json(clean)
    out.pop("number")
    out.pop("status")
    return out


def clean_from_db(version: ProcedureVersion) -> dict[str, Any]:
    """The clean dict of a stored version. Uses prefetched components/fees/steps (with their
    units) when present, so exporting a catalog costs a fixed number of queries."""
    v: dict[str, Any] = {
        key: getattr(version, key)
        for key in VERSION_KEYS
        if key not in ("components", "fees", "steps")
    }
    v["counter_time"] = Decimal(version.counter_time).quantize(_TWO_PLACES)
    if version.online_time is not None:
        v["online_time"] = Decimal(version.online_time).quantize(_TWO_PLACES)
    v["legal_basis"] = list(version.legal_basis or [])
    v["eform"] = dict(version.eform or {})
    v["components"] = [_component_clean(c) for c in version.components.all()]
    v["fees"] = [
        {
            "order": f.order,
            "name": f.name,
            "kind": f.kind,
            "amount_vnd": f.amount_vnd,
            "timing": f.timing,
            "basis": f.basis,
            "counting": f.counting,
            "applicant_kind": f.applicant_kind,
            "tier_from": f.tier_from,
            "tier_amount_vnd": f.tier_amount_vnd,
            "cap_vnd": f.cap_vnd,
            "exemptions": list(f.exemptions or []),
        }
        for f in version.fees.all()
    ]
    v["steps"] = [
        {
            "order": s.order,
            "name": s.name,
            "role": s.role,
            "unit_scope": s.unit_scope,
            "unit": s.unit.code if s.unit_id and s.unit else None,
            "allotment_hours": Decimal(s.allotment_hours).quantize(_TWO_PLACES),
        }
        for s in version.steps.all()
    ]
    for key in ("components", "fees", "steps"):
        v[key].sort(key=lambda item: item["order"])
    return v


def _component_clean(c: Component) -> dict[str, Any]:
    return {
        "order": c.order,
        "code": c.code,
        "name": c.name,
        "accepted_forms": list(c.accepted_forms or []),
        "copies": c.copies,
        "required": c.required,
        "national_database": c.national_database,
        "document_kind": c.document_kind,
        "template_name": c.template_name,
        "note": c.note,
        "allowed_types": list(c.allowed_types or []),
        "max_bytes": c.max_bytes,
    }
