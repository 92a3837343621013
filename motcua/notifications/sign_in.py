"""The sender `motcua.accounts.sms_codes` texts its sign-in codes through
(`settings.MOTCUA_SIGN_IN_CODE_SENDER`): `notify_sign_in_code`, i.e. the SMS providers in
order with failover, opt-outs ignored, the body stored masked."""

from __future__ import annotations

import datetime as dt

from .services import notify_sign_in_code

#: The text of each code purpose (`accounts.SignInCodePurpose`): a forgotten password's code
#: says it resets the password, so nobody takes it for a sign-in code; a sign-up's code is the
#: sign-in code (the account then signs in by code).
EVENT_OF_PURPOSE = {"reset": "reset_code"}


class NotificationsSignInCodeSender:
    def send(
        self,
        *,
        phone: str,
        code: str,
        minutes: int,
        reference: str,
        now: dt.datetime,
        purpose: str = "sign_in",
    ) -> None:
        notify_sign_in_code(
            phone=phone,
            otp=code,
            minutes=minutes,
            reference=reference,
            now=now,
            event=EVENT_OF_PURPOSE.get(purpose, "sign_in_code"),
        )
