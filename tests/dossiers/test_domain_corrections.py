"""The corrections of domain.md sections 3 and 4 (issue 6, item 3): when the clock of an online
dossier starts, counter guidance without a receipt, the refusal to settle, the agency
identification code in dossier codes."""

from __future__ import annotations

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.models import DossierStatus, StepRun
from motcua.dossiers.services import (
    dossier_close_unsupplemented,
    dossier_guide_at_counter,
    dossier_issue_result,
    dossier_receive,
    dossier_return_result,
    dossier_supplement,
    dossier_timeliness,
)

from .helpers import FORM, MON, World, at_leader_step, state, submitted, vn

ITEMS = [{"component": "TP1", "reason": "Thiếu chữ ký của người yêu cầu"}]
TP1_NAME = "Tờ khai"  # the standard version's component TP1


# --- "Online, last office hour": the clock starts at acceptance ---------------------------


def test_an_online_dossier_accepted_at_16_10_starts_its_clock_at_16_10(world: World) -> None:
    dossier = submitted(world, now=vn(2026, 3, 2, 10))  # arrived Mon 10:00
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 2, 16, 10))
    assert dossier.clock_started_at == vn(2026, 3, 2, 16, 10)
    # 5 working days from Mon 16:10 = Mon 9 Mar 16:10.
    assert dossier.appointment_at == vn(2026, 3, 9, 16, 10)


def test_an_online_dossier_arriving_after_16_00_starts_next_working_morning(world: World) -> None:
    dossier = submitted(world, now=vn(2026, 3, 6, 16, 5))  # Fri 16:05
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 6, 16, 30))
    assert dossier.clock_started_at == vn(2026, 3, 9, 7)  # Mon 07:00, not Fri 16:30
    assert dossier.appointment_at == vn(2026, 3, 13, 17)


def test_accepted_the_next_morning_the_clock_starts_at_acceptance(world: World) -> None:
    dossier = submitted(world, now=vn(2026, 3, 2, 16, 30))
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 3, 9, 15))
    assert dossier.clock_started_at == vn(2026, 3, 3, 9, 15)


def test_accepted_outside_office_hours_the_clock_starts_at_the_next_block(world: World) -> None:
    dossier = submitted(world, now=vn(2026, 3, 2, 10))
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 2, 12, 0))
    assert dossier.clock_started_at == vn(2026, 3, 2, 13, 30)


# --- Incomplete at the counter: form 02 without a receipt -----------------------------------


def _guide(world: World):
    return dossier_guide_at_counter(
        actor=world.officer,
        procedure_version=world.version,
        applicant=world.citizen,
        applicant_name="Nguyễn Văn An",
        receiving_unit=world.ward,
        form_data=dict(FORM),
        items=ITEMS,
        note="Hướng dẫn tại quầy",
        now=MON,
    )


def test_counter_guidance_records_the_visit_without_a_receipt(world: World) -> None:
    dossier = _guide(world)

    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert (dossier.received_at, dossier.appointment_at, dossier.clock_started_at) == (
        None,
        None,
        None,
    )
    assert not StepRun.objects.filter(dossier=dossier).exists()  # no slip before reception
    assert list(dossier.events.values_list("action", flat=True)) == ["submit", "guide_at_counter"]
    assert dossier.events.get(seq=2).after["items"] == [
        {"component": "TP1", "reason": "Thiếu chữ ký của người yêu cầu", "name": TP1_NAME}
    ]


def test_the_applicants_return_is_received_with_everything_entered(world: World) -> None:
    dossier = _guide(world)
    dossier = dossier_supplement(
        dossier=dossier,
        actor=world.officer,
        form_data={"ghi_chu": "Đã ký tờ khai"},
        now=vn(2026, 3, 4, 9),
    )
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.received_at == vn(2026, 3, 4, 9)
    assert dossier.clock_started_at == vn(2026, 3, 4, 9)  # from zero: complete only now
    assert dossier.appointment_at == vn(2026, 3, 11, 9)
    assert dossier.form_data == {**FORM, "ghi_chu": "Đã ký tờ khai"}
    assert StepRun.objects.filter(dossier=dossier).count() == 2  # reception done, next open
    assert dossier.events.get(seq=3).after["received"] is True


def test_guidance_never_supplemented_closes_as_not_received(world: World) -> None:
    dossier = _guide(world)
    assert dossier_close_unsupplemented(now=vn(2026, 3, 30, 9)) == [dossier.code]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NOT_RECEIVED


def test_guidance_needs_the_list_of_what_is_missing(world: World) -> None:
    with pytest.raises(ValidationError) as err:
        dossier_guide_at_counter(
            actor=world.officer,
            procedure_version=world.version,
            applicant_name="Nguyễn Văn An",
            receiving_unit=world.ward,
            form_data=dict(FORM),
            items=[],
            now=MON,
        )
    assert err.value.code == "items_required"


def test_only_an_officer_of_the_unit_guides(world: World) -> None:
    with pytest.raises(PermissionDenied) as err:
        dossier_guide_at_counter(
            actor=world.specialist,
            procedure_version=world.version,
            applicant_name="Nguyễn Văn An",
            receiving_unit=world.ward,
            form_data=dict(FORM),
            items=ITEMS,
            now=MON,
        )
    assert err.value.code == "forbidden"


# --- Refusal after reception: a refusal to settle is a result ------------------------------


def test_a_refusal_to_settle_ends_in_9_then_10(world: World) -> None:
    dossier = dossier_issue_result(
        dossier=at_leader_step(world),
        actor=world.leader,
        outcome="refused",
        note="Không đủ điều kiện theo Điều 5",
        now=vn(2026, 3, 4, 9),
    )
    assert (dossier.status, dossier.result_outcome) == (DossierStatus.FINISHED, "refused")
    event = dossier.events.order_by("-seq")[0]
    assert (event.action, event.reason, event.after["result_outcome"]) == (
        "issue_result",
        "Không đủ điều kiện theo Điều 5",
        "refused",
    )
    dossier = dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 10))
    assert dossier.status == DossierStatus.RETURNED
    assert dossier_timeliness(dossier) == "early"  # settled, measured like any other


def test_a_refusal_to_settle_needs_its_reasons(world: World) -> None:
    dossier = at_leader_step(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as err:
        dossier_issue_result(dossier=dossier, actor=world.leader, outcome="refused", now=MON)
    assert err.value.code == "required"
    with pytest.raises(ValidationError) as err:
        dossier_issue_result(dossier=dossier, actor=world.leader, outcome="maybe", now=MON)
    assert err.value.code == "invalid_outcome"
    assert state(dossier) == before


def test_a_granted_result_records_its_outcome(world: World) -> None:
    dossier = dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 9)
    )
    assert dossier.result_outcome == "granted"


def test_no_form_03_once_received(world: World) -> None:
    from motcua.dossiers.services import dossier_refuse

    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    before = state(dossier)
    with pytest.raises(IllegalTransition):
        dossier_refuse(dossier=dossier, actor=world.officer, reason="x", now=MON)
    assert state(dossier) == before


# --- The agency identification code prefixes the dossier code ------------------------------


def test_the_agency_identification_code_prefixes_the_dossier_code(world: World) -> None:
    plain = submitted(world)
    assert plain.code == "00070-260302-0001"
    world.ward.agency_code = "H26.37.07"
    world.ward.save(update_fields=["agency_code"])
    coded = submitted(world)
    assert coded.code == "H26.37.07-260302-0002"  # one counter per unit and day
