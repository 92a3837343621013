"""A reconciliation difference keeps why as a code and its values (`note_code`,
`note_params`), its text rendered in the reader's language (`models.DIFFERENCE_NOTES`), in
place of a Vietnamese sentence. The notes of earlier runs are read back into their code;
a text no code matches is kept as it was (code `text`)."""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.db import migrations, models

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS = {
    "Đang chờ thanh toán": "pending",
    "Thanh toán thành công": "succeeded",
    "Thanh toán không thành công": "failed",
    "Đã hủy": "cancelled",
}
WHEN = r"\d\d/\d\d/\d{4} \d\d:\d\d"
PATTERNS = [
    (re.compile(r"Giao dịch của cổng (?P<gateway>.+)"), "other_gateway"),
    (re.compile(r"Không có giao dịch này trong hệ thống"), "no_such_order"),
    (re.compile(r"Giao dịch đã có ở dòng trước của sao kê"), "duplicate_line"),
    (re.compile(r"Loại tiền (?P<currency>.+)"), "currency"),
    (re.compile(r"Giao dịch đang ở trạng thái (?P<status>.+)"), "order_status"),
    (re.compile(rf"Hệ thống ghi nhận thanh toán ngày khác \((?P<paid_at>{WHEN})\)"), "paid_other_day"),
    (re.compile(rf"Hệ thống ghi nhận lúc (?P<at>{WHEN})"), "recorded_at"),
    (re.compile(r"Ngân hàng báo giao dịch không thành công"), "bank_failed"),
    (re.compile(r"Tổng số tiền hoàn trong ngày"), "refund_day_total"),
    (re.compile(r"Ngân hàng đã hoàn tiền, hệ thống chưa ghi nhận hoàn"), "refund_bank_only"),
    (re.compile(r"Hệ thống đã ghi hoàn tiền, sao kê chưa có giao dịch hoàn"), "refund_motcua_only"),
]


def _instant(text: str) -> str:
    local = dt.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN_TZ)
    return local.astimezone(dt.UTC).isoformat()


def note_parse(note: str) -> tuple[str, dict[str, str]]:
    """A stored Vietnamese note as its code and values."""
    if not note:
        return "", {}
    for pattern, code in PATTERNS:
        found = pattern.fullmatch(note)
        if found is None:
            continue
        params = {k: v for k, v in found.groupdict().items() if v is not None}
        for name in ("paid_at", "at"):
            if name in params:
                params[name] = _instant(params[name])
        if "status" in params:
            if params["status"] not in STATUS:
                break
            params["status"] = STATUS[params["status"]]
        return code, params
    return "text", {"text": note}


TEXTS = {
    "other_gateway": "Giao dịch của cổng {gateway}",
    "no_such_order": "Không có giao dịch này trong hệ thống",
    "duplicate_line": "Giao dịch đã có ở dòng trước của sao kê",
    "currency": "Loại tiền {currency}",
    "order_status": "Giao dịch đang ở trạng thái {status}",
    "paid_other_day": "Hệ thống ghi nhận thanh toán ngày khác ({paid_at})",
    "recorded_at": "Hệ thống ghi nhận lúc {at}",
    "bank_failed": "Ngân hàng báo giao dịch không thành công",
    "refund_day_total": "Tổng số tiền hoàn trong ngày",
    "refund_bank_only": "Ngân hàng đã hoàn tiền, hệ thống chưa ghi nhận hoàn",
    "refund_motcua_only": "Hệ thống đã ghi hoàn tiền, sao kê chưa có giao dịch hoàn",
    "text": "{text}",
}


def note_render(code: str, params: dict[str, str]) -> str:
    """A code and its values as the Vietnamese note kept before (the way back)."""
    if code not in TEXTS:
        return ""
    values = dict(params)
    for name in ("paid_at", "at"):
        if name in values:
            instant = dt.datetime.fromisoformat(values[name]).astimezone(VN_TZ)
            values[name] = f"{instant:%d/%m/%Y %H:%M}"
    if "status" in values:
        values["status"] = {v: k for k, v in STATUS.items()}.get(values["status"], values["status"])
    return TEXTS[code].format(**values)[:300]


def forwards(apps: Any, schema_editor: Any) -> None:
    Difference = apps.get_model("payments", "ReconciliationDifference")
    for d in Difference.objects.exclude(note="").iterator():
        d.note_code, d.note_params = note_parse(d.note)
        d.save(update_fields=["note_code", "note_params"])


def backwards(apps: Any, schema_editor: Any) -> None:
    Difference = apps.get_model("payments", "ReconciliationDifference")
    for d in Difference.objects.exclude(note_code="").iterator():
        d.note = note_render(d.note_code, d.note_params)
        d.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0007_ledger_paid_at")]

    operations = [
        migrations.AddField(
            model_name="reconciliationdifference",
            name="note_code",
            field=models.CharField(blank=True, max_length=24, verbose_name="mã ghi chú"),
        ),
        migrations.AddField(
            model_name="reconciliationdifference",
            name="note_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="tham số ghi chú"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="reconciliationdifference", name="note"),
    ]
