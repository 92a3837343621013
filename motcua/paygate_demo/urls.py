from django.urls import path

from . import views

app_name = "paygate_demo"
urlpatterns = [
    # motcua.payments.gateways.contrib.sandbox.PAY_PATH
    path("pay/", views.pay, name="pay"),
    # a day's statement, as a bank's merchant pages give it to the merchant's accountants
    path("statement/", views.statement, name="statement"),
]
