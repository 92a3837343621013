"""Stored bytes without a row are swept after a grace period; rows' bytes never are."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from motcua.documents.services import documents_storage, file_store, stored_orphans_delete

from .samples import pdf_bytes, stored_names

pytestmark = pytest.mark.django_db


def test_only_old_orphans_are_deleted() -> None:
    # given a stored file with its row, and orphan bytes written by a killed upload
    now = timezone.now()
    kept = file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="a.pdf", now=now)
    orphan = documents_storage().save("2026/03/orphan.pdf", ContentFile(b"%PDF-"))

    # when swept right away, nothing goes (the orphan may still be committing)
    assert stored_orphans_delete(now=timezone.now()) == []
    # a dry run an hour later lists it and deletes nothing
    later = timezone.now() + dt.timedelta(hours=1, seconds=1)
    assert stored_orphans_delete(now=later, dry_run=True) == [orphan]
    assert sorted(stored_names()) == sorted([kept.storage_name, orphan])

    # then an hour later it is deleted, the row's bytes kept
    assert stored_orphans_delete(now=later) == [orphan]
    assert stored_names() == [kept.storage_name]


def test_the_command_reports_what_it_did(capsys: pytest.CaptureFixture[str]) -> None:
    documents_storage().save("x/orphan.png", ContentFile(b"\x89PNG"))

    call_command("purge_orphan_files", "--grace-minutes", "0", "--dry-run")
    assert capsys.readouterr().out.splitlines() == ["x/orphan.png", "would delete 1 orphan file(s)"]
    call_command("purge_orphan_files", "--grace-minutes", "0")

    assert stored_names() == []


def test_the_beat_task_uses_the_hour_of_grace() -> None:
    from motcua.documents.tasks import purge_orphan_files

    documents_storage().save("x/new.pdf", ContentFile(b"%PDF-"))

    assert purge_orphan_files() == 0
    assert stored_names() == ["x/new.pdf"]
