from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self) -> None:
        # What the feedback holds about a person, for their personal-data page.
        from motcua.notifications.context import register_feedback_resolver

        from .notify import feedback_notification_facts, feedback_unit_reminder_facts
        from .personal_data import register

        register()
        # Who to tell about a feedback, asked by the notifications app at delivery time.
        register_feedback_resolver(
            feedback_notification_facts, reminder=feedback_unit_reminder_facts
        )
