"""Reads about feedback (docs/feedback.md).

- Who may do what: `feedback_may_classify` (a one-stop officer, leader or supervisor of the
  intake unit or the assigned unit), `feedback_may_answer` (an officer, specialist or leader
  of the assigned unit), `feedback_may_publish` (a leader of the assigned unit or a
  supervisor covering it); superusers may do everything. `feedback_actions_for` lists them.
- Staff: `feedback_for_actor` (feedback whose intake or assigned unit is one of the actor's
  units: a city supervisor covering the subunits sees all), `feedback_get_for_actor` (not
  found rather than forbidden; the read of the sender's contact is logged), `feedback_late`
  and `feedback_late_by_unit` (past due, not answered).
- The sender: `feedback_get_for_sender` (their account, or the code with the secret given
  at submission: one answer, not found, for a wrong code and a wrong secret),
  `feedback_of_person` (the signed-in person's own).
- Attachments: `feedback_attachments` (a feedback's files, the sender's or its answer's, in
  the order given); `feedback_attachment_get_for_actor` (staff who see the feedback; the
  download is logged as a read of the sender's data) and
  `feedback_attachment_get_for_sender` (the sender, as for the feedback itself: not logged;
  an answer's files only once the answer is published). Another feedback's file is not
  found.
- Everyone: `feedback_public_answers` (published answers the sender agreed to show, newest
  first, without names or contacts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.core.services import data_access_record, data_access_record_many
from motcua.deadlines.clock import clock_for_unit
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_roles_in_unit, user_unit_ids

from .models import (
    UNANSWERED_STATUSES,
    Feedback,
    FeedbackAttachment,
    FeedbackAttachmentPart,
    FeedbackEvent,
    FeedbackStatus,
)

CLASSIFY_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.SUPERVISOR})
ANSWER_ROLES = frozenset({Role.OFFICER, Role.SPECIALIST, Role.LEADER})
PUBLISH_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR})
#: Who sees a unit's feedback in the workspace.
READ_ROLES = frozenset({Role.OFFICER, Role.SPECIALIST, Role.LEADER, Role.SUPERVISOR, Role.AUDITOR})
SUBJECT_TYPE = "feedback.feedback"
#: "Due soon" (and reminded) within this many working hours of the deadline: 2 working days.
SOON_WORKING_HOURS = 16

_SECRET_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SECRET_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{12}$")
_CODE_PATTERN = re.compile(r"^PA-\d{4}-\d{6}$")


def secret_normalise(raw: str) -> str | None:
    """The secret as typed, read leniently (spaces, dashes, lower case, O for 0, I or L for 1);
    None when it cannot be one."""
    text = re.sub(r"[\s\-]+", "", raw or "").upper().translate(_SECRET_CONFUSABLE)
    return text if _SECRET_PATTERN.match(text) else None


def secret_digest(secret: str) -> str:
    """What is stored of a secret: the SHA-256 of its normalised form."""
    normalised = secret_normalise(secret) or ""
    return hashlib.sha256(normalised.encode()).hexdigest()


def feedback_code_normalise(raw: str) -> str | None:
    code = re.sub(r"\s+", "", raw or "").upper()
    return code if _CODE_PATTERN.match(code) else None


def _roles(actor: User, unit: Unit | None) -> set[str]:
    if unit is None:
        return set()
    return user_roles_in_unit(user=actor, unit=unit)


def _active_staff(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.is_active)


def feedback_may_classify(*, actor: User, feedback: Feedback) -> bool:
    if not _active_staff(actor):
        return False
    if actor.is_superuser:
        return True
    return bool(
        CLASSIFY_ROLES & (_roles(actor, feedback.intake_unit) | _roles(actor, feedback.unit))
    )


def feedback_may_answer(*, actor: User, feedback: Feedback) -> bool:
    if not _active_staff(actor) or feedback.unit is None:
        return False
    return actor.is_superuser or bool(ANSWER_ROLES & _roles(actor, feedback.unit))


def feedback_may_publish(*, actor: User, feedback: Feedback) -> bool:
    if not _active_staff(actor) or feedback.unit is None:
        return False
    return actor.is_superuser or bool(PUBLISH_ROLES & _roles(actor, feedback.unit))


def feedback_actions_for(*, actor: User, feedback: Feedback) -> frozenset[str]:
    """What `actor` may do now: classify, reject, answer, publish."""
    actions: set[str] = set()
    if feedback.status in UNANSWERED_STATUSES and feedback_may_classify(
        actor=actor, feedback=feedback
    ):
        actions |= {"classify", "reject"}
    if feedback.status in (
        FeedbackStatus.ASSIGNED,
        FeedbackStatus.ANSWERED,
    ) and feedback_may_answer(actor=actor, feedback=feedback):
        actions.add("answer")
    if feedback.status == FeedbackStatus.ANSWERED and feedback_may_publish(
        actor=actor, feedback=feedback
    ):
        actions.add("publish")
    return frozenset(actions)


#: `feedback_staff_units` for a superuser: every unit.
ALL_UNITS = None
#: Not read yet: the selector reads the actor's units itself.
UNREAD = False
Units = set[int] | None | bool


def feedback_staff_units(*, actor: User) -> set[int] | None:
    """The units whose feedback `actor` sees as staff (an empty set: none; `ALL_UNITS` for a
    superuser). A page reads it once and passes it on as `units=`."""
    if not _active_staff(actor):
        return set()
    if actor.is_superuser:
        return ALL_UNITS
    return user_unit_ids(user=actor, roles=READ_ROLES)


def _units(actor: User, units: Units) -> set[int] | None:
    if units is UNREAD:
        return feedback_staff_units(actor=actor)
    assert units is None or isinstance(units, set)
    return units


def feedback_staff_may_use(*, actor: User, units: Units = UNREAD) -> bool:
    """Does `actor` hold a role that sees feedback somewhere (pages, the navigation entry)?"""
    seen = _units(actor, units)
    return seen is ALL_UNITS or bool(seen)


def feedback_for_actor(*, actor: User, units: Units = UNREAD) -> QuerySet[Feedback]:
    """The feedback `actor` may see as staff: its intake unit or its assigned unit is one
    of the actor's units (assignments covering subunits reach the subtree). Nearest
    deadline first."""
    rows = Feedback.objects.select_related("unit", "intake_unit", "place")
    seen = _units(actor, units)
    if seen is ALL_UNITS:
        return rows.order_by("due_at", "id")
    if not seen:
        return rows.none()
    return rows.filter(Q(unit_id__in=seen) | Q(intake_unit_id__in=seen)).order_by("due_at", "id")


def feedback_filter(
    rows: QuerySet[Feedback],
    *,
    now: dt.datetime,
    status: str = "",
    unit: Unit | None = None,
    late: bool = False,
) -> QuerySet[Feedback]:
    """The staff lists' filters: a status (or "open": not yet published or closed), the
    handling unit, late only."""
    if status == "open":
        rows = rows.filter(
            status__in=[*UNANSWERED_STATUSES, FeedbackStatus.ANSWERED],
        )
    elif status:
        rows = rows.filter(status=status)
    if unit is not None:
        rows = rows.filter(Q(unit=unit) | Q(unit__isnull=True, intake_unit=unit))
    if late:
        rows = rows.filter(status__in=UNANSWERED_STATUSES, due_at__lt=now)
    return rows


def feedback_get_for_actor(
    *,
    actor: User,
    code: str,
    now: dt.datetime,
    log: bool = True,
    channel: str = "web",
    units: Units = UNREAD,
) -> Feedback:
    """One feedback the actor may see, or `NotFound` (never "forbidden": a code says nothing
    about whether it exists). Opening it reads the sender's contact: logged."""
    feedback = feedback_for_actor(actor=actor, units=units).filter(code=code).first()
    if feedback is None:
        raise NotFound(_("Không tìm thấy phản ánh %(feedback)s."), feedback=code)
    if log:
        data_access_record(
            actor=actor,
            subject_type=SUBJECT_TYPE,
            subject_id=feedback.code,
            purpose="feedback_view",
            now=now,
            channel=channel,
        )
    return feedback


def feedback_reads_log(
    *, actor: User, feedback: list[Feedback], now: dt.datetime, channel: str = "web"
) -> None:
    """A staff list showed these senders' names and contacts: one log row each."""
    if feedback:
        data_access_record_many(
            actor=actor,
            subject_type=SUBJECT_TYPE,
            subject_ids=[f.code for f in feedback],
            purpose="feedback_list",
            now=now,
            channel=channel,
        )


def feedback_get_for_sender(*, code: str, person: User | None = None, secret: str = "") -> Feedback:
    """The sender's own feedback: a signed-in sender by their account, anyone with the code
    and the secret given at submission. `NotFound` otherwise, the same for every reason."""
    feedback = (
        Feedback.objects.select_related("unit", "intake_unit", "place").filter(code=code).first()
    )
    if feedback is not None:
        if person is not None and person.is_authenticated and feedback.sender_id == person.pk:
            return feedback
        if (
            secret
            and feedback.secret_hash
            and secret_normalise(secret) is not None
            and hmac.compare_digest(feedback.secret_hash, secret_digest(secret))
        ):
            return feedback
    raise NotFound(_("Không tìm thấy phản ánh với mã và mã bí mật này."), code="feedback_not_found")


def feedback_of_person(*, person: User) -> QuerySet[Feedback]:
    if not person.is_authenticated:
        return Feedback.objects.none()
    return (
        Feedback.objects.filter(sender=person)
        .select_related("unit")
        .order_by("-received_at", "-id")
    )


def feedback_late(*, actor: User, now: dt.datetime, units: Units = UNREAD) -> QuerySet[Feedback]:
    """The actor's feedback past its deadline without an answer, most overdue first."""
    return feedback_for_actor(actor=actor, units=units).filter(
        status__in=UNANSWERED_STATUSES, due_at__lt=now
    )


@dataclass(frozen=True)
class LateCount:
    unit: Unit | None
    late: int


def feedback_late_by_unit(
    *, actor: User, now: dt.datetime, units: Units = UNREAD
) -> list[LateCount]:
    """How many of the actor's feedback are late, per handling unit (the assigned unit, or
    the intake unit while none is assigned), most first. One query plus the units."""
    counts: dict[int | None, int] = {}
    rows = (
        feedback_late(actor=actor, now=now, units=units)
        .order_by()
        .values("unit_id", "intake_unit_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        key = row["unit_id"] if row["unit_id"] is not None else row["intake_unit_id"]
        counts[key] = counts.get(key, 0) + row["n"]
    by_id = Unit.objects.in_bulk([k for k in counts if k is not None])
    result = [
        LateCount(unit=by_id.get(k) if k is not None else None, late=n) for k, n in counts.items()
    ]
    return sorted(result, key=lambda c: (-c.late, c.unit.code if c.unit else ""))


def feedback_public_answers(*, category: str = "") -> QuerySet[Feedback]:
    """Published answers the sender agreed to show, newest first (no name, no contact)."""
    rows = Feedback.objects.filter(is_public=True, status=FeedbackStatus.PUBLISHED)
    if category:
        rows = rows.filter(category=category)
    return (
        rows.select_related("unit")
        .only(
            "code",
            "subject",
            "body",
            "category",
            "unit__name",
            "unit__code",
            "received_at",
            "answer",
            "answered_at",
            "published_at",
        )
        .order_by("-published_at", "-id")
    )


def feedback_soon_horizon(*, now: dt.datetime) -> dt.datetime:
    """A deadline before this instant is "due soon": 2 working days from `now` (the
    province's clock)."""
    return clock_for_unit(None).add_working_hours(now, SOON_WORKING_HOURS)


def feedback_deadline_state(*, feedback: Feedback, horizon: dt.datetime, now: dt.datetime) -> str:
    """`late` (unanswered past due), `soon` (unanswered, due before `horizon`), `ok`
    (unanswered), `answered_late` (answered after the deadline), `done` (answered on time,
    or closed)."""
    if feedback.status not in UNANSWERED_STATUSES:
        if feedback.answered_at is not None and feedback.answered_at > feedback.due_at:
            return "answered_late"
        return "done"
    if feedback.due_at < now:
        return "late"
    return "soon" if feedback.due_at <= horizon else "ok"


def feedback_events(*, feedback: Feedback) -> QuerySet[FeedbackEvent]:
    return feedback.events.select_related("actor").order_by("at", "id")


def feedback_attachments(
    *, feedback: Feedback, part: str = FeedbackAttachmentPart.FEEDBACK
) -> QuerySet[FeedbackAttachment]:
    """The files of one part of `feedback`: the sender's (`feedback`) or its answer's."""
    return feedback.attachments.filter(part=part).select_related("file").order_by("position")


def feedback_answer_attachments_for_sender(*, feedback: Feedback) -> list[FeedbackAttachment]:
    """The answer's files as its sender sees them: once the answer is published, else none."""
    if feedback.status != FeedbackStatus.PUBLISHED:
        return []
    return list(feedback_attachments(feedback=feedback, part=FeedbackAttachmentPart.ANSWER))


def feedback_attachment_of(
    *, feedback: Feedback, file_id: int, sender: bool = False
) -> FeedbackAttachment:
    """The file `file_id` of `feedback` (already allowed by the caller), else `NotFound`.
    For its `sender`, an answer's file exists once the answer is published."""
    found = feedback.attachments.select_related("file").filter(file_id=file_id).first()
    hidden = (
        sender
        and found is not None
        and found.part == FeedbackAttachmentPart.ANSWER
        and feedback.status != FeedbackStatus.PUBLISHED
    )
    if found is None or hidden:
        raise NotFound(_("Không tìm thấy tệp %(file)s."), file=file_id)
    return found


def feedback_attachment_get_for_actor(
    *,
    actor: User,
    code: str,
    file_id: int,
    now: dt.datetime,
    channel: str = "web",
    units: Units = UNREAD,
) -> FeedbackAttachment:
    """A file of a feedback the actor sees as staff (`feedback_get_for_actor`), else
    `NotFound`. The download reads the sender's data: logged (subject the feedback, purpose
    `feedback_file_download`), as every staff read of it is."""
    feedback = feedback_get_for_actor(
        actor=actor, code=code, now=now, log=False, channel=channel, units=units
    )
    attachment = feedback_attachment_of(feedback=feedback, file_id=file_id)
    data_access_record(
        actor=actor,
        subject_type=SUBJECT_TYPE,
        subject_id=feedback.code,
        purpose="feedback_file_download",
        now=now,
        channel=channel,
    )
    return attachment


def feedback_followed(*, code: str, feedback_id: int | None) -> Feedback:
    """The feedback a page already let its sender in to (by the secret, remembered as its id
    in their session), checked against the code; `NotFound` otherwise."""
    found = (
        Feedback.objects.filter(pk=feedback_id, code=code).first()
        if feedback_id is not None
        else None
    )
    if found is None:
        raise NotFound(
            _("Không tìm thấy phản ánh với mã và mã bí mật này."), code="feedback_not_found"
        )
    return found


def feedback_attachment_get_for_sender(
    *, code: str, file_id: int, person: User | None = None, secret: str = ""
) -> FeedbackAttachment:
    """A file of the sender's own feedback (`feedback_get_for_sender`: the account, or the
    code and the secret), else `NotFound`. Their own data: not logged."""
    feedback = feedback_get_for_sender(code=code, person=person, secret=secret)
    return feedback_attachment_of(feedback=feedback, file_id=file_id, sender=True)
