"""The built-in sandbox gateway: a real payment flow that never leaves motcua, for the demo
and the tests. It speaks the VNPay-style format (`contrib/vnpay`: signed redirect, signed
callback with the amount x 100) against motcua's own demo bank (`motcua.paygate_demo`,
`/demo-bank/pay/`), which shows a pay / cancel page, signs the result with the sandbox
secret, calls our callback URL and sends the payer back. So the demo and the tests pay for
real (the signature, amount, idempotency and late-callback rules all run) without any
outside access.

Its statement is the VNPay-style statement CSV (`contrib/vnpay`, `statement_parse`), which the
demo bank exports from what it processed (`manage.py payments_statement`).

Configuration: `MOTCUA_PAYMENT_GATEWAYS["sandbox"] = {"secret": ...}` (on in the demo; the
secret from `MOTCUA_SANDBOX_PAYMENT_SECRET`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..vnpay import VNPayGateway

#: Where the demo bank's pay page is served (motcua.paygate_demo.urls).
PAY_PATH = "/demo-bank/pay/"
TMN_CODE = "MOTCUADEMO"


class SandboxGateway(VNPayGateway):
    name = "sandbox"
    label = _("Cổng thanh toán thử nghiệm")

    def __init__(self, **config: Any) -> None:
        secret = str(config.get("secret", ""))
        base = str(config.get("base_url", "")).rstrip("/")
        super().__init__(tmn_code=TMN_CODE, hash_secret=secret, pay_url=f"{base}{PAY_PATH}")
