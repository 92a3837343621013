from django.urls import path

from . import signup, views

app_name = "web"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("signup/", signup.signup, name="signup"),
    path("2fa/", views.two_factor_manage, name="2fa_manage"),
    path("2fa/setup/", views.two_factor_enrol, name="2fa_enrol"),
    path("2fa/verify/", views.two_factor_verify, name="2fa_verify"),
]
