"""Who to tell about a dossier, and the few facts a message may quote.

`notifications` sits below `dossiers` and may not import it. The outbox payload carries the
facts of the event (code, action, version, amount, new date) but no personal data; the
dossiers app registers a resolver here (in its `AppConfig.ready()`) that answers, for a
dossier code, the applicant's contact and the procedure's name at delivery time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DossierFacts:
    code: str
    procedure_name: str
    person_id: int | None  # the applicant's account, when there is one
    phone: str
    email: str
    language: str  # "vi" or "en"
    appointment_at: dt.datetime | None
    lookup_url: str
    #: Channels the applicant's account opted out of (`NotificationPreference`), read with the
    #: dossier in one query; None when the resolver did not read them.
    channels_off: frozenset[str] | None = None
    #: On a channel that is on, the events turned off one by one (`"<event>:<channel>"`).
    events_off: frozenset[str] = frozenset()

    def allows(self, channel: str, event: str) -> bool | None:
        """Whether the applicant accepts `event` on `channel`; None when not read."""
        if self.channels_off is None:
            return None
        return channel not in self.channels_off and f"{event}:{channel}" not in self.events_off


Resolver = Callable[[str], DossierFacts | None]
ManyResolver = Callable[[Iterable[str]], dict[str, DossierFacts]]

_resolver: list[Resolver] = []
_many: list[ManyResolver] = []


def register_dossier_resolver(resolver: Resolver, *, many: ManyResolver | None = None) -> None:
    """Called once by the dossiers app; registering again replaces it (ready() may rerun).
    `many`: the same for a set of codes in one query (a batch of deliveries)."""
    _resolver[:] = [resolver]
    _many[:] = [many] if many is not None else []


def dossier_facts_many(codes: Iterable[str]) -> dict[str, DossierFacts]:
    """The facts of each code that has a dossier (one query when the resolver can)."""
    wanted = set(codes)
    if _many:
        return _many[0](wanted)
    found = {code: dossier_facts(code) for code in wanted}
    return {code: facts for code, facts in found.items() if facts is not None}


def dossier_facts(code: str) -> DossierFacts | None:
    """The facts for `code`, or None when nobody registered a resolver or it has no dossier."""
    if not _resolver:
        raise RuntimeError("no dossier resolver registered with motcua.notifications")
    return _resolver[0](code)


VisibleResolver = Callable[[int, Iterable[str]], set[str]]

_visible: list[VisibleResolver] = []


def register_dossier_visibility(resolver: VisibleResolver) -> None:
    """Called once by the dossiers app: `resolver(user_id, codes)` answers which of the codes
    are dossiers that account may see (its access rule), for the integrators' webhooks."""
    _visible[:] = [resolver]


def dossiers_visible(user_id: int, codes: Iterable[str]) -> set[str]:
    """The codes among `codes` that account `user_id` may see (nothing without a resolver:
    an integrator is never told of a dossier by default)."""
    if not _visible:
        return set()
    return _visible[0](user_id, codes)


# --- feedback (registered by the feedback app, which sits above notifications) ------------


@dataclass(frozen=True)
class FeedbackFacts:
    """The sender of a feedback, read at delivery time (the outbox payload holds only the
    code and ids): the contact they gave (or their account's), their language, the address
    to follow the feedback, and their account's channel choices."""

    code: str
    person_id: int | None  # the sender's account, when signed in
    phone: str
    email: str
    language: str
    follow_url: str
    due_at: dt.datetime | None
    channels_off: frozenset[str] | None = None
    events_off: frozenset[str] = frozenset()
    #: Why it is not handled (rejected or a duplicate); "" otherwise.
    closed_reason: str = ""

    def allows(self, channel: str, event: str) -> bool | None:
        if self.channels_off is None:
            return None
        return channel not in self.channels_off and f"{event}:{channel}" not in self.events_off


@dataclass(frozen=True)
class FeedbackItem:
    code: str
    subject: str
    due_at: dt.datetime


@dataclass(frozen=True)
class StaffContact:
    person_id: int
    email: str
    language: str


@dataclass(frozen=True)
class UnitReminder:
    """A reminder to a unit: who of its staff may answer (their e-mail) and the feedback."""

    unit_name: str
    staff: tuple[StaffContact, ...]
    items: tuple[FeedbackItem, ...]
    workspace_url: str


FeedbackResolver = Callable[[str], FeedbackFacts | None]
#: (unit code or None, feedback codes) -> the reminder, None when nothing is left to say.
ReminderResolver = Callable[[str | None, Iterable[str]], UnitReminder | None]

_feedback: list[FeedbackResolver] = []
_reminder: list[ReminderResolver] = []


def register_feedback_resolver(sender: FeedbackResolver, *, reminder: ReminderResolver) -> None:
    """Called once by the feedback app in its `ready()` (registering again replaces it)."""
    _feedback[:] = [sender]
    _reminder[:] = [reminder]


def feedback_facts(code: str) -> FeedbackFacts | None:
    """The sender's facts for a feedback code (None when there is no such feedback)."""
    if not _feedback:
        raise RuntimeError("no feedback resolver registered with motcua.notifications")
    return _feedback[0](code)


def feedback_unit_reminder(unit_code: str | None, codes: Iterable[str]) -> UnitReminder | None:
    if not _reminder:
        raise RuntimeError("no feedback resolver registered with motcua.notifications")
    return _reminder[0](unit_code, codes)
