"""/workspace/dossiers/<code>/fees/: the dossier's fees; the collecting unit's officer
receives them at the counter (figures and words shown), which issues the signed receipt;
an officer of another unit does not see the dossier."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core.errors import PermissionDenied
from motcua.dossiers.services.receipts import dossier_receipt_cancel
from motcua.payments.models import FeeLine, Receipt
from motcua.payments.services import fee_line_add
from tests.dossiers.helpers import MON, hk_receipt_series, received

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owing(world):
    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(world)
    fee_line_add(
        dossier_code=dossier.code, collecting_unit=world.ward, name="Lệ phí chứng thực",
        kind="charge", timing="before", unit_amount_vnd=1_250_000, now=MON,
    )  # fmt: skip
    return dossier


def test_the_officer_receives_the_fee_at_the_counter_and_the_receipt_is_issued(
    world, owing
) -> None:
    address = f"/workspace/dossiers/{owing.code}/fees/"
    client = _client(world.officer)
    page = client.get(address).content.decode()
    assert "Lệ phí chứng thực" in page
    assert '<p class="amount-due__figures">1.250.000\u00a0đ</p>' in page
    assert "Một triệu hai trăm năm mươi nghìn đồng" in page

    refused = client.post(address, {"method": "cash"})
    assert refused.status_code == 400
    assert "Ghi số phiếu thu hoặc số giao dịch." in refused.content.decode()
    assert FeeLine.objects.get(dossier_code=owing.code).state == "unpaid"

    done = client.post(address, {"method": "cash", "slip_number": "PT-12"})
    assert done.status_code == 302
    assert FeeLine.objects.get(dossier_code=owing.code).state == "paid"
    [receipt] = Receipt.objects.filter(dossier_code=owing.code)
    assert (receipt.amount_vnd, receipt.method) == (1_250_000, "cash")
    assert receipt.verify_code
    after = client.get(address).content.decode()
    assert "Xác nhận đã thu" not in after
    assert "HK26-0000001" in after
    assert "Nộp tại quầy (Tiền mặt)" in after  # the counter's label, translated
    english = _client(world.officer)
    english.cookies["django_language"] = "en"
    assert "Paid at the counter (Cash)" in english.get(address).content.decode()


def test_another_units_officer_does_not_see_the_dossier(world, owing) -> None:
    response = _client(world.other_officer).get(f"/workspace/dossiers/{owing.code}/fees/")
    assert response.status_code == 404


def test_the_dossier_page_links_the_fees_page_only_when_there_are_fee_lines(world) -> None:
    without = received(world)
    page = _client(world.officer).get(f"/workspace/dossiers/{without.code}/").content.decode()
    assert f"/workspace/dossiers/{without.code}/fees/" not in page


def test_the_dossier_page_says_what_is_left_and_who_collects(world, owing) -> None:
    address = f"/workspace/dossiers/{owing.code}/"
    page = _client(world.officer).get(address).content.decode()
    assert "Phí, lệ phí và thu tại quầy</a> — còn phải nộp 1.250.000\u00a0đ" in page
    # the ward's leader reads it too; the specialist is no collector
    other = _client(world.specialist).get(address).content.decode()
    assert f'/workspace/dossiers/{owing.code}/fees/">Phí, lệ phí</a>' in other


def _paid(world, owing) -> Receipt:  # type: ignore[no-untyped-def]
    client = _client(world.officer)
    done = client.post(
        f"/workspace/dossiers/{owing.code}/fees/", {"method": "cash", "slip_number": "PT-1"}
    )
    assert done.status_code == 302
    return Receipt.objects.get(dossier_code=owing.code)


def test_the_officer_cancels_a_wrong_receipt_and_a_replacement_is_signed(world, owing) -> None:
    """There was no page for it: a wrong receipt could only be cancelled from the shell."""
    old = _paid(world, owing)
    client = _client(world.officer)
    address = f"/workspace/dossiers/{owing.code}/fees/"
    page = client.get(address).content.decode()
    assert "Hủy biên lai HK26-0000001 và lập biên lai thay thế" in page
    cancel = f"{address}receipts/{old.pk}/cancel/"
    assert f'action="{cancel}"' in page

    refused = client.post(cancel, {f"r{old.pk}-reason": " "})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "error-summary" in html
    assert "Ghi lý do hủy biên lai." in html
    old.refresh_from_db()
    assert old.status == "issued"

    done = client.post(
        cancel, {f"r{old.pk}-reason": "Ghi sai tên người nộp", f"r{old.pk}-payer_name": "Vũ Văn B"}
    )
    assert done.status_code == 302
    old.refresh_from_db()
    assert old.status == "cancelled"
    assert old.cancel_reason == "Ghi sai tên người nộp"
    new = Receipt.objects.get(replaces=old)
    assert (new.number, new.payer_name, new.amount_vnd) == (2, "Vũ Văn B", 1_250_000)
    assert new.verify_code
    after = client.get(address).content.decode()
    assert "Đã hủy biên lai HK26-0000001 và lập biên lai thay thế HK26-0000002." in after
    # the cancelled one is not offered again; its replacement is
    assert f"receipts/{old.pk}/cancel/" not in after
    assert f"receipts/{new.pk}/cancel/" in after
    english = _client(world.officer)
    english.cookies["django_language"] = "en"
    assert "Cancel receipt HK26-0000002 and issue a replacement" in (
        english.get(address).content.decode()
    )
    again = client.post(cancel, {f"r{old.pk}-reason": "Lần nữa"})
    assert again.status_code == 400
    assert Receipt.objects.filter(dossier_code=owing.code).count() == 2


def test_only_a_collector_of_the_unit_cancels(world, owing) -> None:
    old = _paid(world, owing)
    specialist = _client(world.specialist)
    address = f"/workspace/dossiers/{owing.code}/fees/"
    assert "/cancel/" not in specialist.get(address).content.decode()
    response = specialist.post(f"{address}receipts/{old.pk}/cancel/", {f"r{old.pk}-reason": "X"})
    assert response.status_code == 403
    other = _client(world.other_officer).post(
        f"{address}receipts/{old.pk}/cancel/", {f"r{old.pk}-reason": "X"}
    )
    assert other.status_code == 404
    old.refresh_from_db()
    assert old.status == "issued"
    with pytest.raises(PermissionDenied):
        dossier_receipt_cancel(receipt=old, reason="X", actor=world.specialist, now=MON)
