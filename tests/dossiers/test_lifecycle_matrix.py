"""The lifecycle matrix: every scenario (status) x action x account, generated from the table.

For each cell the lifecycle table (`motcua.dossiers.lifecycle.TRANSITIONS`) says whether the
account's relation to the dossier may take the action from that status; the guards narrow it
further. The test asserts, for every cell:
- `dossier_actions_for` offers the action only where the table permits it;
- the action succeeds through `dossier_act` exactly when it is offered;
- a refused action changes nothing (status, version, events, slip, pauses, outbox).
Then a few statements of the law, independent of the table, over the results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.dossiers.lifecycle import ACTIONS, TRANSITIONS, Who
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.dossiers.selectors import dossier_actions_for
from motcua.dossiers.services import (
    dossier_act,
    dossier_consult,
    dossier_guide_at_counter,
    dossier_issue_result,
    dossier_refuse,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_return_result,
    dossier_stop,
    dossier_withdraw,
)
from motcua.organisation.models import Role

from .helpers import FORM, MON, World, at_leader_step, processing, received, state, submitted, vn

ITEMS = [{"component": "TP1", "reason": "Thiếu chữ ký"}]
ACT_AT = vn(2026, 3, 4, 9)  # after every scenario was built; 3 working days before 9 Mar

ACCOUNTS = (
    "officer",
    "specialist",
    "leader",
    "branch_officer",
    "other_officer",
    "other_leader",
    "supervisor",
    "auditor",
    "integrator",
    "citizen",
    "other_citizen",
    "stranger",
)


def _guided(world: World) -> Dossier:
    return dossier_guide_at_counter(
        actor=world.officer,
        procedure_version=world.version,
        applicant=world.citizen,
        applicant_name="Nguyễn Văn An",
        receiving_unit=world.ward,
        form_data=dict(FORM),
        items=ITEMS,
        now=MON,
    )


SCENARIOS: dict[str, Callable[[World], Dossier]] = {
    "registered": lambda w: submitted(w),
    "received": lambda w: received(w),
    "not_received": lambda w: dossier_refuse(
        dossier=submitted(w), actor=w.officer, reason="Không thuộc thẩm quyền", now=MON
    ),
    "processing": lambda w: processing(w),
    "processing_last_step": lambda w: at_leader_step(w),
    "consulting": lambda w: dossier_consult(
        dossier=processing(w),
        actor=w.specialist,
        to_unit=w.province,
        answer_by=vn(2026, 3, 6, 17),
        reason="Xin ý kiến về quy hoạch",
        now=vn(2026, 3, 3, 9),
    ),
    "supplement_before_reception": lambda w: dossier_request_supplement(
        dossier=submitted(w), actor=w.officer, items=ITEMS, now=MON
    ),
    "supplement_during_processing": lambda w: dossier_request_supplement(
        dossier=processing(w), actor=w.specialist, items=ITEMS, now=vn(2026, 3, 3, 9)
    ),
    "guided_at_counter": _guided,
    "payment": lambda w: dossier_request_payment(
        dossier=processing(w), actor=w.officer, amount_vnd=50_000, now=vn(2026, 3, 3, 9)
    ),
    "withdrawn": lambda w: dossier_withdraw(
        dossier=processing(w), actor=w.citizen, reason="Không còn nhu cầu", now=vn(2026, 3, 3, 9)
    ),
    "stopped": lambda w: dossier_stop(
        dossier=processing(w), actor=w.leader, reason="Chờ ý kiến", now=vn(2026, 3, 3, 9)
    ),
    "finished": lambda w: dossier_issue_result(
        dossier=at_leader_step(w), actor=w.leader, now=vn(2026, 3, 3, 16)
    ),
    "returned": lambda w: dossier_return_result(
        dossier=dossier_issue_result(
            dossier=at_leader_step(w), actor=w.leader, now=vn(2026, 3, 3, 16)
        ),
        actor=w.officer,
        now=vn(2026, 3, 3, 16, 30),
    ),
}


# What the ward's officer, specialist, leader and the applicant may do in each scenario
# (domain.md section 3), written out by hand: a change of the table that changes this is a
# change of the law's reading and must show up here.
WITHDRAW = ["withdraw"]
EXPECTED: dict[str, dict[str, list[str]]] = {
    "registered": {
        "officer": ["receive", "refuse", "request_supplement", "withdraw"],
        "citizen": WITHDRAW,
    },
    "received": {
        "officer": ["apologize", "request_supplement", "transfer", "withdraw"],
        "specialist": ["request_supplement"],
        "leader": ["apologize", "forward", "transfer"],
        "citizen": WITHDRAW,
    },
    "not_received": {},
    "processing": {  # the specialist's review: its holder (or the leader) may send it back
        "officer": ["apologize", "request_payment", "request_supplement", "transfer", "withdraw"],
        "specialist": ["consult", "forward", "request_supplement", "return_step", "stop"],
        "leader": ["apologize", "consult", "forward", "return_step", "stop", "transfer"],
        "citizen": WITHDRAW,
    },
    "processing_last_step": {  # the leader's approval step: the leader issues the result
        "officer": ["apologize", "request_payment", "request_supplement", "transfer", "withdraw"],
        "specialist": ["request_supplement", "stop"],
        "leader": ["apologize", "consult", "issue_result", "return_step", "stop", "transfer"],
        "citizen": WITHDRAW,
    },
    # Another unit's opinion awaited: the holder keeps the dossier at its step (no forward,
    # no return, no second consultation); the province's people hold no role that answers.
    "consulting": {
        "officer": ["apologize", "request_payment", "request_supplement", "transfer", "withdraw"],
        "specialist": ["request_supplement", "stop"],
        "leader": ["apologize", "stop", "transfer"],
        "citizen": WITHDRAW,
    },
    "supplement_before_reception": {
        "officer": ["supplement", "withdraw"],
        "citizen": ["supplement", "withdraw"],
    },
    "supplement_during_processing": {
        "officer": ["supplement", "withdraw"],
        "citizen": ["supplement", "withdraw"],
    },
    "guided_at_counter": {
        "officer": ["supplement", "withdraw"],
        "citizen": ["supplement", "withdraw"],
    },
    # the requested amount is a fee line still unpaid: confirm_payment waits for the money
    "payment": {"officer": ["withdraw"], "citizen": WITHDRAW},
    "withdrawn": {},
    "stopped": {
        "officer": WITHDRAW,
        "specialist": ["resume"],
        "leader": ["resume"],
        "citizen": WITHDRAW,
    },
    "finished": {"officer": ["return_result"]},
    "returned": {},
}


def _whos(account: str, dossier: Dossier) -> set[Who]:
    """Who each account of the world is for a dossier received and handled by the ward."""
    run = dossier.current_step if dossier.current_step_id else None
    step_role = run.role if run is not None and run.finished_at is None else None
    whos: set[Who] = set()
    if account == "officer":
        whos = {Who.RECEIVING_OFFICER, Who.HANDLING_OFFICER}
        if step_role == Role.OFFICER:
            whos.add(Who.STEP_HOLDER)
    elif account == "specialist":
        whos = {Who.HANDLING_SPECIALIST}
        if step_role == Role.SPECIALIST:
            whos.add(Who.STEP_HOLDER)
    elif account == "leader":
        whos = {Who.HANDLING_LEADER, Who.RECEIVING_LEADER, Who.STEP_HOLDER}
    elif account == "citizen":
        whos = {Who.APPLICANT}
    return whos


def _values(action: str, world: World, options: dict[str, Any]) -> dict[str, Any]:
    """Valid values for the action's fields (choices from what was offered, if it was)."""
    choice = options.get(action)
    if action in {
        "refuse",
        "stop",
        "withdraw",
        "transfer",
        "apologize",
        "return_step",
        "consult",
        "answer_consult",
    }:
        values: dict[str, Any] = {"reason": "Lý do"}
    else:
        values = {}
    if action == "request_supplement":
        values["items"] = ITEMS
    elif action == "forward" and choice is not None:
        users = next(f.choices for f in choice.fields if f.name == "to_user")
        if users:
            values["to_user"] = users[0].value
    elif action == "transfer":
        values["to_unit"] = world.other_ward.code
    elif action == "consult":
        values["to_unit"] = world.other_ward.code
        values["answer_by"] = vn(2026, 3, 6, 17).isoformat()
    elif action == "request_payment":
        values["amount_vnd"] = 50_000
    elif action == "apologize":
        values["new_appointment_at"] = vn(2026, 3, 10, 17).isoformat()
    elif action == "issue_result":
        values["outcome"] = "granted"
    return values


class _Undo(Exception):
    pass


def _attempt(
    *, action: str, dossier: Dossier, actor: User, values: dict[str, Any]
) -> tuple[bool, str]:
    """Take the action and undo it: (succeeded, error code)."""
    try:
        with transaction.atomic():
            dossier_act(
                action=action,
                dossier=dossier,
                actor=actor,
                now=ACT_AT,
                expected_version=dossier.version,
                values=values,
            )
            raise _Undo
    except _Undo:
        return True, ""
    except DomainError as exc:
        return False, exc.code


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_matrix(world: World, scenario: str) -> None:
    dossier = SCENARIOS[scenario](world)
    dossier = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
    results: dict[tuple[str, str], bool] = {}
    for account in ACCOUNTS:
        actor: User = getattr(world, account)
        offered = {
            o.action: o for o in dossier_actions_for(actor=actor, dossier=dossier, now=ACT_AT)
        }
        whos = _whos(account, dossier)
        for action in ACTIONS:
            transition = TRANSITIONS[action]
            permitted = dossier.status in transition.sources and bool(
                whos & set(transition.who_for(dossier.status))
            )
            if action in offered:
                assert permitted, (scenario, account, action, "offered but not in the table")
            before = state(dossier)
            ok, code = _attempt(
                action=action,
                dossier=dossier,
                actor=actor,
                values=_values(action, world, offered),
            )
            assert ok == (action in offered), (scenario, account, action, code)
            assert state(dossier) == before, (scenario, account, action)
            if not permitted:
                assert code in {
                    "forbidden",
                    "illegal_transition",
                    "already_received",
                    "result_issued",
                }, (scenario, account, action, code)
            results[(account, action)] = ok

    # Statements of the law, independent of the table.
    succeeded = {key for key, ok in results.items() if ok}
    main_roles = {
        account: sorted(a for acc, a in succeeded if acc == account)
        for account in ("officer", "specialist", "leader", "citizen")
    }
    assert {k: v for k, v in main_roles.items() if v} == EXPECTED[scenario]
    if dossier.status in (
        DossierStatus.NOT_RECEIVED,
        DossierStatus.WITHDRAWN,
        DossierStatus.RETURNED,
    ):
        assert not succeeded, (scenario, succeeded)  # the ends: nothing more
    else:
        assert succeeded, f"{scenario}: nobody can do anything"
    for account in (
        "branch_officer",
        "other_officer",
        "other_leader",
        "supervisor",
        "auditor",
        "integrator",
        "other_citizen",
        "stranger",
    ):
        assert not {a for acc, a in succeeded if acc == account}, (scenario, account)
    citizen = {a for acc, a in succeeded if acc == "citizen"}
    assert citizen <= {"supplement", "withdraw"}, (scenario, citizen)
    status = dossier.status
    if dossier.received_at is not None:
        assert ("officer", "refuse") not in succeeded  # no form 03 after the receipt
    if status in (DossierStatus.FINISHED, DossierStatus.RETURNED):
        assert not {a for _, a in succeeded if a == "withdraw"}
    assert ("specialist", "apologize") not in succeeded
    assert ("officer", "issue_result") not in succeeded  # results: specialist or leader


def test_terminal_statuses_allow_nothing(world: World) -> None:
    # 3 (refused at reception) and 7 (withdrawn): nothing for anyone; 10: nothing either.
    for scenario in ("not_received", "withdrawn", "returned"):
        dossier = SCENARIOS[scenario](world)
        for account in ACCOUNTS:
            assert (
                dossier_actions_for(actor=getattr(world, account), dossier=dossier, now=ACT_AT)
                == []
            )


def test_choices_are_the_allowed_values(world: World) -> None:
    dossier = processing(world)  # at the review step; next: the leader's approval
    offered = {
        o.action: o
        for o in dossier_actions_for(actor=world.specialist, dossier=dossier, now=ACT_AT)
    }
    forward = {f.name: f for f in offered["forward"].fields}
    assert [c.value for c in forward["to_user"].choices or []] == [world.leader.pk]
    leader = {
        o.action: o for o in dossier_actions_for(actor=world.leader, dossier=dossier, now=ACT_AT)
    }
    units = {
        c.value
        for c in next(f for f in leader["transfer"].fields if f.name == "to_unit").choices or []
    }
    assert world.other_ward.code in units
    assert world.ward.code not in units
    assert offered["request_supplement"].form == "02"
    assert [f.name for f in offered["stop"].fields] == ["reason"]
    assert offered["stop"].reason_required is True


def test_a_choice_outside_the_allowed_values_is_refused(world: World) -> None:
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(DomainError) as err:
        dossier_act(
            action="forward",
            dossier=dossier,
            actor=world.specialist,
            now=ACT_AT,
            expected_version=dossier.version,
            values={"to_user": world.officer.pk},  # no leader role: not a choice
        )
    assert err.value.code == "invalid_assignee"
    assert state(dossier) == before


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"bogus": 1}, "invalid"),
        ({"reason": 5}, "invalid"),
        ({}, "required"),
    ],
)
def test_bad_values_are_field_errors(world: World, values: dict[str, Any], code: str) -> None:
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(DomainError) as err:
        dossier_act(
            action="stop",
            dossier=dossier,
            actor=world.leader,
            now=ACT_AT,
            expected_version=dossier.version,
            values=values,
        )
    assert err.value.code == code
    assert state(dossier) == before


def test_an_unknown_action_is_not_found(world: World) -> None:
    dossier = processing(world)
    with pytest.raises(DomainError) as err:
        dossier_act(
            action="delete",
            dossier=dossier,
            actor=world.leader,
            now=ACT_AT,
            expected_version=None,
            values={},
        )
    assert (err.value.code, err.value.status) == ("unknown_action", 404)


def test_a_stale_version_is_a_conflict(world: World) -> None:
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(DomainError) as err:
        dossier_act(
            action="stop",
            dossier=dossier,
            actor=world.leader,
            now=ACT_AT,
            expected_version=dossier.version - 1,
            values={"reason": "x"},
        )
    assert (err.value.code, err.value.status) == ("conflict", 409)
    assert state(dossier) == before


def test_every_action_has_a_service_and_a_label() -> None:
    from motcua.dossiers.services.act import SERVICES

    assert set(SERVICES) == set(ACTIONS)
    assert all(str(t.label) and str(t.doing) for t in TRANSITIONS.values())
