"""The admin shows dossiers read-only with their history in Vietnamese; events cannot be
changed; every read of personal data (a dossier, a list page, a search) is logged."""

from __future__ import annotations

import re

from django.urls import reverse

from motcua.core.models import DataAccessLog
from motcua.dossiers.admin import event_changes, role_text
from motcua.dossiers.lifecycle import action_label
from motcua.dossiers.models import DossierEvent

from .helpers import processing, received, submitted


def _submit_buttons(html: str) -> list[str]:
    """Submit buttons of the page's content (the header's sign-out button aside)."""
    content = html.split('id="content"', 1)[1]
    return re.findall(r'<input[^>]*type="submit"[^>]*>|<button[^>]*type="submit"', content)


def _logs() -> list[tuple[str, str, str, str, str]]:
    return list(
        DataAccessLog.objects.order_by("id").values_list(
            "actor__username", "subject_type", "subject_id", "purpose", "channel"
        )
    )


def test_admin_lists_and_shows_a_dossier_read_only(world, client, admin_user):
    dossier = processing(world)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:dossiers_dossier_changelist"), {"q": dossier.code})
    page = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    events = client.get(reverse("admin:dossiers_dossierevent_changelist"))

    assert listing.status_code == page.status_code == events.status_code == 200
    assert dossier.code in listing.content.decode()
    assert "Thẩm định hồ sơ" in page.content.decode()
    assert _submit_buttons(page.content.decode()) == []  # a view page: nothing to save
    assert client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    event = DossierEvent.objects.get(dossier=dossier, seq=1)
    response = client.post(
        reverse("admin:dossiers_dossierevent_change", args=[event.pk]), {"reason": "sửa"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.reason == ""


def test_an_event_page_has_no_save_buttons_and_reads_in_vietnamese(world, client, admin_user):
    dossier = processing(world)
    event = DossierEvent.objects.get(dossier=dossier, seq=3)  # the leader's hand-over
    client.force_login(admin_user)

    page = client.get(reverse("admin:dossiers_dossierevent_change", args=[event.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert _submit_buttons(html) == []
    assert "Chuyển bước xử lý" in html
    assert "Lãnh đạo" in html
    assert "forward" not in re.sub(r"<[^>]+>", "", html.split('id="content"')[1])
    assert "bước: — → Thẩm định hồ sơ" in html
    assert "trạng thái: Đã tiếp nhận → Đang xử lý" in html
    assert f"người nhận: — → {world.specialist.full_name}" in html


def test_the_event_trail_in_the_dossier_page_reads_in_vietnamese(world, client, admin_user):
    dossier = processing(world)
    client.force_login(admin_user)

    html = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).content.decode()

    trail = html.split("nhật ký hồ sơ", 1)[-1]
    assert "Tiếp nhận" in trail
    assert "Cán bộ một cửa" in trail
    assert "trạng thái: Mới đăng ký → Đã tiếp nhận" in trail
    assert "tiếp nhận lúc: — → 02/03/2026 09:00" in trail
    assert f"đơn vị giải quyết: — → {world.ward.name}" in trail
    for raw in ("receive", '"status"', '{"'):
        assert raw not in re.sub(r"<[^>]+>", "", trail), raw
    roles = re.findall(r'field-role_text">\s*<p>([^<]*)</p>', trail)
    assert roles == ["Cán bộ một cửa", "Cán bộ một cửa", "Lãnh đạo"]


def test_event_labels_and_changes(world):
    dossier = received(world)
    event = DossierEvent.objects.get(dossier=dossier, seq=2)
    assert (action_label(event.action), role_text(event.actor_role)) == (
        "Tiếp nhận hồ sơ",
        "Cán bộ một cửa",
    )
    assert event_changes(event) == [
        ("trạng thái", "Mới đăng ký", "Đã tiếp nhận"),
        ("tiếp nhận lúc", "—", "02/03/2026 09:00"),
        ("bắt đầu tính thời hạn", "—", "02/03/2026 09:00"),
        ("hẹn trả kết quả", "—", "09/03/2026 09:00"),
        ("bước hiện tại", "—", "Phân công xử lý"),
    ]
    assert action_label("unknown_action") == "unknown_action"
    assert (role_text("applicant"), role_text("system"), role_text("")) == (
        "Người nộp hồ sơ",
        "Hệ thống",
        "—",
    )


def test_opening_a_dossier_in_the_admin_logs_the_read_of_personal_data(world, client, admin_user):
    dossier = processing(world)
    client.force_login(admin_user)

    client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))

    assert _logs() == [("admin", "dossier", dossier.code, "dossier_view", "admin")]


def test_a_list_page_logs_one_row_per_dossier_shown(world, client, admin_user):
    first = submitted(world)
    second = received(world)
    client.force_login(admin_user)

    response = client.get(reverse("admin:dossiers_dossier_changelist"))

    assert response.status_code == 200
    assert sorted(_logs()) == sorted(
        [
            ("admin", "dossier", first.code, "dossier_list", "admin"),
            ("admin", "dossier", second.code, "dossier_list", "admin"),
        ]
    )


def test_a_search_logs_what_was_searched_for_and_the_dossiers_found(world, client, admin_user):
    wanted = world.other_citizen.personal_id
    dossier = submitted(world, applicant=world.other_citizen)
    submitted(world)  # not found by the search: not logged
    assert world.citizen.personal_id != wanted
    client.force_login(admin_user)

    client.get(reverse("admin:dossiers_dossier_changelist"), {"q": wanted})
    client.get(reverse("admin:dossiers_dossier_changelist"), {"q": "không có ai"})

    assert _logs() == [
        ("admin", "dossier_search", wanted, "dossier_search", "admin"),
        ("admin", "dossier", dossier.code, "dossier_search", "admin"),
        ("admin", "dossier_search", "không có ai", "dossier_search", "admin"),
    ]


def test_a_refused_list_logs_nothing(world, client):
    submitted(world)
    client.force_login(world.officer)  # no admin access

    response = client.get(reverse("admin:dossiers_dossier_changelist"))

    assert response.status_code == 302
    assert _logs() == []
