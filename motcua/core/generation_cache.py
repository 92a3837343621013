"""Per-process caches of reference data, invalidated across processes by a generation counter.

A `GenerationCache` keeps loaded values in a dict of this process. It is valid while its
*generation* is unchanged: a local counter (bumped in this process) plus a counter in the
shared Django cache (Redis in production, so every worker sees a bump at its next read; with
the local-memory cache of development and tests, the process itself). Every read costs one
round trip to the shared cache (`get_many`, whatever the number of dependencies), never a
database query.

Writers call `invalidate_on_write()` (the services and the admin that change the data, no
signals): it bumps now *and* again after the transaction commits, so a reader that reloaded
the old rows between the first bump and the commit is thrown away by the second.

A cache may depend on others (`depends_on`): a bump of any of them empties it too (the
catalog cache holds units, through the procedure's competent unit).

When the shared cache is down (`motcua.core.shared_cache`) the caches cannot know whether
another process wrote: they stop caching and every read loads from the database (correct,
slower), and a bump that could not be sent is kept and sent at the first read that reaches
the shared cache again. Every value cached before the outage is dropped once it ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from django.db import transaction

from .shared_cache import shared_cache_on_failure, shared_call

T = TypeVar("T")

_SHARED_PREFIX = "motcua.generation."

# Bumps that could not reach the shared cache, sent at the next read that reaches it.
_pending: set[Generation] = set()
_pending_lock = threading.Lock()
# Moves whenever the shared cache is found down: values cached before are dropped after it.
_outages = [0]


def _outage_seen() -> None:
    _outages[0] += 1


shared_cache_on_failure(_outage_seen)


def _shared_incr(cache: Any, key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): any new value differs from "absent"
        cache.set(key, 1, None)


class Generation:
    """A named invalidation counter: local to the process + shared through the Django cache."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shared_key = _SHARED_PREFIX + name
        self._lock = threading.Lock()
        self.local = 0

    def bump(self) -> None:
        with self._lock:
            self.local += 1

        def pend() -> None:
            with _pending_lock:
                _pending.add(self)

        shared_call(lambda cache: _shared_incr(cache, self.shared_key), pend)

    def bump_on_write(self) -> None:
        """Bump now and once more when the current transaction commits (or now only, outside
        a transaction)."""
        self.bump()
        transaction.on_commit(self.bump)


def generations_read(generations: Sequence[Generation]) -> tuple[int, ...] | None:
    """The current value of several generations, in one round trip to the shared cache; None
    when the shared cache cannot be read (nothing may be cached then)."""

    def read(cache: Any) -> dict[str, Any]:
        if _pending:
            with _pending_lock:
                pending = list(_pending)
            for generation in pending:
                _shared_incr(cache, generation.shared_key)
            with _pending_lock:
                _pending.difference_update(pending)
        return dict(cache.get_many([g.shared_key for g in generations]))

    shared = shared_call(read, lambda: None)
    if shared is None:
        return None
    values: list[int] = [_outages[0]]
    for g in generations:
        values.append(g.local)
        values.append(int(shared.get(g.shared_key, 0)))
    return tuple(values)


class GenerationCache(Generic[T]):
    """key -> value, loaded on a miss, emptied when a generation it depends on moves.

    Values must not be mutated by callers (hand out copies when in doubt). `None` results of
    the loader are not kept (an unknown key must not fill the cache). At most `max_entries`
    values are kept; past that the cache starts again empty."""

    def __init__(
        self,
        generation: Generation,
        *,
        depends_on: Sequence[Generation] = (),
        max_entries: int = 2048,
    ) -> None:
        self.generation = generation
        self._generations = (generation, *depends_on)
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._values: dict[Hashable, T] = {}
        self._seen: tuple[int, ...] | None = None

    def get(self, key: Hashable, load: Callable[[], T | None]) -> T | None:
        seen = generations_read(self._generations)
        if seen is None:  # the shared cache is down: no way to know what others wrote
            return load()
        with self._lock:
            if seen != self._seen:
                self._values.clear()
                self._seen = seen
            value = self._values.get(key)
        if value is not None:
            return value
        value = load()
        if value is not None:
            with self._lock:
                # Not if a write happened meanwhile: the value may be from before it.
                if seen == self._seen:
                    if len(self._values) >= self._max_entries:
                        self._values.clear()
                    self._values[key] = value
        return value

    def invalidate_on_write(self) -> None:
        self.generation.bump_on_write()

    def clear(self) -> None:
        """Forget this process's values (tests call it between cases)."""
        with self._lock:
            self._values.clear()
            self._seen = None


class InvalidatingAdminMixin:
    """For a ModelAdmin whose saves and deletes bypass the services: runs
    `invalidate_cache()` (a `*_cache_invalidate` function, bumping now and at commit) on every
    save and delete, one by one or in bulk."""

    def invalidate_cache(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self.invalidate_cache()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        self.invalidate_cache()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        self.invalidate_cache()
