"""Reads of stored files. Who may read a file is decided by the app that links it (a
dossier's files: `motcua.dossiers.selectors`); these only open what was already allowed."""

from __future__ import annotations

from django.core.files import File

from .antivirus import scanner_from_settings
from .models import StoredFile
from .services import documents_storage


def stored_file_open(*, stored: StoredFile) -> File:
    """The stored bytes, opened for streaming (the caller closes them)."""
    return documents_storage().open(stored.storage_name, "rb")


def antivirus_enabled() -> bool:
    return scanner_from_settings() is not None
