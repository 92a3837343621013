from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Channel, DossierStatus

ANY = [("", _("Tất cả"))]


class QueueFilterForm(forms.Form):
    """The work queue's filters (GET). Unknown values are simply ignored (the field is
    cleared), never an error page."""

    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    channel = forms.TypedChoiceField(
        label=_("Kênh nộp"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=ANY + list(Channel.choices),
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=ANY
        + [
            (s.value, s.label)
            for s in DossierStatus
            if s
            in {
                DossierStatus.RECEIVED,
                DossierStatus.PROCESSING,
                DossierStatus.SUPPLEMENT_REQUESTED,
                DossierStatus.PAYMENT_REQUESTED,
                DossierStatus.STOPPED,
            }
        ],
    )
    mine = forms.BooleanField(label=_("Chỉ hồ sơ được giao cho tôi"), required=False)

    def __init__(
        self,
        *args: Any,
        procedures: list[tuple[str, str]],
        fields: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = ANY + procedures  # type: ignore[attr-defined]
        self.fields["field"].choices = ANY + fields  # type: ignore[attr-defined]

    @classmethod
    def from_query(cls, query: Any) -> dict[str, Any]:
        """The selector's filters from the query string (invalid numbers are ignored)."""

        def number(name: str) -> int | None:
            raw = str(query.get(name, "")).strip()
            return int(raw) if raw.isdigit() else None

        channel = number("channel")
        status = number("status")
        status_choices = {value for value, _ in cls.base_fields["status"].choices if value}  # type: ignore[attr-defined]
        return {
            "procedure_code": str(query.get("procedure", "")).strip() or None,
            "field_code": str(query.get("field", "")).strip() or None,
            "channel": channel if channel in Channel.values else None,
            "status": status if status in status_choices else None,
            "mine": bool(query.get("mine")),
        }
