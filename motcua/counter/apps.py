from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    name = "motcua.counter"
    verbose_name = _("Quanh quầy một cửa")

    def ready(self) -> None:
        # What the counter holds about a person, for their personal-data page.
        from .personal_data import register

        register()
