"""Helper process for test_kill_worker: `seed N [D]` writes N `dossier.issue_result` messages
(D dossiers, 20 by default, one chain each) with their `notifications.sms` deliveries;
`report` prints what reached the sandbox provider as JSON. Runs against DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import json
import sys

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402

from motcua.core.clock import VN_TZ  # noqa: E402
from motcua.core.models import OutboxDelivery, OutboxMessage  # noqa: E402

MON = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


def seed(count: int, dossiers: int = 20) -> None:
    from motcua.deadlines.services import calendar_seed
    from motcua.dossiers.services import dossier_submit
    from tests.dossiers.factories import standard_version
    from tests.factories import CitizenFactory, ProvinceUnitFactory, UnitFactory

    calendar_seed(years=(2026,), now=MON)
    province = ProvinceUnitFactory()
    ward = UnitFactory(code="00070", name="Phường Hoàn Kiếm", parent=province)
    version = standard_version()
    citizen = CitizenFactory(username="citizen", full_name="Nguyễn Văn An", phone="0912345678")
    codes = [
        dossier_submit(
            applicant=citizen,
            procedure_version=version,
            receiving_unit=ward,
            form_data={"ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-01-01"},
            now=MON,
        ).code
        for _ in range(dossiers)
    ]
    with transaction.atomic():
        messages = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                topic="dossier.issue_result",
                key=codes[n % dossiers],
                payload={"code": codes[n % dossiers], "status": 9, "action": "issue_result",
                         "version": n},
                created_at=MON,
            )
            for n in range(count)
        )  # fmt: skip
        OutboxDelivery.objects.bulk_create(
            OutboxDelivery(message=m, subscriber="notifications.sms", key=m.key, available_at=MON)
            for m in messages
        )
    print(json.dumps({"messages": [m.pk for m in messages]}))


def report() -> None:
    from motcua.notifications.models import NotificationDelivery, SandboxSms

    references = list(SandboxSms.objects.values_list("reference", flat=True))
    print(
        json.dumps(
            {
                "references": references,
                "hits": SandboxSms.objects.aggregate(n=Sum("hits"))["n"] or 0,
                "sent": list(
                    NotificationDelivery.objects.filter(status="sent").values_list(
                        "delivery_key", flat=True
                    )
                ),
                "stuck": [
                    [
                        d.pk,
                        d.key,
                        d.attempts,
                        str(d.available_at),
                        str(d.locked_until),
                        d.lease_token[:6],
                        d.last_error[:120],
                    ]
                    for d in OutboxDelivery.objects.exclude(status="delivered").order_by("pk")[:6]
                ],
                "deliveries": dict(
                    OutboxDelivery.objects.values_list("status").annotate(
                        n=django.db.models.Count("id")
                    )
                ),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]), *(int(a) for a in sys.argv[3:4]))
    else:
        report()
