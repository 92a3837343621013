"""load_demo's organisation: the demo business with congdan as its legal representative and
one more demo citizen authorised, loaded twice without a second copy."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import OrganisationAuthorisation, User
from motcua.accounts.organisations import organisations_for
from motcua.core.clock import VN_TZ
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.demo.organisations import AUTHORISED, TAX_CODE, demo_organisations_load
from motcua.organisation.services import unit_tree_load

NOW = dt.datetime(2026, 3, 20, 15, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


def test_the_demo_business_has_its_representative_and_one_authorised_citizen() -> None:
    unit_tree_load(province_code="01")
    demo_accounts_load(now=NOW)

    first = demo_organisations_load(now=NOW)
    again = demo_organisations_load(now=NOW + dt.timedelta(hours=1))

    assert first == again == "Công ty TNHH Sen Vàng (0109876543): 2 người được thay mặt"
    congdan = User.objects.get(username="congdan")
    [mine] = organisations_for(person=congdan, now=NOW)
    assert (mine.organisation.tax_code, mine.is_legal_representative) == (TAX_CODE, True)
    authorised = User.objects.get(username=AUTHORISED)
    assert authorised.check_password(DEMO_PASSWORD)
    [theirs] = organisations_for(person=authorised, now=NOW)
    assert theirs.organisation == mine.organisation
    assert not theirs.is_legal_representative
    assert OrganisationAuthorisation.objects.count() == 2
