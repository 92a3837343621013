"""Benchmark: lifecycle actions through the API on PostgreSQL — `receive`, `forward` and
`issue_result` (`POST /api/v1/dossiers/{code}/actions/{action}`): latency over HTTP against
gunicorn and SQL queries per request in-process.

What it does (all on loopback, bounded in requests and time):
1. creates a fresh database `motcua_bench_actions_<pid>` and migrates it;
2. seeds (in a subprocess with the production-like settings of `bench.api_submission`) one
   ward under a province, a published procedure of the demo's shape (reception at the
   one-stop, appraisal by a specialist, approval by a leader, return at the one-stop), its
   officer, specialist and leader with API tokens, and DOSSIERS + COUNTED online dossiers
   submitted by a citizen (status 1);
3. counts the queries in-process (`django.test.Client` under `CaptureQueriesContext`, same
   settings, same database) on COUNTED dossiers: receive, forward (specialist -> leader),
   issue_result, and the bare `GET /api/v1/health`; the figures are those of the last
   dossier (warm caches: tokens, units, catalog), the first one's are reported as `cold`;
   every other dossier is timed in-process instead (no capture; `in_process_p50_ms`);
4. starts gunicorn and measures each action on its own DOSSIERS dossiers — all receives,
   then all forwards, then all results, each request a different dossier with the version
   it is known to have — from CLIENTS keep-alive clients, then the bare view under the same
   load; p50 / p95 / p99 and the ratios to the bare view;
5. always stops gunicorn and drops the database (finally).

The latency is measured with CLIENTS=1 by default: one request at a time, so the figure is
what a request costs, not how long it queued behind the others on a shared machine
(throughput is what `bench.api_submission` measures). Run alone:
`.venv/bin/python -m bench.run api_actions`. Environment: MOTCUA_BENCH_PG,
MOTCUA_BENCH_REDIS_URL (see `bench.api_submission`), MOTCUA_BENCH_ACTION_DOSSIERS (default
300), MOTCUA_BENCH_ACTION_CLIENTS (default 1), MOTCUA_BENCH_ACTION_SERVER (default "w2t2").
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from bench.api_submission import (
    PG_SERVER,
    PYTHON,
    ROOT,
    _admin_sql,
    _env,
    _free_port,
    _parse_config,
    _start_gunicorn,
    _stop,
    seed_reference_data,
)

DOSSIERS = int(os.environ.get("MOTCUA_BENCH_ACTION_DOSSIERS", "300"))
CLIENTS = int(os.environ.get("MOTCUA_BENCH_ACTION_CLIENTS", "1"))
SERVER = os.environ.get("MOTCUA_BENCH_ACTION_SERVER", "w2t2")
WARMUP = 20  # dossiers walked through the three actions before measuring
COUNTED = 12
TIME_LIMIT_S = 180.0  # per measured phase
UNIT_CODE = "00070"
PROCEDURE_CODE = "1.000894"
ACTIONS = ("receive", "forward", "issue_result")
TARGET = {"p95_ms_max": 50, "queries_max": 15}


# --- seeding (subprocess) ------------------------------------------------------------------


def _seed(dossiers: int) -> dict[str, Any]:
    from decimal import Decimal

    import django

    django.setup()
    from motcua.accounts.models import User
    from motcua.accounts.services import api_token_create
    from motcua.catalog.models import ProcessStep
    from motcua.core import clock
    from motcua.dossiers.services import dossier_submit
    from motcua.organisation.models import Role
    from motcua.organisation.services import role_assign

    now = clock.now()
    ward, version = seed_reference_data(now=now)
    steps = [
        ("Tiếp nhận, kiểm tra hồ sơ tại Bộ phận Một cửa", Role.OFFICER, "receiving", 4),
        ("Công chức chuyên môn thẩm định", Role.SPECIALIST, "competent", 12),
        ("Chủ tịch/Phó Chủ tịch UBND ký", Role.LEADER, "competent", 4),
        ("Trả kết quả", Role.OFFICER, "receiving", 0),
    ]
    for order, (name, role, scope, hours) in enumerate(steps, start=1):
        ProcessStep.objects.create(
            version=version,
            order=order,
            name=name,
            role=role,
            unit_scope=scope,
            allotment_hours=Decimal(hours),
        )
    keys: dict[str, str] = {}
    ids: dict[str, int] = {}
    for name, role in (
        ("officer", Role.OFFICER),
        ("specialist", Role.SPECIALIST),
        ("leader", Role.LEADER),
    ):
        user = User.objects.create_user(
            username=f"bench_{name}", password=None, kind=User.Kind.STAFF, full_name=name
        )
        role_assign(user=user, unit=ward, role=role, now=now)
        keys[name] = api_token_create(user=user, name="bench", now=now)[1]
        ids[name] = user.pk
    citizen = User.objects.create_user(
        username="bench_citizen",
        password=None,
        kind=User.Kind.CITIZEN,
        full_name="Nguyễn Văn Bench",
        personal_id="001090000001",
    )
    codes = [
        dossier_submit(
            applicant=citizen,
            procedure_version=version,
            receiving_unit=ward,
            form_data={"ten_tre": f"Nguyễn Bench {n}"},
            now=now,
        ).code
        for n in range(dossiers)
    ]
    return {"keys": keys, "ids": ids, "codes": codes}


# --- the actions ---------------------------------------------------------------------------


def _steps(seed: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], int]]:
    """action -> (who takes it, extra body, the version the dossier has before it)."""
    return {
        "receive": ("officer", {}, 1),
        "forward": ("specialist", {"to_user": seed["ids"]["leader"]}, 2),
        "issue_result": ("leader", {"outcome": "granted"}, 3),
    }


def _request(
    seed: dict[str, Any], action: str, code: str
) -> tuple[str, str, bytes, dict[str, str]]:
    who, extra, version = _steps(seed)[action]
    body = json.dumps({"expected_version": version, **extra}).encode()
    headers = {
        "Authorization": f"Bearer {seed['keys'][who]}",
        "Content-Type": "application/json",
    }
    return "POST", f"/api/v1/dossiers/{code}/actions/{action}", body, headers


# --- query counts (subprocess, in-process client) --------------------------------------------


def _count(seed: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    runs: list[dict[str, Any]] = []
    timings: dict[str, list[float]] = {name: [] for name in (*ACTIONS, "bare")}
    for index, code in enumerate(seed["codes"]):
        run: dict[str, Any] = {}
        for action in ACTIONS:
            _, path, body, headers = _request(seed, action, code)
            extra = {"HTTP_AUTHORIZATION": headers["Authorization"]}
            if index % 2:  # every other dossier: time it, without the query capture
                began = time.perf_counter()
                response = client.post(path, body, content_type="application/json", **extra)
                timings[action].append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (action, response.content)
                continue
            with CaptureQueriesContext(connection) as queries:
                response = client.post(path, body, content_type="application/json", **extra)
            assert response.status_code == 200, (action, response.content)
            run[action] = [q["sql"] for q in queries.captured_queries]
        if index % 2:
            began = time.perf_counter()
            client.get("/api/v1/health")
            timings["bare"].append((time.perf_counter() - began) * 1000)
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/health")
        assert response.status_code == 200
        run["bare"] = [q["sql"] for q in queries.captured_queries]
        runs.append(run)
    warm, cold = runs[-1], runs[0]
    return {
        "queries": {name: len(sql) for name, sql in warm.items()},
        "cold": {name: len(sql) for name, sql in cold.items()},
        "in_process_p50_ms": {
            name: round(statistics.median(values[1:]), 1) for name, values in timings.items()
        },
        "sql": {name: [s[:160] for s in sql] for name, sql in warm.items()},
    }


# --- latency over HTTP -----------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(len(values) * share))], 1)


def _drive(
    port: int, requests: list[tuple[str, str, bytes | None, dict[str, str]]], expected: int
) -> dict[str, Any]:
    """Send `requests` (each once) from CLIENTS keep-alive connections."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    pending = list(reversed(requests))
    stop_at = time.monotonic() + TIME_LIMIT_S

    def take() -> tuple[str, str, bytes | None, dict[str, str]] | None:
        with lock:
            return pending.pop() if pending else None

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        while time.monotonic() < stop_at:
            item = take()
            if item is None:
                break
            method, path, body, headers = item
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            mine.append((time.perf_counter() - began) * 1000)
            seen[status] = seen.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "errors": sum(count for status, count in statuses.items() if status != expected),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _walk(
    port: int, seed: dict[str, Any], codes: list[str], after: Callable[[str], None] | None = None
) -> dict[str, dict[str, Any]]:
    measured = {}
    for action in ACTIONS:
        measured[action] = _drive(port, [_request(seed, action, c) for c in codes], expected=200)
        if after is not None:
            after(action)
    return measured


def _subprocess(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    done = subprocess.run(
        [PYTHON, "-m", "bench.api_actions", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def run() -> list[dict[str, Any]]:
    database = f"motcua_bench_actions_{os.getpid()}"
    env = _env(f"{PG_SERVER}/{database}")
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
        seed = _subprocess(env, "--seed", str(WARMUP + DOSSIERS + COUNTED))
        codes = seed["codes"]
        warmup, measured_codes = codes[:WARMUP], codes[WARMUP : WARMUP + DOSSIERS]
        counted = _subprocess(
            env, "--count", stdin=json.dumps({**seed, "codes": codes[WARMUP + DOSSIERS :]})
        )
        workers, threads = _parse_config(SERVER)
        port = _free_port()
        load_before = _loadavg()
        server = _start_gunicorn(env, port, workers, threads)
        try:
            _walk(port, seed, warmup)
            latency = _walk(port, seed, measured_codes)
            bare = _drive(port, [("GET", "/api/v1/health", None, {})] * DOSSIERS, expected=200)
        finally:
            _stop(server)
            server = None
        load_after = _loadavg()
    finally:
        _stop(server)
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    config = f"gthread -w {workers} --threads {threads}, {CLIENTS} client(s)"
    results = []
    for action in ACTIONS:
        figures = latency[action]
        queries = counted["queries"][action]
        ratio = (
            round(figures["p50_ms"] / bare["p50_ms"], 1)
            if figures["p50_ms"] and bare["p50_ms"]
            else None
        )
        met = (
            figures["p95_ms"] is not None
            and figures["p95_ms"] < TARGET["p95_ms_max"]
            and figures["errors"] == 0
            and queries <= TARGET["queries_max"]
        )
        results.append(
            {
                "name": f"api action {action} (PostgreSQL, gunicorn)",
                "figures": {
                    "p50_ms": figures["p50_ms"],
                    "p95_ms": figures["p95_ms"],
                    "p99_ms": figures["p99_ms"],
                    "queries": queries,
                    "queries_cold": counted["cold"][action],
                    "in_process_p50_ms": counted["in_process_p50_ms"][action],
                    "p50_to_bare": ratio,
                    "requests": figures["requests"],
                    "errors": figures["errors"],
                    "server": config,
                },
                "target": dict(TARGET),
                "met": met,
                "sql": counted["sql"][action],
            }
        )
    results.append(
        {
            "name": "api bare view GET /api/v1/health (same run)",
            "figures": {
                "p50_ms": bare["p50_ms"],
                "p95_ms": bare["p95_ms"],
                "p99_ms": bare["p99_ms"],
                "queries": counted["queries"]["bare"],
                "in_process_p50_ms": counted["in_process_p50_ms"]["bare"],
                "requests": bare["requests"],
                "errors": bare["errors"],
                "server": config,
                "loadavg_before": load_before,
                "loadavg_after": load_after,
            },
            "target": {},
            "met": None,
        }
    )
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        print(json.dumps(_seed(int(sys.argv[2]))))
    elif len(sys.argv) == 2 and sys.argv[1] == "--count":
        print(json.dumps(_count(json.loads(sys.stdin.read()))))
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        print(json.dumps(run(), indent=2, ensure_ascii=False))
