"""State the API keeps for itself: idempotency keys of write requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first response to a write sent with an `Idempotency-Key` header.

    Written in the transaction that made the change, so a key is recorded exactly when the
    change committed. A retry with the same key and the same body (same fingerprint) gets
    this response again; the same key with another body is refused.
    """

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("tài khoản"),
    )
    key = models.CharField(_("khoá Idempotency-Key"), max_length=255)
    operation = models.CharField(_("thao tác"), max_length=100)
    fingerprint = models.CharField(_("dấu vân tay yêu cầu (SHA-256)"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("mã trạng thái"))
    response_body = models.JSONField(_("nội dung phản hồi"))
    created_at = models.DateTimeField(_("tạo lúc"))

    class Meta:
        verbose_name = _("khoá chống gửi trùng")
        verbose_name_plural = _("khoá chống gửi trùng")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="uniq_idempotency_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.principal_id}:{self.key}"
