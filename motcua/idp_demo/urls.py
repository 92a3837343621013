from django.urls import path

from . import views

app_name = "idp_demo"
urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("authorize/", views.authorize, name="authorize"),
    path("token/", views.token, name="token"),
    path("jwks/", views.jwks, name="jwks"),
    path("userinfo/", views.userinfo, name="userinfo"),
]
