"""Applicants report having been asked for a certified copy; supervisors count the reports per
unit and procedure."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.models import Component
from motcua.core.errors import Conflict, PermissionDenied, ValidationError
from motcua.core.outbox import OutboxMessage
from motcua.dossiers.models import CertifiedCopyReport
from motcua.dossiers.selectors import certified_copy_report_counts
from motcua.dossiers.services import certified_copy_report_file
from motcua.organisation.models import Role
from tests.factories import RoleAssignmentFactory

from .helpers import received, state, vn

DAY = dt.date(2026, 3, 3)


def report(dossier, actor, code="TP2", at=None):
    return certified_copy_report_file(
        dossier=dossier,
        actor=actor,
        component_code=code,
        note="Cán bộ yêu cầu bản sao chứng thực",
        now=at or vn(2026, 3, 3, 10),
    )


def test_the_applicant_reports_on_their_dossier(world):
    dossier = received(world)
    version = dossier.version

    filed = report(dossier, world.citizen)

    assert (filed.component_code, filed.component_name) == ("TP2", "Giấy tờ chứng minh")
    assert filed.allowed is False
    assert filed.unit == world.ward
    event = dossier.events.get(seq=version + 1)
    assert (event.action, event.actor_role) == ("certified_copy_report", "applicant")
    assert event.after == {"report": filed.pk, "component": "TP2", "allowed": False}
    assert OutboxMessage.objects.filter(topic="dossier.certified_copy_report").count() == 1


@pytest.mark.parametrize("who", ["other_citizen", "officer", "supervisor", "stranger"])
def test_nobody_else_reports(world, who):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        report(dossier, getattr(world, who))
    assert state(dossier) == before
    assert not CertifiedCopyReport.objects.exists()


def test_an_unknown_component_and_a_second_report_are_refused(world):
    dossier = received(world)
    with pytest.raises(ValidationError) as refused:
        report(dossier, world.citizen, code="TP9")
    assert refused.value.code == "unknown_component"
    report(dossier, world.citizen)
    before = state(dossier)
    with pytest.raises(Conflict) as again:
        report(dossier, world.citizen)
    assert again.value.code == "already_reported"
    assert state(dossier) == before


def test_supervisors_count_reports_per_unit_and_procedure(world):
    Component.objects.filter(version=world.version, code="TP1").update(
        accepted_forms=["certified_copy", "electronic_copy", "copy"]
    )
    first, second = received(world), received(world)
    report(first, world.citizen, "TP1")  # allowed by the catalog
    report(first, world.citizen, "TP2")
    report(second, world.citizen, "TP2")
    report(second, world.citizen, "TP1", at=vn(2026, 3, 5, 10))  # outside the period

    rows = certified_copy_report_counts(actor=world.supervisor, date_from=DAY, date_to=DAY)

    assert rows == [
        {
            "unit": "00070",
            "unit_name": "Phường Hoàn Kiếm",
            "procedure": world.version.procedure.code,
            "procedure_name": world.version.procedure.name,
            "reports": 3,
            "not_allowed": 2,
        }
    ]
    assert (
        certified_copy_report_counts(
            actor=world.supervisor, date_from=DAY, date_to=DAY, unit=world.other_ward
        )
        == []
    )


def test_only_supervisors_of_the_unit_read_the_counts(world):
    ward_supervisor = RoleAssignmentFactory(unit=world.other_ward, role=Role.SUPERVISOR).user
    for actor in (world.officer, world.leader, world.citizen, world.auditor):
        with pytest.raises(PermissionDenied):
            certified_copy_report_counts(actor=actor, date_from=DAY, date_to=DAY)
    with pytest.raises(PermissionDenied):
        certified_copy_report_counts(
            actor=ward_supervisor, date_from=DAY, date_to=DAY, unit=world.ward
        )
    assert certified_copy_report_counts(actor=ward_supervisor, date_from=DAY, date_to=DAY) == []


def test_the_reports_admin_is_read_only(world, client):
    from tests.factories import UserFactory

    dossier = received(world)
    filed = report(dossier, world.citizen)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    listing = client.get("/admin/dossiers/certifiedcopyreport/")
    assert listing.status_code == 200
    assert dossier.code in listing.content.decode()
    assert client.get("/admin/dossiers/certifiedcopyreport/add/").status_code == 403
    page = client.get(f"/admin/dossiers/certifiedcopyreport/{filed.pk}/change/")
    assert page.status_code == 200
    assert 'name="note"' not in page.content.decode()
