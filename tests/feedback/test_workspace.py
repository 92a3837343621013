"""The workspace's feedback pages: who may open them (403 for non-staff roles, 404 for
another unit's feedback), the queue (filters, late and due-soon tags, pagination), the
detail (the read logged, the forms the actor may use), the classify -> answer -> publish
flow through the pages, a refusal that changes nothing, and the late view with counts per
unit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.core.models import DataAccessLog
from motcua.feedback.models import Feedback, FeedbackStatus
from motcua.feedback.services import feedback_classify
from tests.dossiers.helpers import MON, World, vn

from .helpers import reload, send

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_staff_with_a_feedback_role_get_in(world: World, client: Client) -> None:
    assert client.get("/workspace/feedback/").status_code == 302
    assert _client(world.citizen).get("/workspace/feedback/").status_code == 403
    assert _client(world.stranger).get("/workspace/feedback/").status_code == 403
    page = _client(world.officer).get("/workspace/feedback/")
    assert page.status_code == 200
    assert 'href="/workspace/feedback/"' in page.content.decode()  # the navigation entry


def test_another_units_feedback_is_not_found(world: World) -> None:
    fb = send(place=world.ward).feedback
    assert _client(world.other_officer).get(f"/workspace/feedback/{fb.code}/").status_code == 404
    response = _client(world.other_officer).post(
        f"/workspace/feedback/{fb.code}/classify/",
        {"category": "delay", "unit": world.other_ward.code},
    )
    assert response.status_code == 404
    assert reload(fb).status == FeedbackStatus.RECEIVED


def test_the_queue_filters_tags_and_paginates(world: World) -> None:
    late = send(place=world.ward, now=vn(2026, 2, 2, 9, 0), subject="Cũ quá hạn").feedback
    soon = send(place=world.ward, now=vn(2026, 2, 27, 9, 0), subject="Sắp hạn").feedback
    send(place=world.other_ward, subject="Phường khác")
    officer = _client(world.officer)
    with freeze_time(vn(2026, 3, 12, 9, 0)):
        html = officer.get("/workspace/feedback/").content.decode()
        assert late.code in html
        assert soon.code in html
        assert "Phường khác" not in html
        assert "tag--late" in html
        assert "tag--alert" in html
        assert "0912345678" not in html  # no contacts in the list
        only_late = officer.get("/workspace/feedback/?late=1").content.decode()
        assert late.code in only_late
        assert soon.code not in only_late
    for _ in range(26):
        send(place=world.ward)
    # A new session: the frozen clock above aged the first one past the staff idle limit.
    page2 = _client(world.officer).get("/workspace/feedback/?page=2").content.decode()
    assert "Trang 2 / 2" in page2
    supervisor = _client(world.supervisor)
    other = supervisor.get(f"/workspace/feedback/?unit={world.other_ward.code}").content.decode()
    assert "Phường khác" in other
    assert late.code not in other


def test_classify_answer_publish_through_the_pages(world: World) -> None:
    fb = send(place=world.ward, public_consent=True).feedback
    officer = _client(world.officer)
    detail = officer.get(f"/workspace/feedback/{fb.code}/")
    html = detail.content.decode()
    assert "Phạm Văn Cường" in html
    assert "0912345678" in html
    assert DataAccessLog.objects.filter(purpose="feedback_view", subject_id=fb.code).count() == 1
    assert "/classify/" in html
    assert "/answer/" not in html
    assert "csrfmiddlewaretoken" in html
    # Missing fields: the error summary, nothing changed.
    bad = officer.post(f"/workspace/feedback/{fb.code}/classify/", {"category": ""})
    assert bad.status_code == 400
    assert "error-summary" in bad.content.decode()
    assert reload(fb).status == FeedbackStatus.RECEIVED
    done = officer.post(
        f"/workspace/feedback/{fb.code}/classify/",
        {"category": "certified_copy", "unit": world.ward.code},
    )
    assert done.status_code == 302
    assert reload(fb).status == FeedbackStatus.ASSIGNED
    empty = officer.post(f"/workspace/feedback/{fb.code}/answer/", {"answer": " "})
    assert empty.status_code == 400
    answered = officer.post(
        f"/workspace/feedback/{fb.code}/answer/", {"answer": "Đã chấn chỉnh cán bộ."}
    )
    assert answered.status_code == 302
    assert reload(fb).status == FeedbackStatus.ANSWERED
    # Answered now (December 2026), long after the deadline of 16 March.
    assert "Trả lời quá hạn" in officer.get(f"/workspace/feedback/{fb.code}/").content.decode()
    # The officer may not publish: refused, nothing changed.
    assert "/publish/" not in officer.get(f"/workspace/feedback/{fb.code}/").content.decode()
    officer.post(f"/workspace/feedback/{fb.code}/publish/", {"public": "1"})
    assert reload(fb).status == FeedbackStatus.ANSWERED
    leader = _client(world.leader)
    assert "/publish/" in leader.get(f"/workspace/feedback/{fb.code}/").content.decode()
    assert (
        leader.post(f"/workspace/feedback/{fb.code}/publish/", {"public": "1"}).status_code == 302
    )
    fb = reload(fb)
    assert fb.status == FeedbackStatus.PUBLISHED
    assert fb.is_public
    trail = leader.get(f"/workspace/feedback/{fb.code}/").content.decode()
    assert "Công bố trả lời" in trail
    assert "Phân loại, chuyển đơn vị xử lý" in trail


def test_reject_as_a_duplicate(world: World) -> None:
    first = send(place=world.ward).feedback
    second = send(place=world.ward).feedback
    officer = _client(world.officer)
    unknown = officer.post(
        f"/workspace/feedback/{second.code}/reject/",
        {"reject-reason": "Trùng.", "reject-duplicate_of": "PA-2026-999999"},
    )
    assert unknown.status_code == 400
    response = officer.post(
        f"/workspace/feedback/{second.code}/reject/",
        {"reject-reason": "Trùng nội dung.", "reject-duplicate_of": first.code.lower()},
    )
    assert response.status_code == 302
    second = reload(second)
    assert second.status == FeedbackStatus.DUPLICATE
    assert second.duplicate_of == first


def test_the_late_view_counts_per_unit(world: World) -> None:
    send(place=world.ward, now=vn(2026, 2, 2, 9, 0))
    send(place=world.ward, now=vn(2026, 2, 3, 9, 0))
    other = send(place=world.other_ward, now=vn(2026, 2, 2, 9, 0)).feedback
    feedback_classify(
        feedback=other, actor=world.supervisor, category="fees", unit=world.other_ward, now=MON
    )
    send(place=world.ward, now=vn(2026, 3, 10, 9, 0))  # not late
    with freeze_time(vn(2026, 3, 12, 9, 0)):
        html = _client(world.supervisor).get("/workspace/feedback/late/").content.decode()
        assert "3 phản ánh đã quá hạn" in html
        rows = html.split("Theo đơn vị")[1].split("Danh sách")[0]
        assert rows.index("Phường Hoàn Kiếm") < rows.index("Phường Ba Đình")
        assert '<td class="numeric">2</td>' in rows
        assert '<td class="numeric">1</td>' in rows
        ward_only = _client(world.officer).get("/workspace/feedback/late/").content.decode()
        assert "2 phản ánh đã quá hạn" in ward_only
    assert Feedback.objects.count() == 4


def test_the_admin_lists_feedback_read_only_without_the_contact(world: World) -> None:
    from tests.factories import UserFactory

    fb = send(place=world.ward).feedback
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = _client(admin_user)
    listing = client.get("/admin/feedback/feedback/")
    assert listing.status_code == 200
    assert fb.code in listing.content.decode()
    page = client.get(f"/admin/feedback/feedback/{fb.pk}/change/").content.decode()
    assert fb.code in page
    assert "0912345678" not in page
    assert "Phạm Văn Cường" not in page
    assert client.get(f"/admin/feedback/feedback/{fb.pk}/delete/").status_code == 403


def test_the_queue_and_the_page_stay_within_the_query_budget(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        fb = send(place=world.ward if n % 2 else world.other_ward).feedback
    officer = _client(world.supervisor)
    officer.get("/workspace/feedback/")  # warm the process caches (units, clocks)
    with django_assert_max_num_queries(10):
        assert officer.get("/workspace/feedback/").status_code == 200
    with django_assert_max_num_queries(11):  # + the late counts and their units
        assert officer.get("/workspace/feedback/late/").status_code == 200
    with django_assert_max_num_queries(14):
        assert officer.get(f"/workspace/feedback/{fb.code}/").status_code == 200


def test_staff_see_the_attachments_and_each_download_is_logged(world: World) -> None:
    from motcua.feedback.models import FeedbackAttachment

    from .test_attachments import pdf, png

    fb = send(place=world.ward, attachments=[png("hien-truong.png"), pdf(pages=2)]).feedback
    files = list(FeedbackAttachment.objects.filter(feedback=fb).order_by("position"))
    officer = _client(world.officer)

    html = officer.get(f"/workspace/feedback/{fb.code}/").content.decode()
    url = f"/workspace/feedback/{fb.code}/files/{files[0].file_id}/"
    assert f'href="{url}"' in html
    assert "hien-truong.png" in html
    assert "giay-hen.pdf" in html
    assert "2 trang" in html
    assert [log.purpose for log in DataAccessLog.objects.all()] == ["feedback_view"]

    response = officer.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="hien-truong.png"'
    log = DataAccessLog.objects.get(purpose="feedback_file_download")
    assert (log.actor_id, log.subject_id, log.purpose) == (
        world.officer.pk,
        fb.code,
        "feedback_file_download",
    )


def test_a_download_by_anyone_who_does_not_see_the_feedback_is_refused_and_not_logged(
    world: World,
) -> None:
    from motcua.feedback.models import FeedbackAttachment

    from .test_attachments import png

    fb = send(place=world.ward, attachments=[png()]).feedback
    other = send(place=world.other_ward, attachments=[png()]).feedback
    file_id = FeedbackAttachment.objects.get(feedback=fb).file_id
    other_file = FeedbackAttachment.objects.get(feedback=other).file_id
    url = f"/workspace/feedback/{fb.code}/files/{file_id}/"

    assert Client().get(url).status_code == 302  # sign in first
    assert _client(world.citizen).get(url).status_code == 403
    assert _client(world.other_officer).get(url).status_code == 404
    # A file of another feedback under a code the officer sees.
    response = _client(world.officer).get(f"/workspace/feedback/{fb.code}/files/{other_file}/")
    assert response.status_code == 404
    assert not DataAccessLog.objects.exists()


def test_the_unit_filter_is_in_a_readers_order(world: World) -> None:
    """Numbers by their value: "Chi nhánh số 2" before "Chi nhánh số 10" (as in the portal)."""
    from motcua.organisation.selectors import units_cache_invalidate
    from tests.factories import UnitFactory

    for number in (10, 2):
        UnitFactory(code=f"01.CN{number:02d}", name=f"Chi nhánh số {number}", parent=world.province)
    units_cache_invalidate()
    html = _client(world.officer).get("/workspace/feedback/").content.decode()
    assert html.index(">Chi nhánh số 2 (01.CN02)<") < html.index(">Chi nhánh số 10 (01.CN10)<")
