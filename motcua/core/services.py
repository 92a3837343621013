from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from .models import DataAccessLog


def data_access_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    subject_type: str,
    subject_id: str,
    purpose: str,
    now: dt.datetime,
    channel: str = "web",
) -> DataAccessLog:
    """Log that `actor` read personal data of someone else (never the data itself)."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return DataAccessLog.objects.create(
        actor_id=actor_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        purpose=purpose,
        channel=channel,
        at=now,
    )
