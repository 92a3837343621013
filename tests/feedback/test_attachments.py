"""Files attached to a feedback (services and selectors): checked as a dossier's uploads are
(type sniffed from the bytes, size counted), at most 5, stored in the documents storage and
in the order sent; a refusal names the file and keeps nothing; staff who see the feedback
read them (logged), the sender too (not logged), nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.errors import NotFound, ValidationError
from motcua.core.models import DataAccessLog, OutboxMessage
from motcua.documents.models import StoredFile
from motcua.feedback.models import Feedback, FeedbackAttachment, FeedbackEvent
from motcua.feedback.selectors import (
    feedback_attachment_get_for_actor,
    feedback_attachment_get_for_sender,
    feedback_attachments,
)
from tests.documents.samples import image_bytes, pdf_bytes, stored_names
from tests.dossiers.helpers import MON, World

from .helpers import send

pytestmark = pytest.mark.django_db


def png(name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg(name: str = "anh.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


def pdf(name: str = "giay-hen.pdf", **kw: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(**kw), content_type="application/pdf")


def _refused(**kw: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        send(**kw)
    return caught.value


def test_photos_and_a_pdf_are_stored_in_the_order_sent(world: World) -> None:
    fb = send(place=world.ward, attachments=[jpeg(), png("hien-truong.png"), pdf()]).feedback

    rows = list(feedback_attachments(feedback=fb))
    assert [(a.position, a.file.name, a.file.content_type) for a in rows] == [
        (1, "anh.jpg", "image/jpeg"),
        (2, "hien-truong.png", "image/png"),
        (3, "giay-hen.pdf", "application/pdf"),
    ]
    assert sorted(stored_names()) == sorted(a.file.storage_name for a in rows)
    event = FeedbackEvent.objects.get(feedback=fb)
    assert [a["name"] for a in event.data["attachments"]] == [
        "anh.jpg",
        "hien-truong.png",
        "giay-hen.pdf",
    ]
    assert event.data["attachments"][0]["sha256"] == rows[0].file.sha256
    # The outbox message is unchanged: codes and ids only.
    assert "attachments" not in OutboxMessage.objects.get(topic="feedback.submitted").payload


def test_the_type_comes_from_the_bytes_not_the_name(world: World) -> None:
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    error = _refused(place=world.ward, attachments=[png(), fake])
    assert error.code == "file_type_not_allowed"
    assert error.errors[0]["field"] == "attachments"
    assert error.errors[0]["message"] == (
        "Tệp “anh.jpg”: Loại tệp không được chấp nhận: chỉ nhận PDF, JPEG, PNG."
    )
    assert Feedback.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_names() == []


def test_a_file_over_the_limit_is_refused_by_name(world: World, settings: Any) -> None:
    settings.MOTCUA_FEEDBACK_ATTACHMENTS = {
        "max_files": 5,
        "max_bytes": 1024 * 1024,
        "total_bytes": 4 * 1024 * 1024,
    }
    big = pdf("bien-ban.pdf", padding=1024 * 1024)
    error = _refused(place=world.ward, attachments=[big])
    assert error.code == "file_too_large"
    assert error.render() == "Tệp “bien-ban.pdf” quá lớn: mỗi tệp tối đa 1 MB."
    assert Feedback.objects.count() == 0
    assert stored_names() == []


def test_all_files_together_have_a_limit(world: World, settings: Any) -> None:
    settings.MOTCUA_FEEDBACK_ATTACHMENTS = {
        "max_files": 5,
        "max_bytes": 1024 * 1024,
        "total_bytes": 1024 * 1024,
    }
    files = [pdf(f"{i}.pdf", padding=400 * 1024) for i in range(3)]
    error = _refused(place=world.ward, attachments=files)
    assert error.code == "attachments_too_large"
    assert error.render() == "Các tệp đính kèm quá lớn: tổng cộng tối đa 1 MB."
    assert stored_names() == []


def test_more_than_five_files_are_refused(world: World) -> None:
    error = _refused(place=world.ward, attachments=[png(f"{i}.png") for i in range(6)])
    assert error.code == "too_many_files"
    assert error.render() == "Chỉ đính kèm được tối đa 5 tệp (bạn đã chọn 6)."
    assert Feedback.objects.count() == 0
    assert StoredFile.objects.count() == 0


def test_an_encrypted_or_empty_pdf_is_refused_with_the_documents_message(world: World) -> None:
    error = _refused(place=world.ward, attachments=[pdf("khoa.pdf", password="x")])
    assert error.code == "pdf_encrypted"
    assert error.render().startswith("Tệp “khoa.pdf”: Tệp PDF được đặt mật khẩu")
    empty = SimpleUploadedFile("rong.png", b"", content_type="image/png")
    assert _refused(place=world.ward, attachments=[empty]).code == "file_empty"


def test_a_bad_text_field_stores_no_file(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        send(place=world.ward, subject="", attachments=[png()])
    assert caught.value.code == "required"
    assert stored_names() == []


def test_a_failed_transaction_removes_the_stored_bytes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.feedback import services

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr(services, "outbox_enqueue", boom)
    with pytest.raises(RuntimeError):
        send(place=world.ward, attachments=[png(), pdf()])
    assert Feedback.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_names() == []


def test_staff_who_see_the_feedback_read_a_file_and_the_read_is_logged(world: World) -> None:
    fb = send(place=world.ward, attachments=[png()]).feedback
    file_id = FeedbackAttachment.objects.get().file_id

    found = feedback_attachment_get_for_actor(
        actor=world.officer, code=fb.code, file_id=file_id, now=MON
    )

    assert found.file_id == file_id
    log = DataAccessLog.objects.get()
    assert (log.actor_id, log.subject_type, log.subject_id, log.purpose) == (
        world.officer.pk,
        "feedback.feedback",
        fb.code,
        "feedback_file_download",
    )
    with pytest.raises(NotFound):  # another unit's staff
        feedback_attachment_get_for_actor(
            actor=world.other_officer, code=fb.code, file_id=file_id, now=MON
        )
    assert DataAccessLog.objects.count() == 1


def test_a_file_of_another_feedback_is_not_found(world: World) -> None:
    fb = send(place=world.ward, attachments=[png()]).feedback
    other = send(place=world.ward, attachments=[pdf()]).feedback
    other_file = FeedbackAttachment.objects.get(feedback=other).file_id
    with pytest.raises(NotFound):
        feedback_attachment_get_for_actor(
            actor=world.officer, code=fb.code, file_id=other_file, now=MON
        )
    assert not DataAccessLog.objects.exists()


def test_the_sender_reads_their_own_files_by_account_or_secret(world: World) -> None:
    mine = send(place=world.ward, sender=world.citizen, attachments=[png()]).feedback
    mine_file = FeedbackAttachment.objects.get(feedback=mine).file_id
    found = feedback_attachment_get_for_sender(
        code=mine.code, file_id=mine_file, person=world.citizen
    )
    assert found.feedback_id == mine.pk
    with pytest.raises(NotFound):
        feedback_attachment_get_for_sender(code=mine.code, file_id=mine_file, person=world.officer)

    submitted = send(place=world.ward, attachments=[pdf()])
    anon_file = FeedbackAttachment.objects.get(feedback=submitted.feedback).file_id
    found = feedback_attachment_get_for_sender(
        code=submitted.feedback.code, file_id=anon_file, secret=submitted.secret
    )
    assert found.file_id == anon_file
    with pytest.raises(NotFound):
        feedback_attachment_get_for_sender(
            code=submitted.feedback.code, file_id=anon_file, secret="AAAA-BBBB-CCCC"
        )
    with pytest.raises(NotFound):  # the right secret, another feedback's file
        feedback_attachment_get_for_sender(
            code=submitted.feedback.code, file_id=mine_file, secret=submitted.secret
        )
    assert not DataAccessLog.objects.exists()  # the sender's own data: not logged


def test_the_sender_sees_their_files_and_who_downloaded_them_on_their_personal_data_page(
    world: World,
) -> None:
    from motcua.privacy.selectors import personal_data_of, personal_data_reads

    fb = send(place=world.ward, sender=world.citizen, attachments=[png("hien-truong.png")]).feedback
    file_id = FeedbackAttachment.objects.get().file_id
    feedback_attachment_get_for_actor(actor=world.officer, code=fb.code, file_id=file_id, now=MON)

    sections = {s.key: s for s in personal_data_of(person=world.citizen, now=MON).sections}
    assert sections["feedback"].entries[0].data["attachments"] == ["hien-truong.png"]
    reads = list(personal_data_reads(person=world.citizen))
    assert [r.purpose for r in reads] == ["feedback_file_download"]
