"""The certified-copy guard: nobody asks for a certified copy of a component whose procedure
does not require one (supplement requests, counter guidance); the catalog says where it may."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Component
from motcua.catalog.text import asks_certified_copy
from motcua.core.errors import ValidationError
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.dossiers.services import dossier_guide_at_counter, dossier_request_supplement

from .helpers import FORM, MON, received, state, vn


@pytest.fixture
def allowing(world):
    """TP2 of the world's version may be asked as a certified copy (its legal text says so)."""
    Component.objects.filter(version=world.version, code="TP2").update(
        accepted_forms=["certified_copy", "electronic_copy", "copy", "original_to_compare"]
    )
    return world


@pytest.mark.parametrize(
    "item",
    [
        {"component": "TP1", "reason": "Thiếu", "form": "certified_copy"},
        {"component": "TP1", "reason": "Cần nộp bản sao có chứng thực"},
        {"component": "TP1", "reason": "Nộp bản photo công chứng"},
        {"component": "TP1", "reason": "Cần bản SAO Y bản chính"},
        # free text names no component of the catalog: nothing allows a certified copy
        {"component": "Sổ hộ khẩu", "reason": "Thiếu", "form": "certified_copy"},
    ],
)
def test_asking_for_a_certified_copy_where_not_required_is_refused(allowing, item):
    dossier = received(allowing)
    before = state(dossier)

    with pytest.raises(ValidationError) as refused:
        dossier_request_supplement(
            dossier=dossier, actor=allowing.officer, items=[item], now=vn(2026, 3, 3, 10)
        )

    assert refused.value.code == "certified_copy_not_required"
    [error] = refused.value.errors
    assert error["code"] == "certified_copy_not_required"
    assert error["field"] == ("items[0].form" if "form" in item else "items[0].reason")
    assert state(dossier) == before


def test_asking_for_one_where_the_catalog_allows_it_is_accepted(allowing):
    dossier = received(allowing)
    items = [{"component": "TP2", "reason": "Cần bản sao chứng thực", "form": "certified_copy"}]

    dossier = dossier_request_supplement(
        dossier=dossier, actor=allowing.officer, items=items, now=vn(2026, 3, 3, 10)
    )

    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert dossier.suspensions.get().items == [{**items[0], "name": "Giấy tờ chứng minh"}]


def test_other_forms_and_ordinary_reasons_pass(world):
    dossier = received(world)
    items = [
        {"component": "TP1", "reason": "Bản chụp không rõ nét", "form": "copy"},
        {"component": "TP2", "reason": "Chứng thực chữ ký trong giấy ủy quyền"},
    ]
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=items, now=vn(2026, 3, 3, 10)
    )
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED


def test_an_unknown_form_is_an_item_error(world):
    dossier = received(world)
    with pytest.raises(ValidationError) as refused:
        dossier_request_supplement(
            dossier=dossier,
            actor=world.officer,
            items=[{"component": "TP1", "reason": "Thiếu", "form": "notarised"}],
            now=vn(2026, 3, 3, 10),
        )
    assert refused.value.code == "items_invalid"
    assert refused.value.errors == [{"field": "items[0].form", "code": "invalid_choice"}]


def test_counter_guidance_cannot_ask_for_one_either(world):
    count = Dossier.objects.count()
    with pytest.raises(ValidationError) as refused:
        dossier_guide_at_counter(
            actor=world.officer,
            procedure_version=world.version,
            applicant_name="Nguyễn Văn An",
            receiving_unit=world.ward,
            form_data=dict(FORM),
            items=[{"component": "TP2", "reason": "Mang bản sao chứng thực"}],
            now=MON,
        )
    assert refused.value.code == "certified_copy_not_required"
    assert Dossier.objects.count() == count


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("bản sao chứng thực", True),
        ("Bản sao được chứng thực", True),
        ("sao y bản chính", True),
        ("bản sao công chứng", True),
        ("bản sao yêu cầu rõ nét", False),
        ("chứng thực chữ ký", False),
        ("sơ yếu lý lịch", False),
    ],
)
def test_what_counts_as_asking_for_a_certified_copy(text, asks):
    assert asks_certified_copy(text) is asks
