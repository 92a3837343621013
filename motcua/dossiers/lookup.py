"""The public look-up of a dossier without an account (docs/portal.md): the dossier code
printed on the receipt (form 01, its QR code: `forms.render.lookup_url`) and the last four
digits of the applicant's phone number or identification number give its status, dates,
handling unit and what the applicant must do now, never personal data.

No oracle: a code that does not exist and digits that do not match give the same answer
(None), after the same work: one query by the unique code, then both comparisons in constant
time (`hmac.compare_digest`) against the dossier's digits or against a placeholder that never
matches. The interfaces rate-limit per client address (`MOTCUA_RATE_LIMITS["dossier_lookup"]`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.organisation.models import Unit

from .models import Dossier, DossierStatus

#: What a dossier code may look like (unit code, day, number; national forms with dots).
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{4,59}$")
LAST4_PATTERN = re.compile(r"^[0-9]{4}$")
#: Compared when the dossier or one of its numbers is missing: never equal to 4 digits.
_NO_DIGITS = "----"
_NOT_DIGIT = re.compile(r"[^0-9]")

#: The status in plain words, for a person who is not an officer.
STATUS_TEXT = {
    DossierStatus.REGISTERED: _(
        "Hồ sơ đã được nộp trực tuyến và đang chờ bộ phận một cửa kiểm tra, tiếp nhận."
    ),
    DossierStatus.RECEIVED: _("Hồ sơ đã được tiếp nhận và sẽ được chuyển đến đơn vị giải quyết."),
    DossierStatus.NOT_RECEIVED: _(
        "Hồ sơ không được tiếp nhận. Lý do được ghi trong phiếu từ chối tiếp nhận đã gửi cho "
        "người nộp."
    ),
    DossierStatus.PROCESSING: _("Hồ sơ đang được giải quyết."),
    DossierStatus.SUPPLEMENT_REQUESTED: _("Hồ sơ đang chờ người nộp bổ sung giấy tờ."),
    DossierStatus.PAYMENT_REQUESTED: _("Hồ sơ đang chờ người nộp nộp phí, lệ phí."),
    DossierStatus.WITHDRAWN: _("Hồ sơ đã được rút theo yêu cầu của người nộp."),
    DossierStatus.STOPPED: _("Hồ sơ đã dừng xử lý."),
    DossierStatus.FINISHED: _("Hồ sơ đã giải quyết xong, kết quả đang chờ trả."),
    DossierStatus.RETURNED: _("Kết quả đã được trả cho người nộp."),
}

#: What the applicant must do now, where something is expected of them.
ACTIONS = {
    DossierStatus.SUPPLEMENT_REQUESTED: (
        "supplement",
        _(
            "Bổ sung giấy tờ theo phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02): nộp trực "
            "tuyến trong mục Hồ sơ của tôi hoặc mang đến bộ phận một cửa."
        ),
    ),
    DossierStatus.PAYMENT_REQUESTED: (
        "payment",
        _(
            "Nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính theo thông báo đã gửi cho bạn để "
            "hồ sơ được giải quyết tiếp."
        ),
    ),
    DossierStatus.FINISHED: (
        "collect_result",
        _(
            "Nhận kết quả theo hình thức đã chọn khi nộp hồ sơ (tại bộ phận một cửa, qua bưu "
            "điện hoặc trực tuyến). Khi nhận tại quầy, mang theo giấy tiếp nhận và hẹn trả kết "
            "quả cùng giấy tờ tuỳ thân."
        ),
    ),
}


@dataclass(frozen=True)
class PublicLookup:
    """What anyone holding the code and the four digits may know: nothing personal."""

    code: str
    status: int
    status_label: str
    status_text: str
    procedure_name: str
    handling_unit: str
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    action: str  # "" | "supplement" | "payment" | "collect_result"
    action_text: str


def lookup_code_normalise(raw: str) -> str | None:
    """The code as printed, read leniently (spaces, lower case); None if it cannot be one."""
    code = re.sub(r"\s+", "", raw or "").upper()
    return code if CODE_PATTERN.match(code) else None


def lookup_last4_normalise(raw: str) -> str | None:
    """Four digits (spaces ignored); None otherwise."""
    digits = re.sub(r"\s+", "", raw or "")
    return digits if LAST4_PATTERN.match(digits) else None


def _last4(value: str) -> str:
    digits = _NOT_DIGIT.sub("", value or "")
    return digits[-4:] if len(digits) >= 4 else _NO_DIGITS


@functools.cache
def _lookup_sql() -> str:
    """One statement by the unique code, written once: the look-up is a public hot path
    (bench/portal_pages.py) and the ORM spent more time compiling the query than the
    database answering it. Only table and column names from the models are formatted in."""
    dossier = Dossier._meta
    version = ProcedureVersion._meta
    procedure = Procedure._meta
    unit = Unit._meta
    return (
        "SELECT d.code, d.status, d.applicant_phone, d.applicant_id_number, d.received_at, "  # noqa: S608
        "d.appointment_at, d.new_appointment_at, u.name, p.name "
        f"FROM {dossier.db_table} d "
        f"JOIN {unit.db_table} u ON u.id = d.handling_unit_id "
        f"JOIN {version.db_table} v ON v.id = d.procedure_version_id "
        f"JOIN {procedure.db_table} p ON p.id = v.procedure_id "
        "WHERE d.code = %s"
    )


def _lookup_row(code: str) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [code])
        row = cursor.fetchone()
    return tuple(row) if row else None


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """A stored instant as an aware datetime (SQLite's driver hands back naive UTC or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def dossier_public_lookup(*, code: str, last4: str) -> PublicLookup | None:
    """The public view of the dossier `code` when `last4` are the last four digits of its
    applicant's phone number or identification number; None otherwise, whichever part was
    wrong (callers validate the format first: `lookup_code_normalise`,
    `lookup_last4_normalise`; anything but four digits matches nothing). One query; both
    comparisons always made, in constant time."""
    row = _lookup_row(code)
    phone = _last4(row[2]) if row else _NO_DIGITS
    id_number = _last4(row[3]) if row else _NO_DIGITS
    given = last4.encode()
    by_phone = hmac.compare_digest(phone.encode(), given)
    by_id = hmac.compare_digest(id_number.encode(), given)
    well_formed = LAST4_PATTERN.match(last4) is not None  # "----" never opens a dossier
    if row is None or not well_formed or not (by_phone | by_id):
        return None
    found_code, status_value, _phone, _id, received_at, appointment_at, new_appointment_at = row[:7]
    unit_name, procedure_name = row[7:]
    status = DossierStatus(status_value)
    if new_appointment_at and (appointment_at is None or new_appointment_at > appointment_at):
        appointment_at = new_appointment_at  # as Dossier.effective_appointment_at
    action, action_text = ACTIONS.get(status, ("", ""))
    return PublicLookup(
        code=found_code,
        status=int(status),
        status_label=str(status.label),
        status_text=str(STATUS_TEXT[status]),
        procedure_name=procedure_name,
        handling_unit=unit_name,
        received_at=_aware(received_at),
        appointment_at=_aware(appointment_at),
        action=action,
        action_text=str(action_text),
    )
