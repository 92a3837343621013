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

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {
                "procedure_code": None,
                "field_code": None,
                "channel": None,
                "status": None,
                "mine": False,
            }
        if not self.is_valid():
            cleaned = {
                name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
            }
        else:
            cleaned = dict(self.cleaned_data)
        return {
            "procedure_code": cleaned.get("procedure") or None,
            "field_code": cleaned.get("field") or None,
            "channel": cleaned.get("channel"),
            "status": cleaned.get("status"),
            "mine": bool(cleaned.get("mine")),
        }
