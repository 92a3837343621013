"""The dossiers app's two resolvers answer the same facts: one dossier at a time, and a
dispatch batch's dossiers in one query (read as plain values)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.notify import dossier_notification_facts, dossier_notification_facts_many
from motcua.notifications.services import preference_set
from tests.dossiers.helpers import MON, submitted

pytestmark = pytest.mark.django_db


def test_the_batch_resolver_answers_what_the_single_one_does(world: Any) -> None:
    plain = submitted(world)  # the citizen's account, no preference stored
    later = submitted(world)  # an apology's new date, later than the appointment
    chooser = submitted(world, applicant=world.other_citizen)  # SMS off, one event off
    counter = submitted(world)  # no account: the contact typed at the counter
    preference_set(
        person=world.other_citizen,
        now=MON,
        sms=False,
        email=True,
        inapp=True,
        events_off=[("result_ready", "email")],
    )
    Dossier.objects.filter(pk=later.pk).update(
        appointment_at=MON + dt.timedelta(days=7),
        new_appointment_at=MON + dt.timedelta(days=10),
        applicant_phone="0987000111",
    )
    Dossier.objects.filter(pk=counter.pk).update(
        applicant=None, applicant_phone="0987000222", applicant_email="quay@example.vn"
    )
    codes = [plain.code, later.code, chooser.code, counter.code]

    many = dossier_notification_facts_many([*codes, "00070-000000-9999"])

    assert set(many) == set(codes)  # an unknown code is absent
    for code in codes:
        assert many[code] == dossier_notification_facts(code)
    assert many[later.code].appointment_at == MON + dt.timedelta(days=10)
    assert many[later.code].phone == "0987000111"
    assert many[chooser.code].channels_off == frozenset({"sms"})
    assert many[chooser.code].events_off == frozenset({"result_ready:email"})
    assert many[chooser.code].allows("email", "result_ready") is False
    assert (many[counter.code].person_id, many[counter.code].phone) == (None, "0987000222")
    assert many[counter.code].language == "vi"
    assert many[plain.code].channels_off == frozenset()
