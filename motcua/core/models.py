from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A side effect (notification, webhook, ...) written in the same transaction as the change.

    Delivery happens only after commit: by Celery when a broker is configured, otherwise in
    process right after the commit. A row is marked delivered only once its handler succeeded,
    so a crash between commit and delivery loses nothing: `deliver_outbox` picks it up.
    """

    topic = models.CharField(_("chủ đề"), max_length=100, db_index=True)
    payload = models.JSONField(_("nội dung"), default=dict)
    created_at = models.DateTimeField(_("tạo lúc"))
    available_at = models.DateTimeField(_("gửi từ"))
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("thông điệp chờ gửi")
        verbose_name_plural = _("thông điệp chờ gửi")
        indexes = [
            models.Index(
                fields=["available_at"],
                name="outbox_pending_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class DataAccessLog(models.Model):
    """Who read whose personal data, when and why (Law 91/2025 on personal data protection)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    subject_type = models.CharField(_("loại đối tượng"), max_length=50)
    subject_id = models.CharField(_("mã đối tượng"), max_length=64)
    purpose = models.CharField(_("mục đích"), max_length=100)
    channel = models.CharField(_("kênh"), max_length=20, default="web")
    at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.subject_type}:{self.subject_id}"


class AuditEvent(models.Model):
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

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
