"""Organisations by tax code: registered against the business registry by their legal
representative, who authorises and revokes other people; `organisations_for` answers who
may file for which organisation at a given moment (expiry and revocation included)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import (
    AuthorisationRole,
    BusinessOrganisation,
    OrganisationAuthorisation,
    User,
)
from motcua.accounts.organisations import (
    organisation_authorisation_revoke,
    organisation_authorise,
    organisation_register,
    organisations_for,
)
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, PermissionDenied, ValidationError
from motcua.core.models import AuditEvent
from tests.factories import CitizenFactory, StaffFactory, UserFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
TAX_CODE = "0109876543"
pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_business() -> User:
    """The business as the registry knows it (the demo's: a verified organisation account)."""
    user = UserFactory(
        username="doanhnghiep",
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Sen Vàng",
        organisation_id_number=TAX_CODE,
        identity_verified_at=NOW - dt.timedelta(days=30),
        address="25 Trần Duy Hưng, Phường Cầu Giấy, Hà Nội",
    )
    assert isinstance(user, User)
    return user


@pytest.fixture
def an() -> User:
    user = CitizenFactory(username="an", full_name="Nguyễn Văn An", phone="0912345678")
    assert isinstance(user, User)
    return user


@pytest.fixture
def binh() -> User:
    user = CitizenFactory(
        username="binh",
        full_name="Trần Thị Bình",
        phone="0987000111",
        email="binh@example.vn",
        personal_id="001195000888",
    )
    assert isinstance(user, User)
    return user


@pytest.fixture
def organisation(registry_business: User, an: User) -> BusinessOrganisation:
    return organisation_register(
        person=an, tax_code=TAX_CODE, is_legal_representative=True, now=NOW
    )


def test_registering_makes_the_person_its_legal_representative(
    organisation: BusinessOrganisation, an: User
) -> None:
    assert (organisation.tax_code, organisation.name) == (TAX_CODE, "Công ty TNHH Sen Vàng")
    assert organisation.address == "25 Trần Duy Hưng, Phường Cầu Giấy, Hà Nội"
    assert organisation.source == "verified_accounts"
    [item] = organisations_for(person=an, now=NOW)
    assert item.organisation == organisation
    assert item.is_legal_representative
    assert item.authorisation.valid_to is None
    event = AuditEvent.objects.get(action="organisation.register")
    assert event.after["tax_code"] == TAX_CODE


@pytest.mark.parametrize(
    ("tax_code", "code"),
    [
        ("01098765", "tax_code_format"),
        ("0109876543-12", "tax_code_format"),
        ("0100000001", "unknown_tax_code"),
    ],
)
def test_a_wrong_or_unknown_tax_code_registers_nothing(
    registry_business: User, an: User, tax_code: str, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        organisation_register(person=an, tax_code=tax_code, is_legal_representative=True, now=NOW)
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [("tax_code", code)]
    assert BusinessOrganisation.objects.count() == 0
    assert OrganisationAuthorisation.objects.count() == 0


def test_without_the_representative_statement_nothing_is_registered(
    registry_business: User, an: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        organisation_register(person=an, tax_code=TAX_CODE, is_legal_representative=False, now=NOW)
    assert caught.value.code == "representative_required"
    assert BusinessOrganisation.objects.count() == 0


def test_an_organisation_is_registered_once(organisation: BusinessOrganisation, binh: User) -> None:
    with pytest.raises(Conflict) as caught:
        organisation_register(person=binh, tax_code=TAX_CODE, is_legal_representative=True, now=NOW)
    assert caught.value.code == "already_registered"
    assert "người đại diện theo pháp luật" in caught.value.render()
    assert organisations_for(person=binh, now=NOW) == []


def test_a_staff_account_cannot_register(registry_business: User) -> None:
    staff = StaffFactory()
    with pytest.raises(PermissionDenied):
        organisation_register(
            person=staff, tax_code=TAX_CODE, is_legal_representative=True, now=NOW
        )


@pytest.mark.parametrize(
    "who", ["0987000111", "+84 987 000 111", "BINH@example.vn", "001195000888"]
)
def test_the_representative_authorises_a_person_by_phone_email_or_number(
    organisation: BusinessOrganisation, an: User, binh: User, who: str
) -> None:
    authorisation = organisation_authorise(
        organisation=organisation,
        actor=an,
        who=who,
        valid_from=NOW,
        valid_to=NOW + dt.timedelta(days=30),
        now=NOW,
    )
    assert authorisation.person == binh
    assert authorisation.role == AuthorisationRole.AUTHORISED
    assert authorisation.granted_by == an
    [item] = organisations_for(person=binh, now=NOW + dt.timedelta(days=1))
    assert item.organisation == organisation
    assert not item.is_legal_representative


def test_an_authorisation_ends_at_its_end_and_before_its_start_counts_for_nothing(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    start = NOW + dt.timedelta(days=1)
    end = NOW + dt.timedelta(days=10)
    organisation_authorise(
        organisation=organisation,
        actor=an,
        who="0987000111",
        valid_from=start,
        valid_to=end,
        now=NOW,
    )
    assert organisations_for(person=binh, now=NOW) == []  # not started
    assert len(organisations_for(person=binh, now=start)) == 1
    assert len(organisations_for(person=binh, now=end - dt.timedelta(seconds=1))) == 1
    assert organisations_for(person=binh, now=end) == []  # expired


def test_revoking_ends_it_from_now_and_keeps_the_row(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    granted = organisation_authorise(
        organisation=organisation,
        actor=an,
        who="0987000111",
        valid_from=NOW,
        valid_to=None,
        now=NOW,
    )
    later = NOW + dt.timedelta(hours=2)
    organisation_authorisation_revoke(authorisation=granted, actor=an, now=later)
    granted.refresh_from_db()
    assert (granted.revoked_at, granted.revoked_by) == (later, an)
    assert len(organisations_for(person=binh, now=later - dt.timedelta(minutes=1))) == 1
    assert organisations_for(person=binh, now=later) == []
    assert AuditEvent.objects.filter(action="organisation.authorisation_revoke").count() == 1
    # revoking again is refused, and changes nothing
    with pytest.raises(Conflict) as caught:
        organisation_authorisation_revoke(authorisation=granted, actor=an, now=later)
    assert caught.value.code == "already_revoked"
    # and the person can be authorised again afterwards
    again = organisation_authorise(
        organisation=organisation,
        actor=an,
        who="0987000111",
        valid_from=later,
        valid_to=None,
        now=later,
    )
    assert organisations_for(person=binh, now=later)[0].authorisation == again


def test_the_authorised_person_may_give_up_but_not_authorise_others(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    granted = organisation_authorise(
        organisation=organisation,
        actor=an,
        who="0987000111",
        valid_from=NOW,
        valid_to=None,
        now=NOW,
    )
    third = CitizenFactory(phone="0977000222")
    with pytest.raises(PermissionDenied) as caught:
        organisation_authorise(
            organisation=organisation,
            actor=binh,
            who="0977000222",
            valid_from=NOW,
            valid_to=None,
            now=NOW,
        )
    assert caught.value.code == "not_representative"
    assert organisations_for(person=third, now=NOW) == []
    organisation_authorisation_revoke(authorisation=granted, actor=binh, now=NOW)
    assert organisations_for(person=binh, now=NOW) == []


def test_someone_else_cannot_revoke_and_the_representative_cannot_revoke_themself(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    granted = organisation_authorise(
        organisation=organisation,
        actor=an,
        who="0987000111",
        valid_from=NOW,
        valid_to=None,
        now=NOW,
    )
    stranger = CitizenFactory()
    with pytest.raises(PermissionDenied):
        organisation_authorisation_revoke(authorisation=granted, actor=stranger, now=NOW)
    own = organisations_for(person=an, now=NOW)[0].authorisation
    with pytest.raises(PermissionDenied) as caught:
        organisation_authorisation_revoke(authorisation=own, actor=an, now=NOW)
    assert caught.value.code == "self_revoke"
    granted.refresh_from_db()
    assert granted.revoked_at is None


@pytest.mark.parametrize(
    ("who", "code"),
    [("", "person_required"), ("0900009999", "person_unknown"), ("xyz", "person_unknown")],
)
def test_authorising_nobody_is_refused(
    organisation: BusinessOrganisation, an: User, who: str, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        organisation_authorise(
            organisation=organisation, actor=an, who=who, valid_from=NOW, valid_to=None, now=NOW
        )
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [("who", code)]
    assert OrganisationAuthorisation.objects.count() == 1  # the representative's only


def test_a_staff_account_or_a_standing_authorisation_is_refused(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    StaffFactory(phone="0966000333")
    with pytest.raises(ValidationError) as caught:
        organisation_authorise(
            organisation=organisation,
            actor=an,
            who="0966000333",
            valid_from=NOW,
            valid_to=None,
            now=NOW,
        )
    assert caught.value.code == "not_a_citizen"
    organisation_authorise(
        organisation=organisation,
        actor=an,
        who="0987000111",
        valid_from=NOW,
        valid_to=None,
        now=NOW,
    )
    with pytest.raises(ValidationError) as caught:
        organisation_authorise(
            organisation=organisation,
            actor=an,
            who="binh@example.vn",
            valid_from=NOW,
            valid_to=None,
            now=NOW,
        )
    assert caught.value.code == "already_authorised"


def test_a_period_ending_before_it_starts_or_in_the_past_is_refused(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    for valid_from, valid_to, code in (
        (NOW, NOW, "period_invalid"),
        (NOW - dt.timedelta(days=5), NOW - dt.timedelta(days=1), "period_past"),
    ):
        with pytest.raises(ValidationError) as caught:
            organisation_authorise(
                organisation=organisation,
                actor=an,
                who="0987000111",
                valid_from=valid_from,
                valid_to=valid_to,
                now=NOW,
            )
        assert caught.value.code == code
    assert organisations_for(person=binh, now=NOW) == []


def test_a_representative_whose_own_role_was_revoked_authorises_nobody(
    organisation: BusinessOrganisation, an: User, binh: User
) -> None:
    OrganisationAuthorisation.objects.filter(person=an).update(revoked_at=NOW)  # at the counter
    with pytest.raises(PermissionDenied):
        organisation_authorise(
            organisation=organisation,
            actor=an,
            who="0987000111",
            valid_from=NOW,
            valid_to=None,
            now=NOW,
        )
