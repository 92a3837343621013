"""Files attached to a feedback's answer by the staff member answering: checked and stored
exactly as the sender's (type from the bytes, sizes, count, antivirus, the documents'
store), shown to the sender with the published answer only (portal page and API), their
downloads by staff logged as the sender's files' are; the workspace form works without
JavaScript and lists every problem at once, keeping the text typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from motcua.core.errors import NotFound, ValidationError
from motcua.core.models import DataAccessLog
from motcua.documents.models import StoredFile
from motcua.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackAttachmentPart,
    FeedbackEvent,
    FeedbackStatus,
)
from motcua.feedback.selectors import (
    feedback_attachment_get_for_actor,
    feedback_attachment_get_for_sender,
    feedback_attachments,
)
from motcua.feedback.services import (
    Submitted,
    feedback_answer,
    feedback_classify,
    feedback_publish,
)
from tests.documents.samples import EICAR, fake_clamd, pdf_bytes, stored_names
from tests.dossiers.helpers import MON, World

from .helpers import reload, send
from .test_attachments import jpeg, pdf, png

pytestmark = pytest.mark.django_db

ANSWER = FeedbackAttachmentPart.ANSWER


def _assigned(world: World, **kw: Any) -> Submitted:
    sent = send(place=world.ward, **kw)
    feedback_classify(
        feedback=sent.feedback, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    return sent


def _answer(world: World, fb: Feedback, *files: Any, **kw: Any) -> Feedback:
    return feedback_answer(
        feedback=fb, actor=world.officer, answer="Đã chấn chỉnh.", attachments=files, now=MON, **kw
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the service --------------------------------------------------------------------------


def test_the_answer_keeps_its_own_files_apart_from_the_senders(world: World) -> None:
    fb = _assigned(world, attachments=[png("hien-truong.png")]).feedback

    _answer(world, fb, pdf("cong-van.pdf"), jpeg("bien-ban.jpg"))

    answer_files = list(feedback_attachments(feedback=fb, part=ANSWER))
    assert [(a.position, a.file.name, a.file.content_type) for a in answer_files] == [
        (1, "cong-van.pdf", "application/pdf"),
        (2, "bien-ban.jpg", "image/jpeg"),
    ]
    assert [a.file.name for a in feedback_attachments(feedback=fb)] == ["hien-truong.png"]
    assert answer_files[0].file.added_by == world.officer
    event = FeedbackEvent.objects.filter(feedback=fb, kind="answer").get()
    assert [a["name"] for a in event.data["attachments"]] == ["cong-van.pdf", "bien-ban.jpg"]
    assert event.data["attachments_removed"] == []
    assert len(stored_names()) == 3


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo")], "file_type_not_allowed"),
        ([png(f"{i}.png") for i in range(6)], "too_many_files"),
    ],
)
def test_the_answers_files_are_refused_as_the_senders_and_nothing_is_saved(
    world: World, files: list[Any], code: str
) -> None:
    fb = _assigned(world).feedback

    with pytest.raises(ValidationError) as caught:
        _answer(world, fb, *files)

    assert caught.value.code == code
    assert caught.value.errors[0]["field"] == "attachments"
    assert reload(fb).status == FeedbackStatus.ASSIGNED
    assert reload(fb).answer == ""
    assert StoredFile.objects.count() == 0
    assert stored_names() == []


def test_the_size_limits_are_the_senders(world: World, settings: Any) -> None:
    settings.MOTCUA_FEEDBACK_ATTACHMENTS = {"max_files": 5, "max_bytes": 2000, "total_bytes": 1}
    fb = _assigned(world).feedback
    with pytest.raises(ValidationError) as caught:
        _answer(world, fb, pdf("lon.pdf", extra=b"x" * 3000))
    assert caught.value.code == "file_too_large"
    assert "lon.pdf" in caught.value.render()
    assert stored_names() == []


def test_an_infected_answer_file_is_refused_by_the_antivirus(world: World) -> None:
    fb = _assigned(world).feedback
    infected = SimpleUploadedFile("virus.pdf", pdf_bytes(extra=EICAR))
    with (
        fake_clamd() as clamd,
        override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=clamd.port),
        pytest.raises(ValidationError) as caught,
    ):
        _answer(world, fb, infected)
    assert caught.value.code == "file_infected"
    assert reload(fb).status == FeedbackStatus.ASSIGNED
    assert stored_names() == []


def test_a_second_answer_replaces_the_files_when_it_has_some_else_keeps_or_drops_them(
    world: World,
) -> None:
    fb = _assigned(world).feedback
    _answer(world, fb, png("cu.png"))
    first = FeedbackAttachment.objects.get(part=ANSWER).file_id

    _answer(world, fb)  # the text only: the file stays
    assert [a.file_id for a in feedback_attachments(feedback=fb, part=ANSWER)] == [first]

    _answer(world, fb, pdf("moi.pdf"))
    assert [a.file.name for a in feedback_attachments(feedback=fb, part=ANSWER)] == ["moi.pdf"]
    last = FeedbackEvent.objects.filter(feedback=fb, kind="answer").order_by("-id").first()
    assert last is not None
    assert last.data["attachments_removed"] == [first]
    assert StoredFile.objects.filter(pk=first).exists()  # named by the earlier event

    _answer(world, fb, attachments_remove=True)
    assert not feedback_attachments(feedback=fb, part=ANSWER).exists()


def test_the_sender_reads_the_answers_files_once_published_and_staff_reads_are_logged(
    world: World,
) -> None:
    sent = _assigned(world, sender=world.citizen)
    fb = _answer(world, sent.feedback, png())
    file_id = FeedbackAttachment.objects.get(part=ANSWER).file_id
    with pytest.raises(NotFound):
        feedback_attachment_get_for_sender(code=fb.code, file_id=file_id, person=world.citizen)

    feedback_publish(feedback=fb, actor=world.leader, now=MON)

    found = feedback_attachment_get_for_sender(code=fb.code, file_id=file_id, person=world.citizen)
    assert found.file_id == file_id
    assert not DataAccessLog.objects.exists()  # the sender's own: not logged
    feedback_attachment_get_for_actor(actor=world.officer, code=fb.code, file_id=file_id, now=MON)
    log = DataAccessLog.objects.get()
    assert (log.actor_id, log.subject_id, log.purpose) == (
        world.officer.pk,
        fb.code,
        "feedback_file_download",
    )


# --- the portal and the API ---------------------------------------------------------------


def test_the_follow_page_shows_the_answers_files_with_the_published_answer(
    world: World, client: Client
) -> None:
    sent = _assigned(world)
    fb = _answer(world, sent.feedback, pdf("cong-van.pdf"))
    file_id = FeedbackAttachment.objects.get(part=ANSWER).file_id
    url = f"/feedback/{fb.code}/files/{file_id}/"

    page = client.post(f"/feedback/{fb.code}/", {"secret": sent.secret}).content.decode()
    assert "cong-van.pdf" not in page
    assert client.get(url).status_code == 404

    feedback_publish(feedback=fb, actor=world.leader, now=MON)
    page = client.post(f"/feedback/{fb.code}/", {"secret": sent.secret}).content.decode()

    assert "Tệp kèm trả lời" in page
    assert f'href="{url}"' in page
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert not DataAccessLog.objects.exists()


def test_the_api_gives_the_answers_files_to_the_sender_once_published_and_to_staff(
    world: World, client: Client
) -> None:
    sent = _assigned(world, attachments=[png("hien-truong.png")])
    fb = _answer(world, sent.feedback, pdf("cong-van.pdf"))
    file_id = FeedbackAttachment.objects.get(part=ANSWER).file_id
    path = f"/api/v1/feedback/{fb.code}"
    secret = {"HTTP_X_FEEDBACK_SECRET": sent.secret}

    before = client.get(path, **secret).json()
    assert [a["name"] for a in before["attachments"]] == ["hien-truong.png"]
    assert before["answer_attachments"] == []
    assert client.get(f"{path}/attachments/{file_id}", **secret).status_code == 404
    staff = _client(world.officer).get(path).json()
    assert [a["name"] for a in staff["answer_attachments"]] == ["cong-van.pdf"]

    feedback_publish(feedback=fb, actor=world.leader, now=MON)

    after = client.get(path, **secret).json()
    assert [(a["id"], a["name"], a["content_type"]) for a in after["answer_attachments"]] == [
        (file_id, "cong-van.pdf", "application/pdf")
    ]
    assert [a["name"] for a in after["attachments"]] == ["hien-truong.png"]
    assert client.get(f"{path}/attachments/{file_id}", **secret).status_code == 200


# --- the workspace form -------------------------------------------------------------------


def test_the_workspace_answer_form_takes_files_without_javascript(world: World) -> None:
    fb = _assigned(world).feedback
    officer = _client(world.officer)
    page = officer.get(f"/workspace/feedback/{fb.code}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" id="id_attachments" name="attachments" multiple' in page

    done = officer.post(
        f"/workspace/feedback/{fb.code}/answer/",
        {"answer": "Đã chấn chỉnh.", "attachments": [png("anh.png"), pdf("cong-van.pdf")]},
    )

    assert done.status_code == 302
    assert [a.file.name for a in feedback_attachments(feedback=fb, part=ANSWER)] == [
        "anh.png",
        "cong-van.pdf",
    ]
    page = officer.get(f"/workspace/feedback/{fb.code}/").content.decode()
    file_id = FeedbackAttachment.objects.get(part=ANSWER, position=1).file_id
    assert f'href="/workspace/feedback/{fb.code}/files/{file_id}/"' in page
    assert "Bỏ các tệp đã kèm câu trả lời" in page


def test_the_workspace_lists_every_problem_at_once_and_keeps_the_text(world: World) -> None:
    fb = _assigned(world).feedback
    officer = _client(world.officer)
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo")

    both = officer.post(
        f"/workspace/feedback/{fb.code}/answer/", {"answer": "", "attachments": [fake]}
    )

    assert both.status_code == 400
    html = both.content.decode()
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</ul>", start)]
    assert 'href="#id_answer">Viết nội dung trả lời.' in summary
    assert 'href="#id_attachments">Tệp “anh.jpg”' in summary
    assert "anh.jpg" in html[html.index("_chosen") :]  # named, to be chosen again

    kept = officer.post(
        f"/workspace/feedback/{fb.code}/answer/",
        {"answer": "Nội dung đã gõ", "attachments": [png(f"{i}.png") for i in range(6)]},
    )
    assert kept.status_code == 400
    html = kept.content.decode()
    assert "Nội dung đã gõ</textarea>" in html
    assert "tối đa 5 tệp" in html
    assert reload(fb).status == FeedbackStatus.ASSIGNED
    assert stored_names() == []


def test_the_workspace_form_in_english(world: World) -> None:
    fb = _assigned(world).feedback
    officer = _client(world.officer)
    with translation.override("vi"):  # the request switches the thread to English: back after
        page = officer.get(f"/workspace/feedback/{fb.code}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Photos, documents with the answer" in html
    assert "Remove the files attached to the answer" not in html  # no files yet


def test_the_senders_personal_data_names_the_answers_files_once_published(world: World) -> None:
    from motcua.privacy.selectors import personal_data_of

    sent = _assigned(world, sender=world.citizen, attachments=[png("hien-truong.png")])
    fb = _answer(world, sent.feedback, pdf("cong-van.pdf"))

    def entry() -> dict[str, Any]:
        sections = {s.key: s for s in personal_data_of(person=world.citizen, now=MON).sections}
        return sections["feedback"].entries[0].data

    assert (entry()["attachments"], entry()["answer_attachments"]) == (["hien-truong.png"], [])
    feedback_publish(feedback=fb, actor=world.leader, now=MON)
    assert entry()["answer_attachments"] == ["cong-van.pdf"]
