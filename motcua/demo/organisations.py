"""The demo business (Công ty TNHH Sen Vàng, the `doanhnghiep` account) registered on the
portal by its legal representative `congdan`, who authorised one more demo citizen
(`uyquyen.senvang`) to file for it. Through the real services; idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from motcua.accounts.models import BusinessOrganisation, OrganisationAuthorisation, User
from motcua.accounts.organisations import organisation_authorise, organisation_register
from motcua.core.identifiers import personal_id_make

from .accounts import DEMO_PASSWORD

TAX_CODE = "0109876543"
AUTHORISED = "uyquyen.senvang"


def demo_authorised_citizen() -> User:
    user, created = User.objects.get_or_create(
        username=AUTHORISED,
        defaults={
            "kind": User.Kind.CITIZEN,
            "full_name": "Phạm Thu Hà",
            "personal_id": personal_id_make(
                province_code="001", birth_year=1992, sex="female", serial=424242
            ),
            "date_of_birth": dt.date(1992, 9, 2),
            "phone": "0988424242",
            "email": "phamthuha@example.vn",
            "address": "25 Trần Duy Hưng, Phường Cầu Giấy, Thành phố Hà Nội",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_organisations_load(*, now: dt.datetime) -> str:
    """The demo business with `congdan` as legal representative and `uyquyen.senvang`
    authorised (idempotent: what exists is kept). Returns a one-line summary."""
    representative = User.objects.filter(username="congdan").first()
    if representative is None:
        return "không có tài khoản congdan"
    authorised = demo_authorised_citizen()
    organisation = BusinessOrganisation.objects.filter(tax_code=TAX_CODE).first()
    if organisation is None:
        organisation = organisation_register(
            person=representative, tax_code=TAX_CODE, is_legal_representative=True, now=now
        )
    standing = OrganisationAuthorisation.objects.filter(
        organisation=organisation, person=authorised, revoked_at__isnull=True
    ).exists()
    if not standing:
        organisation_authorise(
            organisation=organisation,
            actor=representative,
            who=authorised.phone,
            valid_from=now,
            valid_to=None,
            now=now,
        )
    people = OrganisationAuthorisation.objects.filter(organisation=organisation).count()
    return f"{organisation.name} ({organisation.tax_code}): {people} người được thay mặt"
