"""Citizens' feedback and complaints (phản ánh, kiến nghị: the iHanoi-style channel, domain.md
sections 7 and 9). Written only by `motcua.feedback.services`; every change leaves a
`FeedbackEvent` (append-only). docs/feedback.md."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnlyModel, AppendOnlyQuerySet
from motcua.documents.models import StoredFile
from motcua.organisation.models import Unit


class FeedbackCategory(models.TextChoices):
    DELAY = "delay", _("Chậm giải quyết thủ tục, hồ sơ")
    ATTITUDE = "attitude", _("Thái độ, tác phong của cán bộ")
    CERTIFIED_COPY = "certified_copy", _("Bị yêu cầu nộp bản sao chứng thực")
    FEES = "fees", _("Phí, lệ phí")
    ONLINE_SERVICE = "online_service", _("Dịch vụ công trực tuyến")
    OTHER = "other", _("Khác")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ASSIGNED = "assigned", _("Đã chuyển đơn vị xử lý")
    ANSWERED = "answered", _("Đã có trả lời, chờ công bố")
    PUBLISHED = "published", _("Đã trả lời")
    REJECTED = "rejected", _("Không xử lý")
    DUPLICATE = "duplicate", _("Trùng phản ánh khác")


#: Waiting for an answer: the answer deadline runs (reminders, "late").
UNANSWERED_STATUSES = frozenset({FeedbackStatus.RECEIVED, FeedbackStatus.ASSIGNED})
#: Not yet closed for the sender (answered but not yet published is still open).
OPEN_STATUSES = UNANSWERED_STATUSES | {FeedbackStatus.ANSWERED}
CLOSED_STATUSES = frozenset(
    {FeedbackStatus.PUBLISHED, FeedbackStatus.REJECTED, FeedbackStatus.DUPLICATE}
)


class Feedback(models.Model):
    """One feedback of a person: received (with its answer deadline in working days), assigned
    to a unit with a category, answered by that unit's staff, then published to the sender
    (and, when the sender agreed, on the public page of answers). Rejected or marked a
    duplicate with a reason, instead. `code` is public (`PA-2026-000123`); the sender who is
    not signed in follows it with the secret given at submission (only its hash is kept)."""

    Category = FeedbackCategory
    Status = FeedbackStatus

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_sent",
        verbose_name=_("tài khoản người gửi"),
    )
    sender_name = models.CharField(_("họ và tên người gửi"), max_length=200)
    sender_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    secret_hash = models.CharField(_("mã bí mật (băm)"), max_length=64, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    dossier_code = models.CharField(_("mã hồ sơ liên quan"), max_length=40, blank=True)
    place = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nơi xảy ra (phường, xã, đơn vị)"),
    )
    intake_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị tiếp nhận, phân loại"),
        help_text=_("Nơi xảy ra nếu người gửi chọn, nếu không là UBND tỉnh, thành phố."),
    )
    public_consent = models.BooleanField(
        _("đồng ý công khai"),
        default=False,
        help_text=_("Người gửi đồng ý công khai nội dung và trả lời (không kèm tên, liên hệ)."),
    )
    category = models.CharField(
        _("lĩnh vực"), max_length=20, choices=FeedbackCategory.choices, blank=True
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
        db_index=True,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_assigned",
        verbose_name=_("đơn vị xử lý"),
    )
    channel = models.CharField(_("kênh"), max_length=10, default="web")
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    assigned_at = models.DateTimeField(_("chuyển xử lý lúc"), null=True, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người trả lời"),
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    is_public = models.BooleanField(_("công khai trên trang trả lời"), default=False)
    closed_reason = models.TextField(_("lý do không xử lý"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trùng với"),
    )
    reminder_sent_at = models.DateTimeField(_("nhắc hạn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="feedback_unit_status_idx"),
            models.Index(fields=["intake_unit", "status"], name="feedback_intake_idx"),
            models.Index(
                fields=["-published_at"],
                name="feedback_public_idx",
                condition=models.Q(is_public=True),
            ),
            models.Index(fields=["sender", "received_at"], name="feedback_sender_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["answered", "published"])
                | (models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="feedback_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="feedback_published_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["rejected", "duplicate"])
                | ~models.Q(closed_reason=""),
                name="feedback_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(is_public=False)
                | (models.Q(status="published") & models.Q(public_consent=True)),
                name="feedback_public_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_unanswered(self) -> bool:
        return self.status in UNANSWERED_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_late(self, now: dt.datetime) -> bool:
        """Past its deadline without an answer, or answered after it."""
        if self.status in (FeedbackStatus.REJECTED, FeedbackStatus.DUPLICATE):
            return False
        end = self.answered_at if self.answered_at is not None else now
        return end > self.due_at

    @property
    def handling_unit(self) -> Unit | None:
        """The unit the reminders go to: the assigned one, else the intake unit."""
        return self.unit if self.unit_id is not None else self.intake_unit


class FeedbackAttachmentPart(models.TextChoices):
    #: Sent by the citizen with the feedback.
    FEEDBACK = "feedback", _("Kèm phản ánh")
    #: Attached by the staff member answering; the sender sees it once the answer is published.
    ANSWER = "answer", _("Kèm trả lời")


class FeedbackAttachment(models.Model):
    """A photo or PDF attached to a feedback (`part` `feedback`: by the sender when sending)
    or to its answer (`part` `answer`: by the staff member answering), at most
    `MOTCUA_FEEDBACK_ATTACHMENTS["max_files"]` each, in the order given. The bytes are a
    `documents.StoredFile`, checked and stored as a dossier's upload; read by the sender (an
    answer's once it is published) and by staff who see the feedback (their download is
    logged)."""

    Part = FeedbackAttachmentPart

    feedback = models.ForeignKey(
        Feedback,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("phản ánh"),
    )
    part = models.CharField(
        _("kèm theo"),
        max_length=10,
        choices=FeedbackAttachmentPart.choices,
        default=FeedbackAttachmentPart.FEEDBACK,
    )
    file = models.OneToOneField(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp")
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    added_at = models.DateTimeField(_("thêm lúc"))

    class Meta:
        verbose_name = _("tệp đính kèm phản ánh")
        verbose_name_plural = _("tệp đính kèm phản ánh")
        ordering = ["feedback_id", "part", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "part", "position"], name="feedback_attachment_position_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} #{self.position}"


class FeedbackCodeCounter(models.Model):
    """The last number used in feedback codes of one year (`PA-2026-000123`)."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    last = models.PositiveIntegerField(_("số cuối"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã phản ánh")
        verbose_name_plural = _("bộ đếm mã phản ánh")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class FeedbackEventKind(models.TextChoices):
    SUBMIT = "submit", _("Gửi phản ánh")
    CLASSIFY = "classify", _("Phân loại, chuyển đơn vị xử lý")
    ANSWER = "answer", _("Trả lời")
    PUBLISH = "publish", _("Công bố trả lời")
    REJECT = "reject", _("Không xử lý")
    REMIND = "remind", _("Nhắc hạn trả lời")


class FeedbackEventQuerySet(AppendOnlyQuerySet["FeedbackEvent"]):
    """Append-only: bulk update and delete are refused (`AppendOnlyViolation`)."""


class FeedbackEvent(AppendOnlyModel):
    """One change of a feedback: who, when, what (`data`: the changed fields, never the
    sender's contact). Append-only (model guard and database triggers)."""

    Kind = FeedbackEventKind

    feedback = models.ForeignKey(
        Feedback, on_delete=models.PROTECT, related_name="events", verbose_name=_("phản ánh")
    )
    kind = models.CharField(_("loại"), max_length=20, choices=FeedbackEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("thời điểm"))
    data = models.JSONField(_("nội dung"), default=dict, blank=True)

    objects = FeedbackEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký phản ánh")
        verbose_name_plural = _("nhật ký phản ánh")
        ordering = ["feedback_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.kind}"
