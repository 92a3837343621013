"""Benchmark: generate 2,100 procedures and import them into a fresh, migrated SQLite file.

Target (docs): importing a city's ~2,100 procedures takes under 30 s on SQLite.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

COUNT = 2100
SECONDS_MAX = 30


def run() -> list[dict[str, Any]]:
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import override_settings

    from motcua.catalog.generator import DEPARTMENTS, generate_catalog
    from motcua.catalog.io import write_document
    from motcua.catalog.services import catalog_import_file
    from motcua.core.clock import VN_TZ
    from motcua.organisation.models import Unit

    with tempfile.TemporaryDirectory() as tmp:
        database = dict(connections.databases["default"])
        database.update(ENGINE="django.db.backends.sqlite3", NAME=str(Path(tmp) / "bench.db"))
        original = connections.settings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overriding DATABASES is the point here
            overridden = override_settings(DATABASES={"default": database})
            overridden.enable()
        _reset(connections, connections.configure_settings({"default": database}))
        try:
            call_command("migrate", verbosity=0, interactive=False)
            province = Unit.objects.create(
                code="01",
                name="UBND Thành phố Hà Nội",
                kind="province",
                level="province",
                province_code="01",
            )
            Unit.objects.bulk_create(
                Unit(
                    code=code,
                    name=code,
                    kind="department",
                    level="province",
                    province_code="01",
                    parent=province,
                )
                for code in DEPARTMENTS
            )
            path = Path(tmp) / "catalog.json"
            write_document(generate_catalog(count=COUNT, seed=1), path)
            now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
            started = time.perf_counter()
            summary = catalog_import_file(path=path, now=now)
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = catalog_import_file(path=path, now=now)
            reimport = time.perf_counter() - started
        finally:
            _reset(connections, original)
            overridden.disable()
    return [
        {
            "name": "catalog import (2,100 procedures, SQLite)",
            "figures": {
                "procedures": summary.created,
                "seconds": round(seconds, 2),
                "procedures_per_second": round(summary.created / seconds, 1),
                "reimport_unchanged_seconds": round(reimport, 2),
                "reimport_unchanged": again.unchanged,
            },
            "target": {"seconds_max": SECONDS_MAX},
            "met": summary.created == COUNT and seconds < SECONDS_MAX,
        }
    ]


def _reset(connections: Any, settings: dict[str, Any]) -> None:
    """Point Django's connection handler at other database settings."""
    connections.close_all()
    for alias in list(connections.settings):
        with contextlib.suppress(AttributeError):  # never opened in this thread
            del connections[alias]
    connections.settings = settings
