"""Remaining working time, in words ("còn 1 ngày 3 giờ làm việc", "quá hạn 2 giờ")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from motcua.deadlines.clock import WorkingClock

HOURS_PER_DAY = 8  # domain.md section 4: 1 working day = 8 working hours


#: What a passed deadline counts when no working time has gone by since (17:00 due, read at
#: 21:00 or on the Saturday): below zero, so the dossier reads late as its queue bucket says,
#: and "quá hạn dưới 1 phút làm việc" rather than "còn dưới 1 phút làm việc".
JUST_PASSED = Decimal("-0.0001")


def working_hours_left(*, clock: WorkingClock, now: dt.datetime, due: dt.datetime) -> Decimal:
    """Working hours from `now` to `due` on `clock`; negative when `due` has passed (at
    least `JUST_PASSED`, even outside working hours)."""
    if due >= now:
        return clock.working_hours_between(now, due)
    return min(-clock.working_hours_between(due, now), JUST_PASSED)


def _amount(hours: Decimal) -> str:
    minutes = int((abs(hours) * 60).to_integral_value())
    days, minutes = divmod(minutes, HOURS_PER_DAY * 60)
    whole_hours, minutes = divmod(minutes, 60)
    parts: list[str] = []
    if days:
        parts.append(_("%(n)d ngày") % {"n": days})
    if whole_hours:
        parts.append(_("%(n)d giờ") % {"n": whole_hours})
    if minutes and not days:
        parts.append(_("%(n)d phút") % {"n": minutes})
    return " ".join(parts) or _("dưới 1 phút")


def time_left_text(hours: Decimal) -> str:
    if hours < 0:
        return _("quá hạn %(amount)s làm việc") % {"amount": _amount(hours)}
    return _("còn %(amount)s làm việc") % {"amount": _amount(hours)}
