"""Around the counter (domain.md section 9): what a service point does besides dossiers —
free legal advice turns, mobile and at-home service for the elderly and disabled, and the
hotline. Rows are written only by `motcua.counter.services`, each change with an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import format_vn_moment


class LegalAdviceTurn(models.Model):
    """A lawyer's turn of free legal advice at a service point: planned, then held (with the
    people served and the topics) or cancelled."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Đã lên lịch")
        HELD = "held", _("Đã thực hiện")
        CANCELLED = "cancelled", _("Đã huỷ")

    unit = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("điểm phục vụ"),
    )
    lawyer_name = models.CharField(_("luật sư"), max_length=200)
    organisation = models.CharField(
        _("tổ chức hành nghề"),
        max_length=200,
        blank=True,
        help_text=_("Vd Đoàn Luật sư TP Hà Nội."),
    )
    day = models.DateField(_("ngày"))
    starts = models.TimeField(_("từ"))
    ends = models.TimeField(_("đến"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    topics = models.TextField(_("nội dung tư vấn"), blank=True)
    people_served = models.PositiveIntegerField(_("số lượt người được tư vấn"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("lượt tư vấn pháp luật miễn phí")
        verbose_name_plural = _("lượt tư vấn pháp luật miễn phí")
        ordering = ["-day", "-starts", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="turn_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.lawyer_name}"


class HomeService(models.Model):
    """A request for mobile or at-home public service (elderly, disabled, ill): receiving a
    dossier or certifying copies where the person lives. Requested, scheduled with an
    officer, then done or cancelled."""

    class Kind(models.TextChoices):
        RECEPTION = "reception", _("Tiếp nhận hồ sơ tại nhà")
        CERTIFIED_COPY = "certified_copy", _("Chứng thực bản sao tại nhà")
        RESULT_DELIVERY = "result_delivery", _("Trả kết quả tại nhà")
        MOBILE = "mobile", _("Phục vụ lưu động")

    class Reason(models.TextChoices):
        ELDERLY = "elderly", _("Người cao tuổi")
        DISABLED = "disabled", _("Người khuyết tật")
        ILL = "ill", _("Người ốm đau, không tự đi lại được")
        OTHER = "other", _("Lý do khác")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Mới yêu cầu")
        SCHEDULED = "scheduled", _("Đã hẹn lịch")
        DONE = "done", _("Đã phục vụ")
        CANCELLED = "cancelled", _("Đã huỷ")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Tại quầy")
        PHONE = "phone", _("Điện thoại, đường dây nóng")
        ONLINE = "online", _("Trực tuyến")

    unit = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị phục vụ"),
    )
    kind = models.CharField(_("dịch vụ"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("đối tượng"), max_length=10, choices=Reason.choices)
    person_name = models.CharField(_("họ và tên"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=20)
    address = models.CharField(_("địa chỉ phục vụ"), max_length=500)
    details = models.TextField(_("nội dung yêu cầu"), blank=True)
    channel = models.CharField(
        _("kênh yêu cầu"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    preferred_day = models.DateField(_("ngày mong muốn"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    scheduled_for = models.DateTimeField(_("lịch phục vụ"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ phục vụ"),
    )
    outcome = models.TextField(_("kết quả phục vụ"), blank=True)
    reference = models.CharField(
        _("số hiệu liên quan"),
        max_length=100,
        blank=True,
        help_text=_("Mã hồ sơ đã tiếp nhận hoặc số chứng thực."),
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("yêu cầu phục vụ tại nhà, lưu động")
        verbose_name_plural = _("yêu cầu phục vụ tại nhà, lưu động")
        ordering = ["status", "scheduled_for", "requested_at", "id"]
        indexes = [models.Index(fields=["unit", "status", "scheduled_for"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person_name}"


class HotlineCall(models.Model):
    """A call to a unit's hotline: what was asked, how it was handled, and a call back when
    one was promised."""

    class Topic(models.TextChoices):
        PROCEDURE = "procedure", _("Hỏi về thủ tục")
        DOSSIER = "dossier", _("Hỏi về hồ sơ đã nộp")
        COMPLAINT = "complaint", _("Phản ánh, kiến nghị")
        HOME_SERVICE = "home_service", _("Đề nghị phục vụ tại nhà")
        OTHER = "other", _("Khác")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Đã trả lời")
        FORWARDED = "forwarded", _("Đã chuyển bộ phận chuyên môn")
        CALLBACK = "callback", _("Hẹn gọi lại")

    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    at = models.DateTimeField(_("thời điểm gọi"))
    caller_name = models.CharField(_("người gọi"), max_length=200, blank=True)
    caller_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    topic = models.CharField(_("nội dung"), max_length=15, choices=Topic.choices)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=40, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)
    summary = models.TextField(_("tóm tắt"))
    outcome = models.CharField(_("xử lý"), max_length=10, choices=Outcome.choices)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nghe"),
    )
    callback_done_at = models.DateTimeField(_("đã gọi lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("cuộc gọi đường dây nóng")
        verbose_name_plural = _("sổ đường dây nóng")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="callback") | ~models.Q(caller_phone=""),
                name="hotline_callback_needs_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{format_vn_moment(self.at)} {self.get_topic_display()}"

    @property
    def callback_pending(self) -> bool:
        return self.outcome == self.Outcome.CALLBACK and self.callback_done_at is None
