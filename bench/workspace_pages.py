"""Benchmark: the staff workspace's work queue and dossier page, and the portal's "my
dossiers" page, with a city's worth of data.

What it does (all on loopback, bounded in requests and time):
1. creates a fresh PostgreSQL database `motcua_bench_workspace_<pid>`, migrates it and fills
   it with MOTCUA_BENCH_CITY_DOSSIERS (default 1,000,000) dossiers over Hanoi's 126 wards
   (`bench.city_dossiers`, generated inside PostgreSQL), then gives every dossier an
   applicant account among 40,000 citizens (bulk insert, one UPDATE): the bench citizen has
   every 40,000th, about 25 (two pages of "my dossiers"); and 2,100 generated procedures
   (`bench.portal_pages --seed`), the city's catalog size;
2. counts the SQL queries of each page in-process (`django.test.Client` signed in as the
   bench officer, under `CaptureQueriesContext`, same settings and database);
3. starts gunicorn (production settings, Redis cache, 2 workers x 2 threads), signs the
   officer in through `/accounts/login/` (password; the second factor is switched off for the
   benchmark account's run only: `MOTCUA_STAFF_2FA_REQUIRED=0`), then requests the queue
   (`/workspace/`, each of its buckets in turn) and the dossier page of REQUESTS different
   open dossiers of the officer's ward, one request at a time; signs the bench citizen in
   and requests "my dossiers" (`/my/`, pages 1 and 2 in turn); and the bare view
   (`/api/v1/health`) as many times; p50 / p95 / p99 and the ratio to the bare view;
4. always stops gunicorn and drops the database (finally).

Run alone: `.venv/bin/python -m bench.run workspace_pages`. Environment:
MOTCUA_BENCH_PG, MOTCUA_BENCH_CITY_DOSSIERS, MOTCUA_BENCH_WORKSPACE_REQUESTS (default 300).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlencode

from bench.api_submission import (
    PG_SERVER,
    PYTHON,
    ROOT,
    _admin_sql,
    _env,
    _free_port,
    _start_gunicorn,
    _stop,
)
from bench.city_dossiers import BENCH_OFFICER, BENCH_PASSWORD, city_dossiers_generate

DOSSIERS = int(os.environ.get("MOTCUA_BENCH_CITY_DOSSIERS", "1000000"))
REQUESTS = int(os.environ.get("MOTCUA_BENCH_WORKSPACE_REQUESTS", "300"))
BUCKETS = ("?bucket=today", "?bucket=soon", "?bucket=late", "?bucket=waiting")
TARGET = {"p95_ms_max": 50, "queries_max": 10}


def _open_codes(database_url: str, ward: int, limit: int) -> list[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT code FROM dossiers_dossier WHERE receiving_unit_id = %s"
            " AND status IN (2, 4, 5, 6, 8, 9) ORDER BY id LIMIT %s",
            [ward, limit],
        ).fetchall()
    return [row[0] for row in rows]


#: "My dossiers": the city's dossiers spread over this many citizen accounts (40,000 for a
#: million); the bench citizen holds every CITIZENS-th one: about 25, two pages of 20.
CITIZENS = max(2, min(40_000, DOSSIERS // 25))
BENCH_CITIZEN = "bench_citizen"


def _citizens() -> dict[str, Any]:
    """Citizen accounts for the generated dossiers (subprocess: needs Django): CITIZENS
    accounts, each dossier's applicant one of them by its id (one UPDATE), the bench citizen
    with a password."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from motcua.accounts.models import User

    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"bench_c{n:05d}", kind=User.Kind.CITIZEN, password=unusable)
            for n in range(1, CITIZENS)
        ],
        batch_size=5000,
    )
    citizen = User.objects.create_user(
        username=BENCH_CITIZEN, password=BENCH_PASSWORD, kind=User.Kind.CITIZEN
    )
    first = User.objects.filter(username="bench_c00001").values_list("pk", flat=True).get()
    with connection.cursor() as cursor:
        # applicant = the bench citizen for id % CITIZENS = 0, else bench_c<id % CITIZENS>
        cursor.execute(
            "UPDATE dossiers_dossier SET applicant_id = CASE WHEN id %% %s = 0 THEN %s"
            " ELSE %s + (id %% %s) - 1 END",
            [CITIZENS, citizen.pk, first, CITIZENS],
        )
        cursor.execute("ANALYZE dossiers_dossier")
    return {"dossiers": citizen.dossiers.count()}


def _count(payload: dict[str, Any]) -> dict[str, Any]:
    """In-process query counts (subprocess with the benchmark's settings)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from motcua.accounts.models import User

    officer = Client()
    officer.force_login(User.objects.get(username=BENCH_OFFICER))
    citizen = Client()
    citizen.force_login(User.objects.get(username=BENCH_CITIZEN))
    paths = {
        "queue": (officer, "/workspace/"),
        "dossier": (officer, f"/workspace/dossiers/{payload['codes'][0]}/"),
        "mine": (citizen, "/my/"),
    }
    counts: dict[str, Any] = {}
    for name, (client, path) in paths.items():
        # The production settings allow only the loopback host names (not "testserver").
        client.get(path, secure=True, HTTP_HOST="127.0.0.1")  # warm caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, secure=True, HTTP_HOST="127.0.0.1")
        counts[name] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "bytes": len(response.content),
            "sql": [q["sql"][:300] for q in captured.captured_queries],
        }
    return counts


def _sign_in(port: int, username: str = BENCH_OFFICER) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    body = page.read().decode()
    cookies = [c.split(";")[0] for c in page.headers.get_all("Set-Cookie") or []]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    form = urlencode(
        {"username": username, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token[1]}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(cookies),
            # Behind the (simulated) TLS proxy the CSRF check wants an https referer of the
            # same host.
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",
            "X-Forwarded-Proto": "https",
        },
    )
    answer = conn.getresponse()
    answer.read()
    session = [
        c.split(";")[0]
        for c in answer.headers.get_all("Set-Cookie") or []
        if c.startswith("sessionid=")
    ]
    if answer.status != 302 or not session:
        raise RuntimeError(f"sign-in failed: {answer.status}")
    conn.close()
    return "; ".join([*[c for c in cookies if not c.startswith("sessionid=")], *session])


def _drive(port: int, paths: list[str], cookie: str) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: list[float] = []
    errors = 0
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            errors += 1
    conn.close()
    times.sort()

    def pct(share: float) -> float:
        return round(times[min(len(times) - 1, int(len(times) * share))], 2)

    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "requests": len(times),
        "errors": errors,
    }


def run() -> list[dict[str, Any]]:
    database = f"motcua_bench_workspace_{os.getpid()}"
    url = f"{PG_SERVER}/{database}"
    env = _env(url)
    env["MOTCUA_STAFF_2FA_REQUIRED"] = "0"
    env["MOTCUA_TRUSTED_PROXIES"] = "127.0.0.1"
    server: subprocess.Popen[bytes] | None = None
    _admin_sql(f'CREATE DATABASE "{database}"')
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        started = time.perf_counter()
        city = city_dossiers_generate(database_url=url, env=env, dossiers=DOSSIERS)
        generated_s = round(time.perf_counter() - started, 1)
        codes = _open_codes(url, city["officer_ward"], REQUESTS)
        # The city's catalog size (2,100 generated procedures beside the demo's), as the
        # portal's "my dossiers" is measured with both (issue 9).
        catalog = subprocess.run(
            [PYTHON, "-m", "bench.portal_pages", "--seed"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        procedures = json.loads(catalog.stdout.strip().splitlines()[-1])["procedures"]
        seeded = subprocess.run(
            [PYTHON, "-m", "bench.workspace_pages", "--citizens"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        citizens = json.loads(seeded.stdout.strip().splitlines()[-1])
        done = subprocess.run(
            [PYTHON, "-m", "bench.workspace_pages", "--count"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            input=json.dumps({"codes": codes}),
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"counting the queries failed: {done.stderr[-3000:]}")
        counted = json.loads(done.stdout.strip().splitlines()[-1])
        port = _free_port()
        server = _start_gunicorn(env, port, 2, 2)
        cookie = _sign_in(port)
        queue_paths = [f"/workspace/{BUCKETS[i % len(BUCKETS)]}" for i in range(REQUESTS)]
        _drive(port, queue_paths[:20], cookie)  # warm-up
        queue = _drive(port, queue_paths, cookie)
        dossier = _drive(port, [f"/workspace/dossiers/{c}/" for c in codes], cookie)
        citizen_cookie = _sign_in(port, BENCH_CITIZEN)
        _drive(port, ["/my/"] * 20, citizen_cookie)  # warm-up
        mine = _drive(
            port, [("/my/", "/my/?page=2")[i % 2] for i in range(REQUESTS)], citizen_cookie
        )
        bare = _drive(port, ["/api/v1/health"] * REQUESTS, cookie)
    finally:
        _stop(server)
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    results = []
    for name, label, figures in (
        ("queue", "workspace work queue /workspace/", queue),
        ("dossier", "workspace dossier page /workspace/dossiers/<code>/", dossier),
        ("mine", "portal my dossiers /my/ (pages 1 and 2)", mine),
    ):
        queries = counted[name]["queries"]
        results.append(
            {
                "name": f"{label} (PostgreSQL, {city['counts']['dossiers']:,} dossiers)",
                "figures": {
                    **figures,
                    "queries": queries,
                    "page_bytes": counted[name]["bytes"],
                    "p50_to_bare": round(figures["p50_ms"] / bare["p50_ms"], 1)
                    if bare["p50_ms"]
                    else None,
                    **(
                        {"citizens": CITIZENS, "citizen": citizens, "procedures": procedures}
                        if name == "mine"
                        else {}
                    ),
                    "dossiers_in_ward": city["counts"]["in_officer_ward"],
                    "open_in_ward": city["counts"]["open_in_officer_ward"],
                    "generated_s": generated_s,
                    "server": "gthread -w 2 --threads 2, 1 client",
                },
                "target": dict(TARGET),
                "met": figures["p95_ms"] < TARGET["p95_ms_max"]
                and figures["errors"] == 0
                and queries <= TARGET["queries_max"],
                "sql": counted[name]["sql"],
            }
        )
    results.append(
        {
            "name": "workspace bare view GET /api/v1/health (same run)",
            "figures": bare,
            "target": {},
            "met": None,
        }
    )
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["--count"]:
        print(json.dumps(_count(json.loads(sys.stdin.read()))))
    elif sys.argv[1:] == ["--citizens"]:
        print(json.dumps(_citizens()))
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        print(json.dumps(run(), indent=2, ensure_ascii=False))
