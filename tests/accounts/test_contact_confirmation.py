"""The contact confirmation seam: a configured sender is handed each new contact inside the
transaction that wrote it (so a refused change sends nothing); the default leaves it
pending and never confirmed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

import pytest
from django.core.cache import cache
from django.test import override_settings

from motcua.accounts.contact import contact_confirmed
from motcua.accounts.models import ContactChannel, ContactConfirmation, User
from motcua.accounts.profile import user_profile_update
from motcua.accounts.signup import CONSENT_VERSION, citizen_sign_up
from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationError
from tests.factories import CitizenFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


class RecordingSender:
    name = "recording"
    sent: ClassVar[list[tuple[str, str]]] = []

    def request(self, *, confirmation: ContactConfirmation, now: dt.datetime) -> None:
        from django.db import transaction

        assert transaction.get_connection().in_atomic_block
        self.sent.append((confirmation.channel, confirmation.value))


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    cache.clear()
    RecordingSender.sent.clear()
    yield
    cache.clear()


@override_settings(MOTCUA_CONTACT_CONFIRMATION_SENDER=f"{__name__}.RecordingSender")
def test_a_configured_sender_gets_the_new_contacts() -> None:
    user = citizen_sign_up(
        full_name="Trần Thị Bình",
        contact="binh@example.vn",
        password="hoa-sen-trang-2026",
        consent=True,
        consent_text_version=CONSENT_VERSION,
        client_address="192.0.2.1",
        now=NOW,
    )
    user_profile_update(user=user, changes={"phone": "0987000111"}, now=NOW)
    assert RecordingSender.sent == [("email", "binh@example.vn"), ("phone", "0987000111")]
    assert set(ContactConfirmation.objects.values_list("sender", flat=True)) == {"recording"}


@override_settings(MOTCUA_CONTACT_CONFIRMATION_SENDER=f"{__name__}.RecordingSender")
def test_a_refused_change_sends_nothing() -> None:
    CitizenFactory(phone="0987000111")
    user = CitizenFactory(phone="0912000111")
    assert isinstance(user, User)
    with pytest.raises(ValidationError):
        user_profile_update(user=user, changes={"phone": "0987000111"}, now=NOW)
    assert RecordingSender.sent == []
    assert ContactConfirmation.objects.count() == 0


@override_settings(
    MOTCUA_CONTACT_CONFIRMATION_SENDER="motcua.accounts.contact.PendingConfirmationSender"
)
def test_the_pending_sender_leaves_the_contact_pending() -> None:
    user = CitizenFactory(phone="0912000111")
    assert isinstance(user, User)
    user_profile_update(user=user, changes={"email": "an@example.vn"}, now=NOW)
    pending = ContactConfirmation.objects.get()
    assert (pending.sender, pending.confirmed_at) == ("pending", None)
    assert contact_confirmed(person=user, channel=ContactChannel.EMAIL) is False
    # a confirmation of an older value does not confirm the current one
    ContactConfirmation.objects.create(
        person=user,
        channel="phone",
        value="0900000000",
        requested_at=NOW,
        sender="x",
        confirmed_at=NOW,
    )
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is False
