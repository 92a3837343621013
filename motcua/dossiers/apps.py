from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        from motcua.notifications.context import (
            register_dossier_resolver,
            register_dossier_visibility,
        )

        from .notify import (
            dossier_codes_visible,
            dossier_notification_facts,
            dossier_notification_facts_many,
        )

        register_dossier_resolver(dossier_notification_facts, many=dossier_notification_facts_many)
        register_dossier_visibility(dossier_codes_visible)
