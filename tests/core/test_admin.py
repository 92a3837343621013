"""Append-only tables in the admin: view pages without save buttons; changes refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse

from motcua.core.clock import VN_TZ
from motcua.core.models import AuditEvent, DataAccessLog
from motcua.core.services import audit_record, data_access_record

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


def _content_submits(html: str) -> list[str]:
    content = html.split('id="content"', 1)[1]
    return re.findall(r'type="submit"', content)


def test_audit_and_access_log_pages_have_no_save_buttons(client, admin_user):
    with transaction.atomic():
        audit = audit_record(actor=None, action="x.set", object_type="x", object_id=1, now=NOW)
    access = data_access_record(
        actor=None, subject_type="dossier", subject_id="H1", purpose="dossier_view", now=NOW
    )
    client.force_login(admin_user)

    for name, row in (("auditevent", audit), ("dataaccesslog", access)):
        page = client.get(reverse(f"admin:core_{name}_change", args=[row.pk]))
        assert page.status_code == 200
        assert _content_submits(page.content.decode()) == [], name
        assert client.get(reverse(f"admin:core_{name}_add")).status_code == 403
        refused = client.post(reverse(f"admin:core_{name}_change", args=[row.pk]), {"reason": "x"})
        assert refused.status_code == 403
        delete = client.post(reverse(f"admin:core_{name}_delete", args=[row.pk]), {"post": "yes"})
        assert delete.status_code == 403

    assert (AuditEvent.objects.count(), DataAccessLog.objects.count()) == (1, 1)
