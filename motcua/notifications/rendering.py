"""Rendering a template: `{name}` placeholders from a fixed list, plain values, nothing else.

Administrators edit the texts, so the renderer is deliberately minimal: no attribute or index
access, no filters, no code; an unknown placeholder is refused when the template is saved
(`template_check`) and rendered as is should one slip through.
"""

from __future__ import annotations

import functools
import string
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .defaults import DEFAULTS
from .models import NotificationTemplate
from .text import sms_segments, to_gsm7

PLACEHOLDERS = {
    "code": _("mã hồ sơ"),
    "procedure": _("tên thủ tục"),
    "appointment": _("ngày hẹn trả (dd/mm/yyyy)"),
    "new_appointment": _("ngày hẹn mới (dd/mm/yyyy)"),
    "amount": _("số tiền"),
    "lookup_url": _("địa chỉ tra cứu"),
    "receipt": _("số biên lai"),
    "receipt_url": _("địa chỉ xem biên lai"),
    "replaces": _("số biên lai được thay thế"),
    "otp": _("mã đăng nhập, mã xác nhận"),
    "minutes": _("số phút hiệu lực"),
    "follow_url": _("địa chỉ theo dõi phản ánh"),
    "due_date": _("hạn trả lời phản ánh (dd/mm/yyyy)"),
    "unit": _("tên đơn vị"),
    "count": _("số phản ánh"),
    "late_count": _("số phản ánh quá hạn"),
    "feedback_list": _("danh sách phản ánh (mã, tiêu đề, hạn, quá hạn)"),
    "workspace_url": _("địa chỉ trang xử lý phản ánh"),
    "reason": _("lý do không xử lý phản ánh"),
}

SMS_LIMIT = 160


def template_fields(text: str) -> list[str]:
    """The placeholders of `text`; raises ValueError on a malformed brace."""
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]


def template_check(text: str) -> None:
    """Refuse what the renderer would not fill: unknown names, `{a.b}`, `{a[0]}`, formats."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(
            _("Mẫu có dấu ngoặc nhọn không đóng: %(error)s"), params={"error": exc}
        ) from exc
    for _lit, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conv:
            raise ValidationError(
                _("Trường “%(name)s” không dùng được; các trường hợp lệ: %(allowed)s."),
                params={"name": name, "allowed": ", ".join(sorted(PLACEHOLDERS))},
            )


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: dict[str, str]) -> str:
    try:
        return text.format_map(_Values(values))
    except (ValueError, IndexError, AttributeError, KeyError):
        return text  # malformed despite the check: send the words, never fail the delivery


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


#: Templates are read once per process and TEMPLATE_CACHE_S (an edit in the admin reaches
#: every worker within that time; the editing process at once).
TEMPLATE_CACHE_S = 30.0
_cache: dict[str, Any] = {"at": None, "rows": {}}


def templates_cache_clear() -> None:
    _cache["at"] = None


def _rows() -> dict[tuple[str, str, str], tuple[str, str]]:
    at = _cache["at"]
    if at is None or time.monotonic() - at > TEMPLATE_CACHE_S:
        _cache["rows"] = {
            (event, channel, language): (subject, body)
            for event, channel, language, subject, body in NotificationTemplate.objects.values_list(
                "event", "channel", "language", "subject", "body"
            )
        }
        _cache["at"] = time.monotonic()
    rows: dict[tuple[str, str, str], tuple[str, str]] = _cache["rows"]
    return rows


def template_for(*, event: str, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) of the administrator's template, or the shipped default."""
    row = _rows().get((event, channel, language))
    if row is not None:
        return row
    default = DEFAULTS.get((event, channel, language)) or DEFAULTS[(event, channel, "vi")]
    return default.subject, default.body


def render(*, event: str, channel: str, language: str, values: dict[str, str]) -> Rendered:
    subject, body = template_for(event=event, channel=channel, language=language)
    if channel == "sms":
        return Rendered("", render_sms(body, values))
    return Rendered(fill(subject, values), fill(body, values))


def render_sms(body: str, values: dict[str, str]) -> str:
    """GSM-7, unaccented; when over one segment, the procedure name (the only long value)
    is shortened with "..." until the text fits, never below 20 characters. Memoised: a
    dispatch batch renders the same template with the same values many times (every
    message of one dossier and event)."""
    return _render_sms(body, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=4096)
def _render_sms(body: str, items: tuple[tuple[str, str], ...]) -> str:
    values = dict(items)
    text = to_gsm7(fill(body, values))
    procedure = values.get("procedure", "")
    if len(text) <= SMS_LIMIT or "{procedure}" not in body or not procedure:
        return text
    plain = to_gsm7(procedure)
    over = len(text) - SMS_LIMIT
    keep = max(len(plain) - over - 3, 20)
    short = plain[:keep]
    if " " in short[10:] and not plain[keep : keep + 1].isspace():
        short = short[: short.rfind(" ")]  # at a word's end
    short = short.rstrip(" ,.;") + "..."
    return to_gsm7(fill(body, {**values, "procedure": short}))


def segments(text: str) -> int:
    return sms_segments(text)
