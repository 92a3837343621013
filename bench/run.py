"""`make bench`: runs every benchmark, prints a table, writes bench-results.json.

Each benchmark module exposes `run() -> list[Result]`; a Result is a dict with
`name`, `figures` (numbers measured), `target` (what it must reach, in words and numbers)
and `met` (True / False / None when the figure is reported without a pass mark).
Benchmarks never run in CI; they are not tests.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

MODULES = [
    "bench.deadlines",
    "bench.catalog_import",
    "bench.api_submission",
    "bench.api_actions",
    "bench.signing",
    "bench.uploads",
    "bench.forms",
    "bench.procedure_search",
    "bench.workspace_pages",
    "bench.portal_pages",
    "bench.notifications",
    "bench.receipts",
]
ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    only = set(argv)
    results: list[dict[str, Any]] = []
    for name in MODULES:
        if only and name.split(".")[-1] not in only:
            continue
        module = importlib.import_module(name)
        print(f"… {name}", flush=True)
        started = time.perf_counter()
        try:
            entries = module.run()
        except Exception as exc:  # a broken benchmark is reported, the others still run
            entries = [
                {
                    "name": name,
                    "figures": {},
                    "target": {},
                    "met": False,
                    "error": f"{type(exc).__name__}: {exc}",
                }
            ]
        for entry in entries:
            entry.setdefault("seconds", round(time.perf_counter() - started, 2))
        results.extend(entries)
    payload = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "results": results,
    }
    (ROOT / "bench-results.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print()
    print(f"{'benchmark':<40} {'met':<5} figures / target")
    for entry in results:
        met = {True: "yes", False: "NO", None: "-"}[entry.get("met")]
        figures = ", ".join(f"{k}={v}" for k, v in entry.get("figures", {}).items())
        target = ", ".join(f"{k}={v}" for k, v in entry.get("target", {}).items())
        print(f"{entry['name']:<40} {met:<5} {figures}  [target: {target}]")
        if entry.get("error"):
            print(f"    error: {entry['error']}")
    print(f"\nwritten: {ROOT / 'bench-results.json'}")
    return 0 if all(e.get("met") is not False for e in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
