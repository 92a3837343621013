from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua.web.access import admin_site_guard

admin.site.site_header = "motcua — Hệ thống giải quyết thủ tục hành chính"
admin.site.site_title = "motcua quản trị"
admin.site.index_title = "Quản trị hệ thống"
# With MOTCUA_STAFF_2FA_REQUIRED the admin asks for the second factor as the workspace does.
admin_site_guard(admin.site)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("motcua.web.urls")),
    path("workspace/", include("motcua.workspace.urls")),
    # Sign-in through an identity provider: /accounts/oidc/login/, /accounts/oidc/callback/.
    path("accounts/", include("motcua.web.identity_urls")),
    path("", include("motcua.portal.urls")),
]
if settings.MOTCUA_DEMO_BANK:
    # The demo bank behind the sandbox payment gateway.
    urlpatterns.insert(0, path("demo-bank/", include("motcua.paygate_demo.urls")))
if settings.MOTCUA_DEMO_IDP:
    # The demo "VNeID" (its views also refuse to answer when the setting is off).
    urlpatterns.insert(0, path("demo-idp/", include("motcua.idp_demo.urls")))
