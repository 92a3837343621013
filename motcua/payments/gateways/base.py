"""What a payment gateway is to motcua (plugins: `registry.py`, `contrib/<name>/`).

A gateway turns a `PaymentRequest` into the address the payer is sent to (`redirect_url`;
None for a gateway without redirect, such as the counter), reads a callback it signed
(`parse_callback`: its signature first, then its fields; `InvalidCallback` otherwise) and
says how to answer it (`acknowledge`). A gateway that sends a daily statement file reads it
(`parse_statement`: every row or a `StatementError` naming each bad row with a
`StatementProblem`, a code and a translated text); the counter has
none (`StatementNotSupported`). The services in `motcua.payments.orders` do the rest
the same way for every gateway: the order must exist, the amount and currency must match,
the same callback twice is one payment, a callback after a cancel is refunded.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class InvalidCallback(Exception):
    """A callback that cannot be believed: bad or missing signature, malformed fields."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class StatementNotSupported(Exception):
    """The gateway has no statement file (the counter: the officer's record is the truth)."""


#: What can be wrong with a row of a statement file: the machine-readable code (the API's
#: and the command's JSON `reason`) and its text, Vietnamese first (English in the .po).
STATEMENT_PROBLEMS: dict[str, Promise] = {
    "not_utf8": _("Tệp không phải văn bản UTF-8."),
    "header_missing": _("Dòng tiêu đề thiếu cột %(columns)s."),
    "field_count": _("Dòng có %(count)s trường, dòng tiêu đề có %(header)s."),
    "value_empty": _("Cột %(column)s để trống."),
    "amount_invalid": _("Cột %(column)s: %(value)s không phải số đồng chẵn nhân 100."),
    "pay_date_invalid": _("Cột %(column)s: %(value)s không đúng dạng yyyyMMddHHmmss."),
    "type_invalid": _("Cột %(column)s: %(value)s không phải 01, 02 hay 03."),
    "reference_too_long": _("Cột %(column)s dài quá %(max)s ký tự."),
}


@dataclass(frozen=True)
class StatementProblem:
    """One thing wrong with one row: its line number in the file (the header is 1), a code
    of STATEMENT_PROBLEMS, the column it is about (if one) and the values the text shows."""

    row: int
    reason: str
    column: str = ""
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The text in the active language (a quoted value keeps what the file had)."""
        values: dict[str, str | int] = {"column": self.column, **self.params}
        if "value" in values:
            values["value"] = repr(str(values["value"]))
        return str(STATEMENT_PROBLEMS[self.reason]) % values


class StatementError(ValueError):
    """A statement file that cannot be read in full: every bad row's problems
    (`StatementProblem`, by the file's line number). Nothing of such a file is used, so no
    row is silently lost."""

    def __init__(self, problems: Sequence[StatementProblem]) -> None:
        self.problems = list(problems)
        super().__init__(statement_problems_text(self.problems))


def statement_problems_text(problems: Sequence[StatementProblem], *, limit: int = 20) -> str:
    """The first `limit` problems on one line, in the active language."""
    text = "; ".join(
        str(_("dòng %(row)s: %(why)s") % {"row": p.row, "why": p.message}) for p in problems[:limit]
    )
    more = len(problems) - limit
    return text + (str(_("; và %(more)s lỗi nữa") % {"more": more}) if more > 0 else "")


StatementStatus = Literal["paid", "refunded", "failed"]


@dataclass(frozen=True)
class StatementLine:
    """One transaction of a gateway's statement, as the bank reports it."""

    #: The gateway's own transaction number.
    gateway_reference: str
    #: Our order reference (`PaymentOrder.order_ref`, the `vnp_TxnRef`).
    order_ref: str
    amount_vnd: int
    currency: str
    #: paid: money taken from the payer; refunded: money given back for the order;
    #: failed: an attempt that moved no money.
    status: StatementStatus
    paid_at: dt.datetime
    #: The row as read (column -> text) and its line number in the file.
    raw: Mapping[str, str] = field(default_factory=dict)
    row: int = 0


@dataclass(frozen=True)
class PaymentRequest:
    order_ref: str
    amount_vnd: int
    description: str
    return_url: str
    client_ip: str
    created_at: dt.datetime
    expires_at: dt.datetime
    locale: str = "vn"


@dataclass(frozen=True)
class CallbackResult:
    order_ref: str
    amount_vnd: int
    currency: str
    success: bool
    #: The gateway's own transaction number (the payment's reference in the ledger).
    gateway_reference: str
    #: The gateway's reason code when it did not succeed (for the log and the payer).
    status_code: str = ""
    paid_at: dt.datetime | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


class Gateway(ABC):
    #: Stable id (settings, URLs, the ledger's gateway account).
    name: str = ""
    #: What pages call it (`gettext_lazy`: shown in the reader's language; `str()` it).
    label: str | Promise = ""

    def __init__(self, **config: Any) -> None:
        self.config = config

    @abstractmethod
    def redirect_url(self, request: PaymentRequest) -> str | None:
        """Where to send the payer, signed (None: no redirect)."""

    @abstractmethod
    def parse_callback(self, params: Mapping[str, str]) -> CallbackResult:
        """The callback's content once its signature is verified; InvalidCallback if not."""

    def parse_statement(self, file: IO[bytes] | IO[str]) -> list[StatementLine]:
        """Every line of the gateway's statement file; StatementError naming each bad row;
        StatementNotSupported for a gateway without statements."""
        raise StatementNotSupported(self.name)

    def acknowledge(self, outcome: str) -> tuple[int, dict[str, str]]:
        """The HTTP status and JSON body that answer a callback with `outcome` (one of
        `motcua.payments.orders.OUTCOMES`). By default `{"code", "message"}`, 200 when the
        callback was taken (even if it changed nothing), 400 when it was refused."""
        taken = outcome in {"confirmed", "already_confirmed", "refunded", "failed"}
        return (200 if taken else 400), {"code": outcome, "message": outcome.replace("_", " ")}
