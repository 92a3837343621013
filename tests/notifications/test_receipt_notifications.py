"""The money arrived: the applicant is told with the signed receipt's number and address
(`payment_received`), once per channel, after the payment request it answers; a cancelled
receipt's replacement is told as such (`receipt_replaced`); integrators get
`dossier.issue_receipt`, `dossier.cancel_receipt` and `dossier.replace_receipt` without any
personal data."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.core import mail

from motcua.core.errors import Conflict
from motcua.core.models import OutboxMessage
from motcua.dossiers.services import dossier_request_payment, receipts
from motcua.dossiers.services.payments import dossier_payment_at_counter
from motcua.dossiers.services.receipts import (
    dossier_receipt_cancel,
    dossier_receipts_issue_missing,
)
from motcua.notifications.models import NotificationDelivery, SandboxSms
from motcua.notifications.selectors import notifications_for
from motcua.payments.models import Receipt
from tests.dossiers.helpers import MON, hk_receipt_series, processing, vn

pytestmark = pytest.mark.django_db(transaction=True)

LOOKUP = "https://dichvucong.hanoi.gov.vn/tra-cuu"


@pytest.fixture
def series(world: Any) -> None:
    hk_receipt_series(unit=world.ward, now=MON)


def _waiting_for_payment(world: Any, amount: int = 1_250_000) -> Any:
    dossier = processing(world)
    return dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=amount, now=vn(2026, 3, 3, 9)
    )


def _pay_at_counter(world: Any, dossier: Any, slip: str = "PT-1") -> Receipt:
    payment = dossier_payment_at_counter(
        dossier=dossier, officer=world.officer, method="cash", slip_number=slip,
        now=vn(2026, 3, 3, 10),
    )  # fmt: skip
    return Receipt.objects.get(payment=payment)


def _url(receipt: Receipt, settings: Any) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL}/verify/{receipt.verify_code}/"


def test_the_money_arriving_tells_the_applicant_the_receipt_on_every_channel_once(
    world: Any, series: None, settings: Any
) -> None:
    dossier = _waiting_for_payment(world)
    receipt = _pay_at_counter(world, dossier)

    texts = list(SandboxSms.objects.order_by("id").values_list("text", flat=True))
    assert texts[-2:] == [
        f"Ho so {dossier.code}: moi nop phi, le phi 1.250.000 dong. Chi tiet: {LOOKUP}",
        f"Da nhan 1.250.000 dong phi, le phi ho so {dossier.code}. "
        f"Bien lai HK26-0000001: {_url(receipt, settings)}",
    ]
    assert len(texts[-1]) <= 160
    assert mail.outbox[-1].subject == f"Hồ sơ {dossier.code}: đã nhận phí, lệ phí"
    assert "Biên lai điện tử số HK26-0000001" in mail.outbox[-1].body
    assert _url(receipt, settings) in mail.outbox[-1].body
    note = notifications_for(world.citizen).order_by("-id").first()
    assert note is not None
    assert (note.event, note.dossier_code) == ("payment_received", dossier.code)
    assert {
        (row.channel, row.status)
        for row in NotificationDelivery.objects.filter(event="payment_received")
    } == {("sms", "sent"), ("email", "sent"), ("inapp", "sent")}

    # nothing is left to pay: a second payment is refused, and nothing is told again
    dossier.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        _pay_at_counter(world, dossier)
    assert refused.value.code == "nothing_payable"
    dossier_receipts_issue_missing(now=vn(2026, 3, 3, 11))
    assert SandboxSms.objects.filter(text__startswith="Da nhan").count() == 1


def test_the_receipt_message_follows_the_payment_request_and_carries_no_personal_data(
    world: Any, series: None, settings: Any
) -> None:
    dossier = _waiting_for_payment(world, amount=21_000)
    receipt = _pay_at_counter(world, dossier)

    topics = list(
        OutboxMessage.objects.filter(key=dossier.code)
        .order_by("id")
        .values_list("topic", flat=True)
    )
    # ordered on the dossier's key: the request, the resumption, then the receipt
    assert topics[-3:] == [
        "dossier.request_payment",
        "dossier.payment_settled",
        "dossier.issue_receipt",
    ]
    message = OutboxMessage.objects.get(topic="dossier.issue_receipt")
    dossier.refresh_from_db()
    assert message.payload == {
        "code": dossier.code,
        "status": dossier.status,
        "action": "issue_receipt",
        "version": dossier.version,
        "receipt": "HK26-0000001",
        "amount_vnd": 21_000,
        "verify_code": receipt.verify_code,
        "verify_url": _url(receipt, settings),
    }
    text = json.dumps(message.payload, ensure_ascii=False)
    for personal in (dossier.applicant_name, dossier.applicant_id_number, world.citizen.phone):
        assert personal
        assert personal not in text


def test_a_receipt_that_could_not_be_signed_is_told_when_it_is_made(
    world: Any, series: None
) -> None:
    dossier = _waiting_for_payment(world, amount=50_000)
    with mock.patch.object(receipts, "text_pdf_signed", side_effect=RuntimeError("no key")):
        dossier_payment_at_counter(
            dossier=dossier, officer=world.officer, method="cash", slip_number="PT-9",
            now=vn(2026, 3, 3, 10),
        )  # fmt: skip
    assert not Receipt.objects.exists()
    assert not OutboxMessage.objects.filter(topic="dossier.issue_receipt").exists()
    assert not SandboxSms.objects.filter(text__startswith="Da nhan").exists()

    assert dossier_receipts_issue_missing(now=vn(2026, 3, 3, 11)) == 1

    [sms] = SandboxSms.objects.filter(text__startswith="Da nhan")
    assert "Bien lai HK26-0000001" in sms.text


def test_cancel_and_replace_tells_the_replacement_naming_the_cancelled_receipt(
    world: Any, series: None, settings: Any
) -> None:
    dossier = _waiting_for_payment(world, amount=105_000)
    first = _pay_at_counter(world, dossier)

    replacement = dossier_receipt_cancel(
        receipt=first, reason="Sai tên người nộp", actor=world.officer, now=vn(2026, 3, 3, 11)
    )
    assert replacement is not None

    sms = SandboxSms.objects.order_by("id").last()
    assert sms is not None
    assert sms.text == (
        f"Ho so {dossier.code}: bien lai HK26-0000001 da huy, thay bang bien lai "
        f"HK26-0000002: {_url(replacement, settings)}"
    )
    assert mail.outbox[-1].subject == (f"Hồ sơ {dossier.code}: biên lai HK26-0000001 được thay thế")
    assert "105.000 đồng" in mail.outbox[-1].body
    # integrators: the cancellation first, then the replacement, in the dossier's order
    told = [
        (m.topic, m.payload.get("receipt"), m.payload.get("replaced_by", m.payload.get("replaces")))
        for m in OutboxMessage.objects.filter(topic__contains="receipt").order_by("id")
    ]
    assert told == [
        ("dossier.issue_receipt", "HK26-0000001", None),
        ("dossier.cancel_receipt", "HK26-0000001", "HK26-0000002"),
        ("dossier.replace_receipt", "HK26-0000002", "HK26-0000001"),
    ]
    # the reason (free text an officer typed) stays out of the outbox
    assert "Sai tên" not in json.dumps(
        [m.payload for m in OutboxMessage.objects.all()], ensure_ascii=False
    )


def test_cancel_without_replacement_tells_integrators_only(world: Any, series: None) -> None:
    dossier = _waiting_for_payment(world, amount=20_000)
    first = _pay_at_counter(world, dossier)
    sent = SandboxSms.objects.count()

    dossier_receipt_cancel(
        receipt=first, reason="Hoàn tiền", actor=world.officer, now=vn(2026, 3, 3, 11),
        replace=False,
    )  # fmt: skip

    message = OutboxMessage.objects.get(topic="dossier.cancel_receipt")
    assert (message.payload["receipt"], message.payload["replaced_by"]) == ("HK26-0000001", "")
    assert SandboxSms.objects.count() == sent
