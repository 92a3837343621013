from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, ConsentDecision, ConsentPurpose, ConsentRecord, User


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The account's tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def consent_current(*, person: User, purpose: str) -> ConsentRecord | None:
    """The person's standing consent for `purpose`: the latest decision if it is "given",
    else None (never asked, or withdrawn: silence is not consent)."""
    latest = (
        ConsentRecord.objects.filter(person=person, purpose=ConsentPurpose(purpose))
        .order_by("-at", "-pk")
        .first()
    )
    if latest is None or latest.decision != ConsentDecision.GIVEN:
        return None
    return latest


def consent_history(*, person: User) -> QuerySet[ConsentRecord]:
    """Every decision the person made, newest first (what they see on their personal-data page)."""
    return ConsentRecord.objects.filter(person=person).order_by("-at", "-pk")
