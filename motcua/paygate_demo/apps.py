from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaygateDemoConfig(AppConfig):
    name = "motcua.paygate_demo"
    label = "paygate_demo"
    verbose_name = _("Ngân hàng trình diễn (cổng thanh toán thử nghiệm)")
