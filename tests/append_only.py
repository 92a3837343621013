"""The append-only triggers of the `*_append_only_triggers` migrations, for a test database.

The suite runs with `--no-migrations`, so the test database has the tables but not the
triggers; `tests/conftest.py` installs them on PostgreSQL for the whole session (its flush
between transactional tests is a TRUNCATE, which fires no row triggers) and the tests install
or remove them inside their own transaction."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.db import connection

MIGRATIONS = (
    "motcua.core.migrations.0004_append_only_triggers",
    "motcua.dossiers.migrations.0004_append_only_triggers",
)


def _modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in MIGRATIONS]


def triggers_install() -> None:
    with connection.schema_editor(atomic=False) as editor:
        for module in _modules():
            module.install(None, editor)


def triggers_uninstall() -> None:
    with connection.schema_editor(atomic=False) as editor:
        for module in _modules():
            module.uninstall(None, editor)
