"""A city's worth of dossiers in PostgreSQL, generated inside the database.

`city_dossiers_generate(database_url=..., dossiers=1_000_000)` fills a migrated database with
Hanoi's unit tree (`load_units --province 01`), the demo catalog and its staff, then
`dossiers` dossiers spread over the 126 wards and communes and a year of submissions, with
their events and step runs, by `INSERT ... SELECT generate_series(...)` (no row crosses the
wire). The shape follows the seed city: ~85% settled and returned, the rest open in every
status, ~70% online; open dossiers have a current step whose due time is spread from five
days late to ten days ahead, so that every work queue bucket (late, due today, due soon,
waiting on the applicant) is full.

Used by `bench.workspace_pages`; run alone to look at the data:
`.venv/bin/python -m bench.city_dossiers postgres://postgres@127.0.0.1:5432/motcua_city 1000000`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from bench.api_submission import PYTHON, ROOT

# Statuses of the generated dossiers, per thousand (sum 1000): settled first.
SHARES = {
    10: 820,  # returned
    9: 30,  # finished, result waiting at the one-stop
    4: 70,  # in processing
    2: 20,  # received, at the first step
    1: 15,  # registered online, waiting for acceptance
    5: 20,  # supplement requested
    6: 5,  # payment requested
    8: 5,  # stopped
    3: 10,  # not received
    7: 5,  # withdrawn
}
BENCH_OFFICER = "bench_officer"
BENCH_PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account in a throwaway database


def _seed_reference(env: dict[str, str]) -> dict[str, Any]:
    """Units, catalog, the staff of every ward (subprocess: needs Django)."""
    done = subprocess.run(
        [PYTHON, "-m", "bench.city_dossiers", "--reference"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    import json

    return json.loads(done.stdout.strip().splitlines()[-1])


def _reference() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.services import catalog_load_demo
    from motcua.core import clock
    from motcua.organisation.models import Role, Unit
    from motcua.organisation.services import role_assign

    now = clock.now()
    call_command("load_units", province="01", verbosity=0)
    catalog_load_demo(now=now)
    wards = list(Unit.objects.filter(kind__in=Unit.COMMUNE_KINDS).order_by("code"))
    versions = list(
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, procedure__level="commune"
        )
        .filter(steps__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    officer = User.objects.create_user(
        username=BENCH_OFFICER,
        password=BENCH_PASSWORD,
        kind=User.Kind.STAFF,
        full_name="Cán bộ Một cửa Bench",
    )
    role_assign(user=officer, unit=wards[0], role=Role.OFFICER, now=now)
    return {
        "wards": [w.pk for w in wards],
        "officer_ward": wards[0].pk,
        "officer_ward_code": wards[0].code,
        "versions": versions,
        "officer": officer.pk,
    }


def _sql(database_url: str, statements: list[str]) -> list[float]:
    import psycopg

    seconds = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for sql in statements:
            started = time.perf_counter()
            conn.execute(sql)  # type: ignore[arg-type]
            seconds.append(round(time.perf_counter() - started, 1))
    return seconds


def _status_case(column: str) -> str:
    """A CASE mapping `column` (0..999) to a status by SHARES."""
    parts, low = [], 0
    for status, share in SHARES.items():
        parts.append(f"WHEN {column} < {low + share} THEN {status}")
        low += share
    return "CASE " + " ".join(parts) + " END"


def city_dossiers_generate(
    *, database_url: str, env: dict[str, str], dossiers: int
) -> dict[str, Any]:
    reference = _seed_reference(env)
    wards = reference["wards"]
    versions = reference["versions"]
    ward_array = "ARRAY[" + ",".join(map(str, wards)) + "]::bigint[]"
    version_array = "ARRAY[" + ",".join(map(str, versions)) + "]::bigint[]"
    status = _status_case("(g * 7919) % 1000")
    statements = [
        "SET synchronous_commit = off",
        # The dossiers: ward, version and status drawn deterministically from the row number
        # (only integers are formatted into the SQL).
        f"""
        INSERT INTO dossiers_dossier (
            code, channel, status, applicant_name, applicant_id_number, applicant_phone,
            applicant_email, applicant_address, representative, form_data, result_kind,
            submitted_at, received_at, clock_started_at, appointment_at, finished_at,
            returned_at, closed_at, supplement_count, version, created_at, updated_at,
            handling_unit_id, procedure_version_id, receiving_unit_id, result_outcome
        )
        SELECT
            -- the shape of a real code (unit-yymmdd-number): the portal's URLs expect it
            'B' || lpad(((g * 31) % {len(wards)})::text, 3, '0') || '-'
                || to_char(t.submitted, 'YYMMDD') || '-' || lpad(g::text, 7, '0'),
            CASE WHEN g % 10 < 7 THEN 2 ELSE 1 END,
            s.status,
            'Nguyễn Văn ' || g,
            lpad((1000000000 + g)::text, 12, '0'),
            '09' || lpad((g % 100000000)::text, 8, '0'),
            '', 'Hà Nội', '{{}}'::jsonb, '{{}}'::jsonb, 'both',
            t.submitted,
            CASE WHEN s.status IN (1, 3, 5, 7) THEN NULL ELSE t.submitted + interval '2 hours' END,
            CASE WHEN s.status IN (1, 3, 5, 7) THEN NULL ELSE t.submitted + interval '2 hours' END,
            CASE WHEN s.status IN (1, 3, 5, 7) THEN NULL
                 ELSE t.submitted + interval '5 days' + ((g / 7) % 48) * interval '1 hour' END,
            CASE WHEN s.status IN (9, 10) THEN t.submitted + interval '4 days' END,
            CASE WHEN s.status = 10 THEN t.submitted + interval '5 days' END,
            CASE WHEN s.status IN (3, 7, 10) THEN t.submitted + interval '5 days' END,
            CASE WHEN s.status = 5 THEN 1 ELSE 0 END,
            3, t.submitted, t.submitted,
            ({ward_array})[1 + (g * 31) % {len(wards)}],
            ({version_array})[1 + (g * 17) % {len(versions)}],
            ({ward_array})[1 + (g * 31) % {len(wards)}],
            CASE WHEN s.status IN (9, 10) THEN 'granted' ELSE '' END
        FROM generate_series(1::bigint, {dossiers}::bigint) AS g
        CROSS JOIN LATERAL (SELECT {status} AS status) AS s
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN s.status IN (9, 10, 3, 7)
                    THEN now() - ((g % 365) + 6) * interval '1 day'
                         - (g % 480) * interval '1 minute'
                ELSE now() - (g % 15) * interval '1 day' - (g % 480) * interval '1 minute'
            END AS submitted
        ) AS t
        """,
        # Every dossier's first event (submitted or received at the counter) and, once
        # received, its reception.
        """
        INSERT INTO dossiers_dossierevent (
            seq, action, actor_role, at, status_before, status_after, before, after, reason,
            dossier_id
        )
        SELECT 1, CASE WHEN channel = 2 THEN 'submit' ELSE 'receive_at_counter' END,
               CASE WHEN channel = 2 THEN 'applicant' ELSE 'officer' END,
               submitted_at, NULL, CASE WHEN channel = 2 THEN 1 ELSE 2 END, '{}'::jsonb,
               '{}'::jsonb, '', id
        FROM dossiers_dossier WHERE code LIKE 'B%'
        """,
        """
        INSERT INTO dossiers_dossierevent (
            seq, action, actor_role, at, status_before, status_after, before, after, reason,
            dossier_id
        )
        SELECT 2, 'receive', 'officer', received_at, 1, 2, '{}'::jsonb, '{}'::jsonb, '', id
        FROM dossiers_dossier WHERE code LIKE 'B%' AND channel = 2 AND received_at IS NOT NULL
        """,
        # The current step of every open received dossier: due from five days late to ten
        # days ahead of now.
        """
        INSERT INTO dossiers_steprun (
            "order", kind, name, role, allotment_hours, started_at, due_at, result, note,
            dossier_id, unit_id, step_id, outside
        )
        SELECT 1, 'step', 'Thẩm định hồ sơ', 'specialist', 16, d.received_at,
               now() + (((d.id * 13) % 360) - 120) * interval '1 hour', '', '', d.id,
               d.handling_unit_id,
               (SELECT ps.id FROM catalog_processstep ps
                 WHERE ps.version_id = d.procedure_version_id ORDER BY ps."order" LIMIT 1),
               false
        FROM dossiers_dossier d
        WHERE d.code LIKE 'B%' AND d.status IN (2, 4, 6, 8)
        """,
        """
        UPDATE dossiers_dossier d SET current_step_id = r.id
        FROM dossiers_steprun r WHERE r.dossier_id = d.id AND d.code LIKE 'B%'
        """,
        # The history: every settled dossier's finished review (the access rule's step arm
        # must not grow with it), and one open dossier in a hundred consulting another ward
        # (a row `outside` its units, which shows it to that ward).
        """
        INSERT INTO dossiers_steprun (
            "order", kind, name, role, allotment_hours, started_at, due_at, finished_at,
            result, note, dossier_id, unit_id, outside
        )
        SELECT 1, 'step', 'Thẩm định hồ sơ', 'specialist', 16, d.received_at,
               d.received_at + interval '2 days', d.finished_at, 'on_time', '', d.id,
               d.handling_unit_id, false
        FROM dossiers_dossier d
        WHERE d.code LIKE 'B%' AND d.status IN (9, 10)
        """,
        f"""
        INSERT INTO dossiers_steprun (
            "order", kind, name, role, allotment_hours, started_at, due_at, result, note,
            dossier_id, unit_id, outside
        )
        SELECT 2, 'consult', 'Xin ý kiến', '', 0, d.received_at,
               now() + (d.id % 72) * interval '1 hour', '', '', d.id,
               ({ward_array})[1 + (d.id * 31 + 1) % {len(wards)}], true
        FROM dossiers_dossier d
        WHERE d.code LIKE 'B%' AND d.status IN (2, 4) AND d.id % 100 = 0
        """,
        # As autovacuum leaves a live database: statistics and the visibility map (index-only
        # scans).
        "VACUUM ANALYZE",
    ]
    seconds = _sql(database_url, statements)
    counts = _sql_counts(database_url, reference["officer_ward"])
    return {**reference, "seconds": seconds, "counts": counts}


def _sql_counts(database_url: str, ward: int) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        total = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        events = conn.execute("SELECT count(*) FROM dossiers_dossierevent").fetchone()
        in_ward = conn.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE receiving_unit_id = %s", [ward]
        ).fetchone()
        open_in_ward = conn.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE receiving_unit_id = %s"
            " AND status NOT IN (3, 7, 10)",
            [ward],
        ).fetchone()
    return {
        "dossiers": total[0] if total else 0,
        "events": events[0] if events else 0,
        "in_officer_ward": in_ward[0] if in_ward else 0,
        "open_in_officer_ward": open_in_ward[0] if open_in_ward else 0,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--reference"]:
        import json

        print(json.dumps(_reference()))
    else:
        import json

        from bench.api_submission import _env

        url, count = sys.argv[1], int(sys.argv[2])
        env = _env(url)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        print(
            json.dumps(city_dossiers_generate(database_url=url, env=env, dossiers=count), indent=2)
        )
