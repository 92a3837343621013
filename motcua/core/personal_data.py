"""The registry of personal-data *sources* (Law 91/2025: a person sees what is held about
them and who read it; docs/personal-data.md).

Each app that keeps data about a person registers one source in its `AppConfig.ready()`
(`personal_data_source_register`): a function that collects what it holds about an account,
in plain words and in a machine-readable shape, and one that names the `DataAccessLog`
subjects under which reads of that data are logged. `motcua.privacy` asks every registered
source and knows none of them. The registry lives here, in the lowest layer, so that apps of
the same layer (`counter` beside `privacy`) can register without importing each other.

A source never reads anyone else's data: it answers for the account it is given only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The person is an account (accounts.User); typed loosely here: core imports no app above it.
User = Any


@dataclass(frozen=True)
class PersonalDataEntry:
    """One thing held: a heading (a dossier's code and procedure, a paper's title), plain
    (label, value) rows for the page and the PDF, `data` for the JSON export (ISO 8601 dates,
    codes not labels), and a link on the portal when there is a page for it."""

    title: str
    rows: tuple[tuple[str, str], ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class PersonalDataSection:
    """What one source holds about the person."""

    key: str
    title: str
    summary: str
    entries: tuple[PersonalDataEntry, ...] = ()
    #: How many there are in all (the page may show only the latest `entries`).
    count: int = 0
    #: Why it is kept, and whether it may be deleted (plain words).
    basis: str = ""


@dataclass(frozen=True)
class SubjectKey:
    """Reads logged under `subject_type` with one of `ids` (or, with `suffix`, a subject id
    ending with it: national data is logged as `<database>:<number>`) are about the person."""

    subject_type: str
    ids: frozenset[str] = frozenset()
    suffix: str = ""


Collect = Callable[..., PersonalDataSection]
Subjects = Callable[..., list[SubjectKey]]


@dataclass(frozen=True)
class PersonalDataSource:
    key: str
    order: int
    #: collect(*, person, now, limit) -> PersonalDataSection
    collect: Collect
    #: subjects(*, person) -> list[SubjectKey]
    subjects: Subjects


_sources: dict[str, PersonalDataSource] = {}


def personal_data_source_register(
    *, key: str, order: int, collect: Collect, subjects: Subjects
) -> None:
    """Register (or replace, for a reloaded app) the source `key`; sources are shown by
    `order`."""
    _sources[key] = PersonalDataSource(key=key, order=order, collect=collect, subjects=subjects)


def personal_data_sources() -> list[PersonalDataSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def personal_data_collect(
    *, person: User, now: dt.datetime, limit: int | None = None
) -> list[PersonalDataSection]:
    """Every source's section for `person`, in order."""
    return [
        source.collect(person=person, now=now, limit=limit) for source in personal_data_sources()
    ]


def personal_data_subjects(*, person: User) -> list[SubjectKey]:
    keys: list[SubjectKey] = []
    for source in personal_data_sources():
        keys.extend(source.subjects(person=person))
    return keys
