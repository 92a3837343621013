"""A separate OS process acting on the test database (run by test_concurrency_postgres.py).

    python -m tests.dossiers.concurrent_worker submit GO_FILE COUNT VERSION UNIT USER NOW
    python -m tests.dossiers.concurrent_worker receive GO_FILE DOSSIER ACTOR VERSION NOW
    python -m tests.dossiers.concurrent_worker draft_submit GO_FILE DRAFT USER NOW

Waits until GO_FILE exists (so both processes start together), then prints one JSON line per
result. DATABASE_URL must point at the test database.
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


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.core.errors import DomainError
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_receive, dossier_submit
    from motcua.organisation.models import Unit

    mode, go_file = argv[0], argv[1]
    if mode == "submit":
        count, version_id, unit_id, user_id, now = argv[2:7]
        version = ProcedureVersion.objects.get(pk=version_id)
        unit = Unit.objects.get(pk=unit_id)
        user = User.objects.get(pk=user_id)
        moment = dt.datetime.fromisoformat(now)
        _wait(go_file)
        for _ in range(int(count)):
            dossier = dossier_submit(
                applicant=user,
                procedure_version=version,
                receiving_unit=unit,
                now=moment,
                form_data={"ho_ten": "A", "ngay_sinh": "1990-01-01"},
            )
            print(json.dumps({"code": dossier.code}), flush=True)
    elif mode == "receive":
        dossier_id, actor_id, expected, now = argv[2:6]
        dossier = Dossier.objects.get(pk=dossier_id)
        actor = User.objects.get(pk=actor_id)
        moment = dt.datetime.fromisoformat(now)
        _wait(go_file)
        try:
            dossier_receive(
                dossier=dossier, actor=actor, expected_version=int(expected), now=moment
            )
        except DomainError as exc:
            print(json.dumps({"error": exc.code}), flush=True)
        else:
            print(json.dumps({"ok": True}), flush=True)
    elif mode == "draft_submit":
        from motcua.dossiers.models import ApplicationDraft
        from motcua.dossiers.services import draft_submit

        draft_id, user_id, now = argv[2:5]
        draft = ApplicationDraft.objects.get(pk=draft_id)
        user = User.objects.get(pk=user_id)
        moment = dt.datetime.fromisoformat(now)
        _wait(go_file)
        dossier = draft_submit(draft=draft, actor=user, declaration=True, now=moment)
        print(json.dumps({"code": dossier.code}), flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
