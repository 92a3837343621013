"""Reads of stored files and of the personal data store. Who may read a dossier's file is
decided by the app that links it (`motcua.dossiers.selectors`); `stored_file_open` only opens
what was already allowed.

The data store belongs to a personal identification number or a tax code. An account sees
the store of the number its identity was *verified* for (`identity_verified_at`): a person's
`personal_id`, an organisation account's `organisation_id_number`. An unverified account sees
none (anyone can type a number into a profile). Anyone else's item is NotFound, never
PermissionDenied: existence is not leaked."""

from __future__ import annotations

import datetime as dt

from django.core.files import File
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import NotFound

from .antivirus import scanner_from_settings
from .models import DataStoreItem, StoredFile
from .services import documents_storage


def stored_file_open(*, stored: StoredFile) -> File:
    """The stored bytes, opened for streaming (the caller closes them)."""
    return documents_storage().open(stored.storage_name, "rb")


def antivirus_enabled() -> bool:
    return scanner_from_settings() is not None


# --- the data store ----------------------------------------------------------------------


def datastore_owner_keys(*, user: User | None) -> list[str]:
    """The stores `user` may read: their own verified number (or their organisation's tax
    code for an organisation account); none for an unverified or anonymous account, staff
    and integrators (they reach a citizen's papers through the dossier, logged)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.identity_verified_at is None:
        return []
    if user.kind == User.Kind.CITIZEN and user.personal_id:
        return [user.personal_id.replace(" ", "")]
    if user.kind == User.Kind.ORGANISATION and user.organisation_id_number:
        return [user.organisation_id_number.replace(" ", "")]
    return []


def datastore_items_for(
    *, owner_key: str, now: dt.datetime | None = None, kind: str | None = None
) -> QuerySet[DataStoreItem]:
    """The items of one store, newest first. With `now`, only those valid on its local date
    (no validity, or valid_from <= day <= valid_until); `kind` keeps one kind."""
    items = DataStoreItem.objects.filter(owner_key=owner_key)
    if now is not None:
        day = local(now).date()
        items = items.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("file").order_by("-added_at", "-id")


def datastore_items_for_actor(
    *, actor: User | None, now: dt.datetime | None = None
) -> QuerySet[DataStoreItem]:
    """The items of every store `actor` may read (`datastore_owner_keys`), newest first;
    with `now` only those valid then."""
    keys = datastore_owner_keys(user=actor)
    if not keys:
        return DataStoreItem.objects.none()
    items = DataStoreItem.objects.filter(owner_key__in=keys)
    if now is not None:
        day = local(now).date()
        items = items.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )
    return items.select_related("file").order_by("-added_at", "-id")


def datastore_item_get_for_actor(*, actor: User | None, item_id: int) -> DataStoreItem:
    """The item `item_id` if it is in a store `actor` may read, else NotFound (`not_found`,
    the same for someone else's item and for one that does not exist)."""
    keys = datastore_owner_keys(user=actor)
    item = None
    if keys:
        item = (
            DataStoreItem.objects.filter(pk=item_id, owner_key__in=keys)
            .select_related("file")
            .first()
        )
    if item is None:
        raise NotFound(_("Không tìm thấy giấy tờ %(item)s trong kho dữ liệu."), item=item_id)
    return item


def datastore_file_get_for_actor(*, actor: User | None, file_id: int) -> StoredFile:
    """The stored file `file_id` if it is the file of an item in a store `actor` may read
    (their own papers need no dossier to be downloaded), else NotFound."""
    keys = datastore_owner_keys(user=actor)
    item = None
    if keys:
        item = (
            DataStoreItem.objects.filter(file_id=file_id, owner_key__in=keys)
            .select_related("file")
            .first()
        )
    if item is None:
        raise NotFound(_("Không tìm thấy tệp %(file)s."), file=file_id)
    return item.file
