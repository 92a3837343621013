"""Benchmark: the memory a 10 MB upload costs the server that receives it.

A file is streamed, never read whole into memory (docs/adr/0013-stored-files.md): Django's
upload handlers spool a large multipart part to a temporary file, `file_check` hashes and
sniffs it chunk by chunk and the storage copies it in chunks. This measures that promise from
outside, on the production shape:

1. creates a fresh PostgreSQL database `motcua_bench_uploads_<pid>` and migrates it;
2. seeds (subprocess, `bench.api_actions`' seeding) a ward, a procedure, its officer with an
   API token and a few online dossiers;
3. starts gunicorn with ONE sync worker (so one process receives every request) and, after
   warming it up (bare `GET /api/v1/health`, then a small PDF upload through the same route),
   reads the worker's peak resident memory (`VmHWM` in /proc) as the baseline;
4. uploads a 10 MB PDF (incompressible image data, 9.9 MiB) to
   `POST /api/v1/dossiers/{code}/files`, sent in 64 KiB chunks, and reads `VmHWM` again;
   the figure is the growth of the peak, target under 50 MB;
5. always stops gunicorn, drops the database and removes the stored files (finally).

Run alone: `.venv/bin/python -m bench.run uploads`.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import secrets
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.api_submission import GUNICORN, PG_SERVER, PYTHON, ROOT, _admin_sql, _env, _free_port
from bench.api_submission import _stop as _stop_server

TARGET_MB = 50
FILE_BYTES = int(9.9 * 1024 * 1024)
CHUNK = 64 * 1024


def _big_pdf(size: int) -> bytes:
    """A valid one-page PDF of about `size` bytes: a noise PNG placed by img2pdf (a PNG is
    embedded as is, so the file is as large as the image)."""
    import img2pdf
    from PIL import Image

    side = int((size / 3) ** 0.5)
    while True:
        image = Image.frombytes("RGB", (side, side), secrets.token_bytes(side * side * 3))
        png = io.BytesIO()
        image.save(png, format="PNG", compress_level=0)
        pdf = img2pdf.convert(png.getvalue())
        if len(pdf) <= size:
            return pdf
        side -= 16


def _multipart(pdf: bytes, component: str) -> tuple[str, int, Iterator[bytes]]:
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="component"\r\n\r\n'
        f"{component}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        for start in range(0, len(pdf), CHUNK):
            yield pdf[start : start + CHUNK]
        yield tail

    return f"multipart/form-data; boundary={boundary}", len(head) + len(pdf) + len(tail), chunks()


def _upload(port: int, key: str, code: str, pdf: bytes, component: str) -> tuple[int, float]:
    content_type, length, body = _multipart(pdf, component)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.putrequest("POST", f"/api/v1/dossiers/{code}/files")
    conn.putheader("Authorization", f"Bearer {key}")
    conn.putheader("Content-Type", content_type)
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    for chunk in body:
        conn.send(chunk)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, (time.perf_counter() - started) * 1000


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def _worker_pid(master: int) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _start_sync_worker(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            GUNICORN,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
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
            if _get(port, "/api/v1/health") == 200:
                return server
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise RuntimeError("gunicorn did not answer within 30 s")


def _component(env: dict[str, str]) -> str:
    done = subprocess.run(
        [PYTHON, "-c", _COMPONENT_SCRIPT],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


# The component the seeded procedure asks for, with the default limits (10 MB; PDF, JPEG,
# PNG), whatever the seed chose.
_COMPONENT_SCRIPT = """
import django
django.setup()
from motcua.catalog.models import COMPONENT_MAX_BYTES_DEFAULT, Component, COMPONENT_FILE_TYPES
component = Component.objects.order_by("id").first()
Component.objects.filter(pk=component.pk).update(
    max_bytes=COMPONENT_MAX_BYTES_DEFAULT, allowed_types=list(COMPONENT_FILE_TYPES)
)
print(component.code)
"""


def run() -> list[dict[str, Any]]:
    database = f"motcua_bench_uploads_{os.getpid()}"
    env = _env(f"{PG_SERVER}/{database}")
    documents = tempfile.mkdtemp(prefix="motcua-bench-documents-")
    env["MOTCUA_DOCUMENTS_ROOT"] = documents
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
            [PYTHON, "-m", "bench.api_actions", "--seed", "3"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        component = _component(env)
        key, codes = seed["keys"]["officer"], seed["codes"]
        from motcua.documents.signing.samples import sample_pdf

        small, big = sample_pdf("warm-up"), _big_pdf(FILE_BYTES)
        port = _free_port()
        server = _start_sync_worker(env, port)
        worker = _worker_pid(server.pid)
        for _ in range(50):
            _get(port, "/api/v1/health")
        warm_status, warm_ms = _upload(port, key, codes[0], small, component)
        baseline = _peak_kib(worker)
        status, upload_ms = _upload(port, key, codes[1], big, component)
        after = _peak_kib(worker)
        bare_ms = []
        for _ in range(20):
            started = time.perf_counter()
            _get(port, "/api/v1/health")
            bare_ms.append((time.perf_counter() - started) * 1000)
    finally:
        _stop_server(server)
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", documents], check=False)
    growth_mb = round((after - baseline) / 1024, 1)
    return [
        {
            "name": "10 MB upload: server peak memory above its baseline",
            "figures": {
                "file_bytes": len(big),
                "peak_growth_mb": growth_mb,
                "baseline_peak_mb": round(baseline / 1024, 1),
                "peak_after_mb": round(after / 1024, 1),
                "upload_ms": round(upload_ms, 1),
                "status": status,
                "warm_up_status": warm_status,
                "warm_up_ms": round(warm_ms, 1),
                "bare_view_ms_median": round(sorted(bare_ms)[len(bare_ms) // 2], 2),
                "server": "gunicorn, 1 sync worker, PostgreSQL, local file storage",
            },
            "target": {"peak_growth_mb_max": TARGET_MB},
            "met": status == 201 and warm_status == 201 and growth_mb < TARGET_MB,
        }
    ]
