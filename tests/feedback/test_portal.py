"""The portal's feedback pages: the form (error summary, CSRF, prefill), the confirmation
with the code and the secret once, the follow page (the sender's account, or the secret;
one answer for wrong ones; the answer only once published), the rate limit, and the public
list of published answers (consent only, no names, paginated)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.core.clock import format_vn_date
from motcua.feedback.models import Feedback
from motcua.feedback.services import feedback_answer, feedback_classify, feedback_publish
from tests.dossiers.helpers import MON, World

from .helpers import send

pytestmark = pytest.mark.django_db

FORM = {
    "subject": "Chậm trả kết quả",
    "body": "Hồ sơ quá hẹn một tuần.",
    "sender_name": "Phạm Văn Cường",
    "sender_phone": "0912345678",
    "place": "00070",
}


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _published(world: World, **kw: Any) -> Feedback:
    fb = send(place=world.ward, **kw).feedback
    fb = feedback_classify(
        feedback=fb, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    fb = feedback_answer(feedback=fb, actor=world.officer, answer="Đã trả kết quả.", now=MON)
    return feedback_publish(feedback=fb, actor=world.leader, now=MON)


def test_the_form_works_anonymously_and_lists_the_errors(world: World, client: Client) -> None:
    page = client.get("/feedback/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Phường Hoàn Kiếm" in html  # the place choices
    assert 'href="/feedback/"' in html  # the navigation entry
    response = client.post("/feedback/", {"subject": "", "body": "", "sender_name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    # Every missing field at once, the phone included (no account).
    assert html.count('<p class="error-message"') == 4
    assert 'href="#id_sender_phone"' in html
    assert 'href="#id_subject"' in html
    assert "Nhập tiêu đề phản ánh." in html
    response = client.post("/feedback/", {**FORM, "sender_phone": ""})
    assert response.status_code == 400
    assert "Cần số điện thoại để báo cho bạn khi có trả lời." in response.content.decode()
    assert Feedback.objects.count() == 0


def test_csrf_is_required(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/feedback/", FORM).status_code == 403
    assert Feedback.objects.count() == 0


def test_sending_shows_the_code_and_the_secret_once(world: World, client: Client) -> None:
    response = client.post("/feedback/", FORM)
    fb = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/{fb.code}/sent/"
    page = client.get(response["Location"]).content.decode()
    assert fb.code in page
    assert format_vn_date(fb.due_at) in page
    secret = page.split('<p><strong class="code">')[1].split("</strong>")[0]
    assert len(secret) == 14
    # Once: the confirmation again is the follow page's question.
    again = client.get(f"/feedback/{fb.code}/sent/")
    assert again.status_code == 302
    assert again["Location"] == f"/feedback/{fb.code}/"
    # The follow page with the secret.
    asked = client.get(f"/feedback/{fb.code}/")
    assert 'name="secret"' in asked.content.decode()
    wrong = client.post(f"/feedback/{fb.code}/", {"secret": "AAAA-AAAA-AAAA"})
    assert wrong.status_code == 404
    assert "Không tìm thấy phản ánh với mã và mã bí mật này." in wrong.content.decode()
    followed = client.post(f"/feedback/{fb.code}/", {"secret": secret})
    assert followed.status_code == 200
    assert "Chậm trả kết quả" in followed.content.decode()


def test_a_signed_in_sender_is_prefilled_and_follows_without_a_secret(
    world: World, client: Client
) -> None:
    world.citizen.phone = "0987654321"
    world.citizen.save()
    client.force_login(world.citizen)
    html = client.get("/feedback/").content.decode()
    assert 'value="Nguyễn Văn An"' in html
    assert 'value="0987654321"' in html
    form = {**FORM, "sender_name": "Nguyễn Văn An", "sender_phone": ""}
    response = client.post("/feedback/", form)
    assert response.status_code == 302
    fb = Feedback.objects.get()
    assert fb.sender == world.citizen
    assert fb.secret_hash == ""
    page = client.get(f"/feedback/{fb.code}/")
    assert page.status_code == 200
    assert "Chậm trả kết quả" in page.content.decode()
    other = Client()
    other.force_login(world.other_citizen)
    assert 'name="secret"' in other.get(f"/feedback/{fb.code}/").content.decode()


def test_the_answer_shows_on_the_follow_page_once_published(world: World, client: Client) -> None:
    sent = send(place=world.ward)
    fb = feedback_classify(
        feedback=sent.feedback, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    fb = feedback_answer(feedback=fb, actor=world.officer, answer="Câu trả lời XYZ.", now=MON)
    page = client.post(f"/feedback/{fb.code}/", {"secret": sent.secret}).content.decode()
    assert "Câu trả lời XYZ." not in page
    feedback_publish(feedback=fb, actor=world.leader, now=MON)
    page = client.post(f"/feedback/{fb.code}/", {"secret": sent.secret}).content.decode()
    assert "Câu trả lời XYZ." in page
    assert "02/03/2026" in page  # dd/mm/yyyy


def test_sending_is_rate_limited(world: World, client: Client, settings: Any) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "feedback_submit": (1, 3600)}
    assert client.post("/feedback/", FORM).status_code == 302
    limited = client.post("/feedback/", FORM)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert Feedback.objects.count() == 1


def test_public_answers_show_consenting_published_ones_without_names(
    world: World, client: Client
) -> None:
    shown = _published(world, public_consent=True, subject="Công khai được")
    _published(world, public_consent=False, subject="Không công khai")
    page = client.get("/feedback/answers/").content.decode()
    assert shown.subject in page
    assert "Đã trả kết quả." in page
    assert "Không công khai" not in page
    assert "Phạm Văn Cường" not in page
    assert "0912345678" not in page
    for _ in range(11):
        _published(world, public_consent=True)
    second = client.get("/feedback/answers/?page=2").content.decode()
    assert "Trang 2 / 2" in second
    assert client.get("/feedback/answers/?category=fees").content.decode().count("<article") == 0


# --- attachments -------------------------------------------------------------------------


def test_the_form_takes_photos_and_a_pdf_and_the_sender_downloads_them(
    world: World, client: Client
) -> None:
    from motcua.feedback.models import FeedbackAttachment

    from .test_attachments import jpeg, pdf, png

    page = client.get("/feedback/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" id="id_attachments" name="attachments" multiple' in page
    assert "Tối đa 5 tệp ảnh JPEG, PNG hoặc PDF, mỗi tệp tối đa 10 MB." in page

    response = client.post("/feedback/", {**FORM, "attachments": [jpeg(), png(), pdf()]})

    assert response.status_code == 302, response.content.decode()
    fb = Feedback.objects.get()
    files = list(FeedbackAttachment.objects.filter(feedback=fb).order_by("position"))
    assert [a.file.name for a in files] == ["anh.jpg", "anh.png", "giay-hen.pdf"]
    sent = client.get(response["Location"])
    secret = sent.context["secret"]

    # Another browser: nothing until the secret is typed on the follow page.
    other = Client()
    url = f"/feedback/{fb.code}/files/{files[2].file_id}/"
    assert other.get(url).status_code == 404
    follow = other.post(f"/feedback/{fb.code}/", {"secret": secret})
    html = follow.content.decode()
    assert "Tệp đính kèm" in html
    assert f'href="{url}"' in html
    download = other.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert download.getvalue().startswith(b"%PDF-")
    # The grant is for this feedback only.
    mine = send(place=world.ward, attachments=[png()]).feedback
    mine_file = FeedbackAttachment.objects.get(feedback=mine).file_id
    assert other.get(f"/feedback/{mine.code}/files/{mine_file}/").status_code == 404
    assert other.get(f"/feedback/{fb.code}/files/{mine_file}/").status_code == 404


def test_a_signed_in_sender_sees_and_downloads_their_files_nobody_else(world: World) -> None:
    from motcua.feedback.models import FeedbackAttachment

    from .test_attachments import png

    fb = send(place=world.ward, sender=world.citizen, attachments=[png()]).feedback
    file_id = FeedbackAttachment.objects.get().file_id
    url = f"/feedback/{fb.code}/files/{file_id}/"
    citizen = Client()
    citizen.force_login(world.citizen)
    assert f'href="{url}"' in citizen.get(f"/feedback/{fb.code}/").content.decode()
    assert citizen.get(url).status_code == 200
    stranger = Client()
    stranger.force_login(world.stranger)
    assert stranger.get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_bad_files_are_listed_with_the_other_errors_and_the_text_is_kept(
    world: World, client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_attachments import png

    fake = SimpleUploadedFile("bao-cao.docx", b"PK\x03\x04 a word file")
    response = client.post("/feedback/", {**FORM, "subject": "", "attachments": [png(), fake]})

    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert 'href="#id_subject"' in html
    assert 'href="#id_attachments"' in html
    assert "Tệp “bao-cao.docx”: Loại tệp không được chấp nhận: chỉ nhận PDF, JPEG, PNG." in html
    assert 'aria-invalid="true"' in html
    assert (
        "Các tệp bạn đã chọn chưa được gửi, vui lòng chọn lại:</strong> anh.png, bao-cao.docx"
        in html
    )
    assert "Hồ sơ quá hẹn một tuần." in html  # what was typed is still there
    assert 'value="Phạm Văn Cường"' in html
    assert Feedback.objects.count() == 0


def test_too_many_files_and_good_files_after_another_error_are_explained(
    world: World, client: Client
) -> None:
    from .test_attachments import png

    response = client.post(
        "/feedback/", {**FORM, "attachments": [png(f"{i}.png") for i in range(6)]}
    )
    assert response.status_code == 400
    assert "Chỉ đính kèm được tối đa 5 tệp (bạn đã chọn 6)." in response.content.decode()

    response = client.post("/feedback/", {**FORM, "body": "", "attachments": [png("a.png")]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Các tệp bạn đã chọn chưa được gửi, vui lòng chọn lại:</strong> a.png" in html
    assert 'href="#id_attachments"' not in html  # not an error of the files
    assert Feedback.objects.count() == 0


def test_a_file_too_large_is_refused_with_the_limit(
    world: World, client: Client, settings: Any
) -> None:
    from .test_attachments import pdf

    settings.MOTCUA_FEEDBACK_ATTACHMENTS = {
        "max_files": 5,
        "max_bytes": 1024 * 1024,
        "total_bytes": 2 * 1024 * 1024,
    }
    big = pdf("bien-ban.pdf", padding=1024 * 1024)
    response = client.post("/feedback/", {**FORM, "attachments": [big]})
    assert response.status_code == 400
    assert "Tệp “bien-ban.pdf” quá lớn: mỗi tệp tối đa 1 MB." in response.content.decode()
    assert Feedback.objects.count() == 0


def test_the_places_are_in_a_readers_order(world: World, client: Client) -> None:
    """Numbers by their value and accents aside: "Chi nhánh số 2" before "Chi nhánh số 10",
    "Phường Đống Đa" among the D's (not after every Z, as the code points put it)."""
    from motcua.organisation.selectors import units_cache_invalidate
    from tests.factories import UnitFactory

    for number in (10, 2, 1):
        UnitFactory(code=f"01.CN{number:02d}", name=f"Chi nhánh số {number}", parent=world.province)
    UnitFactory(code="00235", name="Phường Đống Đa", parent=world.province)
    UnitFactory(code="00236", name="Phường Yên Hòa", parent=world.province)
    units_cache_invalidate()
    html = client.get("/feedback/").content.decode()
    order = [html.index(f">{name}</option>") for name in (
        "Chi nhánh số 1", "Chi nhánh số 2", "Chi nhánh số 10",
        "Phường Ba Đình", "Phường Đống Đa", "Phường Hoàn Kiếm", "Phường Yên Hòa",
    )]  # fmt: skip
    assert order == sorted(order)
