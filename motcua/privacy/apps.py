from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "motcua.privacy"
    verbose_name = _("Dữ liệu cá nhân")

    def ready(self) -> None:
        # The personal-data sources of accounts, dossiers, documents and this app.
        from .sources import register

        register()
