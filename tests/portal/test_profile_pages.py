"""The profile pages: a summary list with one change page per field, verified fields locked,
the address chosen province first (with or without JavaScript), organisations by tax code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.models import BusinessOrganisation, OrganisationAuthorisation, User
from motcua.core.clock import now as clock_now
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def binh() -> User:
    user = CitizenFactory(
        username="binh",
        full_name="Trần Thị Bình",
        personal_id="",
        date_of_birth=None,
        phone="0987000111",
        email="",
    )
    assert isinstance(user, User)
    return user


def test_the_profile_needs_a_sign_in() -> None:
    answer = Client().get("/profile/")
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/profile/"


def test_the_summary_has_a_change_link_per_field_and_says_the_phone_is_unconfirmed(
    binh: User,
) -> None:
    page = _signed_in(binh).get("/profile/").content.decode()
    for url in ("name", "personal-id", "date-of-birth", "address", "phone", "email"):
        assert f'href="/profile/{url}/"' in page
    assert "chưa xác nhận" in page
    assert 'href="/profile/organisations/"' in page


def test_a_verified_person_sees_their_identity_locked(binh: User) -> None:
    binh.personal_id = "001195000888"
    binh.date_of_birth = dt.date(1995, 3, 8)
    binh.identity_verified_at = clock_now()
    binh.identity_source = "vneid"
    binh.save()
    client = _signed_in(binh)
    page = client.get("/profile/").content.decode()
    assert page.count("đã xác thực qua VNeID") == 3
    assert 'href="/profile/name/"' not in page
    assert 'href="/profile/personal-id/"' not in page
    assert 'href="/profile/phone/"' in page
    # the change page itself refuses
    answer = client.post("/profile/name/", {"value": "Người Khác"})
    assert answer.status_code == 302
    binh.refresh_from_db()
    assert binh.full_name == "Trần Thị Bình"


def test_a_date_of_birth_is_typed_day_first(binh: User) -> None:
    client = _signed_in(binh)
    assert client.post("/profile/date-of-birth/", {"value": "08/03/1995"}).status_code == 302
    binh.refresh_from_db()
    assert binh.date_of_birth == dt.date(1995, 3, 8)
    assert "08/03/1995" in client.get("/profile/").content.decode()
    wrong = client.post("/profile/date-of-birth/", {"value": "1995-03-08"})
    assert wrong.status_code == 400
    assert "ngày/tháng/năm" in wrong.content.decode()


def test_a_wrong_personal_id_keeps_what_was_typed_with_the_message(binh: User) -> None:
    answer = _signed_in(binh).post("/profile/personal-id/", {"value": "003195000888"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="003195000888"' in page
    assert "không phải mã tỉnh" in page
    assert 'href="#id_value"' in page


def test_the_address_without_javascript_province_then_ward(binh: User) -> None:
    client = _signed_in(binh)
    # choosing the province ("Chọn tỉnh") shows its wards and keeps the street typed
    step = client.post(
        "/profile/address/",
        {"province": "01", "ward": "", "street": "12 Hàng Bạc", "action": "province"},
    )
    assert step.status_code == 200
    page = step.content.decode()
    assert '<option value="00070">Phường Hoàn Kiếm</option>' in page
    assert 'value="12 Hàng Bạc"' in page
    assert "error-summary" not in page
    done = client.post(
        "/profile/address/", {"province": "01", "ward": "00070", "street": "12 Hàng Bạc"}
    )
    assert done.status_code == 302
    binh.refresh_from_db()
    assert binh.address == "12 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"


def test_a_ward_of_another_province_is_refused_at_the_ward(binh: User) -> None:
    answer = _signed_in(binh).post("/profile/address/", {"province": "79", "ward": "00070"})
    assert answer.status_code == 400
    assert 'href="#id_ward"' in answer.content.decode()


def test_the_ward_list_for_htmx(binh: User) -> None:
    answer = _signed_in(binh).get("/profile/address/wards/?province=01")
    page = answer.content.decode()
    assert page.startswith('<div class="form-group" id="ward-group">')
    assert "Phường Hoàn Kiếm" in page
    assert "<html" not in page


def test_a_changed_phone_is_saved_normalised_and_unconfirmed(binh: User) -> None:
    client = _signed_in(binh)
    assert client.post("/profile/phone/", {"value": "+84 977 000 222"}).status_code == 302
    binh.refresh_from_db()
    assert binh.phone == "0977000222"
    assert "chưa xác nhận" in client.get("/profile/").content.decode()


def test_organisation_pages_register_authorise_and_revoke(binh: User) -> None:
    UserFactory(
        username="doanhnghiep",
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Sen Vàng",
        organisation_id_number="0109876543",
        identity_verified_at=clock_now(),
    )
    other = CitizenFactory(username="an", full_name="Nguyễn Văn An", phone="0912345678")
    client = _signed_in(binh)
    refused = client.post("/profile/organisations/register/", {"tax_code": "0109876543"})
    assert refused.status_code == 400
    assert "người đại diện theo pháp luật" in refused.content.decode()
    done = client.post(
        "/profile/organisations/register/",
        {"tax_code": "0109876543", "is_legal_representative": "on"},
    )
    organisation = BusinessOrganisation.objects.get()
    assert done["Location"] == f"/profile/organisations/{organisation.pk}/"
    granted = client.post(
        f"/profile/organisations/{organisation.pk}/authorise/",
        {"who": "0912345678", "valid_to": "31/12/2030"},
    )
    assert granted.status_code == 302
    authorisation = OrganisationAuthorisation.objects.get(person=other)
    assert f"{authorisation.valid_to.astimezone(dt.UTC):%Y-%m-%d %H}" == "2030-12-31 17"
    detail = client.get(f"/profile/organisations/{organisation.pk}/").content.decode()
    assert "Nguyễn Văn An" in detail
    assert "đến hết 31/12/2030" in detail
    # the authorised person sees the organisation, not the list of people
    other_client = _signed_in(other)
    listing = other_client.get("/profile/organisations/").content.decode()
    assert "Công ty TNHH Sen Vàng" in listing
    assert (
        "Trần Thị Bình"
        not in other_client.get(f"/profile/organisations/{organisation.pk}/").content.decode()
    )
    assert (
        other_client.get(f"/profile/organisations/{organisation.pk}/authorise/").status_code == 404
    )
    # a stranger gets 404
    stranger = _signed_in(CitizenFactory())
    assert stranger.get(f"/profile/organisations/{organisation.pk}/").status_code == 404
    # revoke
    client.post(f"/profile/organisations/{organisation.pk}/revoke/{authorisation.pk}/")
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None
    assert other_client.get(f"/profile/organisations/{organisation.pk}/").status_code == 404


def test_the_admin_shows_organisations_and_confirmations_read_only(admin_client: Client) -> None:
    for url in (
        "/admin/accounts/businessorganisation/",
        "/admin/accounts/contactconfirmation/",
    ):
        assert admin_client.get(url).status_code == 200
    assert admin_client.get("/admin/accounts/businessorganisation/add/").status_code == 403
