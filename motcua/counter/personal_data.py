"""The counter's personal-data source (`motcua.core.personal_data`, docs/personal-data.md):
at-home service requests and hotline calls about the person's dossiers.

A record is linked to a person by the dossier code it names (`HomeService.reference`,
`HotlineCall.dossier_code`) among the dossiers about them. Records known only by a name or a
phone number are not shown: nothing confirms that a phone typed into a profile belongs to
the account (until phone confirmation lands), and showing them would show someone else's
calls; the person asks the privacy officer for those (a request, scope "counter")."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.clock import format_vn_moment, local
from motcua.core.personal_data import (
    PersonalDataEntry,
    PersonalDataSection,
    SubjectKey,
    personal_data_source_register,
)
from motcua.dossiers.personal_data import dossiers_of_person

from .models import HomeService, HotlineCall


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    return local(value).isoformat() if isinstance(value, dt.datetime) else value.isoformat()


def _when(value: dt.datetime | None) -> str:
    return format_vn_moment(value) if value is not None else "—"


def _codes(person: User) -> list[str]:
    return list(dossiers_of_person(person=person).values_list("code", flat=True))


def counter_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    codes = _codes(person)
    homes = list(
        HomeService.objects.filter(reference__in=codes).select_related("unit").order_by("-id")
    )
    calls = list(
        HotlineCall.objects.filter(dossier_code__in=codes).select_related("unit").order_by("-id")
    )
    entries = [
        PersonalDataEntry(
            title=_("Phục vụ tại nhà: %(kind)s") % {"kind": h.get_kind_display()},
            rows=(
                (_("Đơn vị"), h.unit.name),
                (_("Trạng thái"), h.get_status_display()),
                (_("Yêu cầu lúc"), _when(h.requested_at)),
                (_("Địa chỉ phục vụ"), h.address),
            ),
            data={
                "type": "home_service",
                "id": h.pk,
                "unit": h.unit.code,
                "kind": h.kind,
                "reason": h.reason,
                "person_name": h.person_name,
                "phone": h.phone,
                "address": h.address,
                "details": h.details,
                "status": h.status,
                "requested_at": _iso(h.requested_at),
                "scheduled_for": _iso(h.scheduled_for),
                "reference": h.reference,
            },
        )
        for h in homes
    ] + [
        PersonalDataEntry(
            title=_("Cuộc gọi đường dây nóng: %(topic)s") % {"topic": c.get_topic_display()},
            rows=(
                (_("Đơn vị"), c.unit.name),
                (_("Lúc"), _when(c.at)),
                (_("Hồ sơ"), c.dossier_code),
                (_("Xử lý"), c.get_outcome_display()),
            ),
            data={
                "type": "hotline_call",
                "id": c.pk,
                "unit": c.unit.code,
                "at": _iso(c.at),
                # Whoever called about the dossier: their name and phone are theirs.
                "caller_is_you": bool(person.phone) and c.caller_phone == person.phone,
                "topic": c.topic,
                "dossier_code": c.dossier_code,
                "summary": c.summary,
                "outcome": c.outcome,
            },
        )
        for c in calls
    ]
    total = len(entries)
    return PersonalDataSection(
        key="counter",
        title=_("Ghi chép tại quầy và đường dây nóng"),
        summary=_("%(count)s yêu cầu phục vụ tại nhà, cuộc gọi về hồ sơ của bạn.")
        % {"count": total},
        entries=tuple(entries if limit is None else entries[:limit]),
        count=total,
        basis=_(
            "Ghi để phục vụ bạn và theo dõi chất lượng phục vụ. Các ghi chép chỉ có tên hoặc "
            "số điện thoại (không gắn mã hồ sơ) không hiện ở đây: hãy gửi yêu cầu nếu cần."
        ),
    )


def counter_subjects(*, person: User) -> list[SubjectKey]:
    codes = _codes(person)
    if not codes:
        return []
    homes = HomeService.objects.filter(reference__in=codes).values_list("pk", flat=True)
    calls = HotlineCall.objects.filter(dossier_code__in=codes).values_list("pk", flat=True)
    return [
        SubjectKey("counter.homeservice", frozenset(str(pk) for pk in homes)),
        SubjectKey("counter.hotlinecall", frozenset(str(pk) for pk in calls)),
    ]


def register() -> None:
    personal_data_source_register(
        key="counter", order=60, collect=counter_collect, subjects=counter_subjects
    )
