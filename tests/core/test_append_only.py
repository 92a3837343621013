"""Records nobody rewrites: audit events and the personal-data access log (the dossier trail
is tested in tests/dossiers/test_append_only.py). The models refuse to change or delete a
row; the database refuses raw UPDATE and DELETE (triggers from the migrations)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction

from motcua.core.clock import VN_TZ
from motcua.core.errors import AppendOnlyViolation
from motcua.core.models import AuditEvent, DataAccessLog
from motcua.core.services import audit_record, data_access_record
from tests.append_only import triggers_install, triggers_uninstall

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db

# model -> (table, a text column to try to change)
EDITABLE = {
    AuditEvent: ("core_auditevent", "reason"),
    DataAccessLog: ("core_dataaccesslog", "purpose"),
}


@pytest.fixture(params=["audit", "access"])
def row(request: pytest.FixtureRequest) -> models.Model:
    if request.param == "audit":
        with transaction.atomic():
            return audit_record(
                actor=None, action="x.set", object_type="x", object_id=1, now=NOW, reason="đầu"
            )
    return data_access_record(
        actor=None, subject_type="dossier", subject_id="H1", purpose="dossier_view", now=NOW
    )


def _value(row: models.Model) -> str:
    _table, column = EDITABLE[type(row)]
    return type(row)._default_manager.filter(pk=row.pk).values_list(column, flat=True).get()


def test_the_violation_is_a_type_error() -> None:
    assert issubclass(AppendOnlyViolation, TypeError)


def test_saving_an_existing_row_is_refused_and_nothing_changed(row: models.Model) -> None:
    before = _value(row)
    _table, column = EDITABLE[type(row)]
    fresh = type(row)._default_manager.get(pk=row.pk)
    setattr(fresh, column, "sửa")

    with pytest.raises(AppendOnlyViolation, match="append-only: save"):
        fresh.save()
    with pytest.raises(AppendOnlyViolation):
        fresh.save(update_fields=[column])

    assert _value(row) == before


def test_a_new_object_cannot_overwrite_a_row_by_its_primary_key(row: models.Model) -> None:
    before = _value(row)
    _table, column = EDITABLE[type(row)]
    copy = type(row)._default_manager.get(pk=row.pk)
    copy._state.adding = True  # as if built anew with the same id
    setattr(copy, column, "sửa")

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # an INSERT, never an UPDATE

    assert _value(row) == before


def test_deleting_and_bulk_changes_are_refused(row: models.Model) -> None:
    model = type(row)
    _table, column = EDITABLE[model]
    rows = model._default_manager.filter(pk=row.pk)

    with pytest.raises(AppendOnlyViolation, match="delete"):
        row.delete()
    with pytest.raises(AppendOnlyViolation, match="delete"):
        rows.delete()
    with pytest.raises(AppendOnlyViolation, match="update"):
        rows.update(**{column: "sửa"})
    setattr(row, column, "sửa")
    with pytest.raises(AppendOnlyViolation, match="bulk_update"):
        model._default_manager.bulk_update([row], [column])

    assert model._default_manager.count() == 1
    assert _value(row) != "sửa"


@pytest.fixture
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…): its triggers")


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres")
def test_postgres_refuses_raw_update_and_delete(row: models.Model) -> None:
    triggers_install()  # as the migration does (idempotent; rolled back with the test)
    table, column = EDITABLE[type(row)]
    before = _value(row)

    for sql in (
        f"UPDATE {table} SET {column} = 'sửa' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])

    assert _value(row) == before


@pytest.mark.postgres
@pytest.mark.usefixtures("_postgres")
def test_postgres_truncate_still_works_and_the_reverse_migration_drops_the_triggers(
    row: models.Model,
) -> None:
    table, column = EDITABLE[type(row)]
    triggers_install()
    triggers_uninstall()  # the reverse migration
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = 'sửa' WHERE id = %s", [row.pk])  # noqa: S608
        assert cursor.rowcount == 1
    triggers_install()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
        cursor.execute(f"TRUNCATE {table} CASCADE")  # pytest-django's flush: no row trigger
    assert not type(row)._default_manager.exists()


def _manage(db: Path, code: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    script = (
        f"import django; django.setup(); from django.core.management import call_command; {code}"
    )
    subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, check=True, timeout=300
    )


def test_the_migrated_sqlite_schema_refuses_update_and_delete(tmp_path: Path) -> None:
    # given a database built by the migrations (the suite's own runs without them)
    db = tmp_path / "migrated.sqlite3"
    _manage(db, "call_command('migrate', verbosity=0)")
    raw = sqlite3.connect(db)
    raw.execute(
        "INSERT INTO core_dataaccesslog (subject_type, subject_id, purpose, channel, at)"
        " VALUES ('dossier', 'H1', 'dossier_view', 'web', '2026-03-02')"
    )
    raw.execute(
        "INSERT INTO core_auditevent (at, action, object_type, object_id, before, after, reason)"
        " VALUES ('2026-03-02', 'x', 'x', '1', '{}', '{}', '')"
    )
    raw.commit()
    tables = ("core_dataaccesslog", "core_auditevent")

    # then UPDATE and DELETE are refused on every append-only table (the dossier trail's
    # triggers are the same statements; a DossierEvent row needs a whole dossier)
    for table in tables:
        for sql in (f"UPDATE {table} SET at = '2020-01-01'", f"DELETE FROM {table}"):  # noqa: S608
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(sql)
    assert [raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables] == [1, 1]  # noqa: S608
    triggers = raw.execute(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    assert triggers == [
        ("accounts_consentrecord", "accounts_consentrecord_no_delete"),
        ("accounts_consentrecord", "accounts_consentrecord_no_update"),
        ("core_auditevent", "core_auditevent_no_delete"),
        ("core_auditevent", "core_auditevent_no_update"),
        ("core_dataaccesslog", "core_dataaccesslog_no_delete"),
        ("core_dataaccesslog", "core_dataaccesslog_no_update"),
        ("dossiers_dossierevent", "dossiers_dossierevent_no_delete"),
        ("dossiers_dossierevent", "dossiers_dossierevent_no_update"),
        ("feedback_feedbackevent", "feedback_feedbackevent_no_delete"),
        ("feedback_feedbackevent", "feedback_feedbackevent_no_update"),
        ("payments_ledgerentry", "payments_ledgerentry_no_delete"),
        ("payments_ledgerentry", "payments_ledgerentry_no_update"),
        ("payments_ledgertransaction", "payments_ledgertransaction_no_delete"),
        ("payments_ledgertransaction", "payments_ledgertransaction_no_update"),
        ("payments_paymentcallback", "payments_paymentcallback_no_delete"),
        ("payments_paymentcallback", "payments_paymentcallback_no_update"),
    ]
    raw.close()

    # and the reverse migrations drop the triggers
    _manage(
        db,
        "call_command('migrate', 'core', '0003', verbosity=0);"
        " call_command('migrate', 'dossiers', '0003', verbosity=0);"
        " call_command('migrate', 'accounts', '0004', verbosity=0);"
        " call_command('migrate', 'payments', '0001', verbosity=0);"
        " call_command('migrate', 'feedback', '0001', verbosity=0)",
    )
    raw = sqlite3.connect(db)
    for table in tables:
        raw.execute(f"DELETE FROM {table}")  # noqa: S608
    assert raw.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
    raw.close()
