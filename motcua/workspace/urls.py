from django.urls import path

from . import counter, views

app_name = "workspace"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("inbox/", views.inbox, name="inbox"),
    path("dossiers/<str:code>/", views.dossier_page, name="dossier"),
    path("counter/", counter.counter_start, name="counter"),
    path("counter/dossier/", counter.counter_dossier, name="counter_dossier"),
    path("counter/done/<str:code>/", counter.counter_done, name="counter_done"),
    path("dossiers/<str:code>/forms/<str:number>.pdf", views.form_download, name="form"),
    path("dossiers/<str:code>/actions/<str:action>/", views.dossier_act_view, name="act"),
]
