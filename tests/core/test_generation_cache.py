"""motcua.core.generation_cache: per-process caches emptied by a generation bump, here or in
another process (the shared counter)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from motcua.core.generation_cache import Generation, GenerationCache


def _cache(*, depends_on: tuple[Generation, ...] = ()) -> tuple[GenerationCache[str], list[str]]:
    return GenerationCache(Generation("test.main"), depends_on=depends_on, max_entries=3), []


def _get(c: GenerationCache[str], key: str, loads: list[str], value: str | None = "v") -> object:
    def load() -> str | None:
        loads.append(key)
        return value

    return c.get(key, load)


def test_values_are_kept_until_a_bump_here_or_elsewhere() -> None:
    cache.clear()
    c, loads = _cache()
    assert _get(c, "a", loads) == _get(c, "a", loads) == "v"
    assert loads == ["a"]
    c.generation.bump()  # this process
    _get(c, "a", loads)
    cache.incr(c.generation.shared_key)  # another process
    _get(c, "a", loads)
    assert loads == ["a", "a", "a"]


def test_a_dependency_bump_empties_the_cache_too() -> None:
    cache.clear()
    other = Generation("test.other")
    c, loads = _cache(depends_on=(other,))
    _get(c, "a", loads)
    other.bump()
    _get(c, "a", loads)
    assert loads == ["a", "a"]


def test_none_is_not_kept_and_the_size_is_bounded() -> None:
    cache.clear()
    c, loads = _cache()
    assert _get(c, "missing", loads, value=None) is None
    assert _get(c, "missing", loads, value=None) is None
    for key in "abcd":
        _get(c, key, loads)
    assert len(c._values) <= 3
    assert loads.count("missing") == 2


@pytest.mark.django_db(transaction=True)
def test_a_write_bumps_now_and_again_at_commit() -> None:
    cache.clear()
    generation = Generation("test.write")
    with transaction.atomic():
        generation.bump_on_write()
        assert (generation.local, cache.get(generation.shared_key)) == (1, 1)
    assert (generation.local, cache.get(generation.shared_key)) == (2, 2)


@pytest.mark.django_db
def test_the_unit_tree_load_bumps_the_units_generation() -> None:
    from motcua.organisation.selectors import UNITS_GENERATION
    from motcua.organisation.services import unit_tree_load

    before = UNITS_GENERATION.local
    unit_tree_load(province_code="01", branches=0)
    assert UNITS_GENERATION.local > before


@pytest.mark.django_db
def test_a_catalog_import_bumps_the_catalog_generation() -> None:
    from motcua.catalog.generator import generate_catalog
    from motcua.catalog.selectors import CATALOG_GENERATION
    from motcua.catalog.services import catalog_import
    from motcua.core import clock
    from motcua.organisation.services import unit_tree_load

    unit_tree_load(province_code="01", branches=0)
    before = CATALOG_GENERATION.local
    catalog_import(document=generate_catalog(count=2, seed=5), now=clock.now())
    assert CATALOG_GENERATION.local > before
