from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .clock import now
from .errors import DomainError
from .models import AuditEvent, DataAccessLog, OutboxDelivery, OutboxMessage
from .outbox import outbox_counts, outbox_delivery_retry, outbox_message_route


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only tables: visible, never edited or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OutboxDeliveryInline(admin.TabularInline):
    model = OutboxDelivery
    fields = ("subscriber", "status", "attempts", "available_at", "delivered_at", "last_error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class _OutboxAdmin(ReadOnlyAdmin):
    """Read-only lists whose only writes are the actions, through the outbox services."""

    show_facets = admin.ShowFacets.ALWAYS

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.retry_outboxdelivery")

    def _run(self, request: HttpRequest, work: Callable[[], int], done: Promise) -> None:
        try:
            count = work()
        except DomainError as exc:
            self.message_user(request, exc.render(), messages.ERROR)
        else:
            self.message_user(request, str(done) % {"count": count}, messages.SUCCESS)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(_OutboxAdmin):
    list_display = ("id", "topic", "key", "created_at", "status", "deliveries")
    list_filter = ("status", "topic")
    search_fields = ("topic", "key")
    inlines = [OutboxDeliveryInline]
    actions = ["route"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        def count(status: str) -> Count:
            return Count("deliveries", filter=Q(deliveries__status=status))

        return (
            super()
            .get_queryset(request)
            .annotate(
                n_delivered=count(OutboxDelivery.Status.DELIVERED),
                n_pending=count(OutboxDelivery.Status.PENDING),
                n_dead=count(OutboxDelivery.Status.DEAD),
            )
        )

    @admin.display(description=_("lần giao: đã gửi / chờ / thư chết"))
    def deliveries(self, obj: Any) -> str:
        return f"{obj.n_delivered} / {obj.n_pending} / {obj.n_dead}"

    @admin.action(description=_("Chuyển cho các bên nhận đã đăng ký"), permissions=["retry"])
    def route(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        self._run(
            request,
            lambda: outbox_message_route(actor=request.user, message_ids=ids, now=now()),
            _("Đã tạo %(count)d lần giao."),
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        counts = outbox_counts()
        title = _("Thông điệp outbox: %(unrouted)d không có bên nhận") % counts
        return super().changelist_view(request, {**(extra_context or {}), "title": title})


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(_OutboxAdmin):
    list_display = (
        "id",
        "message_link",
        "topic",
        "subscriber",
        "key",
        "status",
        "attempts",
        "available_at",
        "delivered_at",
        "error",
    )
    list_filter = ("status", "subscriber", "message__topic")
    search_fields = ("key", "subscriber", "message__topic")
    list_select_related = ("message",)
    exclude = ("lease_token",)
    actions = ["retry"]

    @admin.display(description=_("thông điệp"), ordering="message_id")
    def message_link(self, obj: OutboxDelivery) -> str:
        url = reverse("admin:core_outboxmessage_change", args=[obj.message_id])
        return format_html('<a href="{}">#{}</a>', url, obj.message_id)

    @admin.display(description=_("chủ đề"), ordering="message__topic")
    def topic(self, obj: OutboxDelivery) -> str:
        return obj.message.topic

    @admin.display(description=_("lỗi gần nhất"))
    def error(self, obj: OutboxDelivery) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Gửi lại các thư chết đã chọn"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxDelivery]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        self._run(
            request,
            lambda: outbox_delivery_retry(actor=request.user, delivery_ids=ids, now=now()),
            _("Đã đưa %(count)d lần giao trở lại hàng chờ."),
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        counts = outbox_counts()
        title = _("Lần giao thông điệp: %(dead)d thư chết, %(pending)d chờ gửi") % counts
        return super().changelist_view(request, {**(extra_context or {}), "title": title})


@admin.register(DataAccessLog)
class DataAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "subject_type", "subject_id", "purpose", "channel")
    list_filter = ("subject_type", "purpose", "channel")
    search_fields = ("subject_id", "actor__username")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action", "actor__username")
    date_hierarchy = "at"
