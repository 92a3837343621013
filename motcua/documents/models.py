"""A stored file: its bytes live in the `documents` storage (never under a public URL), its
facts here. Rows are written only by `motcua.documents.services`; a new version of a file is a
new row pointing at the one it replaces (`previous`), the old one is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


class StoredFile(models.Model):
    storage_name = models.CharField(_("tên lưu trữ"), max_length=200, unique=True, editable=False)
    name = models.CharField(_("tên tệp gốc"), max_length=200)
    content_type = models.CharField(_("loại nội dung"), max_length=50, choices=ContentType.choices)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    pages = models.PositiveIntegerField(_("số trang"))
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thay cho phiên bản"),
    )
    scanned = models.BooleanField(
        _("đã quét virus"), default=False, help_text=_("Đã được ClamAV kiểm tra khi lưu.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thêm"),
    )
    added_at = models.DateTimeField(_("thêm lúc"))

    class Meta:
        verbose_name = _("tệp đã lưu")
        verbose_name_plural = _("tệp đã lưu")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="storedfile_not_empty"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="storedfile_version"),
        ]

    def __str__(self) -> str:
        return self.name
