"""Benchmark: `POST /api/v1/dossiers` under gunicorn on PostgreSQL, 32 concurrent clients.

What it does (all on loopback, bounded in requests and time):
1. creates a fresh database `motcua_bench_<pid>` and migrates it;
2. seeds one ward, one published procedure and 32 citizens with API tokens (ORM and
   services, in a subprocess running with the production-like settings);
3. for each gunicorn configuration tried: starts gunicorn (DEBUG off, persistent database
   connections), sends REQUESTS submissions from 32 keep-alive clients (threads with
   http.client, one token and one fresh Idempotency-Key per request), then the same load on
   the bare `GET /api/v1/health` view, and stops gunicorn;
4. keeps the configuration with the best submission throughput;
5. always stops gunicorn and drops the database (finally).

Run alone: `.venv/bin/python -m bench.run api_submission`.
Environment: MOTCUA_BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432),
MOTCUA_BENCH_REQUESTS (default 3000), MOTCUA_BENCH_CONFIGS ("w4t2,w3t6" style list).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CLIENTS = 32
REQUESTS = int(os.environ.get("MOTCUA_BENCH_REQUESTS", "3000"))
WARMUP = 200
TIME_LIMIT_S = 120.0  # per measured run: a hung server cannot keep the benchmark going
PG_SERVER = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CONFIGS = os.environ.get("MOTCUA_BENCH_CONFIGS", "w6t1,w4t2,w6t2")
UNIT_CODE = "00070"
PROCEDURE_CODE = "1.000894"
TARGET = {"per_second": 300, "p99_ms_max": 200}


# --- database and server ------------------------------------------------------------------


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48)[:50],
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Production shape: Redis for the cache and as Celery's broker (a commit that creates
        # outbox deliveries hands off to the broker; no subscriber is registered yet, so the
        # dossier messages are stored unrouted and nothing is queued).
        REDIS_URL=os.environ.get("MOTCUA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        CELERY_BROKER_URL=os.environ.get("MOTCUA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # 32 citizens submit thousands of dossiers: far past the per-account hourly quota.
        MOTCUA_SUBMISSION_QUOTA="100000000",
    )
    return env


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _parse_config(spec: str) -> tuple[int, int]:
    workers, threads = spec.strip().lstrip("w").split("t")
    return int(workers), int(threads)


def _start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int
) -> subprocess.Popen[bytes]:
    command = [
        GUNICORN,
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            err = server.stderr.read().decode() if server.stderr else ""
            raise RuntimeError(f"gunicorn exited: {err[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    _stop(server)
    raise RuntimeError("gunicorn did not answer within 30 s")


def _stop(server: subprocess.Popen[bytes] | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # the group we started: master and its workers
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


# --- seeding (runs in a subprocess with the benchmark's settings) ---------------------------


def seed_reference_data(*, now: Any) -> tuple[Any, Any]:
    """The city, the ward `UNIT_CODE` and the published procedure `PROCEDURE_CODE` (one
    e-form field, one component) that the API benchmarks file under; returns (ward,
    version). Call after django.setup()."""
    import datetime as dt

    from motcua.catalog.models import Component, Field, Procedure, ProcedureVersion
    from motcua.organisation.models import Unit

    province = Unit.objects.create(
        code="01",
        name="UBND Thành phố Hà Nội",
        kind="province",
        level="province",
        province_code="01",
    )
    ward = Unit.objects.create(
        code=UNIT_CODE,
        name="Phường Ba Đình",
        kind="ward",
        level="commune",
        parent=province,
        province_code="01",
        division_code=UNIT_CODE,
    )
    field = Field.objects.create(code="HT", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code=PROCEDURE_CODE,
        name="Đăng ký khai sinh",
        field=field,
        level="commune",
        competent_unit_kinds=["ward", "commune"],
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.PUBLISHED,
        valid_from=dt.date(2025, 7, 1),
        online_level="full",
        time_unit="working_days",
        counter_time=3,
        published_at=now,
        eform={
            "fields": [{"name": "ten_tre", "label": "Họ tên trẻ", "type": "text", "required": True}]
        },
    )
    Component.objects.create(
        version=version,
        order=1,
        code="TK",
        name="Tờ khai đăng ký khai sinh",
        accepted_forms=["declaration_form"],
    )
    return ward, version


def _seed(clients: int) -> list[str]:
    """Unit, published procedure, citizens with tokens. Prints the raw keys as JSON."""

    import django

    django.setup()
    from motcua.accounts.models import User
    from motcua.accounts.services import api_token_create
    from motcua.core import clock

    now = clock.now()
    seed_reference_data(now=now)
    keys = []
    for n in range(clients):
        user = User.objects.create_user(
            username=f"bench{n}",
            password=None,
            kind=User.Kind.CITIZEN,
            full_name=f"Nguyễn Văn Bench {n}",
            personal_id=f"0010{n:08d}",
            phone=f"09{n:08d}",
            email=f"bench{n}@example.vn",
            address="Hà Nội",
        )
        _, raw = api_token_create(user=user, name="bench", now=now)
        keys.append(raw)
    return keys


# --- load ---------------------------------------------------------------------------------


def _drive(port: int, *, total: int, make_request: Any) -> dict[str, Any]:
    """`total` requests from CLIENTS keep-alive connections; latency per request."""
    latencies: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_client = [total // CLIENTS + (1 if i < total % CLIENTS else 0) for i in range(CLIENTS)]
    stop_at = time.monotonic() + TIME_LIMIT_S
    start_barrier = threading.Barrier(CLIENTS + 1)

    def client(index: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        seen: dict[int, int] = {}
        start_barrier.wait()
        for _ in range(per_client[index]):
            if time.monotonic() > stop_at:
                break
            method, path, body, headers, expected = make_request(index)
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
            if status != expected:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    done = len(latencies)
    return {
        "requests": done,
        "seconds": round(elapsed, 2),
        "per_second": round(done / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[min(done - 1, int(done * 0.99))], 1) if latencies else None,
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _submission(keys: list[str]) -> Any:
    def make(index: int) -> tuple[str, str, bytes, dict[str, str], int]:
        body = json.dumps(
            {
                "procedure": PROCEDURE_CODE,
                "receiving_unit": UNIT_CODE,
                "form_data": {"ten_tre": f"Nguyễn Bench {uuid.uuid4().hex[:8]}"},
            }
        ).encode()
        headers = {
            "Authorization": f"Bearer {keys[index % len(keys)]}",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return "POST", "/api/v1/dossiers", body, headers, 201

    return make


def _bare(index: int) -> tuple[str, str, bytes | None, dict[str, str], int]:
    return "GET", "/api/v1/health", None, {}, 200


def _count_dossiers(env: dict[str, str]) -> int:
    code = (
        "import django; django.setup(); from motcua.dossiers.models import Dossier; "
        "print(Dossier.objects.count())"
    )
    out = subprocess.run(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return int(out.stdout.strip().splitlines()[-1])


def run() -> list[dict[str, Any]]:
    database = f"motcua_bench_{os.getpid()}"
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
        seeded = subprocess.run(
            [PYTHON, "-m", "bench.api_submission", "--seed", str(CLIENTS)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        keys = json.loads(seeded.stdout.strip().splitlines()[-1])
        runs: list[dict[str, Any]] = []
        for spec in [s for s in CONFIGS.split(",") if s.strip()]:
            workers, threads = _parse_config(spec)
            port = _free_port()
            server = _start_gunicorn(env, port, workers, threads)
            try:
                _drive(port, total=WARMUP, make_request=_submission(keys))
                submit = _drive(port, total=REQUESTS, make_request=_submission(keys))
                _drive(port, total=WARMUP, make_request=_bare)
                bare = _drive(port, total=REQUESTS, make_request=_bare)
            finally:
                _stop(server)
                server = None
            runs.append(
                {
                    "config": f"gthread -w {workers} --threads {threads}",
                    "submit": submit,
                    "bare": bare,
                }
            )
        best = max(runs, key=lambda r: r["submit"]["per_second"])
        submit, bare = best["submit"], best["bare"]
        stored = _count_dossiers(env)
        expected = len(runs) * (REQUESTS + WARMUP)
        ratio = round(submit["per_second"] / bare["per_second"], 3) if bare["per_second"] else None
        figures = {
            "per_second": submit["per_second"],
            "p50_ms": submit["p50_ms"],
            "p99_ms": submit["p99_ms"],
            "errors": submit["errors"],
            "requests": submit["requests"],
            "server": best["config"],
            "ratio_to_bare": ratio,
            "dossiers_stored": stored,
            "dossiers_expected": expected,
            "tried": {r["config"]: r["submit"]["per_second"] for r in runs},
        }
        met = (
            submit["per_second"] >= TARGET["per_second"]
            and submit["p99_ms"] is not None
            and submit["p99_ms"] <= TARGET["p99_ms_max"]
            and submit["errors"] == 0
            and stored == expected
        )
        return [
            {
                "name": "api dossier submission (PostgreSQL, gunicorn, 32 clients)",
                "figures": figures,
                "target": dict(TARGET),
                "met": met,
            },
            {
                "name": "api bare view GET /api/v1/health (gunicorn, 32 clients)",
                "figures": {
                    "per_second": bare["per_second"],
                    "p50_ms": bare["p50_ms"],
                    "p99_ms": bare["p99_ms"],
                    "errors": bare["errors"],
                    "requests": bare["requests"],
                    "server": best["config"],
                },
                "target": {},
                "met": None,
            },
        ]
    finally:
        _stop(server)
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        print(json.dumps(_seed(int(sys.argv[2]))))
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        print(json.dumps(run(), indent=2, ensure_ascii=False))
