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


# --- who may file, through which channel (issue 6) --------------------------------------------

VERIFIED_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
PROFILE_EFORM = {
    "fields": [
        {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True,
         "prefill": "profile.full_name"},
        {"name": "so_dinh_danh", "label": "Số định danh", "type": "personal_id",
         "required": True, "prefill": "profile.personal_id"},
        {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True,
         "prefill": "profile.date_of_birth"},
        {"name": "dien_thoai", "label": "Điện thoại", "type": "phone",
         "prefill": "profile.phone"},
        {"name": "ten_to_chuc", "label": "Tên tổ chức", "type": "text",
         "prefill": "organisation.name"},
        {"name": "ngay_cap", "label": "Ngày cấp", "type": "date", "max": "today"},
    ]
}  # fmt: skip


def nothing_saved() -> None:
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def _profile_form(world, *, verified: bool = True) -> None:
    world.version.eform = PROFILE_EFORM
    world.version.save()
    world.citizen.personal_id = "001090012345"
    world.citizen.date_of_birth = dt.date(1990, 5, 12)
    world.citizen.identity_verified_at = VERIFIED_AT if verified else None
    world.citizen.save()


@pytest.mark.parametrize("channel", [Channel.COUNTER, Channel.POST])
@pytest.mark.parametrize("online_level", [OnlineLevel.NONE, OnlineLevel.FULL])
def test_an_account_cannot_file_through_the_counter_or_the_post(world, channel, online_level):
    ProcedureVersion.objects.filter(pk=world.version.pk).update(online_level=online_level)
    world.version.refresh_from_db()

    with pytest.raises(ValidationError) as err:
        submitted(world, channel=channel)

    assert err.value.code == "channel_not_allowed"
    assert [(e["field"], e["code"]) for e in err.value.errors] == [("channel", "invalid_choice")]
    nothing_saved()


def test_an_integrator_cannot_file_through_the_counter_either(world):
    with pytest.raises(ValidationError) as err:
        submitted(
            world,
            applicant=world.integrator,
            applicant_name="Trần Thị Bình",
            applicant_id_number="001190000001",
            channel=Channel.COUNTER,
        )
    assert err.value.code == "channel_not_allowed"
    nothing_saved()


@pytest.mark.parametrize(
    ("given", "fields"),
    [
        ({"applicant_name": "Trần Thị Bình"}, [("applicant_name", "applicant_mismatch")]),
        ({"applicant_id_number": "001190000001"}, [("applicant_id_number", "applicant_mismatch")]),
        (
            {"applicant_name": "Trần Thị Bình", "applicant_id_number": "001190000001"},
            [
                ("applicant_name", "applicant_mismatch"),
                ("applicant_id_number", "applicant_mismatch"),
            ],
        ),
        ({"applicant_id_number": "abc"}, [("applicant_id_number", "personal_id_format")]),
    ],
)
def test_a_citizen_cannot_file_under_another_persons_name(world, given, fields):
    with pytest.raises(ValidationError) as err:
        submitted(world, **given)

    assert err.value.code == "applicant_mismatch"
    assert [(e["field"], e["code"]) for e in err.value.errors] == fields
    nothing_saved()


def test_a_citizen_may_repeat_their_own_name_and_the_profile_spelling_is_kept(world):
    dossier = submitted(
        world,
        applicant_name="  nguyễn văn  AN ",
        applicant_id_number=" ".join(world.citizen.personal_id),
    )

    assert (dossier.applicant_name, dossier.applicant_id_number) == (
        "Nguyễn Văn An",
        world.citizen.personal_id,
    )


def test_an_organisation_files_in_its_own_name_and_tax_code(world):
    from motcua.accounts.models import User
    from tests.factories import UserFactory

    company = UserFactory(
        username="senvang",
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Sen Vàng",
        organisation_id_number="0109876543",
    )

    dossier = submitted(world, applicant=company, applicant_id_number="0109876543")
    assert (dossier.applicant_name, dossier.applicant_id_number) == (
        "Công ty TNHH Sen Vàng",
        "0109876543",
    )
    with pytest.raises(ValidationError) as err:
        submitted(world, applicant=company, applicant_id_number="0100000001-001")
    assert err.value.code == "applicant_mismatch"
    assert Dossier.objects.count() == 1


def test_applicant_contact_details_given_are_checked_and_normalised(world):
    with pytest.raises(ValidationError) as err:
        submitted(world, applicant_phone="12345", applicant_email="an@")
    assert err.value.code == "applicant_invalid"
    assert [(e["field"], e["code"]) for e in err.value.errors] == [
        ("applicant_phone", "phone_format"),
        ("applicant_email", "invalid_email"),
    ]
    nothing_saved()

    dossier = submitted(world, applicant_phone="+84 987 654 321")
    assert dossier.applicant_phone == "0987654321"


# --- prefill and the verified identity --------------------------------------------------------


def test_the_server_fills_the_prefilled_fields_from_the_profile(world):
    _profile_form(world)

    dossier = submitted(world, form_data={"ngay_cap": "01/03/2026"})

    assert dossier.form_data == {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "001090012345",
        "ngay_sinh": "1990-05-12",
        "dien_thoai": world.citizen.phone,
        "ngay_cap": "2026-03-01",
    }


def test_the_verified_identity_cannot_be_changed_on_the_form_and_nothing_is_saved(world):
    _profile_form(world)

    with pytest.raises(ValidationError) as err:
        submitted(
            world,
            form_data={"ho_ten": "Trần Thị Bình", "so_dinh_danh": "001190000001"},
        )

    assert err.value.code == "form_invalid"
    assert [(e["field"], e["code"]) for e in err.value.errors] == [
        ("ho_ten", "identity_locked"),
        ("so_dinh_danh", "identity_locked"),
    ]
    nothing_saved()


def test_an_unverified_profile_prefills_without_locking(world):
    _profile_form(world, verified=False)

    dossier = submitted(world, form_data={"ho_ten": "Nguyễn Văn Ân"})

    assert dossier.form_data["ho_ten"] == "Nguyễn Văn Ân"


@pytest.mark.parametrize(
    ("form_data", "errors"),
    [
        ({"ngay_cap": "2026-02-30"}, [("ngay_cap", "invalid_date")]),
        ({"ngay_cap": "2026-03-03"}, [("ngay_cap", "date_after_max")]),  # after "today"
        ({"dien_thoai": "abc"}, [("dien_thoai", "phone_format")]),
        ({"hack": "1"}, [("hack", "unknown_field")]),
    ],
)
def test_bad_form_data_is_refused_with_the_fields_code_and_nothing_is_saved(
    world, form_data, errors
):
    _profile_form(world)

    with pytest.raises(ValidationError) as err:
        submitted(world, form_data=form_data)

    assert [(e["field"], e["code"]) for e in err.value.errors] == errors
    nothing_saved()


# --- representatives --------------------------------------------------------------------------


def test_a_representative_files_for_a_principal_and_the_dossier_keeps_both(world):
    dossier = submitted(
        world,
        representative={
            "principal_name": "  Lê Văn  Cường ",
            "principal_id_number": "001 055 000 123",
            "principal_date_of_birth": "02/09/1955",
            "authorisation_document": "Giấy ủy quyền số 12/2026, chứng thực ngày 20/02/2026",
        },
    )

    assert dossier.applicant == world.citizen  # who filed
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.representative == {  # for whom
        "principal_kind": "person",
        "principal_name": "Lê Văn Cường",
        "principal_date_of_birth": "1955-09-02",
        "principal_id_number": "001055000123",
        "authorisation_document": "Giấy ủy quyền số 12/2026, chứng thực ngày 20/02/2026",
    }
    assert DossierEvent.objects.get(dossier=dossier).actor == world.citizen


def test_filing_for_an_organisation_prefills_its_name(world):
    _profile_form(world)

    dossier = submitted(
        world,
        form_data={},
        representative={
            "principal_kind": "organisation",
            "principal_name": "Công ty TNHH Sen Vàng",
            "principal_id_number": "0109876543",
            "relationship": "người đại diện theo pháp luật",
        },
    )

    assert dossier.form_data["ten_to_chuc"] == "Công ty TNHH Sen Vàng"
    assert dossier.representative["principal_id_number"] == "0109876543"


@pytest.mark.parametrize(
    ("representative", "errors"),
    [
        (
            {"principal_name": "Lê Văn Cường", "principal_id_number": "001055000123"},
            [("representative.authorisation_document", "representative_basis_required")],
        ),
        (
            {"principal_id_number": "abc", "relationship": "cha"},
            [
                ("representative.principal_name", "required"),
                ("representative.principal_id_number", "personal_id_format"),
            ],
        ),
        (
            {
                "principal_name": "Lê Văn Cường",
                "principal_id_number": "001055000123",
                "principal_date_of_birth": "1956-01-01",
                "relationship": "cha",
            },
            [("representative.principal_id_number", "personal_id_birth_year")],
        ),
        (
            {
                "principal_name": "Chính tôi",
                "principal_id_number": "SELF",
                "relationship": "bản thân",
            },
            [("representative.principal_id_number", "representative_is_applicant")],
        ),
        (
            {
                "principal_kind": "organisation",
                "principal_name": "Công ty",
                "principal_id_number": "001055000123",
                "relationship": "giám đốc",
            },
            [("representative.principal_id_number", "tax_code_format")],
        ),
        (
            {
                "principal_kind": "company",
                "principal_name": "Công ty",
                "principal_id_number": "0109876543",
                "relationship": "giám đốc",
                "ho_ten": "x",
            },
            [
                ("representative.ho_ten", "unknown_field"),
                ("representative.principal_kind", "invalid_choice"),
            ],
        ),
    ],
)
def test_a_bad_representative_is_refused_and_nothing_is_saved(world, representative, errors):
    if representative.get("principal_id_number") == "SELF":
        representative = {**representative, "principal_id_number": world.citizen.personal_id}

    with pytest.raises(ValidationError) as err:
        submitted(world, representative=representative)

    assert err.value.code == "representative_invalid"
    assert [(e["field"], e["code"]) for e in err.value.errors] == errors
    nothing_saved()


# --- integrators and the counter --------------------------------------------------------------


def test_an_integrators_applicant_number_is_checked(world):
    integrator = _integrator(world.ward)

    with pytest.raises(ValidationError) as err:
        submitted(
            world,
            applicant=integrator,
            applicant_name="Trần Thị Bình",
            applicant_id_number="099190000001",
        )

    assert err.value.code == "applicant_invalid"
    assert [(e["field"], e["code"]) for e in err.value.errors] == [
        ("applicant_id_number", "personal_id_province")
    ]
    nothing_saved()


def test_an_integrators_form_is_checked_and_prefilled_from_the_named_applicant(world):
    _profile_form(world)
    integrator = _integrator(world.ward)
    base = {
        "applicant": integrator,
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "001190000001",
    }

    with pytest.raises(ValidationError) as err:
        submitted(world, form_data={"ngay_sinh": "1990-02-30"}, **base)
    assert [(e["field"], e["code"]) for e in err.value.errors] == [("ngay_sinh", "invalid_date")]

    dossier = submitted(world, form_data={"ngay_sinh": "1990-02-03"}, **base)
    assert dossier.form_data == {
        "ho_ten": "Trần Thị Bình",
        "so_dinh_danh": "001190000001",
        "ngay_sinh": "1990-02-03",
    }


def test_the_counter_checks_the_form_without_locking_the_identity(world):
    from .helpers import received

    _profile_form(world)  # the citizen's identity is verified

    with pytest.raises(ValidationError) as err:
        received(world, form_data={"ho_ten": "Nguyễn Văn An", "ngay_cap": "32/01/2026"})
    assert [(e["field"], e["code"]) for e in err.value.errors] == [("ngay_cap", "invalid_date")]
    nothing_saved()

    # The officer types what the applicant's papers say; the account only prefills.
    dossier = received(world, form_data={"ho_ten": "Nguyễn Văn Ân"})
    assert dossier.form_data == {
        "ho_ten": "Nguyễn Văn Ân",
        "so_dinh_danh": "001090012345",
        "ngay_sinh": "1990-05-12",
        "dien_thoai": world.citizen.phone,
    }
