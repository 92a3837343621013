"""Reads for the personal-data pages (docs/personal-data.md).

- `personal_data_of(*, person, now)`: what is held about the person, from every registered
  source (`motcua.core.personal_data`), grouped by source.
- `personal_data_reads(*, person)`: who read it (`core.DataAccessLog` rows under the
  subjects the sources name), newest first, never the person's own reads;
  `reads_describe(rows)` gives each row the reader's unit and role in plain words (not the
  officer's name: ADR "personal-data requests").
- `data_requests_of`, `data_request_get_for_person`: the person's own requests (someone
  else's is NotFound, and the attempt is logged without personal data).
- `privacy_handler_check`, `data_request_queue`, `data_request_get_for_handler`: the staff
  side (a privacy officer or a superuser); opening a request logs the read of the person.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import NotFound, PermissionDenied
from motcua.core.models import DataAccessLog
from motcua.core.personal_data import (
    PersonalDataSection,
    personal_data_collect,
    personal_data_subjects,
)
from motcua.core.services import data_access_record
from motcua.organisation.models import Role, RoleAssignment

from .models import OPEN_STATUSES, DataSubjectRequest

logger = logging.getLogger("motcua.privacy")

#: Reads shown per page on "who read my data".
READS_PAGE = 25


@dataclass(frozen=True)
class PersonalData:
    person: User
    generated_at: dt.datetime
    sections: list[PersonalDataSection]


def personal_data_of(*, person: User, now: dt.datetime, limit: int | None = None) -> PersonalData:
    """Everything the sources hold about `person` (each section's latest `limit` entries
    when given: the page; all of them for the export)."""
    return PersonalData(
        person=person,
        generated_at=now,
        sections=personal_data_collect(person=person, now=now, limit=limit),
    )


def _subjects_q(person: User) -> Q | None:
    condition: Q | None = None
    for key in personal_data_subjects(person=person):
        if key.suffix:
            part = Q(subject_type=key.subject_type, subject_id__endswith=key.suffix)
        elif key.ids:
            part = Q(subject_type=key.subject_type, subject_id__in=sorted(key.ids))
        else:
            continue
        condition = part if condition is None else condition | part
    return condition


def personal_data_reads(*, person: User) -> QuerySet[DataAccessLog]:
    """The logged reads of `person`'s data by anyone else, newest first."""
    condition = _subjects_q(person)
    if condition is None:
        return DataAccessLog.objects.none()
    return (
        DataAccessLog.objects.filter(condition).exclude(actor_id=person.pk).order_by("-at", "-id")
    )


#: Purposes in plain words (the codes written by the apps' `data_access_record` calls).
PURPOSES: dict[str, Any] = {
    "dossier_view": _("Mở hồ sơ để xem hoặc xử lý"),
    "dossier_act": _("Xử lý hồ sơ (một thao tác trên hồ sơ)"),
    "dossier_list": _("Xem danh sách hồ sơ cần xử lý"),
    "dossier_search": _("Tìm kiếm hồ sơ"),
    "dossier_form": _("In phiếu, biểu mẫu của hồ sơ"),
    "tracking_book": _("Lập sổ theo dõi hồ sơ"),
    "counter_receipt": _("In giấy tiếp nhận tại quầy"),
    "counter_reception": _("Tra cứu người nộp khi tiếp nhận tại quầy"),
    "counter_list": _("Xem sổ ghi chép tại quầy"),
    "file_download": _("Mở tệp giấy tờ"),
    "component_reuse": _("Dùng lại giấy tờ trong kho dữ liệu cho hồ sơ"),
    "dossier_component": _("Khai thác cơ sở dữ liệu quốc gia cho hồ sơ"),
    "certification_book": _("Xem sổ chứng thực"),
    "data_request": _("Xử lý yêu cầu của bạn về dữ liệu cá nhân"),
    "feedback_view": _("Mở phản ánh của bạn để xử lý"),
    "feedback_list": _("Xem danh sách phản ánh cần xử lý"),
    "feedback_file_download": _("Mở tệp bạn đính kèm phản ánh"),
}
CHANNELS: dict[str, Any] = {
    "web": _("Trang làm việc của cán bộ"),
    "api": _("Hệ thống kết nối (API)"),
    "admin": _("Trang quản trị hệ thống"),
    "export": _("Xuất tệp"),
}


@dataclass(frozen=True)
class ReadRow:
    at: dt.datetime
    who: str
    purpose: str
    purpose_code: str
    channel: str
    channel_code: str
    subject: str


def _subject_words(row: DataAccessLog) -> str:
    kind = row.subject_type
    if kind == "dossier":
        return str(_("Hồ sơ %(code)s") % {"code": row.subject_id})
    if kind == "file":
        return str(_("Một tệp giấy tờ của bạn"))
    if kind == "datastore_item":
        return str(_("Một giấy tờ trong kho dữ liệu của bạn"))
    if kind == "national_data":
        return str(_("Dữ liệu về bạn trong cơ sở dữ liệu quốc gia"))
    if kind in ("counter_applicant", "dossier_search"):
        return str(_("Thông tin định danh của bạn"))
    if kind.startswith("counter."):
        return str(_("Ghi chép tại quầy về bạn"))
    if kind == "person":
        return str(_("Bản tổng hợp dữ liệu của bạn"))
    return kind


def reads_describe(rows: list[DataAccessLog]) -> list[ReadRow]:
    """The reader of each row as "role, unit" (every role the account holds, in one query
    for the page), the purpose and channel in plain words."""
    actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
    roles: dict[int, list[str]] = {}
    for assignment in (
        RoleAssignment.objects.filter(user_id__in=actor_ids)
        .select_related("unit")
        .order_by("user_id", "unit__name", "role")
    ):
        roles.setdefault(assignment.user_id, []).append(
            f"{Role(assignment.role).label}, {assignment.unit.name}"
        )
    described = []
    for row in rows:
        if row.actor_id is None:
            who = str(_("Hệ thống (tự động)"))
        else:
            who = "; ".join(roles.get(row.actor_id, [])) or str(
                _("Quản trị hệ thống (không thuộc đơn vị)")
            )
        described.append(
            ReadRow(
                at=row.at,
                who=who,
                purpose=str(PURPOSES.get(row.purpose, row.purpose)),
                purpose_code=row.purpose,
                channel=str(CHANNELS.get(row.channel, row.channel)),
                channel_code=row.channel,
                subject=_subject_words(row),
            )
        )
    return described


# --- requests: the person's side ------------------------------------------------------------


def data_requests_of(*, person: User) -> QuerySet[DataSubjectRequest]:
    return DataSubjectRequest.objects.filter(person=person).order_by("-received_at", "-id")


def data_request_get_for_person(*, person: User, pk: int) -> DataSubjectRequest:
    """The person's own request `pk`; anyone else's (or none) is NotFound, and the attempt is
    logged (ids only, never personal data)."""
    request = DataSubjectRequest.objects.filter(pk=pk, person_id=person.pk).first()
    if request is None:
        logger.warning("data request %s not found for account %s", pk, person.pk)
        raise NotFound(_("Không tìm thấy yêu cầu %(pk)s."), pk=pk)
    return request


# --- requests: the staff side ---------------------------------------------------------------


def privacy_handler_check(*, actor: User) -> bool:
    """A privacy officer (the role in any unit: the requests are the city's, ADR
    "personal-data requests") or a superuser."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user_id=actor.pk, role=Role.PRIVACY_OFFICER, unit__is_active=True
    ).exists()


def privacy_handlers() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.PRIVACY_OFFICER)
        .distinct()
        .order_by("full_name", "username")
    )


def _require(actor: User) -> None:
    if not privacy_handler_check(actor=actor):
        raise PermissionDenied(
            _("Chỉ cán bộ bảo vệ dữ liệu cá nhân xem được các yêu cầu này."), code="forbidden"
        )


def data_request_queue(*, actor: User, status: str | None = None) -> QuerySet[DataSubjectRequest]:
    """The requests, open ones first by deadline (the most urgent first), then the answered
    ones, newest first; `status` keeps one status ("open": received or in progress)."""
    _require(actor)
    requests = DataSubjectRequest.objects.select_related("person", "handled_by")
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif status:
        requests = requests.filter(status=status)
    return requests.annotate(
        closed=Case(
            When(status__in=list(OPEN_STATUSES), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("closed", "due_at", "id")


def data_request_get_for_handler(
    *, actor: User, pk: int, now: dt.datetime, log: bool = True
) -> DataSubjectRequest:
    """Request `pk` for a privacy officer (PermissionDenied for anyone else, NotFound when
    there is none). Opening it shows the person's data summary: logged (subject `person`,
    purpose `data_request`)."""
    _require(actor)
    request = (
        DataSubjectRequest.objects.select_related("person", "handled_by").filter(pk=pk).first()
    )
    if request is None:
        raise NotFound(_("Không tìm thấy yêu cầu %(pk)s."), pk=pk)
    if log:
        data_access_record(
            actor=actor,
            subject_type="person",
            subject_id=str(request.person_id),
            purpose="data_request",
            now=now,
        )
    return request


@dataclass(frozen=True)
class Countdown:
    """Time left before a request's deadline, as the queue shows it."""

    days: int
    state: str  # "ok", "soon" (3 days or fewer), "late", "closed"

    @property
    def label(self) -> str:
        if self.state == "closed":
            return str(_("Đã trả lời"))
        if self.state == "late":
            return str(_("Quá hạn %(days)s ngày") % {"days": -self.days or 1})
        if self.days == 0:
            return str(_("Hết hạn hôm nay"))
        return str(_("Còn %(days)s ngày") % {"days": self.days})


#: Amber from this many days left.
SOON_DAYS = 3


def data_request_countdown(*, request: DataSubjectRequest, now: dt.datetime) -> Countdown:
    """Whole local days from today to the deadline's day: amber at 3 or fewer, red once the
    deadline instant has passed."""
    days = (local(request.due_at).date() - local(now).date()).days
    if not request.is_open:
        return Countdown(days=days, state="closed")
    if now > request.due_at:
        return Countdown(days=min(days, 0), state="late")
    return Countdown(days=days, state="soon" if days <= SOON_DAYS else "ok")
