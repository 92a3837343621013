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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from django.db import transaction

T = TypeVar("T")

_SHARED_PREFIX = "motcua.generation."


class Generation:
    """A named invalidation counter: local to the process + shared through the Django cache."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shared_key = _SHARED_PREFIX + name
        self._lock = threading.Lock()
        self.local = 0

    def bump(self) -> None:
        from django.core.cache import cache

        with self._lock:
            self.local += 1
        try:
            cache.incr(self.shared_key)
        except ValueError:  # not there yet (or evicted): any new value differs from "absent"
            cache.set(self.shared_key, 1, None)

    def bump_on_write(self) -> None:
        """Bump now and once more when the current transaction commits (or now only, outside
        a transaction)."""
        self.bump()
        transaction.on_commit(self.bump)


def generations_read(generations: Sequence[Generation]) -> tuple[int, ...]:
    """The current value of several generations, in one round trip to the shared cache."""
    from django.core.cache import cache

    shared = cache.get_many([g.shared_key for g in generations])
    values: list[int] = []
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
