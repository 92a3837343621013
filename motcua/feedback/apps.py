from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self) -> None:
        # What the feedback holds about a person, for their personal-data page.
        from .personal_data import register

        register()
