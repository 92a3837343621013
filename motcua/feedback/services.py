"""Writes about citizens' feedback (docs/feedback.md). Each function is keyword-only, takes
`now`, runs in one transaction, leaves a `FeedbackEvent` and enqueues an outbox message
(`feedback.*`: codes, status, units, deadline, the sender's account id; never the text or
the contact) for notifications and webhooks. Bad input raises `ValidationError` with the
field and a code and writes nothing; an actor without the role `PermissionDenied`; a
feedback no longer in a state that allows the change `IllegalTransition`.

- `feedback_submit`: anyone (signed in or not) sends a feedback; the answer deadline is fixed
  then: `MOTCUA_FEEDBACK_ANSWER_DAYS` working days (10), or the category's own number.
- `feedback_classify`: a one-stop officer, leader or supervisor gives it a category and the
  unit that answers (received or assigned -> assigned).
- `feedback_answer`: staff of the assigned unit write the answer, with photos or PDFs of
  their own checked as the sender's (assigned or answered -> answered; a second answer
  before publication replaces the first, and its files the first's when it has any).
- `feedback_publish`: a leader of the unit or a supervisor publishes the answer to the
  sender, and on the public page when the sender agreed (answered -> published).
- `feedback_reject`: not handled (out of scope, abusive) or a duplicate, with the reason.
- `feedback_reminders_send`: once a day per feedback, those due within 2 working days or
  late; one outbox message per unit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ, local
from motcua.core.counters import counter_next
from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.core.identifiers import InvalidIdentifier, phone_clean
from motcua.core.outbox import outbox_enqueue
from motcua.deadlines.clock import clock_for_unit
from motcua.documents.services import (
    DEFAULT_ALLOWED_TYPES,
    Checked,
    file_check,
    file_name_sanitise,
    file_store_checked,
    stored_bytes_delete,
)
from motcua.dossiers.lookup import lookup_code_normalise
from motcua.organisation.models import Unit

from .models import (
    UNANSWERED_STATUSES,
    Feedback,
    FeedbackAttachment,
    FeedbackAttachmentPart,
    FeedbackCategory,
    FeedbackCodeCounter,
    FeedbackEvent,
    FeedbackEventKind,
    FeedbackStatus,
)
from .selectors import (
    feedback_may_answer,
    feedback_may_classify,
    feedback_may_publish,
    feedback_soon_horizon,
    secret_digest,
)

SUBJECT_MAX = 200
BODY_MAX = 5000
ANSWER_MAX = 5000
REASON_MAX = 2000
#: The secret of an anonymous sender: 12 characters of Crockford's base32 (60 bits).
SECRET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 (an alphabet)
SECRET_LENGTH = 12


def _invalid(field: str, code: str, message: Any, **params: Any) -> ValidationError:
    text = str(message) % params if params else str(message)
    return ValidationError(
        message,
        code=code,
        errors=[{"field": field, "code": code, "message": text}],
        **params,
    )


def feedback_answer_days(*, category: str = "") -> int:
    """Working days to answer: the category's own number when configured, else the default
    (`MOTCUA_FEEDBACK_ANSWER_DAYS`, 10: domain.md section 7)."""
    by_category: dict[str, int] = getattr(settings, "MOTCUA_FEEDBACK_ANSWER_DAYS_BY_CATEGORY", {})
    if category and category in by_category:
        return int(by_category[category])
    return int(getattr(settings, "MOTCUA_FEEDBACK_ANSWER_DAYS", 10))


def feedback_due_at(
    *, received_at: dt.datetime, unit: Unit | None, category: str = ""
) -> dt.datetime:
    """The answer's deadline: N working days (8 working hours each) on the unit's working
    clock from the receipt (counted from the next office block when received outside office
    hours, as a dossier at the counter)."""
    days = feedback_answer_days(category=category)
    return clock_for_unit(unit).add_working_hours(received_at, days * 8)


def feedback_code_next(*, now: dt.datetime) -> str:
    """The next code of the local year of `now`: `PA-2026-000123`, from one upsert of the
    year's counter row (locked until the transaction ends: unique, and a rolled-back
    submission gives its number back). Must run inside the inserting transaction."""
    year = local(now).year
    number = counter_next(
        model=FeedbackCodeCounter, keys={"year": year}, purpose="feedback_code_next"
    )
    return f"PA-{year}-{number:06d}"


def feedback_secret_new() -> str:
    """A new secret for an anonymous sender, printed in groups of four: `7KQ2-M9XD-4TRB`."""
    raw = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def _default_intake() -> Unit | None:
    """Where feedback without a place is classified: the province (the root unit)."""
    return (
        Unit.objects.filter(parent__isnull=True, is_active=True, kind=Unit.Kind.PROVINCE)
        .order_by("code")
        .first()
    )


def _text(value: str, *, field: str, max_length: int, one_line: bool) -> str:
    text = " ".join(value.split()) if one_line else value.strip()
    if not text:
        raise _invalid(field, "required", _("Thông tin này là bắt buộc."))
    if len(text) > max_length:
        raise _invalid(
            field, "too_long", _("Nội dung quá dài (tối đa %(max)s ký tự)."), max=max_length
        )
    return text


def _payload(feedback: Feedback) -> dict[str, Any]:
    return {
        "code": feedback.code,
        "status": feedback.status,
        "category": feedback.category,
        "unit": feedback.unit.code if feedback.unit is not None else None,
        "intake_unit": feedback.intake_unit.code if feedback.intake_unit is not None else None,
        "sender": feedback.sender_id,
        "due_at": local(feedback.due_at).isoformat(),
    }


def _event(
    feedback: Feedback,
    *,
    kind: str,
    actor: User | None,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        feedback=feedback,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=now,
        data=data or {},
    )


def _iso(value: dt.datetime | None) -> str | None:
    return local(value).isoformat() if value is not None else None


def attachment_limits() -> dict[str, int]:
    """`MOTCUA_FEEDBACK_ATTACHMENTS`: `max_files`, `max_bytes` (each), `total_bytes`."""
    configured: dict[str, int] = getattr(settings, "MOTCUA_FEEDBACK_ATTACHMENTS", {})
    return {
        "max_files": int(configured.get("max_files", 5)),
        "max_bytes": int(configured.get("max_bytes", 10 * 1024 * 1024)),
        "total_bytes": int(configured.get("total_bytes", 20 * 1024 * 1024)),
    }


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def feedback_attachments_check(*, uploads: Sequence[Any]) -> list[Checked]:
    """The sender's files (Django UploadedFiles or binary file objects with a `name`) checked
    as a dossier's uploads are (`motcua.documents.services.file_check`: the type sniffed
    from the bytes, JPEG, PNG or PDF; the size counted while streaming; the antivirus when
    on): at most `max_files`, each at most `max_bytes`, all together at most `total_bytes`.
    A refusal is a `ValidationError` on the field `attachments` whose message names the
    file (`too_many_files`, `attachments_too_large`, or the file check's own code); nothing
    is kept. The caller closes the results."""
    limits = attachment_limits()
    files = [u for u in uploads if u is not None]
    if len(files) > limits["max_files"]:
        raise _invalid(
            "attachments",
            "too_many_files",
            _("Chỉ đính kèm được tối đa %(max)s tệp (bạn đã chọn %(count)s)."),
            max=limits["max_files"],
            count=len(files),
        )
    checked: list[Checked] = []
    try:
        total = 0
        for upload in files:
            name = file_name_sanitise(getattr(upload, "name", None))
            try:
                one = file_check(
                    upload=upload,
                    name=name,
                    allowed_types=DEFAULT_ALLOWED_TYPES,
                    max_bytes=limits["max_bytes"],
                )
            except ValidationError as exc:
                code = exc.code or "invalid"
                if code == "file_too_large":
                    raise _invalid(
                        "attachments",
                        code,
                        _("Tệp “%(name)s” quá lớn: mỗi tệp tối đa %(limit)s MB."),
                        name=name,
                        limit=_mib(limits["max_bytes"]),
                    ) from exc
                raise _invalid(
                    "attachments",
                    code,
                    _("Tệp “%(name)s”: %(problem)s"),
                    name=name,
                    problem=exc.render(),
                ) from exc
            checked.append(one)
            total += one.size
            if total > limits["total_bytes"]:
                raise _invalid(
                    "attachments",
                    "attachments_too_large",
                    _("Các tệp đính kèm quá lớn: tổng cộng tối đa %(limit)s MB."),
                    limit=_mib(limits["total_bytes"]),
                )
    except BaseException:
        for one in checked:
            one.close()
        raise
    return checked


@contextlib.contextmanager
def _attachments_checked(
    attachments: Sequence[Any],
) -> Iterator[tuple[list[Checked], list[str]]]:
    """The uploads checked (`feedback_attachments_check`) before any transaction, and a list
    the transaction appends each stored file's name to: if the block fails, those bytes are
    removed again (the rows went with the rollback); the checked files are closed either way."""
    checked = feedback_attachments_check(uploads=attachments) if attachments else []
    saved: list[str] = []
    try:
        yield checked, saved
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise
    finally:
        for one in checked:
            one.close()


def _attachments_store(
    *,
    feedback: Feedback,
    checked: list[Checked],
    actor: User | None,
    now: dt.datetime,
    saved: list[str],
    part: str = FeedbackAttachmentPart.FEEDBACK,
) -> list[FeedbackAttachment]:
    rows = []
    for position, one in enumerate(checked, start=1):
        stored = file_store_checked(actor=actor, checked=one, now=now)
        saved.append(stored.storage_name)
        rows.append(
            FeedbackAttachment.objects.create(
                feedback=feedback, part=part, file=stored, position=position, added_at=now
            )
        )
    return rows


def _files_data(rows: Sequence[FeedbackAttachment]) -> list[dict[str, Any]]:
    return [{"file": a.file_id, "name": a.file.name, "sha256": a.file.sha256} for a in rows]


@dataclass(frozen=True)
class Submitted:
    feedback: Feedback
    #: Shown once to a sender without an account (only its hash is kept); "" when signed in.
    secret: str


def feedback_submit(
    *,
    subject: str,
    body: str,
    sender_name: str,
    now: dt.datetime,
    sender: User | None = None,
    sender_phone: str = "",
    sender_email: str = "",
    dossier_code: str = "",
    place: Unit | None = None,
    category: str = "",
    public_consent: bool = False,
    channel: str = "web",
    attachments: Sequence[Any] = (),
) -> Submitted:
    """Receive a feedback. A sender without an account gives a name and a phone number (to be
    told of the answer) and gets a secret to follow it; a signed-in sender follows it from
    their account. The deadline is fixed here (`feedback_due_at`, on the place's clock).
    `attachments`: photos or PDFs (`feedback_attachments_check`), checked after the text and
    before the transaction, stored in it; their bytes are removed again when it fails."""
    if sender is not None and not sender.is_authenticated:
        sender = None
    subject = _text(subject, field="subject", max_length=SUBJECT_MAX, one_line=True)
    body = _text(body, field="body", max_length=BODY_MAX, one_line=False)
    sender_name = _text(sender_name, field="sender_name", max_length=200, one_line=True)
    phone = ""
    if sender_phone.strip():
        try:
            phone = phone_clean(sender_phone)
        except InvalidIdentifier as exc:
            raise _invalid("sender_phone", "phone_format", _("Số điện thoại không đúng.")) from exc
    elif sender is None:
        raise _invalid(
            "sender_phone",
            "required",
            _("Cần số điện thoại để báo cho bạn khi có trả lời."),
        )
    email = sender_email.strip()
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise _invalid("sender_email", "email_format", _("Địa chỉ thư điện tử không đúng."))
    code_ref = ""
    if dossier_code.strip():
        normalised = lookup_code_normalise(dossier_code[:80])
        if normalised is None:
            raise _invalid(
                "dossier_code", "dossier_code_format", _("Mã hồ sơ không đúng định dạng.")
            )
        code_ref = normalised
    if category and category not in FeedbackCategory.values:
        raise _invalid("category", "invalid_category", _("Chọn một lĩnh vực trong danh sách."))
    if place is not None and not place.is_active:
        raise _invalid("place", "unit_inactive", _("Đơn vị này không còn hoạt động."))
    intake = place if place is not None else _default_intake()
    with _attachments_checked(attachments) as (checked, saved):
        return _submit(
            subject=subject,
            body=body,
            sender_name=sender_name,
            sender=sender,
            phone=phone,
            email=email,
            code_ref=code_ref,
            place=place,
            intake=intake,
            category=category,
            public_consent=public_consent,
            channel=channel,
            checked=checked,
            saved=saved,
            now=now,
        )


def _submit(
    *,
    subject: str,
    body: str,
    sender_name: str,
    sender: User | None,
    phone: str,
    email: str,
    code_ref: str,
    place: Unit | None,
    intake: Unit | None,
    category: str,
    public_consent: bool,
    channel: str,
    checked: list[Checked],
    saved: list[str],
    now: dt.datetime,
) -> Submitted:
    secret = "" if sender is not None else feedback_secret_new()
    with transaction.atomic():
        feedback = Feedback.objects.create(
            code=feedback_code_next(now=now),
            sender=sender,
            sender_name=sender_name,
            sender_phone=phone,
            sender_email=email,
            secret_hash=secret_digest(secret) if secret else "",
            subject=subject,
            body=body,
            dossier_code=code_ref,
            place=place,
            intake_unit=intake,
            public_consent=bool(public_consent),
            category=category,
            channel=channel,
            received_at=now,
            due_at=feedback_due_at(received_at=now, unit=intake, category=category),
        )
        files = _attachments_store(
            feedback=feedback, checked=checked, actor=sender, now=now, saved=saved
        )
        _event(
            feedback,
            kind=FeedbackEventKind.SUBMIT,
            actor=sender,
            now=now,
            data={
                "status": feedback.status,
                "category": category,
                "place": place.code if place is not None else None,
                "due_at": _iso(feedback.due_at),
                "channel": channel,
                "attachments": _files_data(files),
            },
        )
        outbox_enqueue(
            topic="feedback.submitted",
            payload=_payload(feedback),
            key=feedback.code,
            now=now,
        )
    return Submitted(feedback=feedback, secret=secret)


def _locked(feedback: Feedback) -> Feedback:
    return (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("unit", "intake_unit")
        .get(pk=feedback.pk)
    )


def _illegal(feedback: Feedback) -> IllegalTransition:
    return IllegalTransition(
        _("Phản ánh %(feedback)s đang ở trạng thái %(status)s: không thực hiện được thao tác này."),
        code="illegal_transition",
        feedback=feedback.code,
        status=feedback.get_status_display(),
    )


def feedback_classify(
    *,
    feedback: Feedback,
    actor: User,
    category: str,
    unit: Unit,
    now: dt.datetime,
) -> Feedback:
    """Give the feedback its category and the unit that answers (received or assigned ->
    assigned). The deadline is recomputed from the receipt on the unit's clock with the
    category's number of days (the same 10 by default: a reassignment never restarts it)."""
    if category not in FeedbackCategory.values:
        raise _invalid("category", "invalid_category", _("Chọn một lĩnh vực trong danh sách."))
    if not unit.is_active:
        raise _invalid("unit", "unit_inactive", _("Đơn vị này không còn hoạt động."))
    with transaction.atomic():
        locked = _locked(feedback)
        if locked.status not in UNANSWERED_STATUSES:
            raise _illegal(locked)
        if not feedback_may_classify(actor=actor, feedback=locked):
            raise PermissionDenied(
                _("Bạn không có quyền phân loại, chuyển phản ánh này."), code="forbidden"
            )
        before = {
            "status": locked.status,
            "category": locked.category,
            "unit": locked.unit.code if locked.unit is not None else None,
            "due_at": _iso(locked.due_at),
        }
        locked.category = category
        locked.unit = unit
        locked.status = FeedbackStatus.ASSIGNED
        locked.assigned_at = now
        locked.due_at = feedback_due_at(
            received_at=locked.received_at, unit=unit, category=category
        )
        locked.save(update_fields=["category", "unit", "status", "assigned_at", "due_at"])
        _event(
            locked,
            kind=FeedbackEventKind.CLASSIFY,
            actor=actor,
            now=now,
            data={
                "before": before,
                "after": {
                    "status": locked.status,
                    "category": category,
                    "unit": unit.code,
                    "due_at": _iso(locked.due_at),
                },
            },
        )
        outbox_enqueue(
            topic="feedback.assigned", payload=_payload(locked), key=locked.code, now=now
        )
    return locked


def feedback_answer(
    *,
    feedback: Feedback,
    actor: User,
    answer: str,
    now: dt.datetime,
    attachments: Sequence[Any] = (),
    attachments_remove: bool = False,
) -> Feedback:
    """Staff of the assigned unit write the answer (assigned or answered -> answered). The
    sender sees it, and its files, once it is published.

    `attachments`: photos or PDFs checked and stored exactly as the sender's
    (`feedback_attachments_check`: the same types, sizes, count and antivirus), after the
    text and before the transaction; their bytes are removed again when it fails. A second
    answer with files replaces the first answer's files; without, it keeps them, unless
    `attachments_remove`. The rows replaced are removed; their stored files stay, named by
    the earlier `answer` event."""
    answer = _text(answer, field="answer", max_length=ANSWER_MAX, one_line=False)
    with _attachments_checked(attachments) as (checked, saved):
        return _answer(
            feedback=feedback,
            actor=actor,
            answer=answer,
            checked=checked,
            remove=attachments_remove,
            saved=saved,
            now=now,
        )


def _answer(
    *,
    feedback: Feedback,
    actor: User,
    answer: str,
    checked: list[Checked],
    remove: bool,
    saved: list[str],
    now: dt.datetime,
) -> Feedback:
    with transaction.atomic():
        locked = _locked(feedback)
        if locked.status not in (FeedbackStatus.ASSIGNED, FeedbackStatus.ANSWERED):
            raise _illegal(locked)
        if not feedback_may_answer(actor=actor, feedback=locked):
            raise PermissionDenied(
                _("Chỉ cán bộ của đơn vị được giao trả lời phản ánh này."), code="forbidden"
            )
        replaced = locked.status == FeedbackStatus.ANSWERED
        locked.status = FeedbackStatus.ANSWERED
        locked.answer = answer
        locked.answered_at = now
        locked.answered_by = actor
        locked.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        earlier = FeedbackAttachment.objects.filter(
            feedback=locked, part=FeedbackAttachmentPart.ANSWER
        )
        dropped = list(earlier.values_list("file_id", flat=True)) if checked or remove else []
        if dropped:
            earlier.delete()
        files = _attachments_store(
            feedback=locked,
            checked=checked,
            actor=actor,
            now=now,
            saved=saved,
            part=FeedbackAttachmentPart.ANSWER,
        )
        _event(
            locked,
            kind=FeedbackEventKind.ANSWER,
            actor=actor,
            now=now,
            data={
                "status": locked.status,
                "replaced": replaced,
                "late": locked.answered_at > locked.due_at,
                "attachments": _files_data(files),
                "attachments_removed": dropped,
            },
        )
        outbox_enqueue(
            topic="feedback.answered", payload=_payload(locked), key=locked.code, now=now
        )
    return locked


def feedback_publish(
    *, feedback: Feedback, actor: User, now: dt.datetime, public: bool = True
) -> Feedback:
    """Publish the answer (answered -> published): the sender sees it (and is told, through
    the outbox); it goes on the public page of answers when `public` and the sender agreed."""
    with transaction.atomic():
        locked = _locked(feedback)
        if locked.status != FeedbackStatus.ANSWERED:
            raise _illegal(locked)
        if not feedback_may_publish(actor=actor, feedback=locked):
            raise PermissionDenied(
                _("Chỉ lãnh đạo đơn vị xử lý hoặc người giám sát công bố trả lời."),
                code="forbidden",
            )
        locked.status = FeedbackStatus.PUBLISHED
        locked.published_at = now
        locked.is_public = bool(public) and locked.public_consent
        locked.save(update_fields=["status", "published_at", "is_public"])
        _event(
            locked,
            kind=FeedbackEventKind.PUBLISH,
            actor=actor,
            now=now,
            data={"status": locked.status, "public": locked.is_public},
        )
        outbox_enqueue(
            topic="feedback.published",
            payload={**_payload(locked), "public": locked.is_public},
            key=locked.code,
            now=now,
        )
    return locked


def feedback_reject(
    *,
    feedback: Feedback,
    actor: User,
    reason: str,
    now: dt.datetime,
    duplicate_of: Feedback | None = None,
) -> Feedback:
    """Close a feedback not answered on its own (received or assigned -> rejected, or
    duplicate when `duplicate_of` is given), with the reason the sender reads."""
    reason = _text(reason, field="reason", max_length=REASON_MAX, one_line=False)
    if duplicate_of is not None and duplicate_of.pk == feedback.pk:
        raise _invalid("duplicate_of", "same_feedback", _("Không thể trùng với chính nó."))
    with transaction.atomic():
        locked = _locked(feedback)
        if locked.status not in UNANSWERED_STATUSES:
            raise _illegal(locked)
        if not feedback_may_classify(actor=actor, feedback=locked):
            raise PermissionDenied(
                _("Bạn không có quyền phân loại, chuyển phản ánh này."), code="forbidden"
            )
        locked.status = (
            FeedbackStatus.DUPLICATE if duplicate_of is not None else FeedbackStatus.REJECTED
        )
        locked.closed_reason = reason
        locked.duplicate_of = duplicate_of
        locked.save(update_fields=["status", "closed_reason", "duplicate_of"])
        _event(
            locked,
            kind=FeedbackEventKind.REJECT,
            actor=actor,
            now=now,
            data={
                "status": locked.status,
                "duplicate_of": duplicate_of.code if duplicate_of is not None else None,
            },
        )
        outbox_enqueue(
            topic="feedback.rejected", payload=_payload(locked), key=locked.code, now=now
        )
    return locked


@dataclass(frozen=True)
class RemindersSent:
    feedback: int
    units: int

    def __str__(self) -> str:
        return f"{self.feedback} phản ánh, {self.units} đơn vị"


def _local_midnight(now: dt.datetime) -> dt.datetime:
    day = local(now).date()
    return dt.datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


def feedback_reminders_send(*, now: dt.datetime) -> RemindersSent:
    """Remind the units of the unanswered feedback due within 2 working days (or already
    late) that were not reminded yet today (local day): `reminder_sent_at` and a `remind`
    event per feedback, and one `feedback.reminder` outbox message per unit (the assigned
    unit, else the intake unit) listing the codes late and due soon. Idempotent per day."""
    horizon = feedback_soon_horizon(now=now)
    today = _local_midnight(now)
    with transaction.atomic():
        rows = list(
            Feedback.objects.select_for_update(of=("self",))
            .filter(status__in=UNANSWERED_STATUSES, due_at__lte=horizon)
            .filter(Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lt=today))
            .select_related("unit", "intake_unit")
            .order_by("due_at", "id")
        )
        if not rows:
            return RemindersSent(feedback=0, units=0)
        Feedback.objects.filter(pk__in=[f.pk for f in rows]).update(reminder_sent_at=now)
        FeedbackEvent.objects.bulk_create(
            FeedbackEvent(
                feedback=f,
                kind=FeedbackEventKind.REMIND,
                at=now,
                data={"late": f.due_at < now, "due_at": _iso(f.due_at)},
            )
            for f in rows
        )
        by_unit: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"late": [], "due_soon": []})
        for f in rows:
            unit = f.handling_unit
            key = unit.code if unit is not None else ""
            by_unit[key]["late" if f.due_at < now else "due_soon"].append(f.code)
        for unit_code, codes in sorted(by_unit.items()):
            outbox_enqueue(
                topic="feedback.reminder",
                payload={"unit": unit_code or None, **codes},
                key=f"feedback-unit:{unit_code}",
                now=now,
            )
    return RemindersSent(feedback=len(rows), units=len(by_unit))
