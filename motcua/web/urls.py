from django.urls import path

from . import password, phone_signup, signup, sms_signin, views

app_name = "web"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", sms_signin.code_phone, name="login_code"),
    path("login/code/verify/", sms_signin.code_verify, name="login_code_verify"),
    path("logout/", views.logout, name="logout"),
    path("signup/", signup.signup, name="signup"),
    path("signup/phone/", phone_signup.signup_phone, name="signup_phone"),
    path("signup/phone/code/", phone_signup.signup_phone_code, name="signup_phone_code"),
    path("signup/phone/details/", phone_signup.signup_phone_details, name="signup_phone_details"),
    path("password/set/", password.password_set, name="password_set"),
    path("password/forgot/", password.password_forgot, name="password_forgot"),
    path("password/forgot/code/", password.password_forgot_code, name="password_forgot_code"),
    path("password/forgot/new/", password.password_forgot_new, name="password_forgot_new"),
    path("2fa/", views.two_factor_manage, name="2fa_manage"),
    path("2fa/setup/", views.two_factor_enrol, name="2fa_enrol"),
    path("2fa/verify/", views.two_factor_verify, name="2fa_verify"),
]
