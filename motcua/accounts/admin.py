from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import now
from motcua.core.generation_cache import InvalidatingAdminMixin

from .models import (
    ApiToken,
    BusinessOrganisation,
    ContactConfirmation,
    OrganisationAuthorisation,
    User,
)
from .services import (
    api_token_create,
    api_token_revoke,
    api_tokens_cache_invalidate,
    user_deactivate,
)


@admin.register(User)
class UserAdmin(InvalidatingAdminMixin, DjangoUserAdmin):
    """Saves and deletes bump the API token cache: deactivating a user cuts off its tokens
    in every process from the next request. Unticking "active" deactivates through
    `user_deactivate` (with an audit event)."""

    list_display = ("username", "full_name", "kind", "personal_id", "email", "is_active")
    actions = ("second_factor_reset_open",)
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "full_name", "personal_id", "email", "phone")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Thông tin cá nhân"),
            {
                "fields": (
                    "kind",
                    "full_name",
                    "personal_id",
                    "date_of_birth",
                    "identity_verified_at",
                    "identity_source",
                    "organisation_id_number",
                    "email",
                    "phone",
                    "address",
                    "language",
                )
            },
        ),
        (_("Quyền quản trị"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "kind", "full_name", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        deactivating = (
            change and form is not None and "is_active" in form.changed_data and not obj.is_active
        )
        if deactivating:
            obj.is_active = True  # the service records the change
        super().save_model(request, obj, form, change)  # bumps the token cache
        if deactivating:
            user_deactivate(user=obj, actor=cast(User, request.user), now=now())

    def invalidate_cache(self) -> None:
        api_tokens_cache_invalidate()

    @admin.action(description=_("Đặt lại xác thực hai lớp (mất điện thoại)"))
    def second_factor_reset_open(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponseRedirect | None:
        """To the workspace's reset page for the one account chosen, where the reason is
        given and `second_factor_reset` checks the right (the admin only opens the page)."""
        users = list(queryset[:2])
        if len(users) != 1:
            self.message_user(
                request, _("Chọn đúng một tài khoản để đặt lại."), level=messages.ERROR
            )
            return None
        url = reverse("workspace:staff_second_factor")
        return HttpResponseRedirect(f"{url}?{urlencode({'username': users[0].username})}")


@admin.register(ApiToken)
class ApiTokenAdmin(InvalidatingAdminMixin, admin.ModelAdmin):
    """Creating a token shows its key once; only its hash is kept. Setting "revoked at" on a
    token revokes it through `api_token_revoke` (now, with an audit event); every save and
    delete bumps the token cache of every process."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    autocomplete_fields = ("user",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ("user", "name", "expires_at")
        return ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            revoking = obj.revoked_at is not None and "revoked_at" in form.changed_data
            if revoking:
                obj.revoked_at = form.initial.get("revoked_at")  # the service stamps it
            super().save_model(request, obj, form, change)  # bumps the token cache
            if revoking:
                api_token_revoke(token=obj, actor=cast(User, request.user), now=now())
            return
        token, raw = api_token_create(
            user=obj.user,
            name=obj.name,
            expires_at=obj.expires_at,
            actor=cast(User, request.user),
            now=now(),
        )
        obj.pk = token.pk
        obj.prefix = token.prefix
        obj.key_hash = token.key_hash
        messages.warning(
            request,
            _("Khoá API (chỉ hiển thị một lần, hãy lưu lại ngay): %(key)s") % {"key": raw},
        )

    def invalidate_cache(self) -> None:
        api_tokens_cache_invalidate()


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the services only (people on the portal, with audit events): the admin
    shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrganisationAuthorisationInline(admin.TabularInline):
    model = OrganisationAuthorisation
    fields = ("person", "role", "valid_from", "valid_to", "granted_by", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BusinessOrganisation)
class BusinessOrganisationAdmin(_ReadOnlyAdmin):
    list_display = ("name", "tax_code", "registered_by", "registered_at", "source")
    search_fields = ("name", "tax_code")
    inlines = (OrganisationAuthorisationInline,)


@admin.register(ContactConfirmation)
class ContactConfirmationAdmin(_ReadOnlyAdmin):
    list_display = ("person", "channel", "requested_at", "sender", "confirmed_at")
    list_filter = ("channel", "sender")
    fields = (
        "person",
        "channel",
        "requested_at",
        "sender",
        "code_sent_at",
        "code_expires_at",
        "attempts",
        "confirmed_at",
    )
