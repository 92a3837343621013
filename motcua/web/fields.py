"""Form fields for pages whose rules are a service's."""

from __future__ import annotations

from typing import Any

from django import forms


class ServiceCheckedCharField(forms.CharField):
    """A field the page needs (shown without "(không bắt buộc)") whose emptiness the service
    checks, so that every problem of the page is reported at once, in the service's words."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["required"] = True
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        """No "required" check here: the service refuses an empty value."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """The files chosen in one `<input type="file" multiple>`, as a list (checked by the
    service: `motcua.feedback.services.feedback_attachments_check`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]
