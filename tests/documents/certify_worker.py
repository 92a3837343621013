"""A separate OS process certifying copies on the test database (run by
test_certification_postgres.py).

    python -m tests.documents.certify_worker GO_FILE COUNT UNIT USER NOW FAIL_EVERY

Waits until GO_FILE exists (so both processes start together), then certifies COUNT copies
and prints one JSON line per result; every FAIL_EVERY-th certification (0: none) fails after
its number was taken (its issue raises), so a rolled-back number must be reused.
DATABASE_URL and MOTCUA_SIGNING_DIR must point at the test database and the test PKI.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path
from unittest import mock


def _wait(go_file: str) -> None:
    deadline = time.monotonic() + 60
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the go file never appeared")
        time.sleep(0.001)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from motcua.accounts.models import User
    from motcua.documents import certification
    from motcua.organisation.models import Unit
    from tests.documents.samples import pdf_bytes

    go_file, count, unit_id, user_id, now, fail_every = argv
    unit = Unit.objects.get(pk=unit_id)
    user = User.objects.get(pk=user_id)
    moment = dt.datetime.fromisoformat(now)
    pdf = pdf_bytes(1)
    _wait(go_file)
    for index in range(1, int(count) + 1):
        failing = int(fail_every) and index % int(fail_every) == 0
        patch = mock.patch.object(
            certification, "document_issue", side_effect=RuntimeError("fails on purpose")
        )
        try:
            if failing:
                patch.start()
            entry = certification.copy_certify(
                actor=user,
                unit=unit,
                upload=io.BytesIO(pdf),
                requester_name="Nguyễn Văn An",
                requester_id_number="001090000123",
                document_title="Giấy khai sinh",
                document_issuer="UBND Phường Hoàn Kiếm",
                compared_with_original=True,
                now=moment,
            )
        except RuntimeError:
            print(json.dumps({"failed": True}), flush=True)
        else:
            print(json.dumps({"number": entry.number}), flush=True)
        finally:
            if failing:
                patch.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
