"""A separate OS process issuing receipts on the test database (run by
test_receipts_postgres.py).

    python -m tests.payments.receipt_worker GO_FILE COUNT UNIT NOW FAIL_EVERY TAG

Waits until GO_FILE exists (so both processes start together), then pays COUNT fee lines and
issues their receipts, printing one JSON line per result; every FAIL_EVERY-th receipt (0:
none) fails after its number was taken (its transaction rolls back, as a failed signature
would), so its number must be given back. DATABASE_URL must point at the test database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path


def _wait(go_file: str) -> None:
    deadline = time.monotonic() + 60
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the go file never appeared")
        time.sleep(0.001)


class _Fails(Exception):
    pass


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import transaction

    from motcua.organisation.models import Unit
    from motcua.payments.receipts import receipt_issue
    from motcua.payments.services import fee_line_add, fee_lines_pay

    go_file, count, unit_id, now, fail_every, tag = argv
    unit = Unit.objects.get(pk=unit_id)
    moment = dt.datetime.fromisoformat(now)
    _wait(go_file)
    for index in range(1, int(count) + 1):
        failing = int(fail_every) and index % int(fail_every) == 0
        try:
            with transaction.atomic():
                line = fee_line_add(
                    dossier_code=f"{tag}-{index}",
                    collecting_unit=unit,
                    name="Lệ phí",
                    kind="charge",
                    timing="before",
                    unit_amount_vnd=10_000 + index,
                    now=moment,
                )
                payment = fee_lines_pay(lines=[line], method="cash", now=moment)
                receipt = receipt_issue(payment=payment, payer_name="Nguyễn Văn An", now=moment)
                if failing:
                    raise _Fails
        except _Fails:
            print(json.dumps({"failed": True}), flush=True)
        else:
            print(json.dumps({"number": receipt.number}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
