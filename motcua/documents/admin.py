"""Stored files, read only: nobody edits or deletes a stored file here. A superuser may
download one through an admin view that is logged in core.DataAccessLog; files never have a
public URL. The list says when antivirus scanning is off."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.core.services import data_access_record

from .models import CertificationEntry, IssuedDocument, StoredFile
from .selectors import antivirus_enabled, stored_file_open


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "content_type", "size", "pages", "scanned", "added_at")
    list_filter = ("content_type", "scanned")
    search_fields = ("name", "sha256")
    readonly_fields = (
        "name",
        "content_type",
        "size",
        "sha256",
        "pages",
        "version",
        "previous",
        "scanned",
        "added_by",
        "added_at",
        "download",
    )
    exclude = ("storage_name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("tải về"))
    def download(self, obj: StoredFile) -> str:
        url = reverse("admin:documents_storedfile_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Tải về (được ghi nhật ký)"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.remove("download")
        return fields

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not antivirus_enabled():
            messages.warning(
                request,
                _(
                    "Chưa bật quét virus: tệp được lưu mà không qua ClamAV (đặt "
                    "MOTCUA_CLAMAV_SOCKET hoặc MOTCUA_CLAMAV_HOST)."
                ),
            )
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="documents_storedfile_download",
            )
        ]
        return extra + super().get_urls()

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        stored = get_object_or_404(StoredFile, pk=pk)
        data_access_record(
            actor=request.user,
            subject_type="file",
            subject_id=str(stored.pk),
            purpose="file_download",
            channel="admin",
            now=clock.now(),
        )
        response = FileResponse(
            stored_file_open(stored=stored),
            as_attachment=True,
            filename=stored.name,
            content_type=stored.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Read only: documents are issued by the services that sign them, never by hand."""

    list_display = (
        "code", "kind", "title", "reference", "dossier_code", "unit", "issued_at", "revoked_at",
    )  # fmt: skip
    list_filter = ("kind",)
    search_fields = ("code", "reference", "dossier_code")
    list_select_related = ("unit",)
    readonly_fields = (
        "code",
        "kind",
        "file",
        "title",
        "reference",
        "dossier_code",
        "subject_masked",
        "unit",
        "issued_by",
        "issued_at",
        "revoked_at",
        "revoked_reason",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CertificationEntry)
class CertificationEntryAdmin(admin.ModelAdmin):
    """The certification book, read only, by unit and year: entries are written only by
    `copy_certify` (with the signed copy), never by hand. Export: `manage.py
    certification_book_export --unit <code> --year <year> --format csv|xlsx`."""

    list_display = (
        "book_number",
        "unit",
        "certified_at",
        "requester_name",
        "document_title",
        "pages",
        "copies",
        "fee_vnd",
        "at_home",
    )
    list_filter = ("year", "at_home", "unit")
    search_fields = ("book_number", "document_title", "dossier_code")
    list_select_related = ("unit",)
    ordering = ("unit", "-year", "-number")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in CertificationEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # The list shows requesters' names and numbers: each page read is logged.
        response = super().changelist_view(request, extra_context)
        data_access_record(
            actor=request.user,
            subject_type="certification_book",
            subject_id=request.GET.urlencode()[:64] or "all",
            purpose="certification_book",
            channel="admin",
            now=clock.now(),
        )
        return response
