"""Benchmark: finding a procedure (`procedure_search`, `GET /api/v1/procedures?q=`) in a
catalog of 2,100 synthetic procedures plus the demo catalog, on PostgreSQL.

What it does (loopback only, bounded):
1. creates a fresh database `motcua_bench_search_<pid>` and migrates it (the unaccent and
   pg_trgm extensions, the GIN indexes);
2. seeds (subprocess, production-like settings of `bench.api_submission`) Hanoi's department
   units, `generate_catalog --count 2100` and the demo catalog through `catalog_import`, and
   random use counts (`procedure_use_counts_set`, a long tail: most procedures rarely used);
3. times the selector in process: QUERIES (typed words, prefixes, typos, a code, a filter,
   nonsense) ROUNDS times each, p50 / p95, and the SQL queries of one call;
4. starts gunicorn (MOTCUA_BENCH_SEARCH_SERVER, default w2t2) and sends REQUESTS searches one
   at a time (CLIENTS=1: what a request costs, not how long it queued), cycling through
   QUERIES, each from another client address (X-Forwarded-For behind a trusted proxy, so the
   per-address look-up limit counts as in production without refusing the benchmark), then
   as many `GET /api/v1/health` (the bare view) under the same conditions; p50 / p95 / p99 and
   the ratio to the bare view;
5. always stops gunicorn and drops the database.

Run alone: `.venv/bin/python -m bench.run procedure_search`. Environment: MOTCUA_BENCH_PG,
MOTCUA_BENCH_REDIS_URL (see `bench.api_submission`), MOTCUA_BENCH_SEARCH_REQUESTS (default
600), MOTCUA_BENCH_SEARCH_SERVER.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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
)

COUNT = 2100
REQUESTS = int(os.environ.get("MOTCUA_BENCH_SEARCH_REQUESTS", "600"))
SERVER = os.environ.get("MOTCUA_BENCH_SEARCH_SERVER", "w2t2")
ROUNDS = 20
WARMUP = 40
TIME_LIMIT_S = 180.0
TARGET = {"p95_ms_max": 50}
QUERIES: tuple[dict[str, str], ...] = (
    {"q": "khai sinh"},
    {"q": "dang ky khai sinh"},
    {"q": "khai sjnh"},
    {"q": "Đăng ký kết hôn"},
    {"q": "giay phep"},
    {"q": "cap lai giay phep hoat dong"},
    {"q": "chung chi hanh nghe"},
    {"q": "giay phpe kinh doanh"},  # a typo
    {"q": "gia han the hanh nghe"},
    {"q": "xac nhan"},
    {"q": "dang k"},  # still typing
    {"q": "thanh lap doanh nghiep"},
    {"q": "1.001022"},
    {"q": "giay phep", "field": "SYN.LV04"},
    {"q": "xyzzy qwfp"},  # nothing, with suggestions looked for
    {"life_event": "birth"},
)


def _seed() -> dict[str, Any]:
    import random

    import django

    django.setup()
    from motcua.catalog.generator import DEPARTMENTS, generate_catalog
    from motcua.catalog.models import Procedure
    from motcua.catalog.services import (
        catalog_import,
        catalog_load_demo,
        procedure_use_counts_set,
    )
    from motcua.core import clock
    from motcua.organisation.models import Unit

    now = clock.now()
    province = Unit.objects.create(
        code="01",
        name="UBND Thành phố Hà Nội",
        kind=Unit.Kind.PROVINCE,
        level=Unit.Level.PROVINCE,
        province_code="01",
    )
    for code in (*DEPARTMENTS, "01.TTHCC"):
        Unit.objects.create(
            code=code,
            name=f"Sở {code}",
            kind=Unit.Kind.DEPARTMENT,
            level=Unit.Level.PROVINCE,
            parent=province,
            province_code="01",
        )
    began = time.perf_counter()
    catalog_import(document=generate_catalog(count=COUNT), now=now)
    catalog_load_demo(now=now)
    imported_s = time.perf_counter() - began
    rng = random.Random(7)
    ids = list(Procedure.objects.values_list("pk", flat=True))
    counts = {pk: min(int(rng.paretovariate(1.2)) - 1, 50_000) for pk in ids}
    procedure_use_counts_set(counts=counts, now=now)
    return {"procedures": len(ids), "import_s": round(imported_s, 1)}


def _selector() -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.catalog.selectors import procedure_search

    def call(params: dict[str, str]) -> Any:
        return procedure_search(
            q=params.get("q"), field=params.get("field"), life_event=params.get("life_event")
        )

    for params in QUERIES:  # warm the connection and the plans
        call(params)
    timings: list[float] = []
    per_query: dict[str, float] = {}
    firsts: dict[str, Any] = {}
    for params in QUERIES:
        mine = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            page = call(params)
            mine.append((time.perf_counter() - began) * 1000)
        timings += mine
        label = urlencode(params)
        per_query[label] = round(statistics.median(mine), 1)
        firsts[label] = {
            "total": page.total,
            "first": page.items[0].name if page.items else None,
            "suggestions": page.suggestions[:1],
        }
    with CaptureQueriesContext(connection) as queries:
        call({"q": "dang ky khai sinh"})
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": _percentile(timings, 0.95),
        "queries": len(queries.captured_queries),
        "per_query_p50_ms": per_query,
        "results": firsts,
    }


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(len(values) * share))], 1)


def _drive(port: int, paths: list[str]) -> dict[str, Any]:
    """Each path once, one request at a time on a keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop_at = time.monotonic() + TIME_LIMIT_S
    for index, path in enumerate(paths):
        if time.monotonic() > stop_at:
            break
        headers = {
            "X-Forwarded-For": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
        }
        began = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        latencies.append((time.perf_counter() - began) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    latencies.sort()
    return {
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _subprocess(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [PYTHON, "-m", "bench.procedure_search", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sqlite_selector() -> dict[str, Any]:
    """The selector on SQLite (the embedded database: FTS5 candidates, scored in Python),
    same catalog, in process only."""
    path = Path(tempfile.gettempdir()) / f"motcua_bench_search_{os.getpid()}.sqlite3"
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=f"sqlite:///{path}")
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        seeded = _subprocess(env, "--seed")
        return {**_subprocess(env, "--selector"), "procedures": seeded["procedures"]}
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def run() -> list[dict[str, Any]]:
    database = f"motcua_bench_search_{os.getpid()}"
    env = _env(f"{PG_SERVER}/{database}")
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
        seeded = _subprocess(env, "--seed")
        selector = _subprocess(env, "--selector")
        paths = [
            f"/api/v1/procedures?{urlencode(QUERIES[i % len(QUERIES)])}" for i in range(REQUESTS)
        ]
        workers, threads = _parse_config(SERVER)
        port = _free_port()
        load_before = [round(x, 2) for x in os.getloadavg()]
        server = _start_gunicorn(env, port, workers, threads)
        try:
            _drive(port, paths[:WARMUP])
            api = _drive(port, paths)
            bare = _drive(port, ["/api/v1/health"] * REQUESTS)
        finally:
            _stop(server)
            server = None
        load_after = [round(x, 2) for x in os.getloadavg()]
    finally:
        _stop(server)
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    sqlite = _sqlite_selector()
    config = f"gthread -w {workers} --threads {threads}, 1 client"
    ratio = round(api["p50_ms"] / bare["p50_ms"], 1) if api["p50_ms"] and bare["p50_ms"] else None
    return [
        {
            "name": "procedure_search selector (PostgreSQL)",
            "figures": {
                "p50_ms": selector["p50_ms"],
                "p95_ms": selector["p95_ms"],
                "queries": selector["queries"],
                "procedures": seeded["procedures"],
                "import_s": seeded["import_s"],
            },
            "target": dict(TARGET),
            "met": selector["p95_ms"] is not None and selector["p95_ms"] < TARGET["p95_ms_max"],
            "per_query_p50_ms": selector["per_query_p50_ms"],
            "results": selector["results"],
        },
        {
            "name": "procedure_search selector (SQLite FTS5)",
            "figures": {
                "p50_ms": sqlite["p50_ms"],
                "p95_ms": sqlite["p95_ms"],
                "queries": sqlite["queries"],
                "procedures": sqlite["procedures"],
            },
            "target": {},
            "met": None,
            "per_query_p50_ms": sqlite["per_query_p50_ms"],
            "results": sqlite["results"],
        },
        {
            "name": "api GET /api/v1/procedures?q= (PostgreSQL, gunicorn)",
            "figures": {
                "p50_ms": api["p50_ms"],
                "p95_ms": api["p95_ms"],
                "p99_ms": api["p99_ms"],
                "p50_to_bare": ratio,
                "p95_to_bare": (
                    round(api["p95_ms"] / bare["p95_ms"], 1)
                    if api["p95_ms"] and bare["p95_ms"]
                    else None
                ),
                "requests": api["requests"],
                "errors": api["errors"],
                "server": config,
            },
            "target": dict(TARGET),
            "met": api["p95_ms"] is not None
            and api["p95_ms"] < TARGET["p95_ms_max"]
            and api["errors"] == 0,
        },
        {
            "name": "api bare view GET /api/v1/health (search run)",
            "figures": {
                "p50_ms": bare["p50_ms"],
                "p95_ms": bare["p95_ms"],
                "p99_ms": bare["p99_ms"],
                "requests": bare["requests"],
                "errors": bare["errors"],
                "server": config,
                "loadavg_before": load_before,
                "loadavg_after": load_after,
            },
            "target": {},
            "met": None,
        },
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--seed"]:
        print(json.dumps(_seed()))
    elif sys.argv[1:] == ["--selector"]:
        print(json.dumps(_selector(), ensure_ascii=False))
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        print(json.dumps(run(), indent=2, ensure_ascii=False))
