from django.urls import include, path

from . import find, lookup, profile_urls, verify, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Finding a procedure (docs/portal.md): the search and its browse pages.
    path("procedures/", find.procedure_list, name="procedures"),
    path("procedures/fields/<str:code>/", find.field_procedures, name="field_procedures"),
    path("procedures/<str:code>/", find.procedure_detail, name="procedure"),
    path("life-events/<str:code>/", find.life_event_procedures, name="life_event_procedures"),
    path("units/<str:code>/procedures/", find.unit_procedures, name="unit_procedures"),
    path("service-points/", find.service_points, name="service_points"),
    # dossiers.forms.render.lookup_url: printed as a QR code on every form, fixed there and here.
    path("lookup/", lookup.lookup, name="lookup"),
    # documents.issued.VERIFY_PATH: printed on paper, so fixed there and here.
    path("verify/", verify.verify_start, name="verify_start"),
    path("verify/<str:code>/", verify.verify_document, name="verify_document"),
    path("verify/<str:code>/qr.svg", verify.verify_qr, name="verify_qr"),
    # What is held about me, who read it, export, requests (docs/personal-data.md).
    path("my/data/", include("motcua.portal.privacy")),
    # Citizens' feedback (docs/feedback.md).
    path("feedback/", include("motcua.portal.feedback")),
    path("my/", include("motcua.portal.mine_urls")),
    path("", include("motcua.portal.apply")),  # /apply/: apply online
]

# The signed-in person's profile and organisations (/profile/...).
urlpatterns += profile_urls.urlpatterns
