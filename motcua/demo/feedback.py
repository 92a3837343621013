"""Demo citizens' feedback (docs/feedback.md): a dozen feedback items about the staffed wards,
driven through the real services at simulated times: some answered and published (most on
the public page of answers), one waiting for the leader's publication, some late without an
answer (the supervisor's late view), some just received, one rejected and one duplicate.
The demo citizen (`congdan`) sent two of them from the account. Some carry a photo or a PDF
the sender attached, and one published answer the letter the ward attached (small real
files made in code, `demo.files`, checked and stored as any upload). Idempotent: nothing is
added once any feedback exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from motcua.accounts.models import User
from motcua.feedback.models import Feedback
from motcua.feedback.services import (
    feedback_answer,
    feedback_classify,
    feedback_publish,
    feedback_reject,
    feedback_submit,
)
from motcua.organisation.models import Unit

from .files import demo_letter, demo_photo


@dataclass(frozen=True)
class Item:
    days_ago: int
    place: str | None
    category: str
    subject: str
    body: str
    #: received | assigned | answered | published | rejected | duplicate
    outcome: str
    answer: str = ""
    public: bool = True
    by_citizen: bool = False
    #: Keys of FILES: what the sender attached, and what the answer did.
    files: tuple[str, ...] = ()
    answer_files: tuple[str, ...] = ()


ITEMS = (
    Item(
        40,
        "00070",
        "delay",
        "Hồ sơ đăng ký hộ kinh doanh quá hẹn",
        "Tôi nộp hồ sơ đăng ký hộ kinh doanh tại bộ phận một cửa phường, giấy hẹn ghi 3 ngày "
        "làm việc nhưng đã quá 5 ngày chưa có kết quả và chưa nhận được thư xin lỗi.",
        "published",
        "Phường đã kiểm tra: hồ sơ chậm do chuyển nhầm bước thẩm định. Kết quả đã được trả "
        "ngày hôm sau kèm thư xin lỗi; cán bộ liên quan đã được nhắc nhở.",
        files=("appointment",),
        answer_files=("apology",),
    ),
    Item(
        35,
        "00070",
        "certified_copy",
        "Bị yêu cầu nộp bản sao có chứng thực",
        "Khi nộp hồ sơ cấp giấy phép xây dựng, cán bộ yêu cầu tôi nộp bản sao có chứng thực "
        "căn cước dù tôi đã xuất trình bản chính.",
        "published",
        "Theo Nghị định 118/2025/NĐ-CP, người nộp được nộp bản sao và xuất trình bản chính để "
        "đối chiếu; không được yêu cầu bản sao có chứng thực. Phường đã chấn chỉnh.",
    ),
    Item(
        30,
        "00004",
        "attitude",
        "Cán bộ tiếp nhận thiếu niềm nở",
        "Cán bộ tại quầy số 2 trả lời cộc lốc khi tôi hỏi về thành phần hồ sơ.",
        "published",
        "Lãnh đạo phường đã làm việc với cán bộ; phường xin lỗi ông/bà và cảm ơn phản ánh.",
        public=False,
    ),
    Item(
        28,
        "00167",
        "fees",
        "Thu lệ phí không có biên lai",
        "Tôi nộp lệ phí cấp bản sao trích lục khai sinh nhưng không được nhận biên lai.",
        "published",
        "Biên lai điện tử đã được lập và gửi vào tài khoản của bạn trên cổng dịch vụ công.",
    ),
    Item(
        25,
        None,
        "online_service",
        "Không tải được tệp đính kèm khi nộp trực tuyến",
        "Cổng dịch vụ công báo lỗi khi tôi tải tệp PDF 3 MB lên hồ sơ.",
        "published",
        "Lỗi do giới hạn kích thước của một thành phần hồ sơ, đã được nâng lên 10 MB.",
        by_citizen=True,
    ),
    Item(
        22,
        "00235",
        "delay",
        "Hồ sơ xác nhận tình trạng hôn nhân chậm",
        "Đã quá hẹn 4 ngày, gọi điện đến phường không ai nghe máy.",
        "assigned",
    ),
    Item(
        20,
        "00070",
        "other",
        "Thiếu chỗ để xe tại bộ phận một cửa",
        "Người dân đến nộp hồ sơ không có chỗ để xe máy, phải để trên vỉa hè.",
        "received",
        files=("pavement",),
    ),
    Item(
        18,
        "09574",
        "attitude",
        "Hẹn đi hẹn lại nhiều lần",
        "Tôi phải đến ba lần để bổ sung giấy tờ, mỗi lần cán bộ yêu cầu một thứ khác.",
        "answered",
        "Phường đã rà soát: lần yêu cầu bổ sung thứ hai và thứ ba không đúng quy định. Cán bộ "
        "đã bị nhắc nhở; từ nay mọi yêu cầu bổ sung được lập một lần bằng văn bản.",
    ),
    Item(
        15,
        "00070",
        "other",
        "Quảng cáo dịch vụ làm hộ hồ sơ",
        "Có người đứng trước trụ sở mời làm hộ hồ sơ lấy tiền.",
        "rejected",
        "Nội dung thuộc thẩm quyền của công an phường; đã chuyển thông tin để xử lý.",
    ),
    Item(
        3,
        "00454",
        "delay",
        "Chưa nhận được kết quả cấp đổi giấy phép lái xe",
        "Tôi nộp hồ sơ trực tuyến hai tuần trước, trạng thái vẫn là đang xử lý.",
        "received",
        by_citizen=True,
    ),
    Item(
        1,
        "00004",
        "fees",
        "Mức phí khác với niêm yết",
        "Bảng niêm yết ghi 8.000 đồng nhưng tôi bị thu 10.000 đồng.",
        "received",
        files=("notice_board",),
    ),
)

SENDERS = ("Trần Văn Bình", "Lê Thị Hoa", "Phạm Minh Đức", "Hoàng Thị Lan", "Vũ Văn Nam")


def _file(key: str) -> Any:
    """A fresh upload of the demo file `key` (each upload is read once)."""
    if key == "pavement":
        return demo_photo(name="xe-tren-via-he.png", scene="pavement")
    if key == "notice_board":
        return demo_photo(name="bang-niem-yet.png", scene="notice_board")
    if key == "appointment":
        return demo_letter(
            name="giay-hen.pdf",
            title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            paragraphs=(
                "Hồ sơ: Đăng ký hộ kinh doanh.",
                "Thời hạn giải quyết: 3 ngày làm việc kể từ ngày tiếp nhận.",
                "Người tiếp nhận: Bộ phận Một cửa phường Hoàn Kiếm.",
            ),
        )
    if key == "apology":
        return demo_letter(
            name="thu-xin-loi.pdf",
            title="THƯ XIN LỖI",
            paragraphs=(
                "Kính gửi ông/bà,",
                "Hồ sơ đăng ký hộ kinh doanh của ông/bà đã được giải quyết chậm so với giấy hẹn "
                "do cán bộ chuyển nhầm bước thẩm định. Ủy ban nhân dân phường Hoàn Kiếm chân "
                "thành xin lỗi ông/bà vì sự chậm trễ này.",
                "Kết quả đã được trả; cán bộ liên quan đã được nhắc nhở.",
            ),
        )
    raise ValueError(f"unknown demo file {key!r}")


def _staff(unit: Unit, prefix: str) -> User | None:
    return User.objects.filter(
        username__startswith=f"{prefix}.", role_assignments__unit=unit
    ).first()


def demo_feedback_load(*, now: dt.datetime) -> int:
    """The demo feedback; answers how many were added (0 when some already exist)."""
    if Feedback.objects.exists():
        return 0
    supervisor = User.objects.filter(username="giamsat").first()
    citizen = User.objects.filter(username="congdan").first()
    first: Feedback | None = None
    added = 0
    for n, item in enumerate(ITEMS):
        at = now - dt.timedelta(days=item.days_ago, hours=n)
        place = Unit.objects.filter(code=item.place).first() if item.place else None
        sender = citizen if item.by_citizen else None
        submitted = feedback_submit(
            subject=item.subject,
            body=item.body,
            sender_name=sender.display_name if sender else SENDERS[n % len(SENDERS)],
            sender=sender,
            sender_phone=f"09{n:02d}123456" if sender is None else "",
            place=place,
            public_consent=item.public,
            attachments=[_file(key) for key in item.files],
            now=at,
        )
        feedback = submitted.feedback
        added += 1
        first = first or feedback
        unit = place or Unit.objects.filter(code="00070").first()
        if item.outcome == "received" or unit is None:
            continue
        officer = _staff(unit, "motcua") or supervisor
        leader = _staff(unit, "lanhdao") or supervisor
        if officer is None or leader is None:
            continue
        # Feedback without a place is triaged by the city (the supervisor).
        triage = officer if place is not None else supervisor or officer
        step = dt.timedelta(days=1)
        if item.outcome == "rejected":
            feedback_reject(feedback=feedback, actor=triage, reason=item.answer, now=at + step)
            continue
        feedback = feedback_classify(
            feedback=feedback, actor=triage, category=item.category, unit=unit, now=at + step
        )
        if item.outcome == "assigned":
            continue
        feedback = feedback_answer(
            feedback=feedback,
            actor=officer,
            answer=item.answer,
            attachments=[_file(key) for key in item.answer_files],
            now=at + 3 * step,
        )
        if item.outcome == "published":
            feedback_publish(feedback=feedback, actor=leader, now=at + 4 * step)
    # A duplicate of the first one, sent again the next day.
    if first is not None and supervisor is not None:
        again = feedback_submit(
            subject=first.subject,
            body=first.body,
            sender_name=first.sender_name,
            sender_phone=first.sender_phone,
            place=first.place,
            now=first.received_at + dt.timedelta(days=1),
        ).feedback
        feedback_reject(
            feedback=again,
            actor=supervisor,
            reason=f"Trùng với phản ánh {first.code} đã được trả lời.",
            duplicate_of=first,
            now=again.received_at + dt.timedelta(hours=2),
        )
        added += 1
    return added
