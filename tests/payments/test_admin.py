"""Money in the admin: read-only ledger, lines and receipts; the receipt series is set through
its service (checked and audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.core.clock import VN_TZ
from motcua.core.models import AuditEvent
from motcua.payments.models import ReceiptSeries
from motcua.payments.receipts import receipt_issue
from motcua.payments.services import fee_line_add, fee_lines_pay
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(kind="staff", is_staff=True, is_superuser=True))
    return client


def _series(client: Client, unit_id: int, tax_code: str) -> object:
    return client.post(
        "/admin/payments/receiptseries/add/",
        {
            "unit": unit_id,
            "year": 2026,
            "form_symbol": "01blp",
            "letters": "hk",
            "collector_name": "UBND Phường Hoàn Kiếm",
            "collector_tax_code": tax_code,
        },
    )


def test_a_series_added_in_the_admin_goes_through_the_service(admin_client: Client) -> None:
    unit = UnitFactory()
    refused = _series(admin_client, unit.pk, "123")
    assert refused.status_code == 200
    assert "không hợp lệ" in refused.content.decode()
    assert ReceiptSeries.objects.count() == 0
    added = _series(admin_client, unit.pk, "0101234567")
    assert added.status_code == 302
    series = ReceiptSeries.objects.get()
    assert (series.form_symbol, series.letters, series.series) == ("01BLP", "HK", "HK26")
    assert AuditEvent.objects.filter(action="receipt_series.configure").exists()


def test_the_ledger_and_receipts_are_read_only(admin_client: Client) -> None:
    unit = UnitFactory()
    _series(admin_client, unit.pk, "0101234567")
    now = dt.datetime(2026, 12, 2, 9, 0, tzinfo=VN_TZ)
    line = fee_line_add(
        dossier_code="H-1",
        collecting_unit=unit,
        name="Lệ phí",
        kind="charge",
        timing="before",
        unit_amount_vnd=21_000,
        now=now,
    )
    receipt = receipt_issue(
        payment=fee_lines_pay(lines=[line], method="cash", now=now), payer_name="A", now=now
    )
    for url in (
        "/admin/payments/feeline/",
        "/admin/payments/ledgertransaction/",
        "/admin/payments/receipt/",
        f"/admin/payments/receipt/{receipt.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/admin/payments/receipt/{receipt.pk}/change/").content.decode()
    assert "Hai mươi mốt nghìn đồng" in page
    assert 'name="_save"' not in page  # nothing to save: read-only
    assert admin_client.get("/admin/payments/receipt/add/").status_code == 403
