"""Catalog changes leave audit events in the transaction that makes them."""

from __future__ import annotations

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import, procedure_version_publish
from motcua.core.models import AuditEvent
from tests.catalog.factories import document, procedure_doc
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_import_and_publish_are_recorded(now):
    admin = StaffFactory(username="quantri")
    catalog_import(document=document(procedure_doc(status="draft")), now=now, actor=admin)
    version = ProcedureVersion.objects.get()

    procedure_version_publish(version=version, actor=admin, now=now)

    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username"))
    assert events == [("catalog.import", "quantri"), ("procedure_version.publish", "quantri")]
    publish = AuditEvent.objects.get(action="procedure_version.publish")
    assert publish.object_id == f"{version.procedure.code} v1"
    assert publish.after["status"] == "published"


def test_a_dry_run_records_nothing(now):
    catalog_import(document=document(procedure_doc()), now=now, dry_run=True)
    assert not AuditEvent.objects.exists()
