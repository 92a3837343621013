from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from motcua.core.outbox import outbox_subscribe

        from .contact import SUBSCRIBER, TOPIC, handle_contact_code
        from .handlers import HANDLERS, PREPARERS, TOPICS
        from .webhook_rules import REDELIVER_TOPIC, TEST_TOPIC, WEBHOOK_TOPICS
        from .webhooks import handle_webhooks

        for name, handler in HANDLERS.items():
            # Idempotent per delivery: a delivery row already sent is never sent again.
            outbox_subscribe(
                name=name, topics=TOPICS, handler=handler, prepare=PREPARERS[name], idempotent=True
            )
        # Every subscribable topic, and the test events and redeliveries the endpoints'
        # owners ask for.
        outbox_subscribe(
            name="notifications.webhooks",
            topics=[*sorted(WEBHOOK_TOPICS), REDELIVER_TOPIC, TEST_TOPIC],
            handler=handle_webhooks,
        )
        # Contact confirmation codes (accounts.contact): SMS or e-mail, once per delivery key.
        outbox_subscribe(name=SUBSCRIBER, topics=TOPIC, handler=handle_contact_code)
        # Feedback (the feedback app's resolver answers the contacts): the sender per channel,
        # the reminders to a unit's staff by e-mail. Idempotent per delivery key.
        from .feedback_handlers import (
            REMINDER_SUBSCRIBER,
            REMINDER_TOPIC,
            SENDER_HANDLERS,
            SENDER_TOPICS,
            handle_reminder,
        )

        for name, handler in SENDER_HANDLERS.items():
            outbox_subscribe(name=name, topics=SENDER_TOPICS, handler=handler, idempotent=True)
        outbox_subscribe(
            name=REMINDER_SUBSCRIBER,
            topics=REMINDER_TOPIC,
            handler=handle_reminder,
            idempotent=True,
        )
