"""The templates motcua ships (seeded by migration 0002, restored by "reset to default").

SMS texts are unaccented (the renderer strips marks from the values too) and short enough
to stay in one 160-character segment with long values; e-mail and in-app texts are accented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Default(NamedTuple):
    subject: str
    body: str


# (event, channel, language) -> default
DEFAULTS: dict[tuple[str, str, str], Default] = {}


_VI_FOOT = "\n\nTra cứu hồ sơ: {lookup_url}\nĐây là thư tự động, vui lòng không trả lời."
_EN_FOOT = "\n\nTrack your application: {lookup_url}\nThis is an automatic message."


def _add(event: str, language: str, *, sms: str, subject: str, body: str) -> None:
    DEFAULTS[(event, "sms", language)] = Default("", sms)
    DEFAULTS[(event, "email", language)] = Default(subject, body)
    # In the portal the message sits beside the dossier's own link: no address, no "do not
    # reply" line.
    short = body.replace(_VI_FOOT, "").replace(_EN_FOOT, "")
    DEFAULTS[(event, "inapp", language)] = Default(subject, short)


_add(
    "received",
    "vi",
    sms="Ho so {code} ({procedure}) da duoc tiep nhan. Hen tra ket qua {appointment}. "
    "Tra cuu: {lookup_url}",
    subject="Hồ sơ {code} đã được tiếp nhận",
    body="Hồ sơ {code} ({procedure}) đã được tiếp nhận. Ngày hẹn trả kết quả: {appointment}."
    + _VI_FOOT,
)
_add(
    "received",
    "en",
    sms="Application {code} ({procedure}) received. Result due {appointment}. Track: {lookup_url}",
    subject="Application {code} received",
    body="Your application {code} ({procedure}) has been received. The result is due on "
    "{appointment}." + _EN_FOOT,
)
_add(
    "supplement_requested",
    "vi",
    sms="Ho so {code} ({procedure}) can bo sung giay to. Chi tiet: {lookup_url}",
    subject="Hồ sơ {code} cần bổ sung",
    body="Hồ sơ {code} ({procedure}) cần bổ sung giấy tờ, thông tin. Danh sách đầy đủ và lý do "
    "có trong trang tra cứu hồ sơ." + _VI_FOOT,
)
_add(
    "supplement_requested",
    "en",
    sms="Application {code} ({procedure}) needs more documents. Details: {lookup_url}",
    subject="Application {code}: documents needed",
    body="Your application {code} ({procedure}) needs more documents or information. The full "
    "list and the reasons are on the tracking page." + _EN_FOOT,
)
_add(
    "payment_requested",
    "vi",
    sms="Ho so {code}: moi nop phi, le phi {amount}. Chi tiet: {lookup_url}",
    subject="Hồ sơ {code}: nộp phí, lệ phí",
    body="Hồ sơ {code} ({procedure}): vui lòng nộp phí, lệ phí {amount}." + _VI_FOOT,
)
_add(
    "payment_requested",
    "en",
    sms="Application {code}: please pay the fee of {amount}. Details: {lookup_url}",
    subject="Application {code}: fee to pay",
    body="Application {code} ({procedure}): please pay the fee of {amount}." + _EN_FOOT,
)
_add(
    "payment_received",
    "vi",
    sms="Da nhan {amount} phi, le phi ho so {code}. Bien lai {receipt}: {receipt_url}",
    subject="Hồ sơ {code}: đã nhận phí, lệ phí",
    body="Cơ quan đã nhận {amount} phí, lệ phí của hồ sơ {code} ({procedure}). Biên lai điện "
    "tử số {receipt}, có chữ ký số, xem và tải về tại {receipt_url}." + _VI_FOOT,
)
_add(
    "payment_received",
    "en",
    sms="Received {amount} for application {code}. Receipt {receipt}: {receipt_url}",
    subject="Application {code}: fee received",
    body="We received the fee of {amount} for application {code} ({procedure}). Your signed "
    "electronic receipt {receipt} is at {receipt_url}." + _EN_FOOT,
)
_add(
    "receipt_replaced",
    "vi",
    sms="Ho so {code}: bien lai {replaces} da huy, thay bang bien lai {receipt}: {receipt_url}",
    subject="Hồ sơ {code}: biên lai {replaces} được thay thế",
    body="Biên lai {replaces} của hồ sơ {code} ({procedure}) đã được hủy và thay bằng biên lai "
    "điện tử số {receipt} ({amount}), xem và tải về tại {receipt_url}. Số tiền ông/bà đã nộp "
    "không thay đổi." + _VI_FOOT,
)
_add(
    "receipt_replaced",
    "en",
    sms="Application {code}: receipt {replaces} was cancelled, replaced by {receipt}: "
    "{receipt_url}",
    subject="Application {code}: receipt {replaces} replaced",
    body="Receipt {replaces} of application {code} ({procedure}) was cancelled and replaced by "
    "electronic receipt {receipt} ({amount}), at {receipt_url}. What you paid is unchanged."
    + _EN_FOOT,
)
_add(
    "apology",
    "vi",
    sms="Xin loi ong/ba: ho so {code} ({procedure}) tre hen. Hen moi {new_appointment}. "
    "Tra cuu: {lookup_url}",
    subject="Xin lỗi về việc trễ hẹn hồ sơ {code}",
    body="Cơ quan giải quyết xin lỗi ông/bà vì hồ sơ {code} ({procedure}) không trả kết quả "
    "đúng hẹn. Ngày hẹn trả mới: {new_appointment}." + _VI_FOOT,
)
_add(
    "apology",
    "en",
    sms="We apologise: application {code} ({procedure}) is late. New date {new_appointment}. "
    "Track: {lookup_url}",
    subject="Apology: application {code} is late",
    body="We apologise that the result of application {code} ({procedure}) is late. The new "
    "date is {new_appointment}." + _EN_FOOT,
)
_add(
    "result_ready",
    "vi",
    sms="Ho so {code} ({procedure}) da co ket qua. Tra cuu: {lookup_url}",
    subject="Hồ sơ {code} đã có kết quả",
    body="Hồ sơ {code} ({procedure}) đã có kết quả. Ông/bà nhận kết quả theo hình thức đã "
    "đăng ký." + _VI_FOOT,
)
_add(
    "result_ready",
    "en",
    sms="Application {code} ({procedure}): the result is ready. Track: {lookup_url}",
    subject="Application {code}: result ready",
    body="The result of your application {code} ({procedure}) is ready. You receive it the way "
    "you chose." + _EN_FOOT,
)
_add(
    "returned",
    "vi",
    sms="Ho so {code} ({procedure}) da tra ket qua. Cam on ong/ba.",
    subject="Hồ sơ {code} đã trả kết quả",
    body="Hồ sơ {code} ({procedure}) đã được trả kết quả. Cảm ơn ông/bà." + _VI_FOOT,
)
_add(
    "returned",
    "en",
    sms="Application {code} ({procedure}): the result was handed over. Thank you.",
    subject="Application {code}: result handed over",
    body="The result of your application {code} ({procedure}) was handed over. Thank you."
    + _EN_FOOT,
)
_add(
    "refused",
    "vi",
    sms="Ho so {code} ({procedure}) khong duoc tiep nhan. Ly do: {lookup_url}",
    subject="Hồ sơ {code} không được tiếp nhận",
    body="Hồ sơ {code} ({procedure}) không được tiếp nhận. Lý do và hướng dẫn có trong trang "
    "tra cứu hồ sơ." + _VI_FOOT,
)
_add(
    "refused",
    "en",
    sms="Application {code} ({procedure}) was not accepted. Why: {lookup_url}",
    subject="Application {code} not accepted",
    body="Your application {code} ({procedure}) was not accepted. The reason and what to do are "
    "on the tracking page." + _EN_FOOT,
)
_add(
    "withdrawn",
    "vi",
    sms="Ho so {code} ({procedure}) da duoc rut theo de nghi cua ong/ba.",
    subject="Hồ sơ {code} đã được rút",
    body="Hồ sơ {code} ({procedure}) đã được rút theo đề nghị của ông/bà." + _VI_FOOT,
)
_add(
    "withdrawn",
    "en",
    sms="Application {code} ({procedure}) was withdrawn as you asked.",
    subject="Application {code} withdrawn",
    body="Your application {code} ({procedure}) was withdrawn as you asked." + _EN_FOOT,
)
_add(
    "sign_in_code",
    "vi",
    sms="Ma dang nhap motcua: {otp}. Hieu luc {minutes} phut. Khong dua ma nay cho bat ky ai.",
    subject="Mã đăng nhập motcua",
    body="Mã đăng nhập của ông/bà: {otp}. Mã có hiệu lực {minutes} phút. Không đưa mã này cho "
    "bất kỳ ai.",
)
_add(
    "sign_in_code",
    "en",
    sms="motcua sign-in code: {otp}. Valid {minutes} minutes. Never share this code.",
    subject="motcua sign-in code",
    body="Your sign-in code: {otp}. It is valid for {minutes} minutes. Never share it.",
)
_add(
    "reset_code",
    "vi",
    sms="Ma dat lai mat khau motcua: {otp}. Hieu luc {minutes} phut. Khong dua ma nay cho bat "
    "ky ai.",
    subject="Mã đặt lại mật khẩu motcua",
    body="Mã đặt lại mật khẩu của ông/bà: {otp}. Mã có hiệu lực {minutes} phút. Không đưa mã "
    "này cho bất kỳ ai. Nếu ông/bà không yêu cầu đặt lại mật khẩu, hãy bỏ qua tin này.",
)
_add(
    "reset_code",
    "en",
    sms="motcua password reset code: {otp}. Valid {minutes} minutes. Never share this code.",
    subject="motcua password reset code",
    body="Your password reset code: {otp}. It is valid for {minutes} minutes. Never share it. "
    "If you did not ask to reset your password, ignore this message.",
)
_add(
    "contact_code",
    "vi",
    sms="Ma xac nhan so dien thoai motcua: {otp}. Hieu luc {minutes} phut. Khong dua ma nay "
    "cho bat ky ai.",
    subject="Mã xác nhận thư điện tử motcua",
    body="Mã xác nhận thư điện tử của ông/bà: {otp}. Mã có hiệu lực {minutes} phút. Nhập mã "
    "tại trang Thông tin cá nhân trên cổng dịch vụ công. Không đưa mã này cho bất kỳ ai.\n\n"
    "Nếu ông/bà không yêu cầu, hãy bỏ qua thư này.\nĐây là thư tự động, vui lòng không trả lời.",
)
_add(
    "contact_code",
    "en",
    sms="motcua phone confirmation code: {otp}. Valid {minutes} minutes. Never share this code.",
    subject="motcua e-mail confirmation code",
    body="Your e-mail confirmation code: {otp}. It is valid for {minutes} minutes. Type it on "
    "the Profile page of the public service portal. Never share it.\n\nIf you did not ask "
    "for it, ignore this message.\nThis is an automatic message.",
)


# --- feedback (docs/feedback.md): to the sender, and the reminders to a unit's staff -----

_VI_FB_FOOT = "\n\nTheo dõi phản ánh: {follow_url}\nĐây là thư tự động, vui lòng không trả lời."
_EN_FB_FOOT = "\n\nFollow your feedback: {follow_url}\nThis is an automatic message."


def _add_feedback(event: str, language: str, *, sms: str, subject: str, body: str) -> None:
    foot = _VI_FB_FOOT if language == "vi" else _EN_FB_FOOT
    DEFAULTS[(event, "sms", language)] = Default("", sms)
    DEFAULTS[(event, "email", language)] = Default(subject, body + foot)
    DEFAULTS[(event, "inapp", language)] = Default(subject, body)


_add_feedback(
    "feedback_received",
    "vi",
    sms="Phan anh {code} da duoc tiep nhan, han tra loi {due_date}. Theo doi: {follow_url}",
    subject="Phản ánh {code} đã được tiếp nhận",
    body="Phản ánh, kiến nghị của ông/bà đã được tiếp nhận với mã {code}. Hạn trả lời: "
    "{due_date}. Ông/bà sẽ được báo khi có trả lời.",
)
_add_feedback(
    "feedback_received",
    "en",
    sms="Feedback {code} received, answer due {due_date}. Follow: {follow_url}",
    subject="Feedback {code} received",
    body="Your feedback has been received with the code {code}. The answer is due on "
    "{due_date}. You will be told when it is answered.",
)
_add_feedback(
    "feedback_answered",
    "vi",
    sms="Phan anh {code} da co tra loi. Xem tai: {follow_url}",
    subject="Phản ánh {code} đã có trả lời",
    body="Phản ánh, kiến nghị {code} của ông/bà đã có trả lời của cơ quan có thẩm quyền.",
)
_add_feedback(
    "feedback_answered",
    "en",
    sms="Feedback {code} has been answered. Read it: {follow_url}",
    subject="Feedback {code} answered",
    body="Your feedback {code} has been answered by the competent authority.",
)
# Not handled (rejected or a duplicate): the reason in the e-mail and in-app notice only (it
# may be long); the SMS points to the follow page.
_add_feedback(
    "feedback_rejected",
    "vi",
    sms="Phan anh {code} khong duoc xu ly. Xem ly do tai: {follow_url}",
    subject="Phản ánh {code} không được xử lý",
    body="Phản ánh, kiến nghị {code} của ông/bà không được xử lý. Lý do:\n\n{reason}",
)
_add_feedback(
    "feedback_rejected",
    "en",
    sms="Feedback {code} will not be handled. See why: {follow_url}",
    subject="Feedback {code} not handled",
    body="Your feedback {code} will not be handled. The reason:\n\n{reason}",
)
# The reminder to the staff of a unit: e-mail only.
DEFAULTS[("feedback_reminder", "email", "vi")] = Default(
    "Nhắc việc: {count} phản ánh cần trả lời ({unit})",
    "{unit} có {count} phản ánh, kiến nghị sắp đến hạn hoặc đã quá hạn trả lời, trong đó "
    "{late_count} quá hạn:\n\n{feedback_list}\n\nXử lý tại: {workspace_url}\n"
    "Đây là thư tự động, vui lòng không trả lời.",
)
DEFAULTS[("feedback_reminder", "email", "en")] = Default(
    "Reminder: {count} feedback to answer ({unit})",
    "{unit} has {count} feedback items due soon or late for an answer, {late_count} of them "
    "late:\n\n{feedback_list}\n\nAnswer them at: {workspace_url}\nThis is an automatic message.",
)


def templates_seed_steps(*events: str) -> tuple[Callable[[Any, Any], None], ...]:
    """(seed, unseed) for a migration's RunPython that adds `events`: the shipped templates of
    those events, each one not there yet (a template an administrator edited is kept), and
    on the way back the events' templates removed."""

    def seed(apps: Any, schema_editor: Any) -> None:
        Template = apps.get_model("notifications", "NotificationTemplate")
        existing = set(Template.objects.values_list("event", "channel", "language"))
        Template.objects.bulk_create(
            Template(
                event=event, channel=channel, language=language, subject=d.subject, body=d.body
            )
            for (event, channel, language), d in DEFAULTS.items()
            if event in events and (event, channel, language) not in existing
        )

    def unseed(apps: Any, schema_editor: Any) -> None:
        apps.get_model("notifications", "NotificationTemplate").objects.filter(
            event__in=events
        ).delete()

    return seed, unseed
