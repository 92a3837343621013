"""The counter: cash or a bank transfer received by an officer, recorded in the workspace
with who and when (`motcua.payments.orders.payment_counter_record`). No redirect and no
callback: the officer's record is the confirmation."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from ...base import CallbackResult, Gateway, InvalidCallback, PaymentRequest


class CounterGateway(Gateway):
    name = "counter"
    label = _("Nộp tại quầy")

    def redirect_url(self, request: PaymentRequest) -> str | None:
        return None

    def parse_callback(self, params: Mapping[str, str]) -> CallbackResult:
        raise InvalidCallback("callback_not_supported", "the counter has no callback")
