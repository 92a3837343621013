"""/workspace/procedures/: the list for procedure administrators, a version's internal
process edited as an ordered list (add, remove, move, save through `version_steps_save`), the
check against the legal time on every POST (and the htmx summary), publication refused when
the steps exceed the legal time and accepted when they fit, published versions read-only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.catalog.models import ProcedureVersion, ProcessStep
from motcua.catalog.process import StepInput, version_steps_save
from motcua.catalog.services import catalog_import, procedure_version_create_draft
from motcua.core.clock import VN_TZ
from motcua.core.errors import IllegalTransition, PermissionDenied
from motcua.core.models import AuditEvent
from motcua.organisation.models import Role
from tests.catalog.factories import document, procedure_doc
from tests.factories import ProvinceUnitFactory, RoleAssignmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
CODE = "1.001022"


@pytest.fixture
def admin_user():
    user = StaffFactory(username="quantri")
    RoleAssignmentFactory(user=user, unit=ProvinceUnitFactory(), role=Role.PROCEDURE_ADMIN)
    return user


@pytest.fixture
def officer():
    user = StaffFactory(username="canbo")
    RoleAssignmentFactory(user=user, role=Role.OFFICER)
    return user


@pytest.fixture
def published() -> ProcedureVersion:
    """Three working days (24 h); steps 0, 4, 12, 8, 0 hours."""
    catalog_import(document=document(procedure_doc(CODE)), now=NOW)
    return ProcedureVersion.objects.get()


@pytest.fixture
def draft(published: ProcedureVersion) -> ProcedureVersion:
    return procedure_version_create_draft(procedure=published.procedure, actor=None, now=NOW)


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _steps(version: ProcedureVersion) -> list[tuple[str, Decimal]]:
    return [(s.name, s.allotment_hours) for s in version.steps.order_by("order")]


def _form(version: ProcedureVersion, **changes: str) -> dict[str, str]:
    """The page's form for the stored steps, with `changes` (e.g. steps-2-allotment_hours)."""
    steps = list(version.steps.order_by("order"))
    data = {"steps-count": str(len(steps))}
    for i, s in enumerate(steps):
        data |= {
            f"steps-{i}-name": s.name,
            f"steps-{i}-role": s.role,
            f"steps-{i}-unit_scope": s.unit_scope,
            f"steps-{i}-unit_code": s.unit.code if s.unit else "",
            f"steps-{i}-allotment_hours": f"{s.allotment_hours.normalize():f}",
        }
    return data | changes


def _url(version: ProcedureVersion, tail: str = "") -> str:
    return f"/workspace/procedures/{CODE}/v{version.number}/{tail}"


@freeze_time(NOW)
def test_the_list_searches_and_links_every_version(admin_user, draft) -> None:
    client = _client(admin_user)
    page = client.get("/workspace/procedures/?q=nhan cha").content.decode()
    assert CODE in page
    assert f'href="/workspace/procedures/{CODE}/v1/"' in page
    assert f'href="/workspace/procedures/{CODE}/v2/"' in page
    assert "Quản trị thủ tục" in page  # the nav entry
    assert CODE not in client.get("/workspace/procedures/?q=khai tu").content.decode()


@freeze_time(NOW)
def test_only_procedure_administrators(officer, draft) -> None:
    client = _client(officer)
    assert client.get("/workspace/procedures/").status_code == 403
    assert client.get(_url(draft)).status_code == 403
    form = _form(draft, **{"steps-0-name": "Đổi tên", "op": "save"})
    assert client.post(_url(draft), form).status_code == 403
    assert client.post(_url(draft, "publish/")).status_code == 403
    assert "Quản trị thủ tục" not in client.get("/workspace/").content.decode()
    assert draft.steps.get(order=1).name != "Đổi tên"
    with pytest.raises(PermissionDenied):
        version_steps_save(version=draft, steps=[], actor=officer, now=NOW)


def test_citizens_are_refused(draft) -> None:
    from tests.factories import CitizenFactory

    client = _client(CitizenFactory())
    assert client.get("/workspace/procedures/").status_code == 403
    assert client.post(_url(draft), _form(draft, op="save")).status_code == 403


@freeze_time(NOW)
def test_reorder_add_and_remove_change_the_page_then_save_writes_once(admin_user, draft) -> None:
    client = _client(admin_user)
    before = _steps(draft)
    moved = client.post(_url(draft), _form(draft, op="down:0"))
    assert moved.status_code == 200
    page = moved.content.decode()
    assert "chưa được lưu" in page
    names = re.findall(r'name="steps-\d+-name" value="([^"]*)"', page)
    assert names[:2] == [before[1][0], before[0][0]]
    assert _steps(draft) == before  # nothing written yet
    added = client.post(_url(draft), _form(draft, op="add")).content.decode()
    assert 'name="steps-5-name" value=""' in added
    removed = client.post(_url(draft), _form(draft, op="remove:4")).content.decode()
    assert 'name="steps-4-name"' not in removed
    # save the swapped list: one audit event, steps numbered 1..n in the new order
    data = _form(draft)
    for field in ("name", "role", "unit_scope", "unit_code", "allotment_hours"):
        data[f"steps-0-{field}"], data[f"steps-1-{field}"] = (
            data[f"steps-1-{field}"],
            data[f"steps-0-{field}"],
        )
    saved = client.post(_url(draft), data | {"op": "save"})
    assert saved.status_code == 302
    assert _steps(draft) == [before[1], before[0], *before[2:]]
    assert list(draft.steps.order_by("order").values_list("order", flat=True)) == [1, 2, 3, 4, 5]
    event = AuditEvent.objects.get(action="process_steps.replace")
    assert event.object_id == f"{CODE} v2"
    assert [s["name"] for s in event.before["steps"]] == [n for n, _ in before]


@freeze_time(NOW)
def test_bad_steps_show_the_error_summary_and_keep_what_was_typed(admin_user, draft) -> None:
    client = _client(admin_user)
    before = _steps(draft)
    response = client.post(
        _url(draft),
        _form(
            draft,
            **{
                "steps-1-name": "",
                "steps-2-allotment_hours": "mười",
                "steps-3-unit_scope": "named",
                "steps-3-name": "Xin ý kiến sở",
                "op": "save",
            },
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Quy trình có 3 lỗi cần sửa; chưa lưu gì." in page
    assert 'href="#id_steps-1-name"' in page
    assert 'href="#id_steps-2-allotment_hours"' in page
    assert 'href="#id_steps-3-unit_code"' in page
    assert 'value="mười"' in page
    assert 'value="Xin ý kiến sở"' in page
    assert _steps(draft) == before


@freeze_time(NOW)
def test_the_check_runs_on_every_post_and_through_htmx(admin_user, draft) -> None:
    client = _client(admin_user)
    page = client.get(_url(draft)).content.decode()
    assert "Các bước cộng lại 24 giờ làm việc, trong thời hạn 24 giờ làm việc" in page
    assert 'hx-post="/workspace/procedures/1.001022/v2/check/"' in page
    over = client.post(
        _url(draft), _form(draft, **{"steps-2-allotment_hours": "20", "op": "check"})
    )
    assert (
        "Các bước cộng lại 32 giờ làm việc, VƯỢT thời hạn 24 giờ làm việc" in over.content.decode()
    )
    partial = client.post(
        _url(draft, "check/"),
        _form(draft, **{"steps-2-allotment_hours": "2,5"}),
        headers={"HX-Request": "true"},
    )
    body = partial.content.decode()
    assert partial.status_code == 200
    assert body.lstrip().startswith("<section")
    assert "<html" not in body
    assert "Các bước cộng lại 14,5 giờ làm việc" in body
    assert _steps(draft)[2][1] == Decimal(12)  # a check writes nothing


@freeze_time(NOW)
def test_publish_is_refused_when_the_steps_exceed_the_legal_time_then_accepted(
    admin_user, draft, published
) -> None:
    client = _client(admin_user, csrf=True)
    page = client.get(_url(draft)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post(_url(draft, "publish/")).status_code == 403  # no CSRF token
    data = _form(draft, **{"steps-2-allotment_hours": "20", "op": "save"})
    assert client.post(_url(draft), data | {"csrfmiddlewaretoken": token}).status_code == 302
    refused = client.post(_url(draft, "publish/"), {"csrfmiddlewaretoken": token})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Tổng thời gian các bước (32 giờ làm việc) vượt thời hạn giải quyết" in text
    assert "VƯỢT thời hạn 24 giờ làm việc" in text
    draft.refresh_from_db()
    assert draft.status == "draft"
    data = _form(draft, **{"steps-2-allotment_hours": "12", "op": "save"})
    assert client.post(_url(draft), data | {"csrfmiddlewaretoken": token}).status_code == 302
    done = client.post(_url(draft, "publish/"), {"csrfmiddlewaretoken": token})
    assert done.status_code == 302
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == "published"
    assert published.valid_to == dt.date(2026, 3, 1)
    published_events = AuditEvent.objects.filter(action="procedure_version.publish")
    assert list(published_events.values_list("object_id", flat=True)) == [f"{CODE} v2"]


@freeze_time(NOW)
def test_a_published_version_is_read_only_and_offers_a_new_draft(admin_user, published) -> None:
    client = _client(admin_user)
    page = client.get(_url(published)).content.decode()
    assert 'name="steps-0-name"' not in page
    assert "chỉ để xem" in page
    assert "Tạo dự thảo mới từ phiên bản này" in page
    refused = client.post(_url(published), _form(published, **{"steps-0-name": "X", "op": "save"}))
    assert refused.status_code == 409
    assert published.steps.get(order=1).name != "X"
    with pytest.raises(IllegalTransition):
        version_steps_save(
            version=published,
            steps=[StepInput(name="X", role="officer")],
            actor=admin_user,
            now=NOW,
        )
    made = client.post(_url(published, "new-draft/"))
    assert made.status_code == 302
    assert made["Location"] == f"/workspace/procedures/{CODE}/v2/"
    draft = ProcedureVersion.objects.get(number=2)
    assert draft.status == "draft"
    assert draft.steps.count() == published.steps.count()
    again = client.post(_url(published, "new-draft/"))
    assert again.status_code == 409
    assert "Thủ tục đã có phiên bản dự thảo số 2." in again.content.decode()


@freeze_time(NOW)
def test_a_named_unit_step_is_saved_with_its_unit(admin_user, draft) -> None:
    from tests.factories import UnitFactory

    UnitFactory(code="01.SOTP", name="Sở Tư pháp")
    client = _client(admin_user)
    data = _form(
        draft,
        **{"steps-3-unit_scope": "named", "steps-3-unit_code": "01.SOTP", "op": "save"},
    )
    assert client.post(_url(draft), data).status_code == 302
    step = draft.steps.get(order=4)
    assert (step.unit_scope, step.unit.code) == (ProcessStep.UnitScope.NAMED, "01.SOTP")
