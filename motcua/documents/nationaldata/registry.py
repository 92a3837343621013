"""Which connector answers for which national database.

`settings.MOTCUA_NATIONAL_DATA` maps a database code (`catalog.NationalDatabase`: population,
civil_status, business_registration, ...) or `"*"` (every other) to
`{"connector": <name or dotted path>, "options": {...}}`. Names: `demo`
(`contrib.demo.DemoConnector`) and `http` (`contrib.http.HttpConnector`). A database with no
entry and no `"*"` is not connected (`national_data_not_configured`). base.py fills it from
the environment (docs/data-store.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Connector, NationalDataNotConfigured, NationalRecord

CONNECTORS = {
    "demo": "motcua.documents.nationaldata.contrib.demo.DemoConnector",
    "http": "motcua.documents.nationaldata.contrib.http.HttpConnector",
}


def connector_build(*, connector: str, options: dict[str, Any] | None = None) -> Connector:
    """A connector by name (`demo`, `http`) or dotted path, built with its options."""
    cls = import_string(CONNECTORS.get(connector, connector))
    built: Connector = cls(**(options or {}))
    return built


def connector_for(*, database: str) -> Connector:
    """The connector configured for `database`, or NationalDataNotConfigured."""
    config: dict[str, Any] = getattr(settings, "MOTCUA_NATIONAL_DATA", {}) or {}
    entry = config.get(database) or config.get("*")
    if not entry or not entry.get("connector"):
        raise NationalDataNotConfigured(database=database)
    return connector_build(connector=entry["connector"], options=entry.get("options"))


def national_record_fetch(
    *, database: str, subject_key: str, purpose: str, now: dt.datetime
) -> NationalRecord:
    """Ask the configured connector for `subject_key`'s record in `database`. The caller
    logs the read (`core.DataAccessLog`): it knows whose data it asked for and why."""
    return connector_for(database=database).fetch(
        database=database, subject_key=subject_key, purpose=purpose, now=now
    )
