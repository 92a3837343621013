"""pyHanko's synchronous calls run their own event loop (`asyncio.run`), which Python refuses
in a thread that already runs one (an ASGI server; Playwright's synchronous API in a test
process). `outside_event_loop` calls them directly when the thread has no running loop, and
in a worker thread otherwise.

`run_coroutine` runs one of pyHanko's coroutines (the signer's `async_sign_pdf`) to the end on
an event loop kept for the thread, instead of the new loop `asyncio.run` creates and closes
for every signature (about a millisecond each, a tenth of a receipt's signature); in a thread
that already runs a loop, in a worker thread with a loop of its own, as above.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()


def outside_event_loop(call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(call, *args, **kwargs).result()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)` on the thread's own reused loop (see the module)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _thread_loop().run_until_complete(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(lambda: _thread_loop().run_until_complete(coroutine)).result()
