"""Consent to the processing of personal data (Law 91/2025): given only by an explicit act,
withdrawn as easily, every decision kept (append-only)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import ConsentDecision, ConsentPurpose, ConsentRecord
from motcua.accounts.selectors import consent_current, consent_history
from motcua.accounts.services import consent_give, consent_withdraw
from motcua.core.clock import VN_TZ
from motcua.core.errors import AppendOnlyViolation, Conflict
from tests.factories import UserFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


def test_silence_is_not_consent() -> None:
    person = UserFactory()
    assert consent_current(person=person, purpose=ConsentPurpose.ACCOUNT) is None


def test_given_then_withdrawn_then_given_again_keeps_every_decision() -> None:
    # given a person who agreed
    person = UserFactory()
    given = consent_give(
        person=person, purpose=ConsentPurpose.DATA_STORE, text_version="2026-01", now=NOW
    )
    assert consent_current(person=person, purpose=ConsentPurpose.DATA_STORE) == given

    # when they withdraw
    withdrawn = consent_withdraw(
        person=person, purpose=ConsentPurpose.DATA_STORE, now=NOW + dt.timedelta(hours=1)
    )

    # then there is no standing consent, and the withdrawal names the wording withdrawn
    assert consent_current(person=person, purpose=ConsentPurpose.DATA_STORE) is None
    assert (withdrawn.decision, withdrawn.text_version) == (ConsentDecision.WITHDRAWN, "2026-01")

    # and giving again is a third row, the history newest first
    again = consent_give(
        person=person,
        purpose=ConsentPurpose.DATA_STORE,
        text_version="2026-02",
        now=NOW + dt.timedelta(hours=2),
    )
    assert list(consent_history(person=person)) == [again, withdrawn, given]
    # another purpose is untouched
    assert consent_current(person=person, purpose=ConsentPurpose.ACCOUNT) is None


def test_withdrawing_what_was_never_given_is_refused_and_writes_nothing() -> None:
    person = UserFactory()
    with pytest.raises(Conflict) as caught:
        consent_withdraw(person=person, purpose=ConsentPurpose.ACCOUNT, now=NOW)
    assert caught.value.code == "consent_not_given"
    assert ConsentRecord.objects.count() == 0


def test_a_decision_cannot_be_rewritten() -> None:
    person = UserFactory()
    record = consent_give(
        person=person, purpose=ConsentPurpose.ACCOUNT, text_version="2026-01", now=NOW
    )
    record.decision = ConsentDecision.WITHDRAWN
    with pytest.raises(AppendOnlyViolation):
        record.save()
    with pytest.raises(AppendOnlyViolation):
        ConsentRecord.objects.filter(pk=record.pk).update(decision=ConsentDecision.WITHDRAWN)
