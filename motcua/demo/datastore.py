"""Demo data stores and national records: the demo citizen `congdan`, the first demo
citizens and the demo company get papers in their data store (small generated PDFs), and the
demo national-data connector gets records for them (identity and residence, civil status,
land, driving licence, business registration). Idempotent: an item already there (same
owner, kind and title) is not stored again; records are updated in place."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.documents.kinds import DocumentKind
from motcua.documents.models import DataStoreItem, DataStoreOrigin, NationalDemoRecord
from motcua.documents.services import datastore_item_add, file_store
from motcua.documents.signing.samples import sample_pdf

from .accounts import demo_citizens

#: Demo citizens (congdan.001...) who get a data store and national records.
CITIZENS_WITH_STORE = 20
IDENTITY_ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"


@dataclass
class DatastoreSummary:
    items: int = 0
    records: int = 0

    def __str__(self) -> str:
        return (
            f"{self.items} giấy tờ mới trong kho dữ liệu, {self.records} bản ghi dữ liệu quốc gia"
        )


def _paper(
    *,
    owner: str,
    kind: str,
    title: str,
    issuer: str,
    now: dt.datetime,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    label: str,
) -> bool:
    if DataStoreItem.objects.filter(owner_key=owner, kind=kind, title=title).exists():
        return False
    stored = file_store(
        actor=None, upload=io.BytesIO(sample_pdf(label)), name=f"{kind}.pdf", now=now
    )
    datastore_item_add(
        owner_key=owner,
        kind=kind,
        title=title,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        file=stored,
        now=now,
        origin=DataStoreOrigin.IMPORTED,
    )
    return True


def _record(database: str, subject: str, reference: str, fields: dict[str, Any]) -> None:
    NationalDemoRecord.objects.update_or_create(
        database=database,
        subject_key=subject,
        defaults={"reference": reference, "fields": fields},
    )


def _person_records(user: User, *, today: dt.date) -> int:
    assert user.date_of_birth is not None
    number = user.personal_id
    birth = user.date_of_birth.isoformat()
    _record(
        "population",
        number,
        f"DC-{number}",
        {
            "full_name": user.full_name,
            "personal_id": number,
            "date_of_birth": birth,
            "sex": "female" if int(number[3]) % 2 else "male",
            "permanent_residence": user.address or "Hà Nội",
            "id_card_issued_on": dt.date(today.year - 3, 3, 1).isoformat(),
            "id_card_expires_on": dt.date(today.year + 12, 3, 1).isoformat(),
        },
    )
    _record(
        "civil_status",
        number,
        f"KS-{number}",
        {
            "event": "birth",
            "full_name": user.full_name,
            "date_of_birth": birth,
            "place_of_registration": "UBND Phường Hoàn Kiếm, Hà Nội",
        },
    )
    return 2


@transaction.atomic
def demo_datastore_load(*, now: dt.datetime) -> DatastoreSummary:
    summary = DatastoreSummary()
    today = local(now).date()
    citizen = User.objects.filter(username="congdan").first()
    business = User.objects.filter(username="doanhnghiep").first()
    people = [citizen] if citizen is not None else []
    people += demo_citizens(CITIZENS_WITH_STORE, now=now)
    identity_until = dt.date(today.year + 12, 3, 1)
    for person in people:
        owner = person.personal_id
        summary.items += _paper(
            owner=owner,
            kind=DocumentKind.IDENTITY_CARD,
            title="Thẻ căn cước",
            issuer=IDENTITY_ISSUER,
            valid_from=dt.date(today.year - 3, 3, 1),
            valid_until=identity_until,
            now=now,
            label=f"The can cuoc {owner}",
        )
        summary.items += _paper(
            owner=owner,
            kind=DocumentKind.BIRTH_CERTIFICATE,
            title="Giấy khai sinh",
            issuer="UBND Phường Hoàn Kiếm",
            now=now,
            label=f"Giay khai sinh {owner}",
        )
        summary.records += _person_records(person, today=today)
    if citizen is not None:
        owner = citizen.personal_id
        for kind, title, issuer, until in (
            (
                DocumentKind.IDENTITY_CARD,
                "Chứng minh nhân dân (cũ)",
                "Công an Thành phố Hà Nội",
                dt.date(2021, 6, 30),
            ),
            (
                DocumentKind.MARRIAGE_CERTIFICATE,
                "Giấy chứng nhận kết hôn",
                "UBND Phường Hoàn Kiếm",
                None,
            ),
            (
                DocumentKind.LAND_USE_CERTIFICATE,
                "Giấy chứng nhận quyền sử dụng đất, số 12 Hàng Bạc",
                "Sở Tài nguyên và Môi trường Hà Nội",
                None,
            ),
            (
                DocumentKind.DRIVING_LICENCE,
                "Giấy phép lái xe hạng B",
                "Sở Xây dựng Hà Nội",
                dt.date(today.year + 5, 5, 12),
            ),
        ):
            summary.items += _paper(
                owner=owner,
                kind=kind,
                title=title,
                issuer=issuer,
                valid_until=until,
                now=now,
                label=f"{kind} {owner}",
            )
        _record(
            "land",
            owner,
            "GCN-HN-0012345",
            {"parcel": "Thửa 45, tờ bản đồ 12", "address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội"},
        )
        _record(
            "driving_licence",
            owner,
            "GPLX-010123456789",
            {"class": "B", "expires_on": dt.date(today.year + 5, 5, 12).isoformat()},
        )
        summary.records += 2
    if business is not None and business.organisation_id_number:
        tax = business.organisation_id_number
        summary.items += _paper(
            owner=tax,
            kind=DocumentKind.BUSINESS_REGISTRATION,
            title="Giấy chứng nhận đăng ký doanh nghiệp",
            issuer="Sở Tài chính Hà Nội",
            now=now,
            label=f"Dang ky doanh nghiep {tax}",
        )
        _record(
            "business_registration",
            tax,
            f"DKDN-{tax}",
            {
                "name": business.full_name,
                "tax_code": tax,
                "address": business.address,
                "legal_form": "Công ty TNHH hai thành viên trở lên",
                "registered_on": "2019-04-15",
            },
        )
        summary.records += 1
    return summary
