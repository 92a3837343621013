"""Notifications: what the applicant is told, through which channel, and proof of each send.

`NotificationDelivery` is the send log and the deduplication: one row per delivery key
(outbox idempotency key + channel + a hash of the recipient), unique, inserted before the
provider is called (docs/adr/0023-notifications.md).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận, hẹn trả kết quả")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    PAYMENT_REQUESTED = "payment_requested", _("Yêu cầu nộp phí, lệ phí")
    PAYMENT_RECEIVED = "payment_received", _("Đã nhận phí, lệ phí; biên lai điện tử")
    RECEIPT_REPLACED = "receipt_replaced", _("Biên lai được thay thế")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    SIGN_IN_CODE = "sign_in_code", _("Mã đăng nhập")
    RESET_CODE = "reset_code", _("Mã đặt lại mật khẩu")
    CONTACT_CODE = "contact_code", _("Mã xác nhận số điện thoại, thư điện tử")
    FEEDBACK_RECEIVED = "feedback_received", _("Đã nhận phản ánh, kiến nghị")
    FEEDBACK_ANSWERED = "feedback_answered", _("Đã có trả lời phản ánh, kiến nghị")
    FEEDBACK_REMINDER = "feedback_reminder", _("Nhắc đơn vị trả lời phản ánh (cán bộ)")
    FEEDBACK_REJECTED = "feedback_rejected", _("Phản ánh, kiến nghị không được xử lý")


class Channel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")
    INAPP = "inapp", _("Thông báo trên cổng")


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"


class NotificationTemplate(models.Model):
    """The text of one event on one channel in one language. Placeholders in braces from a
    fixed list (`motcua.notifications.rendering.PLACEHOLDERS`); an administrator edits them
    in the admin and can reset them to the shipped default."""

    event = models.CharField(_("sự kiện"), max_length=30, choices=Event.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=5, choices=Language.choices)
    subject = models.CharField(
        _("tiêu đề"), max_length=200, blank=True, help_text=_("Thư điện tử, thông báo trên cổng.")
    )
    body = models.TextField(_("nội dung"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="notification_template_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel} / {self.language}"


#: The events a person may opt out of, per channel (not sign-in or reset codes; not the
#: reminders to a unit's staff, which are work mail).
OPT_OUT_EVENTS: tuple[str, ...] = tuple(
    e
    for e in Event.values
    if e not in (Event.SIGN_IN_CODE, Event.RESET_CODE, Event.FEEDBACK_REMINDER)
)


class NotificationPreference(models.Model):
    """A person's channels. Everything is on until they opt out; sign-in codes ignore it.

    Two levels: a channel switch (`sms`, `email`, `inapp`: off is off for every event) and,
    on a channel that is on, the events turned off one by one (`events_off`, a list of
    `"<event>:<channel>"`), so the one query that reads a dossier's facts reads both."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("người dùng"),
    )
    sms = models.BooleanField(_("nhận SMS"), default=True)
    email = models.BooleanField(_("nhận thư điện tử"), default=True)
    inapp = models.BooleanField(_("nhận thông báo trên cổng"), default=True)
    events_off = models.JSONField(
        _("sự kiện không nhận"),
        default=list,
        blank=True,
        help_text=_("Các cặp sự kiện:kênh người dùng đã tắt, ví dụ received:sms."),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("lựa chọn nhận thông báo")
        verbose_name_plural = _("lựa chọn nhận thông báo")

    def __str__(self) -> str:
        return f"{self.person_id}"

    def allows(self, channel: str, event: str | None = None) -> bool:
        """Whether `channel` is on (for `event`, when given)."""
        if not getattr(self, channel):
            return False
        return event is None or f"{event}:{channel}" not in (self.events_off or [])


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", _("đang gửi")
    SENT = "sent", _("đã gửi")
    FAILED = "failed", _("lỗi, sẽ thử lại")
    DEAD = "dead", _("hết lượt thử")
    OPTED_OUT = "opted_out", _("người nhận đã từ chối kênh này")


class NotificationDelivery(models.Model):
    """One message to one recipient on one channel, whatever the number of attempts."""

    delivery_key = models.CharField(_("khoá gửi"), max_length=160)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    event = models.CharField(_("sự kiện"), max_length=30, choices=Event.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=5, choices=Language.choices)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhận"),
    )
    recipient = models.CharField(_("địa chỉ nhận"), max_length=254, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.SENDING,
    )
    provider = models.CharField(_("nhà cung cấp"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt gửi thông báo")
        verbose_name_plural = _("lượt gửi thông báo")
        ordering = ["-created_at", "-id"]
        # Only what is looked up is indexed, and not the columns a send changes (status,
        # provider, attempts...): PostgreSQL then marks a message sent in place (a HOT
        # update, no index written; the table keeps room for it, migration 0010), the one
        # write each message costs. Plain b-tree indexes: no `_like` twins (exact lookups).
        constraints = [
            models.UniqueConstraint(fields=["delivery_key"], name="notification_delivery_key")
        ]
        indexes = [models.Index(fields=["dossier_code", "created_at"], name="notification_dossier")]

    def __str__(self) -> str:
        return self.delivery_key


class Notification(models.Model):
    """What the portal lists for a person (in-app channel)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    delivery_key = models.CharField(_("khoá gửi"), max_length=160, unique=True)
    event = models.CharField(_("sự kiện"), max_length=30, choices=Event.choices)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("tạo lúc"))
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo trên cổng")
        verbose_name_plural = _("thông báo trên cổng")
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_person_idx"),
            # The header's unread count: only the unread rows are in it, so counting them
            # reads a few index entries however many notifications the person has read.
            models.Index(
                fields=["person"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SandboxSms(models.Model):
    """The built-in sandbox SMS provider's inbox: one row per client reference (a resend
    with the same reference only counts a hit), so tests can prove "exactly once"."""

    reference = models.CharField(_("mã tham chiếu"), max_length=160, unique=True)
    to = models.CharField(_("số nhận"), max_length=20)
    text = models.TextField(_("nội dung"))
    received_at = models.DateTimeField(_("nhận lúc"))
    hits = models.PositiveIntegerField(_("số lần nhận"), default=1)

    class Meta:
        verbose_name = _("tin SMS hộp thử")
        verbose_name_plural = _("tin SMS hộp thử")

    def __str__(self) -> str:
        return self.reference


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An integrator's endpoint: the subscribed dossier events are POSTed to it, signed with
    HMAC-SHA256 (docs/notifications.md, "Webhooks").

    `owner` is the account that subscribed through the API: it receives only the events of
    dossiers that account may see, and its URL must be public https. An endpoint without an
    owner was set up by an administrator in the admin and receives every subscribed event
    (an LGSP on the province's own network, say). Deleting one through the API deactivates
    it (`deleted_at`) and keeps its delivery log."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("chủ sở hữu"),
        help_text=_("Tài khoản đăng ký qua API; để trống: do quản trị viên tạo, nhận mọi sự kiện."),
    )
    name = models.CharField(_("tên"), max_length=100)
    url = models.URLField(_("địa chỉ nhận"), max_length=500)
    secret = models.CharField(
        _("khoá ký"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Bí mật dùng chung để ký HMAC-SHA256."),
    )
    topics = models.CharField(
        _("chủ đề"),
        max_length=500,
        default="dossier.*",
        help_text=_("Các chủ đề, cách nhau bởi dấu phẩy: dossier.*, dossier.issue_result…"),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), null=True, blank=True)
    secret_rotated_at = models.DateTimeField(_("đổi khoá ký lúc"), null=True, blank=True)
    #: The secret replaced by the last rotation: every delivery is signed with it too until
    #: `previous_secret_expires_at` (the grace period), so a receiver keeps verifying while
    #: it is redeployed with the new one.
    previous_secret = models.CharField(_("khoá ký cũ"), max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        _("khoá ký cũ hết hạn lúc"),
        null=True,
        blank=True,
        help_text=_("Tới lúc này mỗi lượt gửi mang cả chữ ký bằng khoá cũ."),
    )
    deleted_at = models.DateTimeField(_("xoá lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("điểm nhận webhook")
        verbose_name_plural = _("điểm nhận webhook")
        indexes = [models.Index(fields=["owner", "-created_at"], name="webhook_owner_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def topic_list(self) -> list[str]:
        return [p.strip() for p in self.topics.split(",") if p.strip()]

    def signing_secrets(self, now: dt.datetime) -> list[str]:
        """The secrets a delivery signed at `now` carries a signature of: the current one
        first, then the previous one while its grace period runs (until, not at, its end)."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and now < expires:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(models.Model):
    """The delivery log: one row per message and endpoint, whatever the attempts."""

    class Status(models.TextChoices):
        SENDING = "sending", _("đang gửi")
        SENT = "sent", _("đã gửi")
        FAILED = "failed", _("lỗi, sẽ thử lại")
        DEAD = "dead", _("hết lượt thử")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("điểm nhận"),
    )
    delivery_key = models.CharField(_("khoá gửi"), max_length=160, unique=True)
    topic = models.CharField(_("chủ đề"), max_length=100)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    response_status = models.PositiveIntegerField(_("mã trả lời HTTP"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)
    #: The JSON document posted (no personal data), so that it can be delivered again as is.
    body = models.TextField(_("nội dung gửi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("lần gửi gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt gửi webhook")
        verbose_name_plural = _("lượt gửi webhook")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log_idx")
        ]

    def __str__(self) -> str:
        return self.delivery_key
