"""What the notifications app may know of a dossier: the applicant's contact and language,
the procedure's name, the appointment and the lookup address (registered in `ready()`;
notifications sits below dossiers and cannot ask itself)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from motcua.accounts.models import User
from motcua.notifications.context import DossierFacts
from motcua.notifications.models import NotificationPreference

from .models import Dossier
from .selectors import dossier_codes_visible_to


def _dossiers() -> Any:
    return Dossier.objects.select_related(
        "procedure_version__procedure", "applicant__notification_preference"
    ).only(
        "code",
        "applicant",
        "procedure_version",
        "procedure_version__procedure",
        "applicant_phone",
        "applicant_email",
        "appointment_at",
        "new_appointment_at",
        "procedure_version__procedure__name",
        "applicant__phone",
        "applicant__email",
        "applicant__language",
        "applicant__notification_preference__sms",
        "applicant__notification_preference__email",
        "applicant__notification_preference__inapp",
        "applicant__notification_preference__events_off",
    )


def dossier_notification_facts(code: str) -> DossierFacts | None:
    dossier = _dossiers().filter(code=code).first()
    return None if dossier is None else _facts(dossier)


#: The columns `dossier_notification_facts_many` reads, in its tuples' order.
_MANY = (
    "code",
    "procedure_version__procedure__name",
    "applicant_id",
    "applicant_phone",
    "applicant_email",
    "appointment_at",
    "new_appointment_at",
    "applicant__phone",
    "applicant__email",
    "applicant__language",
    "applicant__notification_preference__id",
    "applicant__notification_preference__sms",
    "applicant__notification_preference__email",
    "applicant__notification_preference__inapp",
    "applicant__notification_preference__events_off",
)


def dossier_notification_facts_many(codes: Iterable[str]) -> dict[str, DossierFacts]:
    """The facts of many dossiers in one query (a batch of deliveries); absent codes absent.
    The same facts as `dossier_notification_facts`, read as plain values (a dispatch batch
    asks for up to a hundred: no model instances to build)."""
    found: dict[str, DossierFacts] = {}
    rows = Dossier.objects.filter(code__in=set(codes)).values_list(*_MANY)
    for row in rows:
        code, procedure, person_id, phone, email, appointment, new_appointment = row[:7]
        person_phone, person_email, language, preference_id, sms, mail, inapp, events = row[7:]
        off: frozenset[str] = frozenset()
        if preference_id is not None:
            switches = (("sms", sms), ("email", mail), ("inapp", inapp))
            off = frozenset(channel for channel, on in switches if not on)
        if new_appointment and (appointment is None or new_appointment > appointment):
            appointment = new_appointment  # as `Dossier.effective_appointment_at`
        found[code] = DossierFacts(
            code=code,
            procedure_name=procedure,
            person_id=person_id,
            phone=phone or (person_phone or "" if person_id is not None else ""),
            email=email or (person_email or "" if person_id is not None else ""),
            language=language if person_id is not None else "vi",
            appointment_at=appointment,
            lookup_url=settings.MOTCUA_LOOKUP_URL,
            channels_off=off,
            events_off=frozenset(events or []) if preference_id is not None else frozenset(),
        )
    return found


def _facts(dossier: Dossier) -> DossierFacts:
    applicant = dossier.applicant
    off: frozenset[str] = frozenset()
    events_off: frozenset[str] = frozenset()
    if applicant is not None:
        try:
            preference = applicant.notification_preference
        except NotificationPreference.DoesNotExist:
            pass
        else:
            off = frozenset(c for c in ("sms", "email", "inapp") if not preference.allows(c))
            events_off = frozenset(preference.events_off or [])
    return DossierFacts(
        code=dossier.code,
        procedure_name=dossier.procedure_version.procedure.name,
        person_id=applicant.pk if applicant is not None else None,
        phone=dossier.applicant_phone or (applicant.phone if applicant is not None else ""),
        email=dossier.applicant_email or (applicant.email if applicant is not None else ""),
        language=applicant.language if applicant is not None else "vi",
        appointment_at=dossier.effective_appointment_at,
        lookup_url=settings.MOTCUA_LOOKUP_URL,
        channels_off=off,
        events_off=events_off,
    )


def dossier_codes_visible(user_id: int, codes: Iterable[str]) -> set[str]:
    """The webhooks' visibility resolver: the codes account `user_id` may see."""
    actor = User.objects.filter(pk=user_id).first()
    return set() if actor is None else dossier_codes_visible_to(actor=actor, codes=codes)
