"""GET /api/v1/dossiers/{code}/forms/{number} and GET /api/v1/units/{code}/tracking-book: the
dossier read's access rule and log, machine-readable refusals, PDF and XLSX answers."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.core.models import DataAccessLog
from motcua.dossiers.forms import XLSX_HEADER_ROW
from tests.dossiers import helpers
from tests.dossiers.helpers import processing, received, vn
from tests.pdftools import page_size, text_of

from .conftest import bearer

# The dossier tests' world (a ward with its staff, citizens, the standard procedure).
_fresh_clock_cache = helpers._fresh_clock_cache
calendar = helpers.calendar
world = helpers.world

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get(user, path):
    return Client().get(path, **bearer(user))


def test_staff_of_the_unit_get_form01_and_the_read_is_logged(world):
    dossier = received(world)

    response = _get(world.specialist, f"/api/v1/dossiers/{dossier.code}/forms/01")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text_of(response.content)
    assert list(
        DataAccessLog.objects.values_list("actor__username", "subject_id", "purpose", "channel")
    ) == [("specialist", dossier.code, "dossier_form", "api")]


def test_the_citizen_gets_the_receipt_of_their_own_dossier_on_a5_unlogged(world):
    dossier = received(world)

    response = _get(world.citizen, f"/api/v1/dossiers/{dossier.code}/forms/01?size=a5")

    assert response.status_code == 200, response.content[:300]
    assert page_size(response.content) == (420, 595)
    assert DataAccessLog.objects.count() == 0


@pytest.mark.parametrize("who", ["other_officer", "other_citizen", "stranger"])
def test_someone_who_may_not_see_the_dossier_gets_404(world, who):
    dossier = received(world)

    response = _get(getattr(world, who), f"/api/v1/dossiers/{dossier.code}/forms/01")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert DataAccessLog.objects.count() == 0


def test_a_form_the_dossier_does_not_have_is_409_form_not_issued(world):
    dossier = processing(world)

    response = _get(world.officer, f"/api/v1/dossiers/{dossier.code}/forms/04")

    assert response.status_code == 409
    assert response.json()["code"] == "form_not_issued"


def test_an_unknown_form_number_is_404_form_unknown(world):
    dossier = received(world)

    response = _get(world.officer, f"/api/v1/dossiers/{dossier.code}/forms/07")

    assert response.status_code == 404
    assert response.json()["code"] == "form_unknown"


def test_a5_only_for_form01(world):
    dossier = processing(world)

    response = _get(world.officer, f"/api/v1/dossiers/{dossier.code}/forms/06?size=a5")

    assert response.status_code == 400
    assert response.json()["code"] == "size_not_available"


def test_the_receipt_of_return_after_the_counter_return(world):
    from motcua.dossiers.services import dossier_issue_result, dossier_return_result

    dossier = helpers.at_leader_step(world)
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 5, 9))
    path = f"/api/v1/dossiers/{dossier.code}/forms/return-receipt"
    before = _get(world.officer, path)
    assert before.status_code == 409
    assert before.json()["code"] == "form_not_issued"
    dossier_return_result(
        dossier=dossier,
        actor=world.officer,
        now=vn(2026, 3, 6, 10),
        collected_by="Trần Thị Bình",
        collected_id_number="001190054321",
    )
    logged = DataAccessLog.objects.count()

    response = _get(world.specialist, path)

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "BIÊN NHẬN TRẢ KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text
    assert "Người nhận kết quả: Trần Thị Bình; số định danh: 001190054321" in text
    assert list(
        DataAccessLog.objects.order_by("pk").values_list("subject_id", "purpose", "channel")[
            logged:
        ]
    ) == [(dossier.code, "dossier_form", "api")]
    assert _get(world.other_officer, path).status_code == 404


# --- form 07 ---------------------------------------------------------------------------------


def _book(world):
    first = received(world, applicant_name="Lê Văn Một", now=vn(2026, 3, 2, 9))
    second = received(world, applicant_name="Phạm Thị Hai", now=vn(2026, 3, 3, 14))
    return first, second


BOOK = "/api/v1/units/00070/tracking-book?from=2026-03-01&to=2026-03-31"


def test_the_unit_staff_get_the_tracking_book_as_xlsx_each_dossier_logged(world):
    first, second = _book(world)

    response = _get(world.officer, BOOK + "&format=xlsx")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))
    assert [(r[1], r[4]) for r in rows] == [
        (first.code, "Lê Văn Một"),
        (second.code, "Phạm Thị Hai"),
    ]
    logged = DataAccessLog.objects.filter(purpose="tracking_book")
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted([first.code, second.code])


def test_a_supervisor_covering_the_unit_gets_the_pdf(world):
    first, _ = _book(world)

    response = _get(world.supervisor, BOOK)

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert first.code in text


def test_staff_of_another_unit_and_citizens_are_refused_the_book(world):
    _book(world)
    for user in (world.other_officer, world.citizen):
        response = _get(user, BOOK)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert DataAccessLog.objects.count() == 0


def test_the_book_refuses_an_unknown_unit_and_a_bad_period(world):
    assert _get(world.officer, BOOK.replace("00070", "99999")).status_code == 404
    response = _get(
        world.officer, "/api/v1/units/00070/tracking-book?from=2026-03-31&to=2026-03-01"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_period")
    response = _get(
        world.officer, "/api/v1/units/00070/tracking-book?from=2025-01-01&to=2026-03-01"
    )
    assert (response.status_code, response.json()["code"]) == (400, "period_too_long")
    response = _get(world.officer, "/api/v1/units/00070/tracking-book?from=2026-03-01")
    assert response.status_code == 422


def test_the_refusal_code_comes_with_an_english_message(world):
    dossier = processing(world)

    response = Client().get(
        f"/api/v1/dossiers/{dossier.code}/forms/03",
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(world.officer),
    )

    assert response.status_code == 409
    assert response.json()["message"].startswith(f"Dossier {dossier.code} has no form 03")


def test_the_form_stays_vietnamese_whatever_the_request_language(world):
    dossier = received(world)

    response = Client().get(
        f"/api/v1/dossiers/{dossier.code}/forms/01",
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(world.officer),
    )

    assert response.status_code == 200
    text = text_of(response.content)
    assert "(hình thức nộp: trực tiếp)" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
