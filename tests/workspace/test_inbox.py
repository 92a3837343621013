"""/workspace/inbox/: online dossiers awaiting acceptance, the 8-working-hour countdown, and
the actions as form POSTs through dossier_act with expected_version."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.dossiers.models import Dossier, DossierStatus
from tests.dossiers.helpers import MON, World, received, submitted, vn

pytestmark = pytest.mark.django_db


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _token(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_the_inbox_counts_down_to_the_acceptance_limit(world: World) -> None:
    dossier = submitted(world, now=MON)  # Mon 09:00: due Tue 09:00 (8 working hours)
    counter = received(world, now=MON)  # a counter dossier is not in the inbox
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        page = _client(world.officer).get("/workspace/inbox/").content.decode()
    assert dossier.code in page
    assert counter.code not in page
    assert "còn 7 giờ làm việc" in page
    assert "Trong hạn" in page
    with freeze_time(vn(2026, 3, 3, 7, 30)):  # 1 h 30 left: amber
        page = _client(world.officer).get("/workspace/inbox/").content.decode()
    assert "còn 1 giờ 30 phút làm việc" in page
    assert "tag tag--alert" in page
    with freeze_time(vn(2026, 3, 3, 10, 0)):  # late: red
        page = _client(world.officer).get("/workspace/inbox/").content.decode()
    assert "quá hạn 1 giờ làm việc" in page
    assert "tag tag--late" in page
    # the actions are those dossier_actions_for offers the officer
    for label in ("Tiếp nhận hồ sơ", "Yêu cầu bổ sung hồ sơ", "Từ chối tiếp nhận"):
        assert label in page


def test_other_units_and_specialists_see_an_empty_inbox(world: World) -> None:
    dossier = submitted(world, now=MON)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        assert (
            dossier.code
            not in _client(world.other_officer).get("/workspace/inbox/").content.decode()
        )
        assert (
            dossier.code not in _client(world.specialist).get("/workspace/inbox/").content.decode()
        )


def test_accept_through_a_post_with_csrf_then_redirect(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer, csrf=True)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        token = _token(client, "/workspace/inbox/")
        forged = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/receive/",
            {"expected_version": dossier.version},
        )
        assert forged.status_code == 403
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.REGISTERED
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/receive/",
            {
                "csrfmiddlewaretoken": token,
                "expected_version": dossier.version,
                "next": "/workspace/inbox/",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/workspace/inbox/"
        page = client.get("/workspace/inbox/").content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.events.filter(action="receive", actor=world.officer).exists()
    assert "Tiếp nhận hồ sơ: hồ sơ" in page  # the message after the redirect


def test_refuse_needs_a_reason_and_keeps_what_was_typed(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer)
    url = f"/workspace/dossiers/{dossier.code}/actions/refuse/"
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        empty = client.post(url, {"expected_version": dossier.version, "reason": ""})
        assert empty.status_code == 400
        assert "Cần ghi rõ lý do." in empty.content.decode()
        assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED
        done = client.post(
            url, {"expected_version": dossier.version, "reason": "Không thuộc thẩm quyền"}
        )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOT_RECEIVED
    assert dossier.events.get(action="refuse").reason == "Không thuộc thẩm quyền"


def test_request_a_supplement_from_the_inbox_row_with_htmx(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/request_supplement/",
            {
                "expected_version": dossier.version,
                "items_component": "Giấy khai sinh",
                "items_reason": "Bản chụp không đọc được",
                "partial": "inbox-row",
            },
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith("<tr")
    assert "<html" not in body
    assert "Yêu cầu bổ sung" in body
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED


def test_a_stale_version_is_a_clear_conflict_and_nothing_typed_is_lost(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/refuse/",
            {"expected_version": dossier.version - 1 or 99, "reason": "Lý do đã gõ dài"},
        )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Hồ sơ vừa được người khác cập nhật" in page
    assert "Lý do đã gõ dài" in page  # the typed reason is back in the form
    assert f'name="expected_version" value="{dossier.version}"' in page  # reloaded
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED


def test_a_specialist_is_refused_the_officers_and_leaders_actions(world: World) -> None:
    online = submitted(world, now=MON)
    counter = received(world, now=MON)
    client = _client(world.specialist)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        page = client.get(f"/workspace/dossiers/{counter.code}/").content.decode()
        assert "Chuyển bước xử lý" not in page  # the leader's action is not offered
        forward = client.post(
            f"/workspace/dossiers/{counter.code}/actions/forward/",
            {"expected_version": counter.version, "to_user": world.specialist.pk},
        )
        receive = client.post(
            f"/workspace/dossiers/{online.code}/actions/receive/",
            {"expected_version": online.version},
        )
    assert forward.status_code == 403
    assert "không có quyền" in forward.content.decode().lower()
    assert receive.status_code == 403
    assert Dossier.objects.get(pk=online.pk).status == DossierStatus.REGISTERED


def test_another_units_dossier_is_not_found(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.other_officer)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        assert client.get(f"/workspace/dossiers/{dossier.code}/").status_code == 404
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/receive/",
            {"expected_version": dossier.version},
        )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED


def test_the_dossier_page_shows_summary_timeline_and_generic_forms(world: World) -> None:
    dossier = received(world, now=MON)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        page = _client(world.leader).get(f"/workspace/dossiers/{dossier.code}/").content.decode()
    assert dossier.applicant_name in page
    assert "Tiếp nhận hồ sơ tại quầy" in page or "Tiếp nhận" in page  # the timeline
    assert "Chuyển bước xử lý" in page  # the leader's action, its assignee choices:
    assert f'<option value="{world.specialist.pk}"' in page


def test_the_inbox_makes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    for minute in range(6):
        submitted(world, now=vn(2026, 3, 2, 9, minute))
    client = _client(world.officer)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        client.get("/workspace/inbox/")  # clocks cached
        with django_assert_max_num_queries(12):
            response = client.get("/workspace/inbox/")
    assert response.content.decode().count('id="inbox-') == 6


def test_a_stale_version_from_an_inbox_row_with_htmx_keeps_the_row_and_the_text(
    world: World,
) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/refuse/",
            {"expected_version": 99, "reason": "Đã gõ trong dòng", "partial": "inbox-row"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200  # htmx swaps it in place
    body = response.content.decode()
    assert body.strip().startswith("<tr")
    assert "Hồ sơ vừa được người khác cập nhật" in body
    assert "Đã gõ trong dòng" in body
    assert f'name="expected_version" value="{dossier.version}"' in body


def test_the_inbox_query_count_does_not_grow_with_its_rows(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(world.officer)
    counts = []
    for rows in (1, 8):
        while Dossier.objects.filter(status=DossierStatus.REGISTERED).count() < rows:
            submitted(world, now=MON)
        with freeze_time(vn(2026, 3, 2, 10, 0)):
            client.get("/workspace/inbox/")
            with CaptureQueriesContext(connection) as queries:
                client.get("/workspace/inbox/")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_pages_are_english_when_asked(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer)
    client.cookies["django_language"] = "en"
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        page = client.get("/workspace/inbox/").content.decode()
    assert 'lang="en"' in page
    assert "Online dossiers awaiting acceptance" in page
    assert "7 h of working time left" in page
    assert dossier.code in page


def test_the_dossier_page_forms_with_htmx_get_a_swappable_answer(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = _client(world.officer)
    url = f"/workspace/dossiers/{dossier.code}/actions/refuse/"
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        page = client.get(f"/workspace/dossiers/{dossier.code}/").content.decode()
        assert 'hx-select="#main"' in page
        stale = client.post(
            url, {"expected_version": 99, "reason": "Gõ rồi"}, headers={"HX-Request": "true"}
        )
        assert stale.status_code == 200
        assert 'id="main"' in stale.content.decode()
        assert "Hồ sơ vừa được người khác cập nhật" in stale.content.decode()
        denied = _client(world.specialist).post(
            f"/workspace/dossiers/{dossier.code}/actions/receive/",
            {"expected_version": dossier.version},
            headers={"HX-Request": "true"},
        )
        assert denied.status_code == 200
        assert 'id="main"' in denied.content.decode()
        done = client.post(
            url,
            {"expected_version": dossier.version, "reason": "Sai thẩm quyền"},
            headers={"HX-Request": "true"},
        )
    assert done.status_code == 302  # htmx follows it and swaps the page's main part
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.NOT_RECEIVED
