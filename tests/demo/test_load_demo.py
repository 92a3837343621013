from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.accounts.models import User
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import VN_TZ
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import demo_accounts_load
from motcua.demo.dossiers import demo_citizen_dossiers_load, demo_dossiers_load
from motcua.demo.feedback import demo_feedback_load
from motcua.documents.models import IssuedDocument
from motcua.dossiers.models import Dossier, DossierEvent, DossierStatus
from motcua.idp_demo.models import DemoPerson
from motcua.organisation.models import Unit
from motcua.organisation.services import unit_tree_load
from motcua.paygate_demo.services import bank_statement_write
from motcua.payments.gateways.registry import gateway_get
from motcua.payments.reconcile import payments_reconcile

NOW = dt.datetime(2026, 3, 20, 15, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> None:
    unit_tree_load(province_code="01")
    calendar_seed(years=[2025, 2026], now=NOW)
    catalog_load_demo(now=NOW)
    demo_accounts_load(now=NOW)


@pytest.mark.usefixtures("demo_city")
def test_demo_dossiers_cover_every_status_through_the_real_services() -> None:
    summary = demo_dossiers_load(count=160, seed=2026, now=NOW)
    assert summary.failed == 0
    assert summary.created == 160
    assert set(Dossier.objects.values_list("status", flat=True)) == set(DossierStatus.values)
    # every dossier has its trail, nothing happens after "now"
    assert DossierEvent.objects.values("dossier").distinct().count() == 160
    assert not DossierEvent.objects.filter(at__gt=NOW).exists()
    returned = Dossier.objects.filter(status=DossierStatus.RETURNED).first()
    assert returned is not None
    assert returned.appointment_at is not None
    assert returned.returned_at is not None
    # every dossier with a result has it signed by its own unit, with a verification code
    settled = Dossier.objects.filter(status__in=[DossierStatus.FINISHED, DossierStatus.RETURNED])
    assert settled.exists()
    for dossier in settled:
        issued = IssuedDocument.objects.filter(reference=dossier.code, kind="result")
        assert issued.count() == 1, dossier.code
        assert issued.get().unit_id == dossier.handling_unit_id


@pytest.mark.usefixtures("demo_city")
def test_reloading_keeps_existing_dossiers() -> None:
    demo_dossiers_load(count=5, seed=1, now=NOW)
    again = demo_dossiers_load(count=5, seed=1, now=NOW)
    assert again.skipped_existing
    assert Dossier.objects.count() == 5


@pytest.mark.usefixtures("demo_city")
def test_the_demo_citizen_has_dossiers_to_follow_supplement_and_rate() -> None:
    summary = demo_citizen_dossiers_load(now=NOW)

    assert summary.failed == 0
    mine = Dossier.objects.filter(applicant__username="congdan")
    assert mine.count() == summary.created == 9
    statuses = set(mine.values_list("status", flat=True))
    assert {DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.WITHDRAWN} <= statuses
    assert statuses & {DossierStatus.FINISHED, DossierStatus.RETURNED}
    asked = mine.get(status=DossierStatus.SUPPLEMENT_REQUESTED)
    [item] = asked.suspensions.get(ended_at__isnull=True).items
    assert asked.procedure_version.components.filter(code=item["component"]).exists()
    assert not DossierEvent.objects.filter(dossier__in=mine, at__gt=NOW).exists()
    assert demo_citizen_dossiers_load(now=NOW).skipped_existing
    assert mine.count() == 9


def test_load_demo_command_prints_the_accounts(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo", "--dossiers", "10")
    out = capsys.readouterr().out
    assert "motcua.hoankiem" in out
    assert "motcua-demo-2026" in out
    assert "Khoá API của tichhop.congtinh" in out
    assert Dossier.objects.exclude(applicant__username="congdan").count() == 10
    assert Dossier.objects.filter(applicant__username="congdan").exists()
    # the demo VNeID knows the demo citizen as the accounts do, and two people more
    assert "/accounts/oidc/login/" in out
    an = DemoPerson.objects.get(personal_id="001090012345")
    assert (an.full_name, an.sex, an.date_of_birth) == (
        "Nguyễn Văn An",
        "male",
        dt.date(1990, 5, 12),
    )
    assert DemoPerson.objects.filter(personal_id="001195000777", sex="female").exists()
    assert not User.objects.filter(personal_id="001195000777").exists()
    assert DemoPerson.objects.count() == 1 + 10 + 2
    if IssuedDocument.objects.exists():  # a few demo results, to check without signing in
        assert "/verify/" in out


def test_load_demo_is_refused_without_demo_mode(settings) -> None:
    # given settings without demo mode (production's default)
    settings.MOTCUA_DEMO_MODE = False
    # when the demo is loaded, then it is refused and nothing is written
    with pytest.raises(CommandError, match="MOTCUA_DEMO_MODE"):
        call_command("load_demo", "--dossiers", "1")
    assert (Unit.objects.count(), User.objects.count(), Dossier.objects.count()) == (0, 0, 0)


def test_load_demo_prints_the_url_it_is_given(
    capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    settings.MOTCUA_PUBLIC_URL = "http://127.0.0.1:8000"
    call_command("load_demo", "--dossiers", "3", "--url", "http://0.0.0.0:9000/")
    out = capsys.readouterr().out
    assert "Mở http://0.0.0.0:9000/  ·  Quản trị: http://0.0.0.0:9000/admin/" in out
    # the documents' QR codes point elsewhere: said, with what to set
    assert "MOTCUA_PUBLIC_URL=http://0.0.0.0:9000" in out
    assert "trỏ tới http://127.0.0.1:8000" in out
    # statuses and roles in Vietnamese, not codes
    assert "Cán bộ một cửa" in out
    assert "submit" not in out
    assert "officer" not in out


def test_load_demo_prints_the_public_url_by_default(
    capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    # given the address the demo is served at (what `make run` sets from HOST and PORT)
    settings.MOTCUA_PUBLIC_URL = "http://127.0.0.1:8765"
    call_command("load_demo", "--dossiers", "1")
    out = capsys.readouterr().out
    assert "Mở http://127.0.0.1:8765/  ·  Quản trị: http://127.0.0.1:8765/admin/" in out
    assert "Lưu ý" not in out


def test_the_demo_summary_names_statuses_in_vietnamese() -> None:
    from motcua.demo.dossiers import DemoSummary

    summary = DemoSummary(
        created=3, by_status={DossierStatus.RETURNED: 1, DossierStatus.RECEIVED: 2}
    )
    assert str(summary) == "3 hồ sơ (Đã tiếp nhận: 2, Đã trả kết quả: 1); 0 bỏ qua"


@pytest.mark.usefixtures("demo_city")
def test_demo_certified_copies_once_through_copy_certify() -> None:
    from motcua.demo.certified_copies import demo_certified_copies_load
    from motcua.documents.models import CertificationEntry

    assert demo_certified_copies_load(now=NOW) == 3
    entries = CertificationEntry.objects.filter(unit__code="00070").order_by("number")
    assert [e.book_number for e in entries] == [
        "1/2026/SCT/BS",
        "2/2026/SCT/BS",
        "3/2026/SCT/BS",
    ]
    assert [e.at_home for e in entries] == [False, False, True]
    assert {e.officer.username for e in entries} == {"motcua.hoankiem"}
    assert IssuedDocument.objects.filter(kind="certified_copy").count() == 3
    assert demo_certified_copies_load(now=NOW) == 0  # again: nothing added
    assert entries.count() == 3


@pytest.mark.usefixtures("demo_city")
def test_the_demo_pays_settled_dossiers_online_and_at_the_counter_with_signed_receipts() -> None:
    from motcua.demo.payments import demo_payments_load
    from motcua.payments.models import (
        FeeLine,
        LedgerEntry,
        PaymentCallback,
        Receipt,
        ReceiptStatus,
    )
    from motcua.payments.services import PAYABLE

    demo_dossiers_load(count=80, seed=2026, now=NOW)
    summary = demo_payments_load(now=NOW)

    receipts = Receipt.objects.all()
    assert receipts.count() >= 5, summary
    assert len({r.amount_vnd for r in receipts}) >= 3
    assert {r.method for r in receipts} == {"online", "cash", "transfer"}
    assert all(r.verify_code for r in receipts)
    assert IssuedDocument.objects.filter(kind="receipt").count() == receipts.count()
    # online ones went through a verified callback of the demo bank
    assert PaymentCallback.objects.filter(outcome="confirmed", verified=True).count() == (
        receipts.filter(method="online", replaces__isnull=True).count()
    )
    [cancelled] = receipts.filter(status=ReceiptStatus.CANCELLED)
    assert cancelled.replaced_by.status == ReceiptStatus.ISSUED
    settled = Dossier.objects.filter(
        status__in=[DossierStatus.FINISHED, DossierStatus.RETURNED]
    ).values_list("code", flat=True)
    assert not FeeLine.objects.filter(dossier_code__in=settled, state__in=PAYABLE).exists()
    assert sum(LedgerEntry.objects.values_list("amount_vnd", flat=True)) == 0
    # the demo bank's own statement of the day reconciles with motcua's records
    out = io.StringIO()
    bank_statement_write(day=NOW.date(), out=out)
    out.seek(0)
    lines = gateway_get("sandbox").parse_statement(out)
    report = payments_reconcile(gateway="sandbox", day=NOW.date(), lines=lines, actor=None, now=NOW)
    assert report.is_clean, report.as_dict()["differences"]
    online = PaymentCallback.objects.filter(outcome="confirmed").count()
    assert report.run.matched_count == len(lines) == online > 0

    count = receipts.count()
    demo_payments_load(now=NOW)  # again: nothing paid twice
    assert Receipt.objects.count() == count


@pytest.mark.usefixtures("demo_city")
def test_demo_feedback_once_through_the_services_with_answers_and_late_ones() -> None:
    from motcua.feedback.models import Feedback, FeedbackAttachment, FeedbackStatus
    from motcua.feedback.selectors import feedback_late, feedback_public_answers

    assert demo_feedback_load(now=NOW) == 12
    statuses = sorted(Feedback.objects.values_list("status", flat=True))
    assert statuses.count(FeedbackStatus.PUBLISHED) == 5
    assert FeedbackStatus.ANSWERED in statuses
    assert FeedbackStatus.DUPLICATE in statuses
    assert FeedbackStatus.REJECTED in statuses
    assert feedback_public_answers().count() == 4  # one sender did not agree
    supervisor = User.objects.get(username="giamsat")
    assert feedback_late(actor=supervisor, now=NOW).count() == 2
    assert Feedback.objects.filter(sender__username="congdan").count() == 2
    published = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, unit__code="00070")
    assert {f.answered_by.username for f in published if f.answered_by} == {"motcua.hoankiem"}
    # Real files, made in code, stored as uploads: three senders' and one answer's.
    files = FeedbackAttachment.objects.select_related("file", "feedback").order_by("pk")
    assert sorted((a.part, a.file.name, a.file.content_type) for a in files) == [
        ("answer", "thu-xin-loi.pdf", "application/pdf"),
        ("feedback", "bang-niem-yet.png", "image/png"),
        ("feedback", "giay-hen.pdf", "application/pdf"),
        ("feedback", "xe-tren-via-he.png", "image/png"),
    ]
    answered = files.get(part="answer").feedback
    assert answered.status == FeedbackStatus.PUBLISHED
    assert [a.file.name for a in files.filter(feedback=answered, part="feedback")] == [
        "giay-hen.pdf"
    ]
    assert all(a.file.size > 0 and a.file.sha256 for a in files)
    assert demo_feedback_load(now=NOW) == 0  # again: nothing added


@pytest.mark.usefixtures("demo_city")
def test_the_demo_accountant_opens_the_reconciliation_page() -> None:
    from django.test import Client

    accountant = User.objects.get(username="ketoan")
    client = Client()
    client.force_login(accountant)
    response = client.get("/workspace/payments/reconciliation/")
    assert response.status_code == 200
    assert "Đối soát với cổng thanh toán" in response.content.decode()
    officer = Client()
    officer.force_login(User.objects.get(username="motcua.hoankiem"))
    assert officer.get("/workspace/payments/reconciliation/").status_code == 403
