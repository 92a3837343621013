"""A person's requests about their personal data (Law 91/2025/QH15, Decree 356/2025/NĐ-CP):
restrict processing, delete, correct, withdraw a consent. Written only by
`motcua.privacy.services`; the deadline rule is ADR "personal-data requests"."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    RESTRICT = "restrict", _("Hạn chế xử lý dữ liệu")
    DELETE = "delete", _("Xoá dữ liệu")
    CORRECT = "correct", _("Chỉnh sửa dữ liệu")
    WITHDRAW_CONSENT = "withdraw_consent", _("Rút lại sự đồng ý")


class RequestScope(models.TextChoices):
    """Which of the data the request is about (the sections of "what is held about me")."""

    ALL = "all", _("Toàn bộ dữ liệu của tôi")
    PROFILE = "profile", _("Thông tin tài khoản")
    CONSENTS = "consents", _("Các sự đồng ý")
    DOSSIERS = "dossiers", _("Hồ sơ thủ tục hành chính")
    DATA_STORE = "data_store", _("Kho dữ liệu cá nhân")
    ISSUED = "issued", _("Giấy tờ đã phát hành")
    COUNTER = "counter", _("Ghi chép tại quầy, đường dây nóng")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Đã nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    REFUSED = "refused", _("Từ chối")


OPEN_STATUSES = frozenset({RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS})


class AnswerOutcome(models.TextChoices):
    DONE = "done", _("Đã thực hiện theo yêu cầu")
    PARTLY = "partly", _("Thực hiện một phần")
    REFUSED = "refused", _("Không thực hiện được")


class LegalBasis(models.TextChoices):
    """Why something asked for cannot be deleted or restricted: the answer names one when it
    does not do everything asked (docs/personal-data.md, "What may be deleted")."""

    NONE = "", _("Không cần nêu")
    ARCHIVAL = "archival", _("Hồ sơ, kết quả phải lưu trữ theo thời hạn của pháp luật về lưu trữ")
    PUBLIC_DUTY = (
        "public_duty",
        _("Xử lý để cơ quan nhà nước thực hiện nhiệm vụ theo luật, không cần sự đồng ý"),
    )
    LOGS = "logs", _("Nhật ký truy cập, nhật ký thay đổi và bằng chứng đồng ý không được xoá")
    NATIONAL_DATA = (
        "national_data",
        _("Thông tin đã xác thực với Cơ sở dữ liệu quốc gia về dân cư: sửa tại cơ quan công an"),
    )
    IN_PROCESSING = "in_processing", _("Hồ sơ đang được giải quyết")
    NOT_IDENTIFIED = "not_identified", _("Chưa xác định được dữ liệu được yêu cầu")


class DataSubjectRequest(models.Model):
    """One request of a person about their personal data. Received, then in progress with a
    handler, then answered (done or partly, with the answer) or refused with the legal
    reason. `due_at` is fixed at reception: 15 days (calendar days, ending at the close of
    office hours, never on a non-working day)."""

    Kind = RequestKind
    Scope = RequestScope
    Status = RequestStatus

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("người yêu cầu"),
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=RequestKind.choices)
    scope = models.CharField(_("phạm vi"), max_length=20, choices=RequestScope.choices)
    scope_detail = models.CharField(
        _("chi tiết phạm vi"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ mã hồ sơ, tên giấy tờ, thông tin cần sửa."),
    )
    reason = models.TextField(_("lý do"))
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.RECEIVED,
        db_index=True,
    )
    received_at = models.DateTimeField(_("nhận lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"), db_index=True)
    extended_at = models.DateTimeField(
        _("gia hạn lúc"),
        null=True,
        blank=True,
        help_text=_("Gia hạn một lần, thêm tối đa 15 ngày, có nêu lý do."),
    )
    extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    assigned_at = models.DateTimeField(_("giao xử lý lúc"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    outcome = models.CharField(
        _("kết quả"), max_length=10, choices=AnswerOutcome.choices, blank=True
    )
    legal_basis = models.CharField(
        _("căn cứ không thực hiện"), max_length=20, choices=LegalBasis.choices, blank=True
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    channel = models.CharField(_("kênh"), max_length=20, default="web")

    class Meta:
        verbose_name = _("yêu cầu về dữ liệu cá nhân")
        verbose_name_plural = _("yêu cầu về dữ liệu cá nhân")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["person", "received_at"], name="privacy_req_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(legal_basis=""),
                name="privacy_refusal_has_basis",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["received", "in_progress"])
                | models.Q(answered_at__isnull=False),
                name="privacy_closed_has_answer_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_late(self, now: dt.datetime) -> bool:
        """Past its deadline without an answer (or answered after it)."""
        end = self.answered_at if self.answered_at is not None else now
        return end > self.due_at
