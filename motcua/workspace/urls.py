from django.urls import path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("inbox/", views.inbox, name="inbox"),
    path("dossiers/<str:code>/", views.dossier_page, name="dossier"),
    path("dossiers/<str:code>/files/<int:file_id>/", views.dossier_file, name="file"),
    path("dossiers/<str:code>/actions/<str:action>/", views.dossier_act_view, name="act"),
]
