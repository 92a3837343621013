"""`core.inserts.row_insert` writes the row `QuerySet.create` writes (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import signals
from django.forms.models import model_to_dict

from motcua.core.clock import VN_TZ
from motcua.core.inserts import _STATEMENTS, row_insert
from motcua.documents.models import StoredFile
from motcua.organisation.models import Unit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=VN_TZ)


def _fields(n: int, **extra) -> dict:
    return {
        "storage_name": f"2026/03/{n}.pdf",
        "name": "Biên lai số 1.pdf",
        "content_type": "application/pdf",
        "size": 44_000 + n,
        "sha256": "ab" * 32,
        "pages": 1,
        "added_at": NOW,
        **extra,
    }


def _file(n: int, **extra) -> StoredFile:
    return StoredFile(**_fields(n, **extra))


def _same(made, written) -> None:
    made_row = model_to_dict(type(made).objects.get(pk=made.pk))
    written_row = model_to_dict(type(written).objects.get(pk=written.pk))
    assert written.pk is not None
    assert written.pk != made.pk
    assert written._state.adding is False
    assert written._state.db == "default"
    for key in ("id", "storage_name", "code", "size"):
        made_row.pop(key, None)
        written_row.pop(key, None)
    assert written_row == made_row
    # and the instance holds what the database holds, as after `create`
    assert model_to_dict(written) == model_to_dict(type(written).objects.get(pk=written.pk))


def test_a_row_is_the_row_create_writes_first_and_again_from_the_kept_statement() -> None:
    _STATEMENTS.clear()
    first = StoredFile.objects.create(**_fields(1))
    compiled = row_insert(_file(2, previous=first, scanned=True))
    assert (StoredFile, "default") in _STATEMENTS
    kept = row_insert(_file(3, previous=first, scanned=True))
    made = StoredFile.objects.create(**_fields(4, previous=first, scanned=True))
    _same(made, compiled)
    _same(made, kept)
    assert StoredFile.objects.get(pk=kept.pk).scanned is True


def test_a_boolean_a_default_and_a_parent_as_create_writes_them() -> None:
    parent = row_insert(Unit(code="HN", name="Hà Nội", kind="province", level="province"))
    made = Unit.objects.create(
        code="HK1", name="Phường Hoàn Kiếm", kind="ward", level="commune", parent=parent
    )
    for code in ("HK2", "HK3"):
        written = row_insert(
            Unit(
                code=code,
                name="Phường Hoàn Kiếm",
                kind="ward",
                level="commune",
                parent=parent,
            )
        )
        _same(made, written)
        assert Unit.objects.get(pk=written.pk).is_active is True


def test_an_unsaved_parent_is_refused_as_save_refuses_it() -> None:
    with pytest.raises(ValueError, match="unsaved related object"):
        row_insert(_file(5, previous=_file(6)))


def test_a_chosen_id_or_a_save_receiver_goes_through_save() -> None:
    chosen = row_insert(_file(7, id=987_654))
    assert StoredFile.objects.filter(pk=987_654).exists()
    assert chosen.pk == 987_654
    seen = []

    def receiver(sender, instance, created, **kwargs) -> None:
        seen.append((instance.storage_name, created))

    signals.post_save.connect(receiver, sender=StoredFile)
    try:
        row_insert(_file(8))
    finally:
        signals.post_save.disconnect(receiver, sender=StoredFile)
    assert seen == [("2026/03/8.pdf", True)]
