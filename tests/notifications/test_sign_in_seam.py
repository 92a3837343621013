"""`notify_sign_in_code`, the seam the portal's sign-in (issue 10, item 5) will call: sent
at once, whatever the person opted out of, once per request reference, the code not kept."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.notifications.models import NotificationDelivery, SandboxSms
from motcua.notifications.services import notify_sign_in_code, preference_set
from tests.dossiers.helpers import MON

pytestmark = pytest.mark.django_db


def test_a_sign_in_code_ignores_opt_outs_is_sent_once_and_not_stored(world: Any) -> None:
    preference_set(person=world.citizen, now=MON, sms=False, email=False, inapp=False)

    for _ in range(2):  # the same request twice (a double click, a retry)
        row = notify_sign_in_code(
            phone="0912345678",
            otp="482913",
            minutes=5,
            reference="otp-req-1",
            now=MON,
            person_id=world.citizen.pk,
        )

    sms = SandboxSms.objects.get()
    assert sms.text == (
        "Ma dang nhap motcua: 482913. Hieu luc 5 phut. Khong dua ma nay cho bat ky ai."
    )
    row = NotificationDelivery.objects.get()
    assert (row.event, row.status) == ("sign_in_code", "sent")
    assert "482913" not in row.body
    assert row.body.startswith("Ma dang nhap motcua: ******.")


def test_english_sign_in_code(db: None) -> None:
    notify_sign_in_code(
        phone="0912345678", otp="000111", minutes=3, reference="r2", now=MON, language="en"
    )
    assert SandboxSms.objects.get().text == (
        "motcua sign-in code: 000111. Valid 3 minutes. Never share this code."
    )
