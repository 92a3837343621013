from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.core.errors import ValidationError as DomainValidationError

from .models import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationTemplate,
    SandboxSms,
    WebhookDelivery,
    WebhookEndpoint,
)
from .rendering import PLACEHOLDERS, SMS_LIMIT, render_sms, template_check
from .selectors import notification_dead_letters
from .services import template_reset_default, template_update
from .text import mask_recipient, sms_segments
from .webhook_rules import topics_clean
from .webhook_services import webhook_test_send

SAMPLE = {
    "code": "00070-260302-0001",
    "procedure": "Đăng ký khai sinh",
    "appointment": "09/03/2026",
    "new_appointment": "12/03/2026",
    "amount": "1.250.000 đồng",
    "lookup_url": "https://dichvucong.example.vn/tra-cuu",
    "otp": "123456",
    "minutes": "5",
    "due_date": "16/03/2026",
    "follow_url": "https://dichvucong.example.vn/feedback/PA-2026-000123/",
    "unit": "Phường Hoàn Kiếm",
    "count": "2",
    "late_count": "1",
    "feedback_list": "- PA-2026-000123: Hồ sơ chậm trả kết quả (hạn 16/03/2026, QUÁ HẠN)",
    "workspace_url": "https://motcua.example.vn/workspace/feedback/",
}


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ("subject", "body")

    def clean_subject(self) -> str:
        value = str(self.cleaned_data.get("subject") or "")
        template_check(value)
        return value

    def clean_body(self) -> str:
        value = str(self.cleaned_data.get("body") or "")
        template_check(value)
        return value


def _dead_letter_alert(request: HttpRequest) -> None:
    dead = notification_dead_letters().count()
    if dead:
        url = reverse("admin:core_outboxdelivery_changelist")
        query = "status__exact=dead&subscriber__startswith=notifications."
        messages.error(
            request,
            format_html(
                '{} <a href="{}?{}">{}</a>',
                _("%(count)d thông báo đã hết lượt gửi lại (thư chết).") % {"count": dead},
                url,
                query,
                _("Xem và gửi lại"),
            ),
        )


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ("event", "channel", "language", "subject", "sms_check", "updated_at")
    list_filter = ("event", "channel", "language")
    readonly_fields = ("event", "channel", "language", "placeholders", "preview")
    fields = ("event", "channel", "language", "subject", "body", "placeholders", "preview")
    actions = ["reset_default"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per event, channel and language, seeded

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("các trường dùng được"))
    def placeholders(self, obj: NotificationTemplate) -> str:
        return ", ".join(f"{{{name}}} ({label})" for name, label in PLACEHOLDERS.items())

    @admin.display(description=_("xem trước"))
    def preview(self, obj: NotificationTemplate) -> str:
        if obj.channel != "sms":
            return obj.body
        text = render_sms(obj.body, SAMPLE)
        return f"{text} — {len(text)}/{SMS_LIMIT}, {sms_segments(text)} SMS"

    @admin.display(description=_("độ dài SMS"))
    def sms_check(self, obj: NotificationTemplate) -> str:
        if obj.channel != "sms":
            return ""
        text = render_sms(obj.body, SAMPLE)
        return f"{len(text)} ({sms_segments(text)})"

    @admin.action(description=_("Khôi phục nội dung mặc định"))
    def reset_default(self, request: HttpRequest, queryset: QuerySet[NotificationTemplate]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = template_reset_default(actor=request.user, template_ids=ids, now=now())
        self.message_user(request, _("Đã khôi phục %(count)d mẫu về mặc định.") % {"count": count})

    def save_model(
        self, request: HttpRequest, obj: NotificationTemplate, form: Any, change: bool
    ) -> None:
        template_update(
            actor=request.user,
            template=obj,
            subject=form.cleaned_data.get("subject", ""),
            body=form.cleaned_data["body"],
            now=now(),
        )


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(_ReadOnly):
    list_display = (
        "created_at",
        "dossier_code",
        "event",
        "channel",
        "masked_recipient",
        "status",
        "provider",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel", "event", "provider")
    search_fields = ("dossier_code", "delivery_key")
    exclude = ("recipient",)
    readonly_fields = ("masked_recipient",)

    @admin.display(description=_("người nhận"))
    def masked_recipient(self, obj: NotificationDelivery) -> str:
        return mask_recipient(obj.channel, obj.recipient)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        _dead_letter_alert(request)
        return super().changelist_view(request, extra_context)


@admin.register(Notification)
class NotificationAdmin(_ReadOnly):
    list_display = ("created_at", "dossier_code", "event", "title", "read_at")
    list_filter = ("event",)
    search_fields = ("dossier_code",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(_ReadOnly):
    list_display = ("person", "sms", "email", "inapp", "events_off", "updated_at")


@admin.register(SandboxSms)
class SandboxSmsAdmin(_ReadOnly):
    list_display = ("received_at", "reference", "hits", "text")
    exclude = ("to",)


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ("created_at", "topic", "status", "attempts", "response_status", "last_error")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).order_by("-created_at", "-id")


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("địa chỉ nhận"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "topics", "active")

    def clean_topics(self) -> str:
        """The declared topics only (webhook_rules), as the API checks them."""
        try:
            patterns = topics_clean(str(self.cleaned_data.get("topics") or "").split(","))
        except DomainValidationError as exc:
            details = "; ".join(str(e.get("message", "")) for e in exc.errors if e.get("message"))
            raise forms.ValidationError(details or exc.render()) from exc
        return ",".join(patterns)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "owner", "url", "topics", "active", "created_at", "deleted_at")
    list_filter = ("active",)
    fields = (
        "name",
        "url",
        "topics",
        "active",
        "secret",
        "previous_secret_expires_at",
        "owner",
        "deleted_at",
    )
    readonly_fields = ("secret", "previous_secret_expires_at", "owner", "deleted_at")
    actions = ["send_test"]
    inlines = [WebhookDeliveryInline]

    @admin.action(description=_("Gửi sự kiện thử (webhook.test)"), permissions=["change"])
    def send_test(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        """Through the outbox like every delivery; the message says what is known when the
        page answers (without a broker the endpoint has answered already)."""
        for endpoint in queryset.filter(deleted_at__isnull=True):
            row = webhook_test_send(actor=cast(User, request.user), endpoint=endpoint, now=now())
            row.refresh_from_db()
            if row.status == WebhookDelivery.Status.SENT:
                self.message_user(
                    request,
                    _("%(name)s trả lời HTTP %(status)s.")
                    % {"name": endpoint.name, "status": row.response_status},
                )
            elif row.status == WebhookDelivery.Status.SENDING:
                self.message_user(
                    request,
                    _("Đã xếp sự kiện thử cho %(name)s vào hàng đợi: xem nhật ký gửi.")
                    % {"name": endpoint.name},
                )
            else:
                self.message_user(
                    request,
                    _("%(name)s không nhận: %(error)s (%(status)s)")
                    % {
                        "name": endpoint.name,
                        "error": row.last_error,
                        "status": row.get_status_display(),
                    },
                    messages.ERROR,
                )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly):
    list_display = ("created_at", "endpoint", "topic", "status", "attempts", "response_status")
    list_filter = ("status", "endpoint", "topic")
    search_fields = ("delivery_key",)
