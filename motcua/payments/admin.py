"""Money in the admin: read here, written by the services. The ledger, fee lines and receipts
are read-only (nothing is changed or deleted by hand); a unit's receipt series is set
through `receipt_series_configure` (checked, audited, frozen once a receipt is issued).
Reconciliation runs are read-only too (written by `payments_reconcile`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.core.admin_services import ThroughServicesAdmin

from .models import (
    FeeLine,
    LedgerEntry,
    LedgerTransaction,
    PaymentCallback,
    PaymentOrder,
    Receipt,
    ReceiptSeries,
    ReconciliationDifference,
    ReconciliationRun,
)
from .receipts import receipt_series_configure


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeeLine)
class FeeLineAdmin(_ReadOnly):
    list_display = ("dossier_code", "name", "collecting_unit", "net_vnd", "state", "created_at")
    list_filter = ("state", "kind", "timing")
    search_fields = ("dossier_code", "name")
    list_select_related = ("collecting_unit",)


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ("account", "reference", "fee_line", "amount_vnd")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(_ReadOnly):
    list_display = ("at", "paid_at", "movement", "dossier_code", "method", "reference")
    list_filter = ("movement", "method")
    search_fields = ("dossier_code", "reference")
    date_hierarchy = "at"
    inlines = [LedgerEntryInline]


@admin.register(Receipt)
class ReceiptAdmin(_ReadOnly):
    list_display = ("series", "number_text", "issued_at", "dossier_code", "amount_vnd", "status")
    list_filter = ("status", "method")
    search_fields = ("dossier_code", "number")
    date_hierarchy = "issued_at"
    list_select_related = ("series",)

    @admin.display(description=_("số biên lai"), ordering="number")
    def number_text(self, obj: Receipt) -> str:
        return obj.number_text


@admin.register(ReceiptSeries)
class ReceiptSeriesAdmin(ThroughServicesAdmin):
    list_display = ("unit", "year", "form_symbol", "series", "collector_tax_code", "last")
    list_filter = ("year",)
    search_fields = ("unit__name", "unit__code", "series")
    list_select_related = ("unit",)
    fields = ("unit", "year", "form_symbol", "letters", "collector_name", "collector_tax_code")
    autocomplete_fields = ("unit",)

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return receipt_series_configure(
            unit=data["unit"],
            year=data["year"],
            form_symbol=data["form_symbol"],
            letters=data["letters"],
            collector_name=data["collector_name"],
            collector_tax_code=data["collector_tax_code"],
            actor=request.user,  # type: ignore[arg-type]
            now=clock.now(),
        )


@admin.register(PaymentOrder)
class PaymentOrderAdmin(_ReadOnly):
    list_display = ("order_ref", "gateway", "dossier_code", "amount_vnd", "status", "created_at")
    list_filter = ("status", "gateway")
    search_fields = ("order_ref", "dossier_code", "gateway_reference")
    date_hierarchy = "created_at"


@admin.register(PaymentCallback)
class PaymentCallbackAdmin(_ReadOnly):
    """Every callback a gateway sent, believed or not: what was refused shows here."""

    list_display = ("received_at", "gateway", "order_ref", "verified", "outcome")
    list_filter = ("verified", "outcome", "gateway")
    search_fields = ("order_ref",)
    date_hierarchy = "received_at"


class ReconciliationDifferenceInline(admin.TabularInline):
    model = ReconciliationDifference
    fields = (
        "kind", "reference", "order", "gateway_reference", "statement_amount_vnd",
        "statement_status", "motcua_amount_vnd", "motcua_status", "row", "note_code", "note_text",
    )  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("ghi chú"))
    def note_text(self, obj: ReconciliationDifference) -> str:
        return obj.note

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(_ReadOnly):
    """Past reconciliations with their differences (run by `manage.py payments_reconcile`)."""

    list_display = (
        "day", "gateway", "matched_count", "differences_count", "statement_paid_vnd",
        "motcua_paid_vnd", "created_by", "created_at",
    )  # fmt: skip
    list_filter = ("gateway",)
    date_hierarchy = "day"
    search_fields = ("file_sha256", "differences__reference")
    list_select_related = ("created_by",)
    inlines = [ReconciliationDifferenceInline]
