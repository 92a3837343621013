"""Paying online for real, inside motcua: the sandbox gateway's signed redirect, the demo
bank's page, its signed callback; the VNPay-style format; every callback rule."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, PermissionDenied
from motcua.organisation.models import Role
from motcua.payments.gateways.base import InvalidCallback, PaymentRequest
from motcua.payments.gateways.contrib.vnpay import VNPayGateway, canonical, sign
from motcua.payments.ledger import ledger_balance, ledger_total
from motcua.payments.models import (
    FeeLine,
    FeeLineState,
    LedgerAccount,
    LedgerTransaction,
    PaymentCallback,
    PaymentOrderStatus,
)
from motcua.payments.orders import (
    payment_callback_receive,
    payment_counter_record,
    payment_order_cancel,
    payment_order_start,
)
from motcua.payments.services import fee_line_add, fee_line_cancel
from tests.factories import RoleAssignmentFactory, UnitFactory

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def line() -> FeeLine:
    return fee_line_add(
        dossier_code="H01.1-261202-0001",
        collecting_unit=UnitFactory(code="00070"),
        name="Lệ phí đăng ký",
        kind="charge",
        timing="before",
        unit_amount_vnd=105_000,
        now=NOW,
    )


def _bank_result(client: Client, redirect: str, decision: str = "pay") -> dict[str, str]:
    """The payer on the demo bank's page: GET shows it, POST decides; the bank sends the
    payer back to the return address with the signed result."""
    page = client.get(redirect)
    assert page.status_code == 200
    assert "105.000\u00a0đ" in page.content.decode()
    assert "Một trăm linh năm nghìn đồng" in page.content.decode()
    fields = dict(parse_qsl(urlsplit(redirect).query))
    back = client.post("/demo-bank/pay/", {**fields, "decision": decision})
    assert back.status_code == 302
    location = back["Location"]
    assert location.startswith("/pay/return/")
    return dict(parse_qsl(urlsplit(location).query))


def test_a_payment_through_the_sandbox_counts_once_however_often_it_is_called(line) -> None:
    client = Client()
    order, redirect = payment_order_start(
        lines=[line], gateway="sandbox", payer=None, return_url="/pay/return/", now=NOW
    )
    line.refresh_from_db()
    assert line.state == FeeLineState.PENDING
    # the redirect is signed in the VNPay-style format, the amount in VND x 100
    query = dict(parse_qsl(urlsplit(redirect).query))
    assert urlsplit(redirect).path == "/demo-bank/pay/"
    assert (query["vnp_Amount"], query["vnp_TxnRef"], query["vnp_CurrCode"]) == (
        "10500000",
        order.order_ref,
        "VND",
    )
    result = _bank_result(client, redirect)

    # the callback ten times (the API, as the bank's IPN would), plus the payer's return
    answers = [client.post("/api/v1/payments/callback/sandbox", result).json() for _ in range(10)]
    assert answers[0] == {"RspCode": "00", "Message": "Confirm Success"}
    assert all(a == {"RspCode": "02", "Message": "Order already confirmed"} for a in answers[1:])
    assert payment_callback_receive(gateway="sandbox", params=result, now=NOW)[0] == (
        "already_confirmed"
    )
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, line.state) == (PaymentOrderStatus.SUCCEEDED, FeeLineState.PAID)
    assert LedgerTransaction.objects.filter(movement="payment").count() == 1
    assert ledger_balance(account=LedgerAccount.GATEWAY, reference="sandbox") == 105_000
    assert PaymentCallback.objects.filter(order_ref=order.order_ref).count() == 11


def test_the_payer_cancels_at_the_bank_and_the_line_is_payable_again(line) -> None:
    order, redirect = payment_order_start(
        lines=[line], gateway="sandbox", payer=None, return_url="/pay/return/", now=NOW
    )
    result = _bank_result(Client(), redirect, decision="cancel")
    outcome, _ = payment_callback_receive(gateway="sandbox", params=result, now=NOW)
    assert outcome == "failed"
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, order.status_code, line.state) == ("failed", "24", "unpaid")
    assert ledger_total() == 0
    assert LedgerTransaction.objects.filter(movement="payment").count() == 0


def _signed(gateway: VNPayGateway, **fields: str) -> dict[str, str]:
    fields["vnp_SecureHash"] = sign(fields, gateway.secret)
    return fields


def _result_for(order, *, amount: int | None = None, txn: str = "123") -> dict[str, str]:
    from motcua.payments.gateways.registry import gateway_get

    gateway = gateway_get("sandbox")
    assert isinstance(gateway, VNPayGateway)
    return _signed(
        gateway,
        vnp_Amount=str((amount if amount is not None else order.amount_vnd) * 100),
        vnp_TxnRef=order.order_ref,
        vnp_ResponseCode="00",
        vnp_TransactionStatus="00",
        vnp_TransactionNo=txn,
        vnp_PayDate="20261202090500",
    )


def test_forged_wrong_and_unknown_callbacks_are_refused_and_move_nothing(line) -> None:
    order, _ = payment_order_start(
        lines=[line], gateway="sandbox", payer=None, return_url="/r/", now=NOW
    )
    good = _result_for(order)
    forged = {**good, "vnp_Amount": "100"}  # changed after signing
    unsigned = {k: v for k, v in good.items() if k != "vnp_SecureHash"}
    client = Client()
    assert client.post("/api/v1/payments/callback/sandbox", forged).json()["RspCode"] == "97"
    assert client.get("/api/v1/payments/callback/sandbox", unsigned).json()["RspCode"] == "97"
    assert payment_callback_receive(
        gateway="sandbox", params=_result_for(order, amount=1_000), now=NOW
    )[0] == ("invalid_amount")
    stranger = {**_result_for(order), "vnp_TxnRef": "MC-NOT-OURS"}
    stranger["vnp_SecureHash"] = sign(stranger, "motcua-sandbox-secret")
    assert payment_callback_receive(gateway="sandbox", params=stranger, now=NOW)[0] == (
        "order_not_found"
    )
    assert client.post("/api/v1/payments/callback/nobank", good).status_code == 404
    assert LedgerTransaction.objects.filter(movement="payment").count() == 0
    assert set(PaymentCallback.objects.values_list("outcome", flat=True)) == {
        "invalid_signature",
        "invalid_amount",
        "order_not_found",
        "gateway_unknown",
    }
    # and the genuine one still counts
    assert payment_callback_receive(gateway="sandbox", params=good, now=NOW)[0] == "confirmed"


def test_a_late_callback_after_a_cancel_is_recorded_and_refunded(line) -> None:
    order, _ = payment_order_start(
        lines=[line], gateway="sandbox", payer=None, return_url="/r/", now=NOW
    )
    payment_order_cancel(order=order, now=NOW)
    line.refresh_from_db()
    assert line.state == FeeLineState.UNPAID
    outcome, _ = payment_callback_receive(gateway="sandbox", params=_result_for(order), now=NOW)
    assert outcome == "refunded"
    assert list(LedgerTransaction.objects.order_by("pk").values_list("movement", flat=True)) == [
        "charge",
        "payment",
        "refund",
    ]
    line.refresh_from_db()
    assert line.state == FeeLineState.UNPAID  # still owed: the late money went back
    assert ledger_balance(account=LedgerAccount.GATEWAY, reference="sandbox") == 0
    again = payment_callback_receive(gateway="sandbox", params=_result_for(order), now=NOW)
    assert again[0] == "already_confirmed"


def test_lines_cancelled_while_the_payer_was_at_the_bank_are_refunded(line) -> None:
    order, _ = payment_order_start(
        lines=[line], gateway="sandbox", payer=None, return_url="/r/", now=NOW
    )
    fee_line_cancel(line=line, reason="Hồ sơ rút", now=NOW)
    assert payment_callback_receive(gateway="sandbox", params=_result_for(order), now=NOW)[0] == (
        "refunded"
    )
    assert ledger_total() == 0
    assert ledger_balance(account=LedgerAccount.GATEWAY, reference="sandbox") == 0


def test_the_vnpay_format_signs_sorted_encoded_fields() -> None:
    gateway = VNPayGateway(tmn_code="DEMO", hash_secret="SECRET", pay_url="https://bank/pay")
    url = gateway.redirect_url(
        PaymentRequest(
            order_ref="MC1",
            amount_vnd=21_000,
            description="Thanh toan le phi",
            return_url="https://motcua/pay/return/",
            client_ip="10.0.0.1",
            created_at=NOW,
            expires_at=NOW + dt.timedelta(minutes=15),
        )
    )
    assert url is not None
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["vnp_Amount"] == "2100000"
    assert params["vnp_CreateDate"] == "20261202090000"
    assert canonical(params).startswith("vnp_Amount=2100000&vnp_Command=pay&vnp_CreateDate=")
    assert "vnp_OrderInfo=Thanh+toan+le+phi" in canonical(params)
    assert len(params["vnp_SecureHash"]) == 128  # SHA-512, hex
    gateway.verify(params)
    with pytest.raises(InvalidCallback):
        gateway.verify({**params, "vnp_Amount": "2100001"})
    with pytest.raises(InvalidCallback, match="not whole dong"):
        gateway.parse_callback(_signed(gateway, vnp_Amount="2100050", vnp_TxnRef="MC1"))


def test_the_counter_records_cash_with_who_and_when(line) -> None:
    officer = RoleAssignmentFactory(unit=line.collecting_unit, role=Role.OFFICER).user
    stranger = RoleAssignmentFactory(unit=UnitFactory(), role=Role.OFFICER).user
    with pytest.raises(PermissionDenied):
        payment_counter_record(
            lines=[line], method="cash", officer=stranger, slip_number="PT-1", now=NOW
        )
    payment = payment_counter_record(
        lines=[line], method="cash", officer=officer, slip_number="PT-1", now=NOW
    )
    assert (payment.actor, payment.at, payment.reference) == (officer, NOW, "00070:PT-1")
    assert payment.paid_at == NOW  # at the counter the money moved when the officer says
    again = payment_counter_record(
        lines=[line], method="cash", officer=officer, slip_number="PT-1", now=NOW
    )
    assert again == payment
    other = fee_line_add(
        dossier_code="H-2",
        collecting_unit=line.collecting_unit,
        name="Phí",
        kind="fee",
        timing="before",
        unit_amount_vnd=1_000,
        now=NOW,
    )
    with pytest.raises(Conflict) as reused:
        payment_counter_record(
            lines=[other], method="cash", officer=officer, slip_number="PT-1", now=NOW
        )
    assert reused.value.code == "payment_reference_used"


def test_the_gateways_labels_are_translated() -> None:
    from django.utils.translation import override

    from motcua.payments.gateways.registry import gateway_label

    with override("vi"):
        assert [gateway_label(n) for n in ("sandbox", "vnpay", "counter")] == [
            "Cổng thanh toán thử nghiệm",
            "VNPAY",
            "Nộp tại quầy",
        ]
    with override("en"):
        assert [gateway_label(n) for n in ("sandbox", "vnpay", "counter")] == [
            "Test payment gateway",
            "VNPAY",
            "Paid at the counter",
        ]
    assert gateway_label("retired") == "retired"  # an old row of a gateway since removed
