"""GET /api/v1/dossiers filters: status, unit, procedure, channel, submitted_from/_to, q; bad
values are 422 with the field's error."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import (
    dossier_receive,
    dossier_receive_at_counter,
    dossier_submit,
)
from motcua.organisation.models import Role, Unit
from tests.api.conftest import bearer
from tests.factories import RoleAssignmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

# Thu 12, Fri 13 and Mon 16 Feb 2026 at 10:00 in Hà Nội (03:00 UTC)
THU = dt.datetime(2026, 2, 12, 3, 0, tzinfo=dt.UTC)
FRI = dt.datetime(2026, 2, 13, 3, 0, tzinfo=dt.UTC)
MON = dt.datetime(2026, 2, 16, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def supervisor(province: Unit) -> User:
    """Sees every ward of the province (an assignment covering subunits)."""
    user = cast(User, StaffFactory(username="supervisor"))
    RoleAssignmentFactory(user=user, unit=province, role=Role.SUPERVISOR, covers_subunits=True)
    return user


def _submit(
    procedure: Procedure, unit: Unit, applicant: User, at: dt.datetime, name: str = "Nguyễn Văn An"
) -> str:
    return dossier_submit(
        applicant=applicant,
        procedure_version=procedure.versions.get(number=2),
        receiving_unit=unit,
        form_data={"ten_tre": "An"},
        applicant_name=name,
        now=at,
    ).code


@pytest.fixture
def dossiers(
    procedure: Procedure,
    ward: Unit,
    other_ward: Unit,
    citizen: User,
    other_citizen: User,
    officer: User,
) -> dict[str, str]:
    codes = {
        "thu_ward": _submit(procedure, ward, citizen, THU),
        # a paper dossier sent by post, received at the one-stop (status 2)
        "fri_ward_post": dossier_receive_at_counter(
            actor=officer,
            procedure_version=procedure.versions.get(number=2),
            receiving_unit=ward,
            applicant=citizen,
            applicant_name="Nguyễn Văn An",
            form_data={"ten_tre": "An"},
            channel=Channel.POST,
            now=FRI,
        ).code,
        "fri_other": _submit(procedure, other_ward, other_citizen, FRI, name="Trần Thị Bình"),
        "mon_ward": _submit(procedure, ward, other_citizen, MON, name="Trần Thị Bình"),
    }
    dossier_receive(
        dossier=Dossier.objects.get(code=codes["thu_ward"]),
        actor=officer,
        now=THU + dt.timedelta(hours=1),
        expected_version=1,
    )
    return codes


def listed(client: Client, user: User, query: str) -> list[str]:
    response = client.get(f"/api/v1/dossiers?{query}", **bearer(user))
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def errors(client: Client, user: User, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/dossiers?{query}", **bearer(user))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    return [{k: e[k] for k in ("field", "code", "location")} for e in response.json()["errors"]]


def test_without_filters_everything_visible_newest_first(
    client: Client, supervisor: User, dossiers: dict[str, str]
) -> None:
    assert listed(client, supervisor, "") == [
        dossiers["mon_ward"],
        dossiers["fri_other"],
        dossiers["fri_ward_post"],
        dossiers["thu_ward"],
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=2", ["fri_ward_post", "thu_ward"]),
        ("status=1", ["mon_ward", "fri_other"]),
        ("status=1&status=2", ["mon_ward", "fri_other", "fri_ward_post", "thu_ward"]),
        ("status=2,4", ["fri_ward_post", "thu_ward"]),
        ("status=9", []),
        ("unit=00004", ["fri_other"]),
        ("unit=00070&status=1", ["mon_ward"]),
        ("procedure=1.001193&channel=post", ["fri_ward_post"]),
        ("channel=online&unit=00070", ["mon_ward", "thu_ward"]),
        ("submitted_from=2026-02-13", ["mon_ward", "fri_other", "fri_ward_post"]),
        ("submitted_to=2026-02-13", ["fri_other", "fri_ward_post", "thu_ward"]),
        ("submitted_from=2026-02-13&submitted_to=2026-02-13", ["fri_other", "fri_ward_post"]),
        ("submitted_from=2026-02-13T10:00:01%2B07:00", ["mon_ward"]),
        ("submitted_to=2026-02-13T10:00:00", ["thu_ward"]),  # no offset: local time
        ("submitted_to=2026-02-13T03:00:01Z", ["fri_other", "fri_ward_post", "thu_ward"]),
        ("q=Bình", ["mon_ward", "fri_other"]),
        ("q=bình&unit=00070", ["mon_ward"]),
    ],
)
def test_filters(
    client: Client,
    supervisor: User,
    dossiers: dict[str, str],
    query: str,
    expected: list[str],
) -> None:
    assert listed(client, supervisor, query) == [dossiers[name] for name in expected]


def test_a_code_search_and_the_pagination_of_a_filtered_list(
    client: Client, supervisor: User, dossiers: dict[str, str]
) -> None:
    response = client.get("/api/v1/dossiers?status=1,2&page_size=3&page=2", **bearer(supervisor))

    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert [item["code"] for item in response.json()["items"]] == [dossiers["thu_ward"]]
    assert listed(client, supervisor, f"q={dossiers['fri_other']}") == [dossiers["fri_other"]]


def test_filters_never_widen_what_the_caller_sees(
    client: Client, citizen: User, officer: User, dossiers: dict[str, str]
) -> None:
    assert listed(client, citizen, "unit=00004") == []
    assert listed(client, officer, "unit=00004") == []
    assert listed(client, citizen, "q=Bình") == []


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("status=0", "status", "value_error"),
        ("status=11", "status", "value_error"),
        ("status=2,x", "status", "value_error"),
        ("channel=fax", "channel", "literal_error"),
        ("submitted_from=13/02/2026", "submitted_from", "value_error"),
        ("submitted_to=2026-02-30", "submitted_to", "value_error"),
        ("submitted_from=2026-02-14&submitted_to=2026-02-13", "submitted_to", "value_error"),
        ("unit=99999", "unit", "not_found"),
        ("procedure=9.999999", "procedure", "not_found"),
        ("q=", "q", "string_too_short"),
    ],
)
def test_a_bad_filter_value_is_422_with_the_field(
    client: Client, supervisor: User, dossiers: dict[str, str], query: str, field: str, code: str
) -> None:
    assert errors(client, supervisor, query) == [
        {"field": field, "code": code, "location": "query"}
    ]
