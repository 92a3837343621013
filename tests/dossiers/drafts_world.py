"""The world of the apply-online tests (services and pages): a verified citizen, a version
with a typed e-form and three components, an identity card in the data store and a
population record."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from motcua.documents.models import NationalDemoRecord
from motcua.documents.services import datastore_item_add, file_store
from tests.documents.samples import pdf_bytes

from .factories import ComponentFactory
from .helpers import MON, World

LATER = MON + dt.timedelta(minutes=10)
EFORM = {
    "fields": [
        {
            "name": "full_name",
            "label": "Họ và tên",
            "type": "text",
            "required": True,
            "prefill": "profile.full_name",
        },
        {
            "name": "personal_id",
            "label": "Số định danh cá nhân",
            "type": "personal_id",
            "required": True,
            "prefill": "profile.personal_id",
        },
        {
            "name": "phone",
            "label": "Số điện thoại",
            "type": "phone",
            "required": False,
            "prefill": "profile.phone",
        },
        {"name": "request", "label": "Nội dung yêu cầu", "type": "textarea", "required": True},
        {
            "name": "spouse_id",
            "label": "Số định danh của vợ/chồng",
            "type": "personal_id",
            "required": False,
        },
    ]
}


@pytest.fixture
def apply_world(world: World, settings: Any) -> World:
    """The citizen's identity is verified; TP1 (identity card, national data allowed), TP2
    (a PDF, required), TP3 optional; the citizen has an identity card in the data store and
    a population record."""
    w = world
    w.citizen.identity_verified_at = MON - dt.timedelta(days=30)
    w.citizen.address = "12 Hàng Bạc, Hà Nội"
    w.citizen.save()
    w.version.eform = EFORM
    w.version.save()
    w.version.components.all().delete()
    ComponentFactory(
        version=w.version,
        order=1,
        code="TP1",
        name="Thẻ căn cước",
        accepted_forms=["national_data", "original_to_compare"],
        national_database="population",
        document_kind="identity_card",
    )
    ComponentFactory(
        version=w.version,
        order=2,
        code="TP2",
        name="Giấy chứng sinh",
        allowed_types=["application/pdf"],
    )
    ComponentFactory(version=w.version, order=3, code="TP3", name="Giấy khác", required=False)
    stored = file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="cccd.pdf", now=MON)
    datastore_item_add(
        owner_key=w.citizen.personal_id,
        kind="identity_card",
        title="Thẻ căn cước",
        issuer="Cục Cảnh sát QLHC về TTXH",
        valid_until=dt.date(2030, 1, 1),
        file=stored,
        now=MON,
    )
    NationalDemoRecord.objects.create(
        database="population",
        subject_key=w.citizen.personal_id,
        reference="DC-42",
        fields={"full_name": w.citizen.full_name},
    )
    settings.MOTCUA_NATIONAL_DATA = {"*": {"connector": "demo"}}
    return w
