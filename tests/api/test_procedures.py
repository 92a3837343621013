"""GET /api/v1/procedures and /api/v1/procedures/{code}: public, paginated, rate-limited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.catalog.models import Field, LifeEvent, Procedure, ProcedureVersion
from motcua.catalog.search import search_index_sync
from motcua.catalog.services import life_events_ensure
from motcua.catalog.text import search_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> object:
    with freeze_time("2026-02-13T03:00:00Z"):
        yield


BIRTH_ITEM = {
    "code": "1.001193",
    "name": "Đăng ký khai sinh",
    "field": {"code": "HT", "name": "Hộ tịch"},
    "level": "commune",
    "online_level": "full",
    "counter_time": 3.0,
    "online_time": 2.5,
    "time_unit": "working_days",
}


def _procedure(
    code: str, name: str, field: Field, *, level: str = "province", online_level: str = "partial"
) -> Procedure:
    procedure = Procedure.objects.create(
        code=code,
        name=name,
        field=field,
        level=level,
        search_text=search_text(code=code, name=name),
    )
    search_index_sync(procedure_ids=[procedure.pk])  # created behind the services' back
    ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.PUBLISHED,
        valid_from=dt.date(2025, 1, 1),
        online_level=online_level,
        counter_time=Decimal(10),
    )
    return procedure


def test_list_renders_each_procedure_with_the_legal_times_of_its_version_in_force(
    client: Client, procedure: Procedure
) -> None:
    response = client.get("/api/v1/procedures")

    assert response.status_code == 200
    assert response.json() == {"items": [BIRTH_ITEM], "count": 1, "suggestions": []}


def test_list_filters_by_words_without_diacritics_field_level_and_online_level(
    client: Client, procedure: Procedure, civil_status: Field
) -> None:
    land = Field.objects.create(code="DD", name="Đất đai")
    _procedure("1.000001", "Đăng ký đất đai lần đầu", land)

    def codes(query: str) -> list[str]:
        return [item["code"] for item in client.get(f"/api/v1/procedures?{query}").json()["items"]]

    assert codes("q=dang+ky+khai+sinh") == ["1.001193"]
    # By relevance: the name closer to the query (fewer other words) first.
    assert codes("q=dang+ky") == ["1.001193", "1.000001"]
    assert codes("field=DD") == ["1.000001"]
    assert codes("level=commune") == ["1.001193"]
    assert codes("online_level=partial") == ["1.000001"]
    assert codes("q=khong+co") == []


def test_list_is_paginated_by_20_by_default_and_at_most_100(
    client: Client, civil_status: Field
) -> None:
    for n in range(25):
        _procedure(f"HN.T.{n:03d}", f"Thủ tục {n}", civil_status)

    first = client.get("/api/v1/procedures").json()
    second = client.get("/api/v1/procedures?page=2").json()
    beyond = client.get("/api/v1/procedures?page=9").json()
    small = client.get("/api/v1/procedures?page=3&page_size=10").json()
    too_big = client.get("/api/v1/procedures?page_size=101")

    assert (first["count"], len(first["items"]), first["items"][0]["code"]) == (25, 20, "HN.T.000")
    assert [i["code"] for i in second["items"]] == [f"HN.T.{n:03d}" for n in range(20, 25)]
    assert beyond == {"items": [], "count": 25, "suggestions": []}
    assert [i["code"] for i in small["items"]] == [f"HN.T.{n:03d}" for n in range(20, 25)]
    assert too_big.status_code == 422
    assert too_big.json()["code"] == "invalid"
    assert too_big.json()["errors"] == [
        {
            "field": "page_size",
            "code": "less_than_equal",
            "message": "Giá trị quá lớn.",
            "location": "query",
        }
    ]


def test_an_unknown_filter_value_is_invalid_with_the_field_path(client: Client) -> None:
    response = client.get("/api/v1/procedures?level=district")

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "errors": [
            {
                "field": "level",
                "code": "enum",
                "message": "Giá trị không thuộc danh sách cho phép.",
                "location": "query",
            }
        ],
    }


def test_detail_renders_the_current_published_version_in_full(
    client: Client, procedure: Procedure
) -> None:
    response = client.get("/api/v1/procedures/1.001193")

    assert response.status_code == 200
    assert response.json() == {
        **BIRTH_ITEM,
        "name_en": "Birth registration",
        "is_local_code": False,
        "competent_unit_kinds": ["ward", "commune"],
        "competent_unit": None,
        "version": 2,
        "valid_from": "2025-07-01",
        "valid_to": None,
        "published_at": "2025-06-20T09:00:00+07:00",
        "cutoff_time": "15:00:00",
        "supplement_wait_days": 15,
        "result_kind": "both",
        "result_name": "Giấy khai sinh",
        "applicant": "Cá nhân",
        "agency": "UBND cấp xã",
        "method": "Trực tiếp, trực tuyến, bưu chính",
        "sequence": "Nộp hồ sơ; tiếp nhận; giải quyết; trả kết quả.",
        "requirements": "",
        "legal_basis": ["Luật Hộ tịch 2014"],
        "eform": {
            "fields": [{"name": "ten_tre", "label": "Họ tên trẻ", "type": "text", "required": True}]
        },
        "components": [
            {
                "order": 1,
                "code": "TK",
                "name": "Tờ khai đăng ký khai sinh",
                "accepted_forms": ["declaration_form"],
                "copies": 1,
                "required": True,
                "national_database": "",
                "document_kind": "",
                "template_name": "Mẫu TK-KS",
                "note": "",
            },
            {
                "order": 2,
                "code": "GCS",
                "name": "Giấy chứng sinh",
                "accepted_forms": ["original", "electronic_copy"],
                "copies": 1,
                "required": True,
                "national_database": "",
                "document_kind": "",
                "template_name": "",
                "note": "",
            },
        ],
        "fees": [
            {
                "order": 1,
                "name": "Lệ phí đăng ký khai sinh",
                "kind": "charge",
                "amount_vnd": None,
                "timing": "exempt",
                "basis": "Miễn lệ phí khi đăng ký đúng hạn.",
            },
        ],
        "steps": [
            {
                "order": 1,
                "name": "Tiếp nhận hồ sơ",
                "role": "officer",
                "unit_scope": "receiving",
                "unit_code": None,
                "allotment_hours": 4.0,
            },
            {
                "order": 2,
                "name": "Thẩm định, trình ký",
                "role": "specialist",
                "unit_scope": "competent",
                "unit_code": None,
                "allotment_hours": 12.0,
            },
            {
                "order": 3,
                "name": "Ký duyệt",
                "role": "leader",
                "unit_scope": "competent",
                "unit_code": None,
                "allotment_hours": 4.0,
            },
        ],
    }


def test_detail_of_an_unknown_code_is_404(client: Client, procedure: Procedure) -> None:
    response = client.get("/api/v1/procedures/9.999999")

    assert response.status_code == 404
    assert response.json() == {
        "code": "procedure_not_found",
        "message": "Không có thủ tục mã 9.999999.",
    }


def test_detail_of_a_procedure_without_a_version_in_force_is_404(
    client: Client, civil_status: Field
) -> None:
    Procedure.objects.create(
        code="HN.NEW.1", name="Thủ tục mới", field=civil_status, level="commune"
    )

    response = client.get("/api/v1/procedures/HN.NEW.1")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Thủ tục chưa có phiên bản đang có hiệu lực.",
    }


def test_list_ranks_by_relevance_with_typos_and_filters_by_life_event_and_unit(
    client: Client, procedure: Procedure, civil_status: Field
) -> None:
    life_events_ensure()
    procedure.life_events.add(LifeEvent.objects.get(code="birth"))
    _procedure("1.000002", "Đăng ký khai sinh lưu động", civil_status, level="commune")
    _procedure("1.000003", "Đăng ký kết hôn", civil_status, level="commune")

    def codes(query: str) -> list[str]:
        return [item["code"] for item in client.get(f"/api/v1/procedures?{query}").json()["items"]]

    assert codes("q=khai+sjnh") == ["1.001193", "1.000002"]
    assert codes("q=KHAI+SINH&life_event=birth") == ["1.001193"]
    assert codes("life_event=birth") == ["1.001193"]
    assert codes("life_event=marriage") == []
    assert codes("unit_kind=ward") == ["1.001193"]  # the others name no unit kinds
    nothing = client.get("/api/v1/procedures?q=dang+ky+ket+hon+qqqqqq+wwwwww+eeeeee").json()
    assert (nothing["items"], nothing["count"]) == ([], 0)
    assert nothing["suggestions"][0] == "Đăng ký kết hôn"  # the closest first


def test_life_events_are_listed_with_their_procedure_counts(
    client: Client, procedure: Procedure
) -> None:
    life_events_ensure()
    procedure.life_events.add(LifeEvent.objects.get(code="birth"))

    response = client.get("/api/v1/life-events")

    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0] == {
        "code": "birth",
        "name": "Sinh con",
        "name_en": "Having a baby",
        "procedure_count": 1,
    }
    assert [i["code"] for i in items] == ["birth", "marriage", "house", "business", "death"]
    assert [i["procedure_count"] for i in items[1:]] == [0, 0, 0, 0]
