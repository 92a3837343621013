"""Confirming a changed phone or e-mail with a code: sent through the outbox after commit
(nothing on rollback), by SMS to a phone and by e-mail to an address, hashed at rest; the
check sets `confirmed_at`; wrong, expired and locked codes; resending limited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from motcua.accounts.contact import (
    CODE_MINUTES,
    contact_confirmation_resend,
    contact_confirmation_verify,
    contact_confirmed,
)
from motcua.accounts.models import ContactChannel, ContactConfirmation, User
from motcua.accounts.profile import user_profile_update
from motcua.accounts.sms_codes import SignInCodeLimited
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent, OutboxMessage
from motcua.core.outbox import outbox_deliver_pending
from motcua.notifications.models import NotificationDelivery, SandboxSms
from tests.factories import CitizenFactory

NEW_PHONE = "0987000111"


@pytest.fixture(autouse=True)
def _setup(settings: object) -> Iterator[None]:
    from motcua.core.ratelimit import rate_limits_local_clear

    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]  # type: ignore[attr-defined]
    settings.MOTCUA_CONTACT_CONFIRMATION_SENDER = (  # type: ignore[attr-defined]
        "motcua.accounts.contact.CodeConfirmationSender"
    )
    cache.clear()
    rate_limits_local_clear()
    yield
    cache.clear()
    rate_limits_local_clear()


def _citizen() -> User:
    user = CitizenFactory(phone="0912000111", email="")
    assert isinstance(user, User)
    return user


def _sms_code(phone: str = NEW_PHONE) -> str:
    sms = SandboxSms.objects.filter(to=phone).order_by("-id").first()
    assert sms is not None, "no SMS"
    match = re.search(r"\b(\d{6})\b", sms.text)
    assert match
    return match[1]


def _mail_code() -> str:
    assert mail.outbox, "no e-mail"
    match = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert match
    return match[1]


def _other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.mark.django_db(transaction=True)
def test_a_changed_phone_is_texted_a_code_after_commit_and_the_code_confirms_it() -> None:
    user = _citizen()
    now = timezone.now()
    user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=now)
    outbox_deliver_pending(now=None)  # (the commit already handed it off; draining is a no-op)
    # the SMS went to the new phone, unaccented, one segment
    sms = SandboxSms.objects.get(to=NEW_PHONE)
    code = _sms_code()
    assert sms.text.startswith("Ma xac nhan so dien thoai motcua: ")
    assert len(sms.text) <= 160
    # hashed at rest: the row, the outbox payload and the delivery log hold no code
    row = ContactConfirmation.objects.get(person=user, channel="phone")
    assert code not in " ".join(str(v) for v in row.__dict__.values())
    assert len(row.code_hash) == 64
    message = OutboxMessage.objects.get(topic="accounts.contact_confirmation")
    assert code not in str(message.payload)
    assert NEW_PHONE not in str(message.payload)
    delivery = NotificationDelivery.objects.get(event="contact_code")
    assert code not in delivery.body
    assert "******" in delivery.body
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is False
    # when the owner types it
    confirmed = contact_confirmation_verify(
        person=user, channel="phone", code=f" {code[:3]} {code[3:]} ", now=now
    )
    assert confirmed.pk == row.pk
    row.refresh_from_db()
    assert (row.confirmed_at, row.code_hash) == (now, "")
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is True
    assert AuditEvent.objects.filter(action="user.contact_confirm").count() == 1
    assert NEW_PHONE not in str(AuditEvent.objects.get(action="user.contact_confirm").after)
    # single use
    with pytest.raises(ValidationError):
        contact_confirmation_verify(person=user, channel="phone", code=code, now=now)


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_sends_nothing() -> None:
    user = _citizen()

    def change_then_fail() -> None:
        with transaction.atomic():
            user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=timezone.now())
            raise RuntimeError("the surrounding change failed")

    with pytest.raises(RuntimeError):
        change_then_fail()
    outbox_deliver_pending(now=None)
    assert SandboxSms.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert ContactConfirmation.objects.count() == 0
    assert NotificationDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_email_is_confirmed_by_a_code_sent_by_email_not_sms() -> None:
    user = _citizen()
    now = timezone.now()
    user_profile_update(user=user, changes={"email": "An@Example.vn"}, now=now)
    outbox_deliver_pending(now=None)
    assert SandboxSms.objects.count() == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["an@example.vn"]
    assert sent.subject == "Mã xác nhận thư điện tử motcua"
    assert f"{CODE_MINUTES} phút" in sent.body
    contact_confirmation_verify(person=user, channel="email", code=_mail_code(), now=now)
    assert contact_confirmed(person=user, channel=ContactChannel.EMAIL) is True


@pytest.mark.django_db(transaction=True)
def test_an_english_speaker_gets_the_english_text() -> None:
    user = _citizen()
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=timezone.now())
    assert SandboxSms.objects.get(to=NEW_PHONE).text.startswith("motcua phone confirmation code:")


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_are_counted_and_five_lock_even_the_right_one() -> None:
    user = _citizen()
    now = timezone.now()
    user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=now)
    code = _sms_code()
    for _attempt in range(5):
        with pytest.raises(ValidationError) as error:
            contact_confirmation_verify(person=user, channel="phone", code=_other(code), now=now)
        assert error.value.code == "code_invalid"
    assert ContactConfirmation.objects.get(channel="phone").attempts == 5
    with pytest.raises(SignInCodeLimited) as locked:
        contact_confirmation_verify(person=user, channel="phone", code=code, now=now)
    assert locked.value.code == "contact_code_locked"
    assert locked.value.retry_after > 0
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is False


@pytest.mark.django_db(transaction=True)
def test_an_expired_code_is_refused() -> None:
    user = _citizen()
    now = timezone.now()
    user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=now)
    later = now + dt.timedelta(minutes=CODE_MINUTES)
    with pytest.raises(ValidationError) as error:
        contact_confirmation_verify(person=user, channel="phone", code=_sms_code(), now=later)
    assert error.value.code == "code_invalid"
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is False


@pytest.mark.django_db(transaction=True)
def test_a_resend_ends_the_older_code_and_is_limited() -> None:
    user = _citizen()
    now = timezone.now()
    user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=now)
    first = _sms_code()
    # within the minute: refused, nothing sent
    with pytest.raises(SignInCodeLimited) as limited:
        contact_confirmation_resend(person=user, channel="phone", now=now)
    assert limited.value.code == "contact_code_limited"
    assert SandboxSms.objects.filter(to=NEW_PHONE).count() == 1
    # the minute over: a new code, the old one dead
    cache.clear()
    from motcua.core.ratelimit import rate_limits_local_clear

    rate_limits_local_clear()
    contact_confirmation_resend(person=user, channel="phone", now=now)
    second = _sms_code()
    assert SandboxSms.objects.filter(to=NEW_PHONE).count() == 2
    assert ContactConfirmation.objects.filter(person=user, channel="phone").count() == 1
    if first != second:
        with pytest.raises(ValidationError):
            contact_confirmation_verify(person=user, channel="phone", code=first, now=now)
    contact_confirmation_verify(person=user, channel="phone", code=second, now=now)
    # nothing left to confirm
    with pytest.raises(ValidationError) as error:
        contact_confirmation_resend(person=user, channel="phone", now=now)
    assert error.value.code == "nothing_to_confirm"


@pytest.mark.django_db(transaction=True)
def test_a_code_for_a_contact_changed_again_is_not_sent_and_confirms_nothing() -> None:
    user = _citizen()
    now = timezone.now()
    with transaction.atomic():  # two changes in one transaction: only the last is current
        user_profile_update(user=user, changes={"phone": NEW_PHONE}, now=now)
        user_profile_update(user=user, changes={"phone": "0987000222"}, now=now)
    assert SandboxSms.objects.filter(to=NEW_PHONE).count() == 0
    code = _sms_code("0987000222")
    contact_confirmation_verify(person=user, channel="phone", code=code, now=now)
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is True
