"""The working calendar (domain.md section 4).

`CalendarDay` rows are the exceptions to the weekly pattern: public holidays and days given off
(`is_working=False`) and make-up working days on weekends (`is_working=True`). `WorkSchedule`
holds a unit's office hours per weekday; the row without a unit is the province-wide default,
and without any row the legal practice default applies (07:00–11:30, 13:30–17:00, Mon–Fri).

Rows are written only through `motcua.deadlines.services`, which also invalidates the cached
working clocks.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.organisation.models import Unit


class CalendarDay(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "package", _("Thư viện holidays")
        GOVERNMENT = "government", _("Văn bản của Chính phủ")
        ADMIN = "admin", _("Quản trị viên")

    date = models.DateField(_("ngày"), unique=True)
    is_working = models.BooleanField(
        _("ngày làm việc"),
        help_text=_("Bỏ chọn: ngày nghỉ (lễ, Tết, nghỉ bù). Chọn: ngày làm bù vào cuối tuần."),
    )
    name = models.CharField(_("tên ngày"), max_length=200)
    source = models.CharField(
        _("nguồn"), max_length=12, choices=Source.choices, default=Source.ADMIN
    )
    note = models.TextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("làm bù") if self.is_working else _("nghỉ")
        return f"{self.date:%d/%m/%Y} — {self.name} ({kind})"


class WorkSchedule(models.Model):
    """Office hours of a unit (or, without a unit, of the whole province).

    `blocks` maps a weekday ("0" Monday … "6" Sunday) to ordered, non-overlapping
    ``[["07:00", "11:30"], ["13:30", "17:00"]]`` pairs; a missing weekday is closed. Make-up
    working days use the Monday–Friday blocks. Validated by `services.blocks_parse`.
    """

    unit = models.OneToOneField(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="work_schedule",
        verbose_name=_("đơn vị"),
        help_text=_("Để trống: lịch làm việc chung của tỉnh, thành phố."),
    )
    blocks = models.JSONField(
        _("giờ làm việc theo thứ"),
        default=dict,
        help_text=_(
            'Thứ (0 = thứ Hai … 6 = Chủ nhật) → các khung giờ, vd {"0": [["07:00", "11:30"], '
            '["13:30", "17:00"]], "5": [["07:30", "11:30"]]}.'
        ),
    )
    online_late_from = models.TimeField(
        _("hồ sơ trực tuyến nộp từ giờ này tính từ ngày làm việc sau"),
        default=dt.time(16, 0),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")

    def __str__(self) -> str:
        return str(self.unit) if self.unit_id else str(_("Lịch chung của tỉnh, thành phố"))
