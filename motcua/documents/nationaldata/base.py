"""The connector interface: `fetch(*, database, subject_key, purpose, now)` answers a
`NationalRecord` or raises one of the errors below (each a DomainError with a stable code)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError


@dataclass(frozen=True)
class NationalRecord:
    """What a national database answered about one subject: its reference (the record's id
    there), the fields, when it was fetched and by which connector."""

    database: str
    subject_key: str
    reference: str
    fields: dict[str, Any] = field(default_factory=dict)
    fetched_at: dt.datetime | None = None
    connector: str = ""


class NationalDataError(DomainError):
    """A national database could not answer with a record."""

    code = "national_data_error"
    status = 409


class NationalRecordNotFound(NationalDataError):
    """The database holds nothing for this subject: the paper must be filed after all."""

    code = "national_record_not_found"
    status = 409

    def __init__(self, *, database: str) -> None:
        super().__init__(
            _("Cơ sở dữ liệu quốc gia “%(database)s” không có thông tin của người nộp hồ sơ."),
            database=database,
        )


class NationalDataUnavailable(NationalDataError):
    """The database did not answer (timeout, error, refused credentials): try again later."""

    code = "national_data_unavailable"
    status = 503

    def __init__(self, *, database: str) -> None:
        super().__init__(
            _("Không kết nối được cơ sở dữ liệu quốc gia “%(database)s”. Vui lòng thử lại sau."),
            database=database,
        )


class NationalDataNotConfigured(NationalDataError):
    """No connector is configured for this database (`MOTCUA_NATIONAL_DATA`)."""

    code = "national_data_not_configured"
    status = 409

    def __init__(self, *, database: str) -> None:
        super().__init__(
            _("Chưa kết nối cơ sở dữ liệu quốc gia “%(database)s”: vui lòng nộp giấy tờ."),
            database=database,
        )


class Connector(Protocol):
    """A national-data connector. `options` come from settings; `name` is recorded with each
    record fetched."""

    name: str

    def fetch(
        self, *, database: str, subject_key: str, purpose: str, now: dt.datetime
    ) -> NationalRecord: ...
