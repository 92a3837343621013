"""The citizen's in-app notifications and channel choices (/my/notifications/): newest first
and paginated, only one's own (another person's is the same 404 as none), opening one or
"mark all as read" (a POST with CSRF) marks them read, the header's unread count for a
signed-in person only (one query, none on anonymous pages), the preferences saved through
`preference_set` and honoured by the deliveries, sign-in codes always on."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import User
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent
from motcua.core.outbox import outbox_deliver_pending
from motcua.dossiers.services import dossier_receive
from motcua.notifications.models import (
    OPT_OUT_EVENTS,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    SandboxSms,
)
from motcua.notifications.services import (
    channel_allowed,
    notification_mark_read,
    notify_sign_in_code,
    preference_set,
)
from tests.dossiers.helpers import MON, _fresh_clock_cache, calendar, submitted, vn, world
from tests.factories import CitizenFactory

__all__ = ["_fresh_clock_cache", "calendar", "world"]

pytestmark = pytest.mark.django_db

T0 = vn(2026, 3, 2, 9, 5)


def _client(user: User, **kw: Any) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def _citizen(username: str) -> User:
    user = CitizenFactory(username=username, full_name=username.title(), email="")
    assert isinstance(user, User)
    return user


@pytest.fixture
def an() -> User:
    return _citizen("an")


@pytest.fixture
def binh() -> User:
    return _citizen("binh")


def _note(person: User, n: int, *, read: bool = False, code: str = "") -> Notification:
    return Notification.objects.create(
        person=person,
        delivery_key=f"k{person.pk}-{n}",
        event="received",
        dossier_code=code or f"00070-260302-{n:04d}",
        title=f"Hồ sơ số {n} đã được tiếp nhận",
        body=f"Nội dung {n}",
        created_at=T0 + dt.timedelta(minutes=n),
        read_at=T0 + dt.timedelta(hours=1) if read else None,
    )


def _titles(page: str) -> list[str]:
    return re.findall(r"Hồ sơ số (\d+) đã được tiếp nhận", page)


def _link_name(page: str) -> str:
    """The header link's accessible name: its text without what is hidden from readers."""
    link = re.search(r'<a href="/my/notifications/"[^>]*>(.*?)</a>', page, re.S)
    assert link is not None
    text = re.sub(r'<span[^>]*aria-hidden="true">.*?</span>', "", link[1])
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


# --- the list ------------------------------------------------------------------------------


def test_the_pages_need_a_sign_in() -> None:
    for url in ("/my/notifications/", "/my/notifications/preferences/", "/my/notifications/1/"):
        answer = Client().get(url)
        assert answer.status_code == 302
        assert answer["Location"] == f"/accounts/login/?next={url}"


def test_the_list_is_newest_first_paginated_and_only_mine(an: User, binh: User) -> None:
    for n in range(1, 26):
        _note(an, n)
    _note(binh, 99)
    client = _client(an)

    first = client.get("/my/notifications/").content.decode()
    assert _titles(first) == [str(n) for n in range(25, 5, -1)]  # 20 a page, newest first
    assert "Trang 1 / 2" in first
    assert 'href="?page=2"' in first
    second = client.get("/my/notifications/?page=2").content.decode()
    assert _titles(second) == ["5", "4", "3", "2", "1"]
    assert "99" not in _titles(first + second)  # Bình's is not among mine


def test_a_row_shows_event_dossier_link_text_date_and_unread_state(an: User) -> None:
    _note(an, 1, read=True)
    unread = _note(an, 2)
    page = _client(an).get("/my/notifications/").content.decode()

    assert "Tiếp nhận, hẹn trả kết quả" in page  # the event
    assert f'href="/my/{unread.dossier_code}/"' in page  # the dossier's page
    assert "Nội dung 2" in page
    assert "02/03/2026 09:07" in page  # dd/mm/yyyy HH:MM in Vietnam's time
    # the unread one says so in words (not colour only), the read one does not
    assert page.count('<span class="visually-hidden">chưa đọc: </span>') == 1
    assert page.index("chưa đọc: </span>Hồ sơ số 2") > 0


def test_an_address_in_a_text_is_a_link_and_markup_stays_text(an: User) -> None:
    """A receipt's address (payment_received) can be followed; a template an administrator
    edited cannot inject markup."""
    note = _note(an, 1)
    Notification.objects.filter(pk=note.pk).update(
        body="Biên lai HK26-0000001: https://dichvucong.hanoi.gov.vn/verify/7KQ2M9XD/ <b>x</b>"
    )
    client = _client(an)
    for url in ("/my/notifications/", f"/my/notifications/{note.pk}/"):
        page = client.get(url).content.decode()
        assert (
            '<a href="https://dichvucong.hanoi.gov.vn/verify/7KQ2M9XD/" rel="nofollow">'
            "https://dichvucong.hanoi.gov.vn/verify/7KQ2M9XD/</a>"
        ) in page, url
        assert "&lt;b&gt;x&lt;/b&gt;" in page
        assert "<b>x</b>" not in page


def test_another_persons_notification_is_not_found_and_stays_unread(an: User, binh: User) -> None:
    theirs = _note(binh, 1)
    answer = _client(an).get(f"/my/notifications/{theirs.pk}/")
    assert answer.status_code == 404
    assert "Nội dung 1" not in answer.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert _client(an).get("/my/notifications/999999/").status_code == 404


# --- marking read ---------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read(an: User) -> None:
    note, other = _note(an, 1), _note(an, 2)
    page = _client(an).get(f"/my/notifications/{note.pk}/")
    assert page.status_code == 200
    assert "Nội dung 1" in page.content.decode()
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None
    first_read = note.read_at
    _client(an).get(f"/my/notifications/{note.pk}/")  # again: keeps the first time
    note.refresh_from_db()
    assert note.read_at == first_read


def test_mark_all_read_marks_only_mine(an: User, binh: User) -> None:
    mine = [_note(an, n) for n in range(1, 4)]
    theirs = _note(binh, 1)
    answer = _client(an).post("/my/notifications/read/", follow=True)
    assert answer.redirect_chain == [("/my/notifications/", 302)]
    assert "Đã đánh dấu 3 thông báo là đã đọc." in answer.content.decode()
    assert all(n.read_at is not None for n in Notification.objects.filter(person=an))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert len(mine) == 3


def test_mark_all_read_is_a_csrf_protected_post(an: User) -> None:
    _note(an, 1)
    client = _client(an, enforce_csrf_checks=True)
    assert client.get("/my/notifications/read/").status_code == 405
    assert client.post("/my/notifications/read/").status_code == 403
    assert Notification.objects.get().read_at is None
    # with the token from the page, it works
    page = client.get("/my/notifications/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert (
        client.post("/my/notifications/read/", {"csrfmiddlewaretoken": token[1]}).status_code == 302
    )
    assert Notification.objects.get().read_at is not None


def test_the_service_marks_given_ids_of_the_person_only(an: User, binh: User) -> None:
    one, two = _note(an, 1), _note(an, 2)
    theirs = _note(binh, 3)
    changed = notification_mark_read(person=an, notification_ids=[one.pk, theirs.pk], now=MON)
    assert changed == 1
    assert list(
        Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)
    ) == [one.pk]
    assert notification_mark_read(person=an, all=True, now=MON) == 1  # only `two` was left
    two.refresh_from_db()
    assert two.read_at == MON
    with pytest.raises(TypeError):
        notification_mark_read(person=an, now=MON)
    with pytest.raises(TypeError):
        notification_mark_read(person=an, notification_ids=[one.pk], all=True, now=MON)


# --- the header's count ----------------------------------------------------------------------


def test_the_header_counts_the_unread_for_the_signed_in_person(an: User, binh: User) -> None:
    _note(an, 1)
    _note(an, 2)
    _note(an, 3, read=True)
    _note(binh, 4)
    page = _client(an).get("/procedures/").content.decode()
    assert _link_name(page) == "Thông báo (2 chưa đọc)"
    assert '<span class="count" aria-hidden="true">2</span>' in page  # what the eye sees

    _client(an).post("/my/notifications/read/")
    page = _client(an).get("/procedures/").content.decode()
    assert re.search(r'<a href="/my/notifications/"[^>]*>Thông báo</a>', page)


def test_the_count_is_one_query_and_anonymous_pages_have_none(an: User) -> None:
    _note(an, 1)
    with CaptureQueriesContext(connection) as anonymous:
        page = Client().get("/procedures/").content.decode()
    assert "/my/notifications/" not in page
    assert not [q for q in anonymous.captured_queries if "notification" in q["sql"]]

    with CaptureQueriesContext(connection) as signed_in:
        _client(an).get("/my/notifications/")  # the header and the page's button both ask
    counts = [
        q
        for q in signed_in.captured_queries
        if "notifications_notification" in q["sql"] and "COUNT" in q["sql"].upper()
    ]
    # one for the header's badge, one for the paginator's page count
    assert len([q for q in counts if "read_at" in q["sql"]]) == 1


# --- preferences ----------------------------------------------------------------------------


def test_the_preferences_page_lists_every_event_by_channel_all_on_at_first(an: User) -> None:
    page = _client(an).get("/my/notifications/preferences/").content.decode()
    for event in OPT_OUT_EVENTS:
        for channel in ("sms", "email", "inapp"):
            assert re.search(rf'name="{event}-{channel}" value="on" checked', page), event
    assert "sign_in_code-" not in page
    assert "Mã đăng nhập" in page
    assert "Luôn gửi qua SMS" in page
    assert "Không tắt được" in page


def _all_on() -> dict[str, str]:
    return {f"{e}-{c}": "on" for e in OPT_OUT_EVENTS for c in ("sms", "email", "inapp")}


def test_preferences_are_saved_through_the_service_and_shown_back(an: User) -> None:
    data = _all_on()
    del data["received-sms"]
    for event in OPT_OUT_EVENTS:
        del data[f"{event}-email"]  # no e-mail at all
    client = _client(an)
    answer = client.post("/my/notifications/preferences/", data, follow=True)
    assert answer.redirect_chain == [("/my/notifications/preferences/", 302)]
    assert "Đã lưu lựa chọn nhận thông báo." in answer.content.decode()

    preference = NotificationPreference.objects.get(person=an)
    assert (preference.sms, preference.email, preference.inapp) == (True, False, True)
    assert preference.events_off == ["received:sms"]  # the e-mail column is the switch
    assert not preference.allows("sms", "received")
    assert preference.allows("sms", "result_ready")
    assert not preference.allows("email", "result_ready")
    assert AuditEvent.objects.filter(action="notifications.preference_set").count() == 1

    page = answer.content.decode()
    assert 'name="received-sms" value="on">' in page
    assert 'name="result_ready-sms" value="on" checked' in page
    assert 'name="result_ready-email" value="on">' in page


def test_the_preferences_post_is_csrf_protected(an: User) -> None:
    client = _client(an, enforce_csrf_checks=True)
    assert client.post("/my/notifications/preferences/", {}).status_code == 403
    assert not NotificationPreference.objects.exists()


def test_sign_in_codes_cannot_be_opted_out(an: User, settings: Any) -> None:
    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]
    client = _client(an)
    client.post("/my/notifications/preferences/", {"sign_in_code-sms": ""})  # everything off
    preference = NotificationPreference.objects.get(person=an)
    assert (preference.sms, preference.email, preference.inapp) == (False, False, False)
    assert channel_allowed(person_id=an.pk, channel="sms", event="sign_in_code")

    with pytest.raises(ValidationError) as refused:
        preference_set(
            person=an,
            now=MON,
            sms=True,
            email=True,
            inapp=True,
            events_off=[("sign_in_code", "sms")],
        )
    assert refused.value.code == "invalid_event"

    row = notify_sign_in_code(phone=an.phone, otp="123456", minutes=5, reference="r1", now=MON)
    assert row.status == DeliveryStatus.SENT
    assert SandboxSms.objects.get().text.count("123456") == 1


@pytest.mark.django_db(transaction=True)
def test_an_opted_out_event_and_channel_is_recorded_not_sent(world: Any, settings: Any) -> None:
    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]
    data = _all_on()
    del data["received-sms"]
    del data["received-inapp"]
    _client(world.citizen).post("/my/notifications/preferences/", data)
    assert not channel_allowed(person_id=world.citizen.pk, channel="sms", event="received")
    assert channel_allowed(person_id=world.citizen.pk, channel="sms", event="result_ready")

    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    outbox_deliver_pending(now=None)  # whatever the embedded mode already did

    rows = dict(
        NotificationDelivery.objects.filter(dossier_code=dossier.code).values_list(
            "channel", "status"
        )
    )
    assert rows == {"sms": "opted_out", "email": "sent", "inapp": "opted_out"}
    assert not SandboxSms.objects.exists()
    assert not Notification.objects.filter(person=world.citizen).exists()


def test_the_pages_speak_english_on_request(an: User) -> None:
    _note(an, 1)
    client = _client(an)
    client.cookies.load({"django_language": "en"})
    page = client.get("/my/notifications/").content.decode()
    assert "<h1>My notifications</h1>" in page
    assert _link_name(page) == "Notifications (1 unread)"
    assert "Mark all as read" in page
    choices = client.get("/my/notifications/preferences/").content.decode()
    assert "Choose how you are notified" in choices
    assert "Always sent by SMS" in choices
    assert "When the result is ready to collect or download." in choices


def test_a_refused_choice_comes_back_with_the_error_summary(
    an: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kw: Any) -> None:
        raise ValidationError("Không lưu được.", code="invalid_event")

    monkeypatch.setattr("motcua.portal.inbox.preference_set", refuse)
    answer = _client(an).post("/my/notifications/preferences/", {"received-email": "on"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'class="error-summary"' in page
    assert "Không lưu được." in page
    assert 'name="received-email" value="on" checked' in page  # what was ticked is kept
    assert 'name="received-sms" value="on">' in page
    assert not NotificationPreference.objects.exists()


def test_the_profile_links_to_the_choices(an: User) -> None:
    page = _client(an).get("/profile/").content.decode()
    assert 'href="/my/notifications/preferences/"' in page
