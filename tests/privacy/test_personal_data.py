"""personal_data_of (every source, only the person's own data) and personal_data_reads (who
read it: never the person's own reads, never someone else's)."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from motcua.accounts.services import consent_give, consent_withdraw
from motcua.core.personal_data import personal_data_sources
from motcua.core.services import data_access_record
from motcua.counter.models import HotlineCall
from motcua.documents.services import datastore_item_add, file_store
from motcua.dossiers.selectors import dossier_get_for_actor
from motcua.dossiers.services.receipts import dossier_receipt_issue
from motcua.payments.services import fee_line_add, fee_lines_pay
from motcua.privacy.export import SCHEMA, personal_data_export
from motcua.privacy.selectors import (
    data_request_countdown,
    personal_data_of,
    personal_data_reads,
    reads_describe,
)
from motcua.privacy.services import data_request_submit
from tests.documents.samples import pdf_bytes
from tests.dossiers.helpers import MON, World, hk_receipt_series, received, submitted, vn

pytestmark = pytest.mark.django_db


def _sections(person, now=MON):  # type: ignore[no-untyped-def]
    return {s.key: s for s in personal_data_of(person=person, now=now).sections}


def test_every_source_is_registered_in_order() -> None:
    assert [s.key for s in personal_data_sources()] == [
        "profile",
        "consents",
        "dossiers",
        "data_store",
        "issued",
        "counter",
        "reports",
        "feedback",
        "requests",
    ]


def test_the_person_sees_their_profile_consents_and_dossiers_only(world: World) -> None:
    mine = submitted(world)
    submitted(world, applicant=world.other_citizen)
    consent_give(person=world.citizen, purpose="account", text_version="v1", now=MON)
    consent_give(person=world.citizen, purpose="data_store", text_version="v1", now=MON)
    consent_withdraw(person=world.citizen, purpose="data_store", now=vn(2026, 3, 3, 9))

    sections = _sections(world.citizen)

    profile = sections["profile"].entries[0]
    assert profile.data["full_name"] == "Nguyễn Văn An"
    assert profile.data["personal_id"] == world.citizen.personal_id
    assert sections["consents"].count == 3
    assert [e.data["decision"] for e in sections["consents"].entries] == [
        "withdrawn",
        "given",
        "given",
    ]
    assert sections["dossiers"].count == 1
    entry = sections["dossiers"].entries[0]
    assert entry.data["code"] == mine.code
    assert entry.data["submitted_at"] == "2026-03-02T09:00:00+07:00"
    assert entry.data["form_data"] == mine.form_data
    # The link is the portal's own dossier page, which opens for its owner.
    assert entry.url == f"/my/{mine.code}/"
    client = Client()
    client.force_login(world.citizen)
    assert client.get(entry.url).status_code == 200


def test_a_counter_dossier_under_a_verified_number_is_the_persons(world: World) -> None:
    citizen = world.citizen
    counter = received(world, applicant=None, applicant_id_number=citizen.personal_id)
    assert _sections(citizen)["dossiers"].count == 0  # not verified: the number proves nothing
    citizen.identity_verified_at = MON
    citizen.save(update_fields=["identity_verified_at"])
    codes = [e.data["code"] for e in _sections(citizen)["dossiers"].entries]
    assert codes == [counter.code]


def test_the_data_store_and_its_reads_need_a_verified_identity(world: World) -> None:
    citizen = world.citizen
    citizen.identity_verified_at = MON
    citizen.save(update_fields=["identity_verified_at"])
    stored = file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="khai-sinh.pdf", now=MON)
    item = datastore_item_add(
        owner_key=citizen.personal_id,
        kind="birth_certificate",
        title="Giấy khai sinh",
        file=stored,
        now=MON,
    )
    other = file_store(actor=None, upload=io.BytesIO(pdf_bytes(2)), name="b.pdf", now=MON)
    datastore_item_add(
        owner_key="001099000001", kind="k", title="Của người khác", file=other, now=MON
    )
    section = _sections(citizen)["data_store"]
    assert section.count == 1
    assert section.entries[0].data["id"] == item.pk
    assert section.entries[0].data["file"]["sha256"] == stored.sha256
    data_access_record(
        actor=world.officer,
        subject_type="datastore_item",
        subject_id=str(item.pk),
        purpose="component_reuse",
        now=MON,
    )
    assert [r.purpose for r in personal_data_reads(person=citizen)] == ["component_reuse"]


def test_reads_are_about_the_person_only_newest_first_never_their_own(world: World) -> None:
    mine = submitted(world)
    theirs = submitted(world, applicant=world.other_citizen)
    dossier_get_for_actor(actor=world.officer, code=mine.code, now=vn(2026, 3, 2, 10))
    dossier_get_for_actor(
        actor=world.supervisor, code=mine.code, now=vn(2026, 3, 3, 10), channel="api"
    )
    dossier_get_for_actor(actor=world.officer, code=theirs.code, now=vn(2026, 3, 2, 11))
    dossier_get_for_actor(actor=world.citizen, code=mine.code, now=vn(2026, 3, 2, 12))

    reads = list(personal_data_reads(person=world.citizen))
    assert [(r.actor_id, r.subject_id) for r in reads] == [
        (world.supervisor.pk, mine.code),
        (world.officer.pk, mine.code),
    ]
    described = reads_describe(reads)
    assert described[0].who == "Giám sát, UBND Thành phố Hà Nội"
    assert described[0].channel == "Hệ thống kết nối (API)"
    assert described[1].who == "Cán bộ một cửa, Phường Hoàn Kiếm"
    assert described[1].purpose == "Mở hồ sơ để xem hoặc xử lý"
    assert described[1].subject == f"Hồ sơ {mine.code}"
    assert "officer" not in described[1].who  # the unit and role, not the officer's account


def test_counter_records_are_linked_by_the_dossier_code(world: World) -> None:
    mine = submitted(world)
    call = HotlineCall.objects.create(
        unit=world.ward,
        at=MON,
        caller_name="Nguyễn Văn An",
        caller_phone="0912345678",
        topic="dossier",
        dossier_code=mine.code,
        summary="Hỏi tiến độ",
        outcome="answered",
    )
    HotlineCall.objects.create(
        unit=world.ward,
        at=MON,
        caller_name="Ai đó",
        caller_phone="0900000000",
        topic="procedure",
        summary="Hỏi thủ tục",
        outcome="answered",
    )
    section = _sections(world.citizen)["counter"]
    assert section.count == 1
    assert section.entries[0].data["id"] == call.pk
    assert "caller_phone" not in section.entries[0].data


def test_the_receipt_of_the_persons_dossier_is_listed_under_its_number_and_dossier(
    world: World,
) -> None:
    mine = received(world)
    hk_receipt_series(unit=world.ward, now=MON)
    line = fee_line_add(
        dossier_code=mine.code,
        collecting_unit=world.ward,
        name="Lệ phí",
        kind="charge",
        timing="before",
        unit_amount_vnd=50_000,
        now=MON,
    )
    payment = fee_lines_pay(lines=[line], method="cash", reference="", now=MON)
    receipt = dossier_receipt_issue(payment=payment, now=MON, actor=world.officer)

    section = _sections(world.citizen)["issued"]

    (entry,) = [e for e in section.entries if e.data["kind"] == "receipt"]
    assert entry.data["verify_code"] == receipt.verify_code
    assert (entry.data["reference"], entry.data["dossier_code"]) == ("HK26-0000001", mine.code)


def test_the_export_has_every_section_and_the_reads_in_iso_8601(world: World) -> None:
    mine = submitted(world)
    dossier_get_for_actor(actor=world.officer, code=mine.code, now=vn(2026, 3, 2, 10))
    data_request_submit(
        person=world.citizen, kind="correct", scope="profile", reason="Sai địa chỉ", now=MON
    )
    data = personal_data_export(person=world.citizen, now=vn(2026, 3, 4, 8, 30))
    assert data["schema"] == SCHEMA
    assert data["generated_at"] == "2026-03-04T08:30:00+07:00"
    assert data["person"] == {"id": world.citizen.pk, "username": "citizen"}
    assert list(data["sections"]) == [s.key for s in personal_data_sources()]
    assert data["sections"]["dossiers"]["count"] == 1
    assert data["sections"]["requests"]["entries"][0]["due_at"] == "2026-03-17T17:00:00+07:00"
    assert data["reads"] == [
        {
            "at": "2026-03-02T10:00:00+07:00",
            "reader": "Cán bộ một cửa, Phường Hoàn Kiếm",
            "subject": f"Hồ sơ {mine.code}",
            "purpose": "dossier_view",
            "purpose_text": "Mở hồ sơ để xem hoặc xử lý",
            "channel": "web",
            "channel_text": "Trang làm việc của cán bộ",
        }
    ]


@pytest.mark.parametrize(
    ("now", "state", "days"),
    [
        (vn(2026, 3, 2, 9), "ok", 15),
        (vn(2026, 3, 13, 9), "ok", 4),
        (vn(2026, 3, 14, 9), "soon", 3),
        (vn(2026, 3, 17, 16, 59), "soon", 0),
        (vn(2026, 3, 17, 17, 1), "late", 0),
        (vn(2026, 3, 19, 9), "late", -2),
    ],
)
def test_countdown_is_amber_at_3_days_and_red_when_late(world: World, now, state, days) -> None:  # type: ignore[no-untyped-def]
    request = data_request_submit(
        person=world.citizen, kind="delete", scope="data_store", reason="Xoá giúp tôi", now=MON
    )
    countdown = data_request_countdown(request=request, now=now)
    assert (countdown.state, countdown.days) == (state, days)
