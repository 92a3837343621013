"""The accountant's reconciliation pages (/workspace/payments/reconciliation/): the runs,
uploading a day's statement (a clean file, a file with differences, a bad file with every
row named), a run's differences by kind with links to dossiers, the CSV download, and who
may see them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from freezegun import freeze_time

from motcua.organisation.models import Role
from motcua.paygate_demo.services import bank_statement_write
from motcua.payments.models import DifferenceKind, ReconciliationRun
from motcua.payments.reconcile import payments_reconcile
from tests.factories import RoleAssignmentFactory, StaffFactory, UnitFactory
from tests.payments.test_reconcile import DAY, HEADER, RUN_AT, _pay, _statement

pytestmark = pytest.mark.django_db

URL = "/workspace/payments/reconciliation/"


@pytest.fixture
def unit():
    return UnitFactory(code="00070")


@pytest.fixture
def accountant(unit):
    user = StaffFactory(username="ketoan", full_name="Trần Thị Kế Toán")
    RoleAssignmentFactory(user=user, unit=unit, role=Role.ACCOUNTANT)
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _file(text: str, name: str = "saoke.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _bank_file() -> str:
    out = io.StringIO()
    bank_statement_write(day=DAY, out=out)
    return out.getvalue()


def _runs(html: str) -> str:
    """The runs table and what follows it (the pagination)."""
    return html[html.index('id="reconciliation-runs"') :]


def _upload(client: Client, text: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"gateway": "sandbox", "day": "01/12/2026", "file": _file(text), **fields}
    return client.post(URL, data)


def test_the_page_lists_the_runs_newest_day_first_with_totals_and_who_ran_them(
    unit, accountant
) -> None:
    _pay(unit, "H-1", 105_000)
    clean = payments_reconcile(
        gateway="sandbox", day=DAY, lines=_statement(), actor=accountant, now=RUN_AT
    ).run
    older = payments_reconcile(
        gateway="sandbox",
        day=DAY.replace(day=1, month=11),
        lines=_statement(),  # the 1 December line: on 1 November, motcua has no payment
        actor=None,
        now=RUN_AT,
    ).run

    response = _client(accountant).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('id="reconciliation-runs"') :]
    assert table.index(f"#{clean.pk}") < table.index(f"#{older.pk}")
    assert "01/12/2026" in table
    assert "01/11/2026" in table
    assert "105.000" in table  # totals with the vnd filter
    assert "Khớp hết" in table
    assert "Có chênh lệch" in table
    assert "Trần Thị Kế Toán" in table
    assert "Cổng thanh toán thử nghiệm" in table
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'href="/workspace/payments/reconciliation/"' in html  # the nav entry


def test_the_runs_are_paginated(accountant) -> None:
    for day in range(1, 28):
        payments_reconcile(
            gateway="sandbox", day=DAY.replace(day=day), lines=[], actor=None, now=RUN_AT
        )
    client = _client(accountant)
    first = _runs(client.get(URL).content.decode())
    second = _runs(client.get(URL, {"page": 2}).content.decode())
    assert "Trang 1 / 2" in first
    assert "27/12/2026" in first
    assert "01/12/2026" not in first
    assert "02/12/2026" in second
    assert "01/12/2026" in second
    assert "27/12/2026" not in second


def test_uploading_the_banks_file_reconciles_the_day_and_shows_the_run(unit, accountant) -> None:
    _pay(unit, "H-1", 105_000)
    client = _client(accountant)

    response = _upload(client, _bank_file())

    run = ReconciliationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{run.pk}/"
    assert (run.gateway, run.day, run.matched_count, run.created_by) == (
        "sandbox",
        DAY,
        1,
        accountant,
    )
    page = client.get(response["Location"]).content.decode()
    assert "không có chênh lệch" in page
    assert "105.000" in page
    assert f"Lần đối soát #{run.pk} ngày 01/12/2026" in page
    # the same file again: the run on record, nothing new
    again = _upload(client, _bank_file())
    assert again["Location"] == f"{URL}{run.pk}/"
    assert ReconciliationRun.objects.count() == 1
    assert "kết quả như lần" in client.get(again["Location"]).content.decode()


def test_a_run_shows_its_differences_by_kind_with_links_to_the_dossiers(unit, accountant) -> None:
    _pay(unit, "H-LOST", 105_000, deliver=False)
    dropped, _ = _pay(unit, "H-DROP", 50_000)
    text = "".join(
        line + "\n" for line in _bank_file().splitlines() if dropped.order_ref not in line
    )
    text += "M,NOT-OURS,999,01,100000,VND,NCB,20261201090000,00,x\n".replace("M,", "DEMO,", 1)
    client = _client(accountant)

    response = _upload(client, text)

    run = ReconciliationRun.objects.get()
    assert run.differences_count == 3
    page = client.get(response["Location"]).content.decode()
    for kind in (
        DifferenceKind.MISSING_IN_MOTCUA,
        DifferenceKind.MISSING_IN_STATEMENT,
        DifferenceKind.UNKNOWN_ORDER,
    ):
        assert f'id="kind-{kind.value}"' in page
        assert str(kind.label) in page
    assert page.index("kind-missing_in_motcua") < page.index("kind-unknown_order")
    assert '<a href="/workspace/dossiers/H-LOST/">' in page
    assert '<a href="/workspace/dossiers/H-DROP/">' in page
    assert "NOT-OURS" in page
    assert "đang chờ thanh toán" in page  # the lost callback's order, in words
    assert f"{URL}{run.pk}/differences.csv" in page
    with translation.override("vi"):  # the request switches the thread to English
        english = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not in this system" in english  # the unknown order's note, in the reader's words
    assert "Không có giao dịch này trong hệ thống" not in english


def test_the_differences_download_as_csv(unit, accountant) -> None:
    lost, _ = _pay(unit, "H-LOST", 105_000, deliver=False)
    run = payments_reconcile(
        gateway="sandbox", day=DAY, lines=_statement(), actor=accountant, now=RUN_AT
    ).run

    response = _client(accountant).get(f"{URL}{run.pk}/differences.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="doi-soat-sandbox-20261201-{run.pk}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "missing_in_motcua"
    assert row["kind_label"] == "Ngân hàng đã thu, hệ thống chưa ghi nhận"
    assert (row["reference"], row["dossier"]) == (lost.order_ref, "H-LOST")
    assert (row["statement_amount_vnd"], row["motcua_amount_vnd"]) == ("105000", "")
    assert (row["statement_status"], row["motcua_status"], row["row"]) == ("paid", "pending", "2")
    assert (row["note_code"], row["note"]) == (
        "order_status",
        "Giao dịch đang ở trạng thái Đang chờ thanh toán",
    )


def test_a_bad_file_shows_every_bad_row_in_the_error_summary_and_keeps_the_form(
    accountant,
) -> None:
    text = (
        HEADER + "M,MC1,1,01,10500000,VND,NCB,20261201090000,00,ok\n"
        "M,MC2,2,01,10500050,VND,NCB,20261201090000,00,odd dong\n"
        "M,,4,01,100,VND,NCB,20261201090000,00,no reference\n"
        "M,MC5,5,01,100,VND\n"
    )

    response = _upload(_client(accountant), text)

    assert response.status_code == 400
    html = response.content.decode()
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert summary.index("Tệp sao kê có 3 lỗi") < summary.index("Dòng 3:")
    assert summary.index("Dòng 4:") < summary.index("Dòng 5:")
    assert 'href="#id_file">Sửa các dòng có lỗi trong tệp rồi chọn lại tệp.' in summary
    assert re.search(
        r"Dòng 3: Cột vnp_Amount: &#x27;10500050&#x27; không phải số đồng chẵn nhân 100.", summary
    )
    assert "Dòng 4: Cột vnp_TxnRef để trống." in summary
    assert "Dòng 5: Dòng có 6 trường, dòng tiêu đề có 10." in summary
    assert 'value="01/12/2026"' in html  # the day stays filled in
    assert '<option value="sandbox" selected>' in html
    assert ReconciliationRun.objects.count() == 0


def test_the_bad_rows_are_told_in_english_to_an_english_reader(accountant) -> None:
    text = HEADER + "M,,4,01,100,VND,NCB,20261201090000,00,no reference\n"
    data = {"gateway": "sandbox", "day": "01/12/2026", "file": _file(text)}

    response = _client(accountant).post(URL, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Row 2: vnp_TxnRef is empty." in response.content.decode()


def test_the_form_asks_for_what_is_missing(accountant) -> None:
    response = _client(accountant).post(URL, {"gateway": "counter", "day": "31/02/2026"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chọn cổng thanh toán trong danh sách." in html
    assert "Nhập ngày theo dạng ngày/tháng/năm" in html
    assert "Chọn tệp sao kê." in html
    assert ReconciliationRun.objects.count() == 0


def test_staff_without_the_accountant_role_are_refused(unit) -> None:
    run = payments_reconcile(gateway="sandbox", day=DAY, lines=[], actor=None, now=RUN_AT).run
    officer = StaffFactory(username="motcua")
    RoleAssignmentFactory(user=officer, unit=unit, role=Role.LEADER)
    client = _client(officer)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{run.pk}/").status_code == 403
    assert client.get(f"{URL}{run.pk}/differences.csv").status_code == 403
    assert _upload(client, _bank_file()).status_code == 403
    assert ReconciliationRun.objects.count() == 1
    assert (
        'href="/workspace/payments/reconciliation/"'
        not in client.get("/workspace/").content.decode()
    )


def test_a_run_that_does_not_exist_is_404(accountant) -> None:
    assert _client(accountant).get(f"{URL}999/").status_code == 404


def test_signed_out_people_go_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_upload_form_speaks_to_an_accountant_not_a_developer(accountant) -> None:
    """The file's hint named a developer's document ("docs/payments.md")."""
    html = _client(accountant).get(URL).content.decode()
    assert "docs/" not in html
    assert "tải về từ trang quản trị của cổng thanh toán" in html
    english = _client(accountant)
    english.cookies["django_language"] = "en"
    assert "downloaded from the payment gateway" in english.get(URL).content.decode()


# --- the demo bank's statement, downloaded from the page ----------------------------------


STATEMENT = "/demo-bank/statement/"


def test_in_the_demo_the_accountant_downloads_the_banks_statement_and_reconciles_it(
    unit, accountant
) -> None:
    # given two payments the demo bank took on 1 December
    _pay(unit, "H-1", 105_000)
    _pay(unit, "H-2", 50_000)
    with freeze_time(RUN_AT):  # the page's default day, and the staff session's clock
        client = _client(accountant)
        # the page offers the demo bank's statement of a day (today by default, dd/mm/yyyy)
        page = client.get(URL).content.decode()
        form = page[page.index('id="demo-bank"') :]
        assert f'action="{STATEMENT}"' in form
        assert 'method="get"' in form
        assert 'name="day" value="02/12/2026"' in form
        # its own field id beside the upload form's: no id used twice
        assert 'id="statement-day"' in form
        assert 'id="id_day"' in page
        # when the accountant asks for 1 December's
        answer = client.get(STATEMENT, {"day": "01/12/2026"})
        # then the bank's book of that day comes as the CSV reconciliation reads
        assert answer.status_code == 200
        assert answer["Content-Type"] == "text/csv; charset=utf-8"
        assert answer["Content-Disposition"] == 'attachment; filename="sao-ke-2026-12-01.csv"'
        text = answer.content.decode()
        assert text == _bank_file()
        assert len(list(csv.DictReader(io.StringIO(text)))) == 2
        # and, uploaded back, it reconciles with no difference
        done = _upload(client, text)
        assert done.status_code == 302
        run = ReconciliationRun.objects.get()
        assert (run.matched_count, run.matched_vnd, run.differences_count) == (2, 155_000, 0)


def test_the_demo_banks_statement_is_only_for_accountants(unit, accountant) -> None:
    _pay(unit, "H-1", 105_000)
    # a visitor is asked to sign in first
    anonymous = Client().get(STATEMENT, {"day": "01/12/2026"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/demo-bank/statement/")
    # a one-stop officer who does not reconcile is refused, with why
    officer = StaffFactory(username="motcua.hk")
    RoleAssignmentFactory(user=officer, unit=unit, role=Role.OFFICER)
    refused = _client(officer).get(STATEMENT, {"day": "01/12/2026"})
    assert refused.status_code == 403
    assert "Chỉ kế toán" in refused.content.decode()
    assert "vnp_TxnRef" not in refused.content.decode()
    # a day that is not one gets a clear error, not a file
    bad = _client(accountant).get(STATEMENT, {"day": "31/02/2026"})
    assert bad.status_code == 400
    assert "ngày/tháng/năm" in bad.content.decode()
    assert "Content-Disposition" not in bad
    # and an ISO day works too
    assert _client(accountant).get(STATEMENT, {"day": "2026-12-01"}).status_code == 200


def test_without_the_demo_bank_the_page_offers_no_statement(
    unit, accountant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.workspace import reconciliation

    monkeypatch.setattr(reconciliation, "reconciliation_gateways", lambda: [("vnpay", "VNPay")])
    page = _client(accountant).get(URL).content.decode()
    assert 'id="demo-bank"' not in page
    assert STATEMENT not in page
