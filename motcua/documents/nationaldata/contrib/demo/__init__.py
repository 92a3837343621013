"""The demo connector: answers from `documents.NationalDemoRecord` rows (seeded by
`load_demo` for the demo citizens and the demo company). For demonstration and tests only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.documents.models import NationalDemoRecord

from ...base import NationalRecord, NationalRecordNotFound


class DemoConnector:
    name = "demo"

    def __init__(self, **options: Any) -> None:
        self.options = options

    def fetch(
        self, *, database: str, subject_key: str, purpose: str, now: dt.datetime
    ) -> NationalRecord:
        row = NationalDemoRecord.objects.filter(database=database, subject_key=subject_key).first()
        if row is None:
            raise NationalRecordNotFound(database=database)
        return NationalRecord(
            database=database,
            subject_key=subject_key,
            reference=row.reference,
            fields=dict(row.fields),
            fetched_at=now,
            connector=self.name,
        )
