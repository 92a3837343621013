"""Admin form pieces for a version: the e-form edited as a list of typed fields (raw JSON only
as an "advanced" view) and lists of text edited one item a line.

The e-form editor produces `{"fields": [{"name", "label", "type", "required", "choices",
"prefill"}, ...]}`; `choices` is a list of strings, or of `{"value", "label"}` objects where
a line reads `value | label`. Keys the editor does not show (e.g. `help`) ride along in a
hidden input, so editing a row never drops them. Checking the fields against the e-form rules
is the catalog's validation (publication), not this widget's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .eforms import ACCEPTED_TYPES, PREFILL_SOURCES

# The field types the editor offers (docs/catalog-format.md, "E-form field").
EFORM_EDITOR_TYPES: tuple[tuple[str, Any], ...] = (
    ("text", _("Chữ (một dòng)")),
    ("textarea", _("Đoạn văn")),
    ("number", _("Số")),
    ("date", _("Ngày")),
    ("choice", _("Chọn từ danh sách")),
    ("checkbox", _("Ô đánh dấu (có / không)")),
    ("personal_id", _("Số định danh cá nhân")),
    ("phone", _("Số điện thoại")),
    ("email", _("Thư điện tử")),
    ("tax_code", _("Mã số thuế")),
    ("address", _("Địa chỉ (tỉnh, xã/phường, số nhà)")),
)
EDITOR_KEYS = ("name", "label", "type", "required", "choices", "prefill")
BLANK_ROWS = 3
MAX_ROWS = 200


def choices_text(choices: Any) -> str:
    """A choices list as the editor shows it: one a line, `value | label` for objects."""
    lines = []
    for choice in choices or []:
        if isinstance(choice, Mapping):
            value, label = str(choice.get("value", "")), str(choice.get("label", ""))
            lines.append(value if not label or label == value else f"{value} | {label}")
        else:
            lines.append(str(choice))
    return "\n".join(lines)


def choices_from_text(text: str) -> list[Any]:
    out: list[Any] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "|" in line:
            value, label = (part.strip() for part in line.split("|", 1))
            out.append({"value": value, "label": label or value})
        else:
            out.append(line)
    return out


def _rows(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            return []
    if not isinstance(value, Mapping):
        return []
    fields = value.get("fields")
    return [dict(f) for f in fields if isinstance(f, Mapping)] if isinstance(fields, list) else []


class EformWidget(forms.Widget):
    template_name = "catalog/eform_widget.html"

    class Media:
        css = {"all": ("catalog/admin.css",)}

    def format_value(self, value: Any) -> Any:
        return value

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = []
        for index, item in enumerate([*_rows(value), *([{}] * BLANK_ROWS)]):
            extra = {k: v for k, v in item.items() if k not in EDITOR_KEYS}
            rows.append(
                {
                    "prefix": f"{name}-{index}",
                    "name": item.get("name", ""),
                    "label": item.get("label", ""),
                    "type": item.get("type", "text") if item else "",
                    "required": bool(item.get("required")),
                    "choices": choices_text(item.get("choices")),
                    "prefill": item.get("prefill", ""),
                    "extra": json.dumps(extra, ensure_ascii=False) if extra else "",
                    "known_type": not item or item.get("type", "text") in ACCEPTED_TYPES,
                }
            )
        raw = value if isinstance(value, str) else json.dumps(value or {}, ensure_ascii=False)
        context["widget"].update(
            rows=rows,
            count=len(rows),
            types=EFORM_EDITOR_TYPES,
            prefills=PREFILL_SOURCES,
            raw=raw,
            pretty=_pretty(raw),
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        """The JSON text of the e-form: the advanced view when it was changed, else the rows
        (a row with neither name nor label is empty; a ticked "delete" drops it)."""
        raw = data.get(f"{name}-raw")
        initial = data.get(f"{name}-raw-initial")
        if raw is not None and initial is not None and _normal(raw) != _normal(initial):
            return raw
        try:
            count = min(int(data.get(f"{name}-count", 0)), MAX_ROWS)
        except (TypeError, ValueError):
            count = 0
        fields: list[dict[str, Any]] = []
        for index in range(count):
            prefix = f"{name}-{index}"
            if data.get(f"{prefix}-delete"):
                continue
            field_name = (data.get(f"{prefix}-name") or "").strip()
            label = (data.get(f"{prefix}-label") or "").strip()
            if not field_name and not label:
                continue
            entry: dict[str, Any] = {
                "name": field_name,
                "label": label,
                "type": (data.get(f"{prefix}-type") or "text").strip(),
                "required": bool(data.get(f"{prefix}-required")),
            }
            choices = choices_from_text(data.get(f"{prefix}-choices") or "")
            if choices:
                entry["choices"] = choices
            prefill = (data.get(f"{prefix}-prefill") or "").strip()
            if prefill:
                entry["prefill"] = prefill
            try:
                extra = json.loads(data.get(f"{prefix}-extra") or "{}")
            except json.JSONDecodeError:
                extra = {}
            if isinstance(extra, Mapping):
                entry.update({k: v for k, v in extra.items() if k not in EDITOR_KEYS})
            fields.append(entry)
        return json.dumps({"fields": fields} if fields else {}, ensure_ascii=False)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-count" not in data and f"{name}-raw" not in data


def _normal(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return text


def _pretty(raw: str) -> str:
    value = _normal(raw)
    return raw if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


class EformField(forms.JSONField):
    """The e-form object; its shape (an object with a list of fields, each with a name and a
    label) is checked here, the rules of each field at publication."""

    widget = EformWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)
        if cleaned in (None, ""):
            return {}
        if not isinstance(cleaned, dict) or not isinstance(cleaned.get("fields", []), list):
            raise forms.ValidationError(
                _('Biểu mẫu phải có dạng {"fields": [...]}.'), code="eform_shape"
            )
        for index, item in enumerate(cleaned.get("fields", []), start=1):
            if not isinstance(item, dict) or not item.get("name") or not item.get("label"):
                raise forms.ValidationError(
                    _("Trường thứ %(index)s của biểu mẫu cần có tên và nhãn."),
                    code="eform_field",
                    params={"index": index},
                )
        return cleaned


class LinesField(forms.CharField):
    """A JSON list of text edited one item a line."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if isinstance(value, str):
            try:
                decoded = json.loads(value)
            except json.JSONDecodeError:
                return value
            if isinstance(decoded, list):
                return "\n".join(str(v) for v in decoded)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [line.strip() for line in str(text).splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(self.prepare_value(initial) != self.prepare_value(data))
