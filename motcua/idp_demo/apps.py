from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdpDemoConfig(AppConfig):
    name = "motcua.idp_demo"
    label = "idp_demo"
    verbose_name = _("Định danh trình diễn (VNeID thử nghiệm)")
