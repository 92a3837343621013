"""Templates: defaults for every event, channel and language; SMS in one segment with long
values; placeholders from a fixed list; an administrator edits and resets them."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest

from motcua.core.clock import VN_TZ
from motcua.core.models import AuditEvent
from motcua.notifications.defaults import DEFAULTS
from motcua.notifications.models import Channel, Event, NotificationTemplate
from motcua.notifications.rendering import render, render_sms, template_check, template_fields
from motcua.notifications.services import template_reset_default, templates_seed
from motcua.notifications.text import is_gsm7, sms_segments, to_gsm7

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ)

# Realistic worst cases: the longest dossier code format, a long procedure name, a
# production lookup address, a seven-figure amount.
LONG = {
    "code": "01.TTHCC.CN05-260302-1234",
    "procedure": "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác "
    "gắn liền với đất lần đầu",
    "appointment": "30/12/2026",
    "new_appointment": "31/12/2026",
    "amount": "12.500.000 đồng",
    "lookup_url": "https://dichvucong.hanoi.gov.vn/tra-cuu",
    "otp": "123456",
    "minutes": "5",
    "due_date": "30/12/2026",
    "follow_url": "https://dichvucong.hanoi.gov.vn/feedback/PA-2026-000123/",
    # the longest series (six letters and the year) and seven digits; the public address
    "receipt": "BLPHKM26-0001234",
    "replaces": "BLPHKM26-0001233",
    "receipt_url": "https://dichvucong.hanoi.gov.vn/verify/7KQ2M9XD/",
}


def test_every_event_has_every_channel_in_both_languages() -> None:
    """(The reminders to a unit's staff go by e-mail only.)"""
    assert set(DEFAULTS) == {
        (event, channel, language)
        for event in Event.values
        for channel in Channel.values
        for language in ("vi", "en")
        if event != Event.FEEDBACK_REMINDER or channel == Channel.EMAIL
    }


@pytest.mark.parametrize(
    "key", sorted(k for k in DEFAULTS if k[1] == "sms"), ids=lambda k: f"{k[0]}-{k[2]}"
)
def test_every_default_sms_fits_one_segment_with_long_values(key: tuple[str, str, str]) -> None:
    text = render_sms(DEFAULTS[key].body, LONG)
    assert is_gsm7(text)
    assert text.isascii()
    assert len(text) <= 160, text
    assert sms_segments(text) == 1
    for name in template_fields(DEFAULTS[key].body):
        if name != "procedure":  # only the procedure's name may be shortened
            assert to_gsm7(LONG[name]) in text, name


def test_a_long_procedure_name_is_shortened_not_the_rest() -> None:
    text = render_sms(DEFAULTS[("received", "sms", "vi")].body, LONG)
    assert text == (
        "Ho so 01.TTHCC.CN05-260302-1234 (Cap Giay chung nhan quyen...) da duoc tiep nhan. "
        "Hen tra ket qua 30/12/2026. Tra cuu: https://dichvucong.hanoi.gov.vn/tra-cuu"
    )
    assert len(text) == 158  # cut at a word's end


def test_default_templates_are_seeded_by_the_migration_and_load_demo(db: None) -> None:
    """(The test database is built without migrations: the migration's function is run.)"""
    from django.apps import apps

    migration = importlib.import_module("motcua.notifications.migrations.0002_default_templates")
    migration.seed(apps, None)
    assert NotificationTemplate.objects.count() == len(DEFAULTS)
    assert templates_seed() == 0  # idempotent: nothing missing


@pytest.fixture
def seeded(db: None) -> None:
    templates_seed()


def test_an_edited_template_is_used_and_reset_restores_the_default(seeded: None) -> None:
    row = NotificationTemplate.objects.get(event="received", channel="sms", language="vi")
    row.body = "Da nhan ho so {code}."
    row.save()
    assert render(event="received", channel="sms", language="vi", values=LONG).body == (
        "Da nhan ho so 01.TTHCC.CN05-260302-1234."
    )

    assert template_reset_default(actor=None, template_ids=[row.pk], now=NOW) == 1

    row.refresh_from_db()
    assert row.body == DEFAULTS[("received", "sms", "vi")].body
    event = AuditEvent.objects.get(action="notifications.template_reset")
    assert event.before == {"subject": "", "body": "Da nhan ho so {code}."}


@pytest.mark.parametrize(
    "text", ["{name}", "{code.__class__}", "{code[0]}", "{code!r}", "{code:>10}", "{code"]
)
def test_placeholders_outside_the_list_are_refused(text: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        template_check(text)


def test_the_admin_edits_previews_and_resets_templates(seeded: None, admin_client: Any) -> None:
    row = NotificationTemplate.objects.get(event="result_ready", channel="sms", language="vi")
    url = f"/admin/notifications/notificationtemplate/{row.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Ho so 00070-260302-0001 (Dang ky khai sinh) da co ket qua." in page  # preview

    refused = admin_client.post(url, {"subject": "", "body": "Ho so {dossier.applicant}"})
    assert refused.status_code == 200
    row.refresh_from_db()
    assert row.body == DEFAULTS[("result_ready", "sms", "vi")].body  # nothing saved

    saved = admin_client.post(url, {"subject": "", "body": "Ket qua ho so {code} da co."})
    assert saved.status_code == 302
    row.refresh_from_db()
    assert row.body == "Ket qua ho so {code} da co."

    admin_client.post(
        "/admin/notifications/notificationtemplate/",
        {"action": "reset_default", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.body == DEFAULTS[("result_ready", "sms", "vi")].body
