"""Fixtures for dossier tests live in helpers.py beside the builders they use."""

from .helpers import _fresh_clock_cache, calendar, world

__all__ = ["_fresh_clock_cache", "calendar", "world"]
