"""Finding a procedure in the portal: the home page, `/procedures/?q=` (search as people type
it, filters, pagination, the htmx results region), the browse pages and the procedure page
with its public parts and the "file online" button only where the version is online."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from motcua.catalog.models import OnlineLevel, Procedure, ProcedureVersion
from motcua.catalog.services import catalog_load_demo, procedure_use_counts_set
from motcua.organisation.models import ServicePoint, Unit
from tests.catalog.conftest import departments, now

__all__ = ["departments", "now"]

pytestmark = pytest.mark.django_db

BIRTH = "HN.DEMO.001"  # Thủ tục đăng ký khai sinh


@pytest.fixture
def demo(departments, now) -> None:
    catalog_load_demo(now=now)


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="result__title"><a href="/procedures/([^/]+)/">', html)


@pytest.mark.parametrize("q", ["khai sinh", "dang ky khai sinh", "khai sjnh", "Đăng ký khai sinh"])
def test_the_example_queries_put_birth_registration_first(demo, q) -> None:
    response = Client().get("/procedures/", {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(html)[0] == BIRTH
    assert "Thủ tục đăng ký khai sinh" in html
    assert f'value="{q}"' in html  # the box keeps what was typed


def test_without_a_query_the_most_used_come_first_and_pages_follow(demo, now) -> None:
    total = Procedure.objects.filter(is_active=True).count()
    assert total > 20  # the demo catalog fills more than a page
    marriage = Procedure.objects.get(code="HN.DEMO.002")
    procedure_use_counts_set(
        counts={marriage.pk: 900, Procedure.objects.get(code=BIRTH).pk: 50}, now=now
    )

    first = Client().get("/procedures/").content.decode()
    second = Client().get("/procedures/", {"page": 2}).content.decode()

    assert _titles(first)[:2] == ["HN.DEMO.002", BIRTH]
    assert len(_titles(first)) == 20
    assert f"{total} thủ tục" in first
    assert "Trang 1 / " in first
    assert 'rel="next" href="?page=2"' in first
    assert set(_titles(first)).isdisjoint(_titles(second))
    assert 'rel="prev" href="?page=1"' in second


def test_a_page_past_the_end_shows_the_last_page(demo) -> None:
    response = Client().get("/procedures/", {"page": 999})

    assert response.status_code == 200
    assert _titles(response.content.decode())


def test_filters_narrow_the_results_and_keep_the_query_in_the_pages(demo) -> None:
    html = Client().get("/procedures/", {"q": "khai sinh", "life_event": "birth"}).content.decode()
    marriage = Client().get("/procedures/", {"life_event": "marriage"}).content.decode()

    assert BIRTH in _titles(html)
    assert "HN.DEMO.002" in _titles(marriage)
    assert BIRTH not in _titles(marriage)
    assert '<option value="birth" selected>' in html


def test_the_online_level_and_level_filters(demo) -> None:
    full = _titles(Client().get("/procedures/", {"online_level": "full"}).content.decode())
    province = _titles(Client().get("/procedures/", {"level": "province"}).content.decode())

    full_codes = set(
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED,
            valid_to__isnull=True,
            online_level=OnlineLevel.FULL,
        ).values_list("procedure__code", flat=True)
    )
    assert full
    assert set(full) <= full_codes
    assert province
    assert set(province) <= set(
        Procedure.objects.filter(level="province").values_list("code", flat=True)
    )


def test_an_unknown_filter_value_is_ignored_not_an_error(demo) -> None:
    response = Client().get("/procedures/", {"level": "moon", "online_level": "x", "page": "z"})

    assert response.status_code == 200
    assert _titles(response.content.decode())


def test_nonsense_says_nothing_was_found(demo) -> None:
    html = Client().get("/procedures/", {"q": "xyzzy qwfp"}).content.decode()

    assert "Không tìm thấy thủ tục nào." in html
    assert _titles(html) == []


def test_as_you_type_htmx_gets_the_results_region_only(demo) -> None:
    response = Client().get(
        "/procedures/", {"q": "khai sjnh"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert _titles(html)[0] == BIRTH
    assert "HX-Request" in response["Vary"]


def test_the_browse_pages_fix_one_filter(demo) -> None:
    field_code = Procedure.objects.get(code=BIRTH).field.code
    by_field = Client().get(f"/procedures/fields/{field_code}/")
    by_event = Client().get("/life-events/birth/")
    department = Procedure.objects.filter(competent_unit__isnull=False).first()
    by_unit = Client().get(f"/units/{department.competent_unit.code}/procedures/")

    assert by_field.status_code == by_event.status_code == by_unit.status_code == 200
    assert BIRTH in _titles(by_field.content.decode())
    assert "<h1>Sinh con</h1>" in by_event.content.decode()
    assert BIRTH in _titles(by_event.content.decode())
    assert department.code in _titles(by_unit.content.decode())
    for missing in ("/procedures/fields/nope/", "/life-events/nope/", "/units/nope/procedures/"):
        assert Client().get(missing).status_code == 404


def test_the_home_page_offers_search_life_events_popular_procedures_and_fields(demo, now) -> None:
    procedure_use_counts_set(counts={Procedure.objects.get(code=BIRTH).pk: 500}, now=now)

    response = Client().get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'action="/procedures/" method="get"' in html
    assert 'name="q"' in html
    for event in ("birth", "marriage", "house", "business", "death"):
        assert f'href="/life-events/{event}/"' in html
    popular = html.split('id="popular-title"')[1]
    assert popular.index(f"/procedures/{BIRTH}/") < popular.index("Xem tất cả thủ tục")
    assert "/procedures/fields/" in html
    assert 'href="/lookup/"' in html
    assert 'href="/verify/"' in html
    assert 'aria-current="page"' not in html.split("<main")[0].split("service-nav")[1]


def test_the_portal_frame_names_the_sections_and_the_signed_in_person(demo) -> None:
    anonymous = Client().get("/procedures/").content.decode()
    assert 'href="/procedures/" aria-current="page">Thủ tục' in anonymous
    assert 'href="/lookup/"' in anonymous
    assert "Xác thực giấy tờ" in anonymous
    assert "Đăng nhập" in anonymous
    assert 'href="/my/"' not in anonymous

    from tests.factories import CitizenFactory

    client = Client()
    client.force_login(CitizenFactory(full_name="Lê Thị Cúc"))
    signed_in = client.get("/procedures/").content.decode()
    assert "Lê Thị Cúc" in signed_in
    assert 'href="/my/"' in signed_in
    assert "Đăng xuất" in signed_in

    english = Client()
    english.cookies.load({"django_language": "en"})
    nav = english.get("/procedures/").content.decode()
    # The section is plural in English; a table heading "Thủ tục" stays "Procedure".
    assert 'href="/procedures/" aria-current="page">Procedures<' in nav


# --- the procedure page ---------------------------------------------------------------------


def test_the_procedure_page_shows_the_public_parts(demo) -> None:
    procedure = Procedure.objects.get(code=BIRTH)
    version = procedure.versions.get(status=ProcedureVersion.Status.PUBLISHED)

    response = Client().get(f"/procedures/{BIRTH}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Thủ tục đăng ký khai sinh</h1>" in html
    for heading in (
        "Trình tự thực hiện",
        "Cách thức thực hiện",
        "Thành phần hồ sơ",
        "Thời hạn giải quyết",
        "Đối tượng thực hiện",
        "Cơ quan thực hiện",
        "Phí, lệ phí",
        "Nơi nộp hồ sơ",
        "Kết quả",
    ):
        assert heading in html, heading
    for component in version.components.all():
        assert component.name in html
    assert "bất kỳ điểm phục vụ hành chính công nào" in html
    assert (
        f"Theo phiên bản {version.number} của thủ tục, có hiệu lực từ {version.valid_from:%d/%m/%Y}"
        in html
    )


def test_file_online_only_where_the_version_in_force_is_online(demo) -> None:
    online = (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, valid_to__isnull=True
        )
        .exclude(online_level=OnlineLevel.NONE)
        .select_related("procedure")
        .first()
    )
    html = Client().get(f"/procedures/{online.procedure.code}/").content.decode()
    assert f'href="/apply/{online.procedure.code}/"' in html
    assert "Nộp hồ sơ trực tuyến" in html

    ProcedureVersion.objects.filter(pk=online.pk).update(online_level=OnlineLevel.NONE)
    html = Client().get(f"/procedures/{online.procedure.code}/").content.decode()
    assert "/apply/" not in html
    assert "Nộp trực tiếp tại bộ phận một cửa" in html


def test_fees_amounts_and_time_limit_are_written_out(demo) -> None:
    version = (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED,
            fees__amount_vnd__gt=999,
            time_unit="working_days",
            settled_in_session=False,
        )
        .select_related("procedure")
        .first()
    )
    fee = version.fees.filter(amount_vnd__gt=999).first()

    html = Client().get(f"/procedures/{version.procedure.code}/").content.decode()

    assert f"{fee.amount_vnd:,}".replace(",", ".") + " đồng" in html
    counter_time = format(version.counter_time.normalize(), "f").replace(".", ",")
    assert f"{counter_time} {version.get_time_unit_display()}" in html


def test_certified_copy_and_national_data_are_said_as_the_catalog_says(demo) -> None:
    version = (
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, components__national_database__gt=""
        )
        .select_related("procedure")
        .first()
    )
    component = version.components.exclude(national_database="").first()

    html = Client().get(f"/procedures/{version.procedure.code}/").content.decode()

    database = component.get_national_database_display()
    assert f"Không phải nộp: cơ quan giải quyết khai thác từ {database}" in html
    certified = [c for c in version.components.all() if "certified_copy" in c.accepted_forms]
    assert html.count("bản sao chứng thực") == len(certified)


def test_an_unknown_or_retired_procedure_is_404(demo) -> None:
    Procedure.objects.filter(code=BIRTH).update(is_active=False)

    assert Client().get("/procedures/NO.SUCH/").status_code == 404
    response = Client().get(f"/procedures/{BIRTH}/")
    assert response.status_code == 404
    assert "Không tìm thấy thủ tục" in response.content.decode()


def test_a_version_not_yet_in_force_is_announced(demo) -> None:
    version = Procedure.objects.get(code=BIRTH).versions.get(
        status=ProcedureVersion.Status.PUBLISHED
    )
    ProcedureVersion.objects.filter(pk=version.pk).update(valid_from=dt.date(2100, 1, 1))

    html = Client().get(f"/procedures/{BIRTH}/").content.decode()

    assert "Chưa có thông tin đang có hiệu lực" in html
    assert "Phiên bản mới có hiệu lực từ 01/01/2100." in html
    assert "/apply/" not in html


def test_the_service_points_are_listed_and_paginated(departments) -> None:
    unit = Unit.objects.first()
    for number in range(30):
        ServicePoint.objects.create(
            unit=unit, code=f"SP{number:02d}", name=f"Điểm {number:02d}", address="Hà Nội"
        )

    first = Client().get("/service-points/").content.decode()
    found = Client().get("/service-points/", {"q": "Điểm 07"}).content.decode()

    assert "30 điểm phục vụ" in first
    assert "Điểm 00" in first
    assert "Điểm 29" not in first
    assert "Trang 1 / 2" in first
    assert "1 điểm phục vụ" in found
    assert "Điểm 07" in found
