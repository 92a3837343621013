"""pyHanko's synchronous calls run their own event loop (`asyncio.run`), which Python refuses
in a thread that already runs one (an ASGI server; Playwright's synchronous API in a test
process). `outside_event_loop` calls them directly when the thread has no running loop, and
in a worker thread otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def outside_event_loop(call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(call, *args, **kwargs).result()
