from celery import shared_task

from .outbox import outbox_deliver_pending


@shared_task(name="motcua.core.deliver_outbox")
def deliver_outbox() -> int:
    return outbox_deliver_pending(now=None)
