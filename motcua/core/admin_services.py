"""An admin whose rows are created by a service (so every row has its audit event and the
service's refusals show on the form). Used by the apps whose records the admin may add but
never edit or delete (counter records, receipt series)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.core.errors import DomainError, ValidationError


class ThroughServicesAdmin(admin.ModelAdmin):
    """Rows are added by the model's create service, called from the form's validation (the
    admin's add view runs in one transaction) so that the service's refusals show on the
    form; nothing is changed or deleted here."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        admin_self = self

        class ThroughService(base):  # type: ignore[misc,valid-type]
            created: Any = None

            def clean(self) -> dict[str, Any]:
                data = super().clean()
                if self.errors:
                    return data
                try:
                    self.created = admin_self._create(request, data)
                except ValidationError as exc:
                    fields = {e.get("field") for e in exc.errors} & set(self.fields)
                    for field in fields or {None}:
                        self.add_error(field, exc.render())
                except DomainError as exc:
                    self.add_error(None, exc.render())
                return data

            def _post_clean(self) -> None:
                """Once the service has written the row, the model form's own checks of the
                instance (constraints, uniqueness) would find that row and call it a
                duplicate: the service owns those checks."""
                if self.created is None:
                    super()._post_clean()

        return ThroughService

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = form.created
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
