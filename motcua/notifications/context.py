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
