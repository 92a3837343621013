"""/workspace/: the work queue buckets, filters, visibility, remaining working time, and a
bounded number of queries."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.core.models import DataAccessLog
from motcua.dossiers.models import DossierStatus
from motcua.dossiers.services import dossier_file_add, dossier_forward, dossier_request_supplement
from motcua.dossiers.services.act import dossier_act
from tests.documents.samples import pdf_bytes
from tests.dossiers.helpers import World, current, processing, received, vn
from tests.pdftools import text_of

pytestmark = pytest.mark.django_db
# Monday 9 March 2026, 08:00: the morning the queue is looked at.
NOW = vn(2026, 3, 9, 8, 0)


@pytest.fixture
def dossiers(world: World) -> dict[str, str]:
    """Counter dossiers received at the ward (5 working days each) and one elsewhere."""
    today = received(world, now=vn(2026, 3, 2, 9, 0))  # due Mon 9 Mar 09:00
    soon = received(world, now=vn(2026, 3, 3, 9, 0))  # due Tue 10 Mar 09:00
    late = received(world, now=vn(2026, 2, 27, 9, 0))  # due Fri 6 Mar 09:00
    later = received(world, now=vn(2026, 3, 5, 9, 0))  # due Thu 12 Mar: in no bucket
    waiting = received(world, now=vn(2026, 3, 4, 9, 0))
    waiting = dossier_request_supplement(
        dossier=waiting,
        actor=world.officer,
        items=[{"component": "Giấy khai sinh", "reason": "Bản chụp mờ"}],
        now=vn(2026, 3, 4, 10, 0),
    )
    elsewhere = received(
        world,
        now=vn(2026, 3, 2, 9, 0),
        actor=world.other_officer,
        receiving_unit=world.other_ward,
        applicant_name="Trần Thị Khác",
    )
    assert waiting.status == DossierStatus.SUPPLEMENT_REQUESTED
    return {
        "today": today.code,
        "soon": soon.code,
        "late": late.code,
        "later": later.code,
        "waiting": waiting.code,
        "elsewhere": elsewhere.code,
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("bucket", ["today", "soon", "late", "waiting"])
def test_each_bucket_holds_exactly_its_dossiers(world: World, dossiers, bucket: str) -> None:
    with freeze_time(NOW):
        page = _client(world.officer).get(f"/workspace/?bucket={bucket}").content.decode()
    for name, code in dossiers.items():
        assert (code in page) == (name == bucket), (bucket, name)


def test_rows_show_the_remaining_working_time_and_the_tabs_count(world: World, dossiers) -> None:
    with freeze_time(NOW):
        client = _client(world.officer)
        today = client.get("/workspace/").content.decode()
        late = client.get("/workspace/?bucket=late").content.decode()
    assert "còn 1 giờ làm việc" in today  # 08:00 -> 09:00
    assert "09/03/2026 09:00" in today  # dd/mm/yyyy
    # Fri 09:00 -> 17:00 (6 working hours: lunch 11:30-13:30) + Mon 07:00 -> 08:00
    assert "quá hạn 7 giờ làm việc" in late
    for label in ("Đến hạn hôm nay", "Đến hạn trong 2 ngày làm việc", "Quá hạn", "Chờ người nộp"):
        assert label in today
    assert today.count('<span class="count">1</span>') == 4
    assert "Đã tiếp nhận" in today  # the status tag


def test_another_units_officer_sees_only_their_own(world: World, dossiers) -> None:
    with freeze_time(NOW):
        page = _client(world.other_officer).get("/workspace/").content.decode()
    assert dossiers["elsewhere"] in page
    assert dossiers["today"] not in page


def test_filters_and_mine(world: World, dossiers) -> None:
    with freeze_time(vn(2026, 3, 2, 8, 0)):
        mine = processing(world, now=vn(2026, 3, 2, 8, 0))  # forwarded to the specialist 09:00
    with freeze_time(NOW):
        client = _client(world.specialist)
        page = client.get("/workspace/?bucket=today&mine=on").content.decode()
        assert mine.code in page
        assert dossiers["today"] not in page
        page = client.get("/workspace/?bucket=today&channel=2").content.decode()  # online only
        assert mine.code not in page
        assert dossiers["today"] not in page
        page = client.get("/workspace/?bucket=today&status=4").content.decode()
        assert mine.code in page
        assert dossiers["today"] not in page
        page = client.get("/workspace/?bucket=today&status=999").content.decode()
        assert dossiers["today"] in page  # a status outside the list is ignored
        page = client.get("/workspace/?bucket=today&procedure=nope").content.decode()
        assert dossiers["today"] not in page
        assert mine.code not in page
        code = mine.procedure_version.procedure.code
        page = client.get(f"/workspace/?bucket=today&procedure={code}").content.decode()
        assert mine.code in page
        assert f'<option value="{code}" selected>' in page


def test_listing_is_logged_as_a_read_of_personal_data(world: World, dossiers) -> None:
    with freeze_time(NOW):
        _client(world.officer).get("/workspace/?bucket=late")
    assert list(
        DataAccessLog.objects.filter(actor=world.officer, purpose="dossier_list").values_list(
            "subject_id", flat=True
        )
    ) == [dossiers["late"]]


def test_the_page_makes_a_bounded_number_of_queries(
    world: World, dossiers, django_assert_max_num_queries
) -> None:
    for day in range(3, 7):  # more rows: the count must not grow with them
        received(world, now=vn(2026, 3, day, 8, 0))
    with freeze_time(NOW):
        client = _client(world.officer)
        client.get("/workspace/?bucket=soon")  # working clocks cached, as in a running server
        with django_assert_max_num_queries(10):
            response = client.get("/workspace/?bucket=soon")
    assert response.status_code == 200
    assert response.content.decode().count("/workspace/dossiers/") >= 3


def test_paginated_by_25(world: World) -> None:
    for minute in range(27):
        received(world, now=vn(2026, 3, 2, 9, minute))
    with freeze_time(NOW):
        client = _client(world.officer)
        first = client.get("/workspace/").content.decode()
        second = client.get("/workspace/?page=2").content.decode()
    assert first.count('href="/workspace/dossiers/') == 25
    assert second.count('href="/workspace/dossiers/') == 2
    assert "Trang 1 / 2" in first


def test_rows_are_sorted_by_the_current_steps_deadline(world: World) -> None:
    # Both late at 9 Mar 08:00. By the appointment `earlier` (Thu 5 Mar) would come first;
    # its current step (the review, given Mon 2 Mar 10:00) is due Wed 4 Mar 10:00, while
    # `stuck` still waits at the assignment step due on Fri 27 Feb: `stuck` comes first.
    stuck = received(world, now=vn(2026, 2, 27, 9, 0))
    earlier = received(world, now=vn(2026, 2, 26, 9, 0))
    earlier = dossier_forward(
        dossier=earlier, actor=world.leader, to_user=world.specialist, now=vn(2026, 3, 2, 10, 0)
    )
    assert earlier.effective_appointment_at < stuck.effective_appointment_at
    assert current(earlier).due_at > current(stuck).due_at
    with freeze_time(NOW):
        page = _client(world.officer).get("/workspace/?bucket=late").content.decode()
    assert page.index(stuck.code) < page.index(earlier.code)
    # each row shows the current step's due instant and its remaining working time
    row = page.split(earlier.code, 2)[2].split("</tr>", 1)[0]
    assert "04/03/2026 10:00" in row
    assert "quá hạn" in row
    assert "Hạn bước hiện tại" in page


@pytest.mark.parametrize("bucket", ["today", "soon", "late", "waiting"])
def test_every_bucket_makes_at_most_10_queries_with_a_realistic_queue(
    world: World, dossiers, bucket: str, django_assert_max_num_queries
) -> None:
    """Rows in every bucket, at different steps (assigned, in review, consulting another
    unit), with files and a long history: the count does not grow with them."""
    for day in (2, 3, 4, 5):
        dossier = processing(world, now=vn(2026, 3, day, 8, 0))
        dossier_file_add(
            dossier=dossier,
            actor=world.officer,
            component="TP1",
            upload=io.BytesIO(pdf_bytes()),
            name=f"f{day}.pdf",
            now=vn(2026, 3, day, 9, 30),
        )
    for day in (26, 27):
        received(world, now=vn(2026, 2, day, 9, 0))
    consulting = processing(world, now=vn(2026, 3, 2, 13, 0))
    dossier_act(
        action="consult",
        dossier=consulting,
        actor=world.specialist,
        now=vn(2026, 3, 2, 15, 0),
        expected_version=consulting.version,
        values={
            "to_unit": world.other_ward.code,
            "answer_by": vn(2026, 3, 4, 15, 0).isoformat(),
            "reason": "Xin ý kiến về hồ sơ",
        },
    )
    with freeze_time(NOW):
        client = _client(world.leader)
        client.get(f"/workspace/?bucket={bucket}")  # working clocks cached, as in a server
        with django_assert_max_num_queries(10):
            response = client.get(f"/workspace/?bucket={bucket}")
    assert response.status_code == 200
    assert response.content.decode().count('href="/workspace/dossiers/') >= 1


def test_the_nav_offers_procedure_administration_to_its_administrators_only(
    world: World,
) -> None:
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=world.officer, unit=world.province, role="procedure_admin")
    with freeze_time(NOW):
        admin_page = _client(world.officer).get("/workspace/").content.decode()
        other_page = _client(world.other_officer).get("/workspace/").content.decode()
    assert 'href="/workspace/procedures/"' in admin_page
    assert 'href="/workspace/procedures/"' not in other_page


def test_ticked_dossiers_print_their_slips_as_one_pdf(world: World, dossiers) -> None:
    # given the officer's queue with a box per row
    client = _client(world.officer)
    with freeze_time(NOW):
        page = client.get("/workspace/?bucket=late").content.decode()
        assert f'name="code" value="{dossiers["late"]}" form="bulk-print"' in page

        # when two of the ward's dossiers are ticked and printed (form 06)
        response = client.get(
            "/workspace/forms/bulk.pdf",
            {"number": "06", "code": [dossiers["late"], dossiers["today"]]},
        )

    # then one PDF holds both slips, in the order ticked, and both reads are logged
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert text.index(dossiers["late"]) < text.index(dossiers["today"])
    assert "PHIẾU KIỂM SOÁT" in text.upper()
    logged = set(
        DataAccessLog.objects.filter(actor=world.officer, purpose="dossier_form").values_list(
            "subject_id", flat=True
        )
    )
    assert {dossiers["late"], dossiers["today"]} <= logged


def test_a_bulk_print_with_a_dossier_out_of_reach_prints_nothing(world: World, dossiers) -> None:
    client = _client(world.officer)
    with freeze_time(NOW):
        refused = client.get(
            "/workspace/forms/bulk.pdf",
            {"number": "06", "code": [dossiers["late"], dossiers["elsewhere"]]},
        )
        nothing = client.get("/workspace/forms/bulk.pdf", {"number": "06"})
        wrong_form = client.get(
            "/workspace/forms/bulk.pdf", {"number": "03", "code": [dossiers["late"]]}
        )
    assert refused.status_code == 404
    assert refused["Content-Type"].startswith("text/html")
    assert nothing.status_code == 400
    assert "Chưa chọn hồ sơ nào." in nothing.content.decode()
    assert wrong_form.status_code == 400
