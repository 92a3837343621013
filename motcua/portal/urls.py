from django.urls import include, path

from . import profile_urls, verify, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    # documents.issued.VERIFY_PATH: printed on paper, so fixed there and here.
    path("verify/", verify.verify_start, name="verify_start"),
    path("verify/<str:code>/", verify.verify_document, name="verify_document"),
    path("verify/<str:code>/qr.svg", verify.verify_qr, name="verify_qr"),
    # What is held about me, who read it, export, requests (docs/personal-data.md).
    path("my/data/", include("motcua.portal.privacy")),
    path("my/", include("motcua.portal.mine_urls")),
    path("", include("motcua.portal.apply")),  # /apply/: apply online
]

# The signed-in person's profile and organisations (/profile/...).
urlpatterns += profile_urls.urlpatterns
