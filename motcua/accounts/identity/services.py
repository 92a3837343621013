"""A verified identity becomes a citizen account: found by personal identification number,
created when there is none, its identity fields brought in line with the National
Population Database's record and marked verified (`identity_verified_at`,
`identity_source`): the e-forms then lock the name, the number and the date of birth
(`catalog.eforms.Identity.of_user`). One transaction, with an audit event; nothing of the
person is written to the logs."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction

from motcua.core.services import audit_record

from ..models import User
from .base import IdentityError, VerifiedIdentity

#: The identity fields a provider's record overwrites (the verified ones), and those it only
#: fills when the account has none (the person may keep their own phone and e-mail, and the
#: address where they live, set on their profile: VNeID's is the permanent residence).
VERIFIED_FIELDS = ("full_name", "personal_id", "date_of_birth")
FILLED_FIELDS = ("phone", "email", "address")


def _username(personal_id: str) -> str:
    """A user name that does not reveal the number (logs, the admin's lists)."""
    return "vneid." + hashlib.sha256(personal_id.encode()).hexdigest()[:12]


def user_sign_in_with_identity(
    *, identity: VerifiedIdentity, now: dt.datetime, signed_in: User | None = None
) -> User:
    """The account of the person `identity` names, up to date and verified at `now`.

    Which account: the one whose number a provider or an officer already verified; else the
    citizen account `signed_in` (the session proves the account is theirs, the provider
    proves who they are: this is how a password account becomes verified); else a new one.
    A number merely typed on another account's profile never opens that account: anyone may
    type anyone's number. Such unverified claims of the number are removed once the number is
    verified elsewhere (audited), so the number has one owner.
    IdentityError `inactive`, `ambiguous` or `not_citizen` when none may be signed in."""
    with transaction.atomic():
        matches = list(
            User.objects.select_for_update()
            .filter(personal_id=identity.personal_id)
            .order_by("pk")[:5]
        )
        citizens = [u for u in matches if u.kind == User.Kind.CITIZEN]
        verified = [u for u in citizens if u.identity_verified_at is not None]
        if not citizens and matches:
            raise IdentityError("not_citizen")
        if len(verified) > 1:
            raise IdentityError("ambiguous")
        current = _linkable(signed_in, identity)
        user: User
        if verified:
            user = verified[0]
        elif current is not None:
            user = User.objects.select_for_update().get(pk=current.pk)
        else:
            user = User(
                username=_username(identity.personal_id),
                kind=User.Kind.CITIZEN,
                personal_id=identity.personal_id,
            )
            user.set_unusable_password()
        created = user.pk is None
        if not created and not user.is_active:
            raise IdentityError("inactive")
        for claimant in citizens:
            if claimant.pk != user.pk and claimant.identity_verified_at is None:
                _drop_claim(claimant, now=now)
        changed: list[str] = []
        for name in VERIFIED_FIELDS:
            value = getattr(identity, name)
            if value not in ("", None) and getattr(user, name) != value:
                setattr(user, name, value)
                changed.append(name)
        for name in FILLED_FIELDS:
            value = getattr(identity, name)
            if value and not getattr(user, name):
                setattr(user, name, value)
                changed.append(name)
        user.identity_verified_at = now
        user.identity_source = identity.source
        user.last_login = now
        user.save()
        audit_record(
            actor=user,
            action="identity_sign_in",
            object_type="accounts.User",
            object_id=user.pk,
            now=now,
            # Which fields changed, never their values (the record is the person's data).
            after={"source": identity.source, "created": created, "changed": changed},
        )
    return user


def _linkable(signed_in: User | None, identity: VerifiedIdentity) -> User | None:
    """The signed-in account the identity may verify: a citizen's, not already verified
    as someone else."""
    if signed_in is None or not signed_in.is_authenticated or signed_in.kind != User.Kind.CITIZEN:
        return None
    if signed_in.identity_verified_at is not None and signed_in.personal_id != (
        identity.personal_id
    ):
        return None
    return signed_in


def _drop_claim(claimant: User, *, now: dt.datetime) -> None:
    """Another account typed this number without proof: the number leaves it."""
    claimant.personal_id = ""
    claimant.save(update_fields=["personal_id"])
    audit_record(
        actor=None,
        action="identity_claim_dropped",
        object_type="accounts.User",
        object_id=claimant.pk,
        now=now,
        after={"reason": "personal_id verified on another account"},
    )
