"""Which dossiers are about a person (the personal-data pages, docs/personal-data.md): those
their account filed, and those filed under their *verified* identification number or tax
code (at the counter, by a representative). An unverified number finds nothing more: anyone
can type a number into a profile."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.documents.selectors import datastore_owner_keys

from .models import Dossier


def dossiers_of_person(*, person: User) -> QuerySet[Dossier]:
    """The dossiers about `person`, newest first (none for an anonymous account)."""
    if not person.is_authenticated or person.pk is None:
        return Dossier.objects.none()
    condition = Q(applicant_id=person.pk)
    keys = datastore_owner_keys(user=person)
    if keys:
        condition |= Q(applicant_id_number__in=keys)
    return (
        Dossier.objects.filter(condition)
        .select_related("procedure_version__procedure", "receiving_unit")
        .order_by("-submitted_at", "-id")
    )
