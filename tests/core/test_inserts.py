"""`core.inserts.row_insert` writes the row `QuerySet.create` writes, and `rows_insert` the
rows `bulk_create` writes (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import signals
from django.forms.models import model_to_dict

from motcua.core.clock import VN_TZ
from motcua.core.inserts import _MANY, _STATEMENTS, row_insert, rows_insert
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


def _rows(model, names) -> list[dict]:
    """The rows written under `names`, without their ids, the name's tag dropped."""
    rows = list(model.objects.filter(storage_name__in=names).values())
    for row in rows:
        row.pop("id")
        row["storage_name"] = row["storage_name"].split("-")[-1]
    return sorted(rows, key=lambda row: row["storage_name"])


def test_rows_are_the_rows_bulk_create_writes_in_one_statement_kept_per_count() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _MANY.clear()
    first = StoredFile.objects.create(**_fields(1))

    def batch(tag: str, count: int) -> list[StoredFile]:
        return [
            _file(n, storage_name=f"2026/03/{tag}-{n}.pdf", previous=first, scanned=n % 2 == 0)
            for n in range(count)
        ]

    StoredFile.objects.bulk_create(batch("bulk", 4))
    with CaptureQueriesContext(connection) as queries:
        rows_insert(batch("rows", 4))
        rows_insert(batch("again", 4))
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "INSERT"]
    assert (StoredFile, "default", 4) in _MANY
    names = lambda tag: [f"2026/03/{tag}-{n}.pdf" for n in range(4)]  # noqa: E731
    assert _rows(StoredFile, names("rows")) == _rows(StoredFile, names("bulk"))
    assert _rows(StoredFile, names("again")) == _rows(StoredFile, names("bulk"))
    written = batch("state", 2)
    rows_insert(written)
    assert [(f._state.adding, f._state.db) for f in written] == [(False, "default")] * 2


def test_rows_with_a_chosen_id_a_receiver_or_too_many_values_go_through_bulk_create() -> None:
    rows_insert([])  # nothing: no statement
    rows_insert([_file(900, id=987_600), _file(901, id=987_601)])
    assert set(StoredFile.objects.filter(pk__gte=987_600).values_list("pk", flat=True)) == {
        987_600,
        987_601,
    }
    seen = []

    def receiver(sender, instance, created, **kwargs) -> None:
        seen.append(instance.storage_name)

    signals.post_save.connect(receiver, sender=StoredFile)
    try:
        rows_insert([_file(902)])
    finally:
        signals.post_save.disconnect(receiver, sender=StoredFile)
    # bulk_create sends no post_save: what matters is that the row is written all the same
    assert StoredFile.objects.filter(storage_name="2026/03/902.pdf").exists()
    many = [_file(1000 + n) for n in range(200)]  # 200 rows x 9 values: over 999 parameters
    rows_insert(many)
    assert StoredFile.objects.filter(storage_name__startswith="2026/03/1").count() >= 200
