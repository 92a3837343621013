from tests.dossiers.helpers import _fresh_clock_cache, calendar, world

__all__ = ["_fresh_clock_cache", "calendar", "world"]
