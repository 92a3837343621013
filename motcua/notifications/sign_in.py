"""The sender `motcua.accounts.sms_codes` texts its sign-in codes through
(`settings.MOTCUA_SIGN_IN_CODE_SENDER`): `notify_sign_in_code`, i.e. the SMS providers in
order with failover, opt-outs ignored, the body stored masked."""

from __future__ import annotations

import datetime as dt

from .services import notify_sign_in_code


class NotificationsSignInCodeSender:
    def send(
        self, *, phone: str, code: str, minutes: int, reference: str, now: dt.datetime
    ) -> None:
        notify_sign_in_code(phone=phone, otp=code, minutes=minutes, reference=reference, now=now)
