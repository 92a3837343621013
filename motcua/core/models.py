from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import AppendOnlyViolation

_M = TypeVar("_M", bound=models.Model)


def _refuse(model: type[models.Model], what: str) -> NoReturn:
    raise AppendOnlyViolation(f"{model._meta.label} rows are append-only: {what} refused")


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Bulk `update()`, `bulk_update()` and `delete()` are refused: rows are only ever added."""

    def update(self, **kwargs: Any) -> int:
        _refuse(self.model, "update()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse(self.model, "bulk_update()")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse(self.model, "delete()")


class AppendOnlyModel(models.Model):
    """A record nobody rewrites: `save()` only inserts (a row read back cannot be saved
    again) and `delete()` is refused, raising `AppendOnlyViolation`. Pair it with an
    `AppendOnlyQuerySet` manager. The database refuses UPDATE and DELETE too (triggers in the
    `*_append_only_triggers` migrations), for raw SQL and anything else that bypasses this.

    A guard, not logic: nothing else happens in `save()`."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse(type(self), "save() of an existing row")
        kwargs["force_insert"] = True  # never an UPDATE, even with a primary key set
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse(type(self), "delete()")


class OutboxMessage(models.Model):
    """A fact (`dossier.submit`, `catalog.version_published`, ...) written in the same
    transaction as the change it reports, with one `OutboxDelivery` per subscriber of its topic
    at that moment (`motcua.core.outbox`). A message no subscriber wanted is `unrouted`: kept
    and counted, never reported as delivered."""

    class Status(models.TextChoices):
        ROUTED = "routed", _("đã chuyển cho bên nhận")
        UNROUTED = "unrouted", _("không có bên nhận")

    topic = models.CharField(_("chủ đề"), max_length=100, db_index=True)
    key = models.CharField(
        _("khoá thứ tự"),
        max_length=100,
        blank=True,
        help_text=_("Các thông điệp cùng khoá (mã hồ sơ) được giao cho mỗi bên nhận theo thứ tự."),
    )
    schema = models.PositiveSmallIntegerField(_("phiên bản nội dung"), default=1)
    payload = models.JSONField(_("nội dung"), default=dict)
    created_at = models.DateTimeField(_("tạo lúc"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ROUTED
    )

    class Meta:
        verbose_name = _("thông điệp outbox")
        verbose_name_plural = _("thông điệp outbox")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_unrouted_idx",
                condition=models.Q(status="unrouted"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class OutboxDelivery(models.Model):
    """One message handed to one subscriber: retried on its own (a failing webhook never
    replays the SMS), in message order per (subscriber, key), dead-lettered after
    `MOTCUA_OUTBOX_MAX_ATTEMPTS`. A claimed row carries a lease (`locked_until`,
    `lease_token`); a worker that dies with it loses it when the lease runs out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("chờ gửi")
        DELIVERED = "delivered", _("đã gửi")
        DEAD = "dead", _("thư chết")

    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("thông điệp"),
    )
    subscriber = models.CharField(_("bên nhận"), max_length=100)
    key = models.CharField(_("khoá thứ tự"), max_length=100, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    available_at = models.DateTimeField(_("gửi từ"))
    locked_until = models.DateTimeField(_("đang gửi đến"), null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    dead_at = models.DateTimeField(_("thành thư chết lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("lần giao thông điệp")
        verbose_name_plural = _("lần giao thông điệp")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "subscriber"], name="outbox_delivery_once_per_subscriber"
            )
        ]
        indexes = [
            models.Index(
                fields=["available_at"],
                name="outbox_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["subscriber", "key", "message"],
                name="outbox_delivery_order_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["dead_at"],
                name="outbox_delivery_dead_idx",
                condition=models.Q(status="dead"),
            ),
        ]
        permissions = [("retry_outboxdelivery", _("Có thể gửi lại thư chết"))]

    def __str__(self) -> str:
        return f"#{self.message_id} → {self.subscriber}"

    @property
    def idempotency_key(self) -> str:
        return f"{self.message_id}:{self.subscriber}"


class DataAccessLogQuerySet(AppendOnlyQuerySet["DataAccessLog"]):
    pass


class DataAccessLog(AppendOnlyModel):
    """Who read whose personal data, when and why (Law 91/2025 on personal data protection)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    subject_type = models.CharField(_("loại đối tượng"), max_length=50)
    subject_id = models.CharField(_("mã đối tượng"), max_length=64)
    purpose = models.CharField(_("mục đích"), max_length=100)
    channel = models.CharField(_("kênh"), max_length=20, default="web")
    at = models.DateTimeField(_("thời điểm"))

    objects = DataAccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.subject_type}:{self.subject_id}"


class AuditEventQuerySet(AppendOnlyQuerySet["AuditEvent"]):
    pass


class AuditEvent(AppendOnlyModel):
    """An append-only record of a change outside the dossier trail (which has its own
    `DossierEvent`): catalog versions, the calendar, office hours, role assignments, API tokens.
    Written by the service that makes the change, in the same transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=60, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=60)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    before = models.JSONField(_("trước"), default=dict, blank=True)
    after = models.JSONField(_("sau"), default=dict, blank=True)
    reason = models.TextField(_("lý do, ghi chú"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
