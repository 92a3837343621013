"""The feedback API: anonymous submission (201, code, deadline, secret once), 4xx with codes,
the rate limit, following with the secret header (and nothing without it), the signed-in
sender, staff reads (logged; another unit's is 404) and the staff list with its filters."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from freezegun import freeze_time

from motcua.core.models import DataAccessLog
from motcua.feedback.models import Feedback
from motcua.feedback.services import feedback_answer, feedback_classify, feedback_publish
from tests.api.conftest import bearer
from tests.dossiers.helpers import MON, World

pytestmark = pytest.mark.django_db

BODY = {
    "subject": "Bị yêu cầu nộp bản sao chứng thực",
    "body": "Cán bộ yêu cầu tôi nộp bản sao có chứng thực giấy khai sinh.",
    "sender_name": "Phạm Văn Cường",
    "sender_phone": "0912345678",
    "place": "00070",
}


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _post(client: Client, body: Any, **extra: Any) -> Any:
    return client.post(
        "/api/v1/feedback", json.dumps(body), content_type="application/json", **extra
    )


@freeze_time(MON)
def test_anonymous_submission_answers_201_with_the_code_the_deadline_and_a_secret(
    world: World, client: Client
) -> None:
    response = _post(client, BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "PA-2026-000001"
    assert body["status"] == "received"
    assert body["due_at"] == "2026-03-16T09:00:00+07:00"
    assert body["place"] == {"code": "00070", "name": "Phường Hoàn Kiếm"}
    assert body["answer"] is None
    assert body["sender"] is None
    assert len(body["secret"]) == 14
    assert Feedback.objects.get().channel == "api"


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"sender_phone": ""}, 400, "required", "sender_phone"),
        ({"sender_phone": "123"}, 400, "phone_format", "sender_phone"),
        ({"subject": " "}, 400, "required", "subject"),
        ({"place": "99999"}, 400, "unknown_unit", "place"),
        ({"category": "weather"}, 400, "invalid_category", "category"),
        ({"extra": 1}, 422, "invalid", "extra"),
        ({"subject": "x" * 300}, 422, "invalid", "subject"),
    ],
)
def test_bad_input_is_a_4xx_with_a_machine_readable_code(
    world: World, client: Client, change: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = _post(client, {**BODY, **change})
    assert response.status_code == status, response.content
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["code"] == code or body["code"] == code
    assert Feedback.objects.count() == 0


def test_submissions_are_rate_limited_per_address(
    world: World, client: Client, settings: Any
) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "feedback_submit": (2, 3600)}
    assert [_post(client, BODY).status_code for _ in range(3)] == [201, 201, 429]
    response = _post(client, BODY)
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert Feedback.objects.count() == 2


def test_the_sender_follows_with_the_secret_and_sees_the_answer_once_published(
    world: World, client: Client
) -> None:
    created = _post(client, BODY).json()
    path = f"/api/v1/feedback/{created['code']}"
    assert client.get(path).status_code == 404
    wrong = client.get(path, HTTP_X_FEEDBACK_SECRET="AAAA-AAAA-AAAA")
    assert wrong.status_code == 404
    assert wrong.json()["code"] == "feedback_not_found"
    other = client.get("/api/v1/feedback/PA-2026-000999", HTTP_X_FEEDBACK_SECRET=created["secret"])
    assert other.json() == wrong.json()
    fb = Feedback.objects.get()
    fb = feedback_classify(
        feedback=fb, actor=world.officer, category="certified_copy", unit=world.ward, now=MON
    )
    fb = feedback_answer(feedback=fb, actor=world.officer, answer="Đã nhắc cán bộ.", now=MON)
    followed = client.get(path, HTTP_X_FEEDBACK_SECRET=created["secret"].lower())
    assert followed.status_code == 200
    assert followed.json()["status"] == "answered"
    assert followed.json()["answer"] is None
    feedback_publish(feedback=fb, actor=world.leader, now=MON)
    followed = client.get(path, HTTP_X_FEEDBACK_SECRET=created["secret"]).json()
    assert followed["status"] == "published"
    assert followed["answer"] == "Đã nhắc cán bộ."
    assert followed["sender"] is None


def test_follow_attempts_with_a_secret_are_rate_limited(
    world: World, client: Client, settings: Any
) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "feedback_follow": (2, 600)}
    created = _post(client, BODY).json()
    path = f"/api/v1/feedback/{created['code']}"
    codes = [
        client.get(path, HTTP_X_FEEDBACK_SECRET="AAAA-AAAA-AAAA").status_code for _ in range(2)
    ]
    assert codes == [404, 404]
    # Even the right secret waits now.
    assert client.get(path, HTTP_X_FEEDBACK_SECRET=created["secret"]).status_code == 429


def test_a_signed_in_sender_gets_no_secret_and_follows_from_the_account(
    world: World, client: Client
) -> None:
    world.citizen.phone = "0987654321"
    world.citizen.save()
    auth = bearer(world.citizen)
    created = _post(client, {"subject": "Cổng chậm", "body": "Không tải được tệp."}, **auth)
    assert created.status_code == 201, created.content
    assert created.json()["secret"] == ""
    fb = Feedback.objects.get()
    assert (fb.sender, fb.sender_name, fb.sender_phone) == (
        world.citizen,
        "Nguyễn Văn An",
        "0987654321",
    )
    assert fb.intake_unit == world.province
    path = f"/api/v1/feedback/{fb.code}"
    assert client.get(path, **auth).status_code == 200
    assert client.get(path, **bearer(world.other_citizen)).status_code == 404


def test_staff_read_their_units_feedback_with_the_sender_and_the_read_is_logged(
    world: World, client: Client
) -> None:
    code = _post(client, BODY).json()["code"]
    path = f"/api/v1/feedback/{code}"
    body = client.get(path, **bearer(world.officer)).json()
    assert body["sender"] == {"name": "Phạm Văn Cường", "phone": "0912345678", "email": ""}
    log = DataAccessLog.objects.get(purpose="feedback_view")
    assert (log.actor_id, log.subject_id, log.channel) == (world.officer.pk, code, "api")
    assert client.get(path, **bearer(world.other_officer)).status_code == 404
    assert client.get(path, **bearer(world.supervisor)).status_code == 200


def test_the_staff_list_filters_and_paginates(world: World, client: Client) -> None:
    with freeze_time(MON):
        for _ in range(3):
            _post(client, BODY)
        _post(client, {**BODY, "place": "00004"})
    first = Feedback.objects.order_by("id").first()
    assert first is not None
    feedback_classify(
        feedback=first, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    officer = bearer(world.officer)
    listed = client.get("/api/v1/feedback?page_size=2", **officer).json()
    assert listed["count"] == 3
    assert len(listed["items"]) == 2
    assert listed["items"][0]["sender"]["phone"] == "0912345678"
    assigned = client.get("/api/v1/feedback?status=assigned", **officer).json()
    assert [i["code"] for i in assigned["items"]] == [first.code]
    supervisor = bearer(world.supervisor)
    assert client.get("/api/v1/feedback", **supervisor).json()["count"] == 4
    assert client.get("/api/v1/feedback?unit=00004", **supervisor).json()["count"] == 1
    with freeze_time("2026-03-17 09:00:00+07:00"):
        late = client.get("/api/v1/feedback?late=true", **supervisor).json()
    assert late["count"] == 4
    assert all(item["late"] for item in late["items"])
    assert client.get("/api/v1/feedback", **bearer(world.citizen)).status_code == 403
    assert client.get("/api/v1/feedback").status_code == 401
    assert client.get("/api/v1/feedback?status=lost", **officer).json()["code"] == (
        "invalid_status"
    )


# --- attachments (multipart, as the dossiers' actions with files) --------------------------


def _multipart(
    client: Client, files: list[Any], headers: dict[str, str] | None = None, **fields: Any
) -> Any:
    return client.post(
        "/api/v1/feedback", {**BODY, **fields, "attachments": files}, headers=headers
    )


@freeze_time(MON)
def test_a_multipart_submission_keeps_the_files_and_the_sender_downloads_them(
    world: World, client: Client
) -> None:
    from .test_attachments import jpeg, pdf

    response = _multipart(client, [jpeg(), pdf()], public_consent="true")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [(a["name"], a["content_type"], a["pages"]) for a in body["attachments"]] == [
        ("anh.jpg", "image/jpeg", 1),
        ("giay-hen.pdf", "application/pdf", 1),
    ]
    fb = Feedback.objects.get()
    assert fb.public_consent is True
    assert fb.channel == "api"
    url = f"/api/v1/feedback/{fb.code}/attachments/{body['attachments'][1]['id']}"
    assert client.get(url).status_code == 404  # no secret
    assert client.get(url, HTTP_X_FEEDBACK_SECRET="AAAA-BBBB-CCCC").status_code == 404
    download = client.get(url, HTTP_X_FEEDBACK_SECRET=body["secret"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.getvalue().startswith(b"%PDF-")
    assert not DataAccessLog.objects.exists()  # the sender's own file
    followed = client.get(f"/api/v1/feedback/{fb.code}", HTTP_X_FEEDBACK_SECRET=body["secret"])
    assert [a["id"] for a in followed.json()["attachments"]] == [
        a["id"] for a in body["attachments"]
    ]


@freeze_time(MON)
def test_staff_download_is_logged_and_another_units_is_404(world: World, client: Client) -> None:
    from motcua.feedback.models import FeedbackAttachment

    from .helpers import send
    from .test_attachments import png

    fb = send(place=world.ward, attachments=[png()]).feedback
    file_id = FeedbackAttachment.objects.get().file_id
    url = f"/api/v1/feedback/{fb.code}/attachments/{file_id}"

    assert client.get(url, **bearer(world.other_officer)).status_code == 404
    assert not DataAccessLog.objects.exists()
    response = client.get(url, **bearer(world.officer))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    log = DataAccessLog.objects.get()
    assert (log.actor_id, log.subject_id, log.purpose, log.channel) == (
        world.officer.pk,
        fb.code,
        "feedback_file_download",
        "api",
    )
    listed = client.get("/api/v1/feedback?status=open", **bearer(world.officer)).json()
    assert [a["id"] for a in listed["items"][0]["attachments"]] == [file_id]


@freeze_time(MON)
def test_bad_files_are_400_with_the_code_the_field_and_the_file_name(
    world: World, client: Client, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_attachments import pdf, png

    fake = SimpleUploadedFile("anh.png", b"GIF89a not allowed", content_type="image/png")
    response = _multipart(client, [fake])
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "attachments"
    assert error["code"] == "file_type_not_allowed"
    assert error["message"] == (
        "Tệp “anh.png”: Loại tệp không được chấp nhận: chỉ nhận PDF, JPEG, PNG."
    )

    response = _multipart(client, [png(f"{i}.png") for i in range(6)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_files"

    settings.MOTCUA_FEEDBACK_ATTACHMENTS = {
        "max_files": 5,
        "max_bytes": 1024 * 1024,
        "total_bytes": 2 * 1024 * 1024,
    }
    big = pdf("bien-ban.pdf", padding=1024 * 1024)
    response = _multipart(client, [big], headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "attachments",
        "code": "file_too_large",
        "message": "The file “bien-ban.pdf” is too large: at most 1 MB each.",
    }

    response = client.post("/api/v1/feedback", {**BODY, "photo": png()})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "photo",
            "code": "extra_forbidden",
            "message": "Tệp phải được gửi dưới tên attachments.",
        }
    ]
    assert Feedback.objects.count() == 0


def test_a_multipart_body_over_the_total_is_413_before_it_is_read(
    world: World, client: Client, settings: Any
) -> None:
    from .test_attachments import pdf

    settings.MOTCUA_FEEDBACK_ATTACHMENTS = {
        "max_files": 5,
        "max_bytes": 1024 * 1024,
        "total_bytes": 1024 * 1024,
    }
    files = [pdf(f"{i}.pdf", padding=600 * 1024) for i in range(2)]
    response = _multipart(client, files)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert Feedback.objects.count() == 0
