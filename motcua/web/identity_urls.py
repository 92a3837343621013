from django.urls import path

from . import identity as views

app_name = "identity"
urlpatterns = [
    path("<slug:provider>/login/", views.identity_login, name="login"),
    path("<slug:provider>/callback/", views.identity_callback, name="callback"),
]
