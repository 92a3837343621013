"""POST .../actions/request_payment writes the dossier's fee lines: the officer's amount (and
name), or the version's "after" rules; without either, a 400 with a machine-readable code."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Fee, Procedure
from motcua.payments.models import FeeLine
from tests.api.actions.helpers import People, ok, submit

pytestmark = pytest.mark.django_db


def _processing(people: People) -> str:
    code = submit(people)
    ok(people.officer.act(code, "receive"))
    ok(people.specialist.act(code, "forward", to_user=people.leader.user.pk))
    return code


def test_an_officer_amount_and_name_become_one_fee_line(people: People) -> None:
    code = _processing(people)
    body = ok(
        people.officer.act(code, "request_payment", amount_vnd=120_000, fee_name="Lệ phí trước bạ")
    )
    assert body["status"] == 6
    (line,) = FeeLine.objects.filter(dossier_code=code, timing="after")
    assert (line.name, line.net_vnd, line.state) == ("Lệ phí trước bạ", 120_000, "unpaid")


def test_without_an_amount_the_after_rules_are_charged(
    people: People, demo_procedure: Procedure
) -> None:
    version = demo_procedure.versions.get(number=2)
    Fee.objects.create(
        version=version, order=9, name="Lệ phí cấp", amount_vnd=30_000, timing="after"
    )
    code = _processing(people)
    ok(people.officer.act(code, "request_payment"))
    assert [
        (x.name, x.net_vnd) for x in FeeLine.objects.filter(dossier_code=code, timing="after")
    ] == [("Lệ phí cấp", 30_000)]


def test_without_an_amount_or_a_rule_it_is_a_400_amount_required(people: People) -> None:
    code = _processing(people)
    response = people.officer.act(code, "request_payment")
    assert response.status_code == 400
    assert response.json()["code"] == "amount_required"
    assert ok(people.officer.get(f"/dossiers/{code}"))["status"] == 4
    assert not FeeLine.objects.filter(dossier_code=code, timing="after").exists()
