"""The stored files admin: read only, says when scanning is off, superusers download (logged)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings

from motcua.core.models import DataAccessLog
from motcua.documents.models import StoredFile
from motcua.documents.services import file_store
from tests.factories import StaffFactory, UserFactory

from .samples import pdf_bytes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
BANNER = "Chưa bật quét virus"


@pytest.fixture
def stored() -> StoredFile:
    return file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="to khai.pdf", now=NOW)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_list_says_scanning_is_off(admin_client: Client, stored: StoredFile) -> None:
    response = admin_client.get("/admin/documents/storedfile/")

    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert "to khai.pdf" in response.content.decode()


def test_no_banner_when_scanning_is_on(admin_client: Client, stored: StoredFile) -> None:
    with override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1"):
        response = admin_client.get("/admin/documents/storedfile/")

    assert BANNER not in response.content.decode()


def test_nothing_can_be_added_changed_or_deleted(admin_client: Client, stored: StoredFile) -> None:
    assert admin_client.get("/admin/documents/storedfile/add/").status_code == 403
    assert admin_client.post(f"/admin/documents/storedfile/{stored.pk}/delete/").status_code == 403
    page = admin_client.get(f"/admin/documents/storedfile/{stored.pk}/change/")
    assert page.status_code == 200
    assert stored.storage_name not in page.content.decode()  # no storage name, no public URL
    assert StoredFile.objects.count() == 1


def test_a_superuser_download_is_logged(admin_client: Client, stored: StoredFile) -> None:
    response = admin_client.get(f"/admin/documents/storedfile/{stored.pk}/download/")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    row = DataAccessLog.objects.get()
    assert (row.subject_type, row.subject_id, row.purpose, row.channel) == (
        "file",
        str(stored.pk),
        "file_download",
        "admin",
    )


def test_other_staff_may_look_but_not_download(stored: StoredFile) -> None:
    staff = StaffFactory(username="nhanvien", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_storedfile"))
    client = Client()
    client.force_login(staff)

    page = client.get(f"/admin/documents/storedfile/{stored.pk}/change/")
    download = client.get(f"/admin/documents/storedfile/{stored.pk}/download/")

    assert page.status_code == 200
    assert "/download/" not in page.content.decode()
    assert download.status_code == 403
    assert DataAccessLog.objects.count() == 0
