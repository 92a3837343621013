"""The working time left, in words: a deadline passed outside working hours (17:00 due, read
at 21:49 the same day or on the Saturday) is late, as the queue's "Quá hạn" bucket says; it
read "còn dưới 1 phút làm việc" and was not marked late."""

from __future__ import annotations

import pytest
from django.utils import translation

from motcua.deadlines.clock import clock_for_unit
from motcua.workspace.timeleft import time_left_text, working_hours_left
from tests.dossiers.helpers import World, vn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():  # type: ignore[no-untyped-def]
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("due", "now"),
    [(vn(2026, 3, 4, 17), vn(2026, 3, 4, 21, 49)), (vn(2026, 3, 6, 17), vn(2026, 3, 7, 10))],
    ids=["evening", "saturday"],
)
def test_a_deadline_passed_after_hours_is_late(world: World, due, now) -> None:  # type: ignore[no-untyped-def]
    clock = clock_for_unit(world.ward)
    hours = working_hours_left(clock=clock, now=now, due=due)
    assert hours < 0
    assert time_left_text(hours) == "quá hạn dưới 1 phút làm việc"


def test_before_and_after_in_working_hours(world: World) -> None:
    clock = clock_for_unit(world.ward)
    due = vn(2026, 3, 4, 17)
    assert time_left_text(working_hours_left(clock=clock, now=vn(2026, 3, 4, 15), due=due)) == (
        "còn 2 giờ làm việc"
    )
    late = working_hours_left(clock=clock, now=vn(2026, 3, 5, 10), due=due)
    assert late < -1
    assert time_left_text(late).startswith("quá hạn ")
    assert working_hours_left(clock=clock, now=due, due=due) == 0
