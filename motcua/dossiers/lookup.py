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
import hmac
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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


def dossier_public_lookup(*, code: str, last4: str) -> PublicLookup | None:
    """The public view of the dossier `code` when `last4` are the last four digits of its
    applicant's phone number or identification number; None otherwise, whichever part was
    wrong (callers validate the format first: `lookup_code_normalise`,
    `lookup_last4_normalise`; anything but four digits matches nothing). One query; both
    comparisons always made, in constant time."""
    dossier = (
        Dossier.objects.filter(code=code)
        .select_related("handling_unit", "procedure_version__procedure")
        .only(
            "code",
            "status",
            "received_at",
            "appointment_at",
            "new_appointment_at",
            "applicant_phone",
            "applicant_id_number",
            "handling_unit__name",
            "procedure_version__procedure__name",
        )
        .first()
    )
    phone = _last4(dossier.applicant_phone) if dossier else _NO_DIGITS
    id_number = _last4(dossier.applicant_id_number) if dossier else _NO_DIGITS
    given = last4.encode()
    by_phone = hmac.compare_digest(phone.encode(), given)
    by_id = hmac.compare_digest(id_number.encode(), given)
    well_formed = LAST4_PATTERN.match(last4) is not None  # "----" never opens a dossier
    if dossier is None or not well_formed or not (by_phone | by_id):
        return None
    status = DossierStatus(dossier.status)
    action, action_text = ACTIONS.get(status, ("", ""))
    return PublicLookup(
        code=dossier.code,
        status=int(status),
        status_label=str(status.label),
        status_text=str(STATUS_TEXT[status]),
        procedure_name=dossier.procedure_version.procedure.name,
        handling_unit=dossier.handling_unit.name,
        received_at=dossier.received_at,
        appointment_at=dossier.effective_appointment_at,
        action=action,
        action_text=str(action_text),
    )
