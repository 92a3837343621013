"""dossier_submit: status 1, code assigned, version checks, e-form checks, first event."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.models import OnlineLevel, ProcedureVersion
from motcua.core.errors import ValidationError
from motcua.core.models import OutboxMessage
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierStatus

from .helpers import FORM, MON, submitted

PRINCIPAL = {
    "principal_name": "Lê Văn Cường",
    "principal_id_number": "001055000123",
    "relationship": "cha",
}


def test_submit_creates_a_registered_dossier_with_code_snapshot_and_event(world):
    dossier = submitted(world, representative=PRINCIPAL)

    assert dossier.code == "00070-260302-0001"
    assert dossier.status == DossierStatus.REGISTERED
    assert dossier.channel == Channel.ONLINE
    assert dossier.version == 1
    assert dossier.receiving_unit == world.ward
    assert dossier.handling_unit == world.ward  # a ward receiving its own procedure
    assert dossier.applicant == world.citizen
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_id_number == world.citizen.personal_id
    assert dossier.applicant_email == "citizen@example.vn"
    assert dossier.representative == {"principal_kind": "person", **PRINCIPAL}
    assert dossier.form_data == FORM
    assert dossier.submitted_at == MON
    assert dossier.received_at is None
    assert dossier.appointment_at is None
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.seq, event.action, event.actor, event.actor_role) == (
        1,
        "submit",
        world.citizen,
        "applicant",
    )
    assert (event.status_before, event.status_after) == (None, DossierStatus.REGISTERED)
    assert OutboxMessage.objects.filter(topic="dossier.submit").get().payload == {
        "code": "00070-260302-0001",
        "status": 1,
        "action": "submit",
        "version": 1,
    }


def test_submit_at_a_branch_goes_to_the_competent_unit_given(world):
    dossier = submitted(world, receiving_unit=world.branch, handling_unit=world.ward)

    assert dossier.code == "01.TTHCC.CN05-260302-0001"
    assert (dossier.receiving_unit, dossier.handling_unit) == (world.branch, world.ward)


def test_submit_at_a_branch_without_competent_unit_is_refused(world):
    with pytest.raises(ValidationError) as err:
        submitted(world, receiving_unit=world.branch)
    assert err.value.code == "handling_unit_required"
    assert Dossier.objects.count() == 0


def test_missing_required_eform_fields_are_listed(world):
    with pytest.raises(ValidationError) as err:
        submitted(world, form_data={"ho_ten": "  "})
    assert err.value.code == "form_invalid"
    assert [(e["field"], e["code"]) for e in err.value.errors] == [
        ("ho_ten", "required"),
        ("ngay_sinh", "required"),
    ]
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0


def test_an_empty_eform_checks_nothing(world):
    world.version.eform = {}
    world.version.save()
    assert submitted(world, form_data={}).status == DossierStatus.REGISTERED


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": ProcedureVersion.Status.DRAFT}, "version_not_published"),
        ({"valid_from": dt.date(2026, 4, 1)}, "version_not_valid"),
        ({"valid_to": dt.date(2026, 3, 1)}, "version_not_valid"),
        ({"online_level": OnlineLevel.NONE}, "online_not_allowed"),
    ],
)
def test_submit_refuses_versions_not_on_offer(world, change, code):
    ProcedureVersion.objects.filter(pk=world.version.pk).update(**change)
    world.version.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        submitted(world)
    assert err.value.code == code
    assert Dossier.objects.count() == 0


def test_a_refused_submission_gives_its_number_back(world):
    with pytest.raises(ValidationError):
        submitted(world, form_data={})
    assert submitted(world).code == "00070-260302-0001"


def _integrator(unit):
    from motcua.accounts.models import User
    from motcua.organisation.models import Role
    from motcua.organisation.services import role_assign
    from tests.factories import UserFactory

    user = UserFactory(username="tichhop", kind=User.Kind.INTEGRATOR, full_name="Cổng tỉnh")
    role_assign(now=MON, user=user, unit=unit, role=Role.INTEGRATOR)
    return user


def test_an_integrator_files_on_behalf_of_the_named_applicant(world):
    integrator = _integrator(world.ward)

    dossier = submitted(
        world,
        applicant=integrator,
        applicant_name="Trần Thị Bình",
        applicant_id_number="001190000001",
    )

    assert dossier.applicant is None  # the integrator is the submitter, not the applicant
    assert (dossier.applicant_name, dossier.applicant_id_number) == (
        "Trần Thị Bình",
        "001190000001",
    )
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.actor, event.actor_role) == (integrator, "integrator")


def test_an_integrator_must_name_the_applicant_and_nothing_is_saved(world):
    integrator = _integrator(world.ward)

    with pytest.raises(ValidationError) as err:
        submitted(world, applicant=integrator)

    assert err.value.code == "applicant_required"
    assert Dossier.objects.count() == 0


def test_an_integrator_outside_its_units_is_denied_and_nothing_is_saved(world):
    from motcua.core.errors import PermissionDenied

    integrator = _integrator(world.branch)

    with pytest.raises(PermissionDenied):
        submitted(
            world,
            applicant=integrator,
            applicant_name="Trần Thị Bình",
            applicant_id_number="001190000001",
        )

    assert Dossier.objects.count() == 0
