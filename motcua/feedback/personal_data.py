"""The feedback's personal-data source (`motcua.core.personal_data`, docs/personal-data.md):
the feedback the person sent from their account, with the name and contact given and the
answer once published. Feedback sent without an account is known only by a name and a phone
number typed into the form, which nothing ties to the account: it is not shown here (the
person follows it with its secret, or asks the privacy officer)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.clock import format_vn_moment, local
from motcua.core.personal_data import (
    PersonalDataEntry,
    PersonalDataSection,
    SubjectKey,
    personal_data_source_register,
)

from .models import Feedback, FeedbackAttachmentPart, FeedbackStatus
from .selectors import SUBJECT_TYPE, feedback_of_person


def _iso(value: dt.datetime | None) -> str | None:
    return local(value).isoformat() if value is not None else None


def _entry(f: Feedback) -> PersonalDataEntry:
    published = f.status == FeedbackStatus.PUBLISHED
    return PersonalDataEntry(
        title=_("Phản ánh %(code)s: %(subject)s") % {"code": f.code, "subject": f.subject},
        rows=(
            (_("Gửi lúc"), format_vn_moment(f.received_at)),
            (_("Trạng thái"), str(f.get_status_display())),
            (
                _("Họ tên, liên hệ đã khai"),
                ", ".join(v for v in (f.sender_name, f.sender_phone, f.sender_email) if v),
            ),
        ),
        data={
            "type": "feedback",
            "code": f.code,
            "subject": f.subject,
            "body": f.body,
            "sender_name": f.sender_name,
            "sender_phone": f.sender_phone,
            "sender_email": f.sender_email,
            "dossier_code": f.dossier_code,
            "status": f.status,
            "received_at": _iso(f.received_at),
            "due_at": _iso(f.due_at),
            "answer": f.answer if published else None,
            "published_at": _iso(f.published_at),
            "public": f.is_public,
            "attachments": [
                a.file.name
                for a in f.attachments.all()
                if a.part == FeedbackAttachmentPart.FEEDBACK
            ],
            "answer_attachments": [
                a.file.name for a in f.attachments.all() if a.part == FeedbackAttachmentPart.ANSWER
            ]
            if published
            else [],
        },
        url=f"/feedback/{f.code}/",
    )


def feedback_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    rows = feedback_of_person(person=person)
    total = rows.count()
    rows = rows.prefetch_related("attachments__file")
    shown = list(rows if limit is None else rows[:limit])
    return PersonalDataSection(
        key="feedback",
        title=_("Phản ánh, kiến nghị"),
        summary=_("%(count)s phản ánh bạn đã gửi khi đăng nhập.") % {"count": total},
        entries=tuple(_entry(f) for f in shown),
        count=total,
        basis=_(
            "Giữ để trả lời và theo dõi việc giải quyết phản ánh. Phản ánh gửi khi chưa đăng "
            "nhập không hiện ở đây: xem bằng mã phản ánh và mã bí mật."
        ),
    )


def feedback_subjects(*, person: User) -> list[SubjectKey]:
    codes = feedback_of_person(person=person).values_list("code", flat=True)
    return [SubjectKey(SUBJECT_TYPE, frozenset(codes))]


def register() -> None:
    personal_data_source_register(
        key="feedback", order=80, collect=feedback_collect, subjects=feedback_subjects
    )
