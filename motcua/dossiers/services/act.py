"""`dossier_act`: take a lifecycle action by name with plain values (ids, codes, ISO 8601
strings), as the API and the workspace receive them. The lifecycle table says which fields an
action takes; each value is parsed into what the service expects, with a field error a
person understands, then the service does the rest (its own transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound, ValidationError
from motcua.organisation.selectors import unit_active_by_code

from ..lifecycle import TRANSITIONS, ActionField, FieldKind, Transition
from ..models import Dossier, ResultOutcome
from .processing import (
    dossier_answer_consult,
    dossier_apologize,
    dossier_consult,
    dossier_forward,
    dossier_issue_result,
    dossier_return_result,
    dossier_return_step,
    dossier_transfer,
    dossier_withdraw,
)
from .reception import dossier_receive, dossier_refuse
from .suspensions import (
    dossier_confirm_payment,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_resume,
    dossier_stop,
    dossier_supplement,
)

SERVICES: dict[str, Callable[..., Dossier]] = {
    "receive": dossier_receive,
    "refuse": dossier_refuse,
    "request_supplement": dossier_request_supplement,
    "supplement": dossier_supplement,
    "forward": dossier_forward,
    "return_step": dossier_return_step,
    "consult": dossier_consult,
    "answer_consult": dossier_answer_consult,
    "transfer": dossier_transfer,
    "request_payment": dossier_request_payment,
    "confirm_payment": dossier_confirm_payment,
    "stop": dossier_stop,
    "resume": dossier_resume,
    "apologize": dossier_apologize,
    "withdraw": dossier_withdraw,
    "issue_result": dossier_issue_result,
    "return_result": dossier_return_result,
}


EXTRA_FORBIDDEN = _("Trường không được hỗ trợ.")

#: Actions that take a file, and the keyword their service takes it under.
FILE_ACTIONS = {"issue_result": "result_file"}


def transition_get(action: str) -> Transition:
    """The table's row for `action`; an unknown action is NotFound (`unknown_action`)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise NotFound(
            _("Không có thao tác “%(action)s” đối với hồ sơ."),
            code="unknown_action",
            action=action,
        )
    return transition


def _field_error(field: str, code: str, message: Any) -> ValidationError:
    return ValidationError(
        message, code="invalid", errors=[{"field": field, "code": code, "message": str(message)}]
    )


def _parse(spec: ActionField, value: Any) -> Any:
    """One value of the request as the service takes it."""
    kind = spec.kind
    if kind == FieldKind.TEXT:
        if not isinstance(value, str):
            raise _field_error(spec.name, "string_type", _("Phải là chuỗi ký tự."))
        return value
    if kind == FieldKind.USER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _field_error(spec.name, "int_type", _("Phải là mã số người nhận."))
        user = User.objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise _field_error(spec.name, "not_found", _("Không tìm thấy người nhận."))
        return user
    if kind == FieldKind.UNIT:
        unit = unit_active_by_code(code=str(value)) if isinstance(value, str) else None
        if unit is None:
            raise _field_error(spec.name, "not_found", _("Không tìm thấy đơn vị nhận."))
        return unit
    if kind == FieldKind.DATETIME:
        parsed: dt.datetime | None = None
        if isinstance(value, dt.datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise _field_error(
                spec.name,
                "datetime_invalid",
                _("Cần ngày giờ theo ISO 8601 có múi giờ, vd 2026-03-10T17:00:00+07:00."),
            )
        return parsed
    if kind == FieldKind.MONEY:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise _field_error(
                spec.name, "invalid_amount", _("Số tiền phải là số nguyên dương (đồng).")
            )
        return value
    if kind == FieldKind.CHOICE:
        allowed = (
            [v for v, _label in spec.options] if spec.options is not None else ResultOutcome.values
        )
        if value not in allowed:
            raise _field_error(
                spec.name, "invalid_choice", _("Giá trị không thuộc danh sách cho phép.")
            )
        return value
    if kind == FieldKind.ITEMS:
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            raise _field_error(
                spec.name, "list_type", _("Cần danh sách các mục {component, reason}.")
            )
        return value
    if kind == FieldKind.FILES:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise _field_error(
                spec.name, "dict_type", _("Cần tệp theo từng thành phần: files[<mã thành phần>].")
            )
        return value
    assert kind == FieldKind.OBJECT
    if not isinstance(value, dict):
        raise _field_error(spec.name, "dict_type", _("Phải là một đối tượng JSON."))
    return value


def dossier_act(
    *,
    action: str,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    expected_version: int | None,
    values: Mapping[str, Any],
    upload: Any | None = None,
) -> Dossier:
    """Take `action` (a verb of the lifecycle table) on `dossier` with `values` keyed by the
    table's field names (`reason` for the free text of every action). Unknown fields, missing
    required ones and unparseable values are field errors (`invalid`); the service checks
    the rest (role, status, guards) and owns the transaction. `upload` is the file an action
    takes (`issue_result`: the officer's result PDF); other actions refuse one."""
    transition = transition_get(action)
    specs = {f.name: f for f in transition.fields}
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise ValidationError(
            _("Thao tác này không nhận trường: %(fields)s."),
            code="invalid",
            fields=", ".join(unknown),
            errors=[
                {
                    "field": name,
                    "code": "extra_forbidden",
                    "message": str(_("Trường không được hỗ trợ.")),
                }
                for name in unknown
            ],
        )
    kwargs: dict[str, Any] = {}
    for name, spec in specs.items():
        value = values.get(name)
        if value is None or value == "":
            if spec.required and name != "reason":  # the service words the missing reason
                raise _field_error(name, "missing", _("Trường này là bắt buộc."))
            continue
        kwargs[transition.text_param if name == "reason" else name] = _parse(spec, value)
    if transition.reason_required:
        kwargs.setdefault(transition.text_param, "")
    if upload is not None:
        if action not in FILE_ACTIONS:
            raise _field_error("file", "extra_forbidden", EXTRA_FORBIDDEN)
        kwargs[FILE_ACTIONS[action]] = upload
    return SERVICES[action](
        dossier=dossier, actor=actor, now=now, expected_version=expected_version, **kwargs
    )
