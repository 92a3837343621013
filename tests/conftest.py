"""Suite-wide test setup: no network, Vietnamese by default, aware datetimes only."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests check outcomes, never speed (speed is for `make bench`): no per-example
# deadline, which a loaded 2-core CI machine would turn into random failures.
hypothesis_settings.register_profile(
    "motcua", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("motcua")

CRL_PREFIX = "http://pki.motcua.invalid/"
TEST_SIGNING_BACKEND = "tests-any-unit"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Tests never touch the network beyond this machine's loopback (PostgreSQL, Redis,
    the browser tests' live server)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and not (host.startswith("/") or host.startswith("127."))
        ):
            raise RuntimeError(f"tests may not reach the network ({host})")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _vietnamese_by_default() -> Any:
    """Each test starts in the site's language and leaves it so: a request with
    `Accept-Language: en` (the locale middleware) or a `translation.activate` leaves the
    thread's language behind, which made later tests' Vietnamese assertions depend on the
    order the tests ran in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_working_clocks() -> None:
    """Clocks are cached per unit id, and ids are reused across tests: start each test clean."""
    from motcua.accounts.services import api_tokens_cache_clear
    from motcua.catalog.selectors import catalog_cache_clear
    from motcua.core.outbox import outbox_handoff_reset
    from motcua.core.ratelimit import rate_limits_local_clear
    from motcua.core.shared_cache import shared_cache_reset
    from motcua.deadlines.clock import clock_cache_clear
    from motcua.notifications.rendering import templates_cache_clear
    from motcua.organisation.selectors import units_cache_clear

    clock_cache_clear()
    catalog_cache_clear()  # versions and units too: cached by code, and rows die with the test
    units_cache_clear()
    api_tokens_cache_clear()  # user and token ids are reused too
    outbox_handoff_reset()  # no trailing hand-off from an earlier test
    shared_cache_reset()  # an earlier test's cache outage is over
    rate_limits_local_clear()
    templates_cache_clear()  # rows die with the test


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """On PostgreSQL the whole suite runs under the append-only triggers (the test database
    is built without migrations, so they are installed here): no test may update or delete
    an event, an audit row or an access-log row, and the flush between transactional tests
    (TRUNCATE) still works. On SQLite the flush is a DELETE, which they would refuse."""
    from django.db import connection

    from motcua.catalog.search import search_indexes_install
    from tests.append_only import triggers_install

    with django_db_blocker.unblock():
        search_indexes_install()  # the search migration's indexes (docs/search.md)
        if connection.vendor == "postgresql":
            triggers_install()


@pytest.fixture(scope="session", autouse=True)
def _load_urls_before_any_frozen_clock() -> None:
    """Build the URL configuration (and with it the API's pydantic schemas) once, before a
    test freezes time: pydantic cannot build a schema for freezegun's fake datetime class,
    so a test file run on its own would otherwise fail."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


@pytest.fixture(autouse=True)
def _empty_documents_storage() -> None:
    """The documents storage is Django's InMemoryStorage in the tests: a new, empty one for
    every test (the storage handler keeps one instance per alias)."""
    from django.core.files.storage import storages

    storages._storages.pop("documents", None)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo PKI (motcua/demo/pki), built once per session in a temporary directory."""
    from motcua.demo.pki import demo_pki_build

    return demo_pki_build(directory=tmp_path_factory.mktemp("pki"), now=dt.datetime.now(tz=dt.UTC))


@pytest.fixture(autouse=True)
def _results_signed(settings: Any, pki: Any) -> None:
    """Issuing a result signs it (motcua.dossiers.services.results): every test signs with
    the session's demo PKI, trusted and with its CRL. A demo unit signs with its own
    certificate; any other unit (the factories' codes) with Phường Hoàn Kiếm's, through a
    test backend, so that no test needs a certificate per unit it creates."""
    from motcua.documents.signing.registry import _BACKENDS, _pkcs12, signer_backend_register

    if TEST_SIGNING_BACKEND not in _BACKENDS:

        def any_unit(unit_code: str) -> Any:
            from django.conf import settings as live

            path = live.MOTCUA_SIGNING_DIR / f"{unit_code}.p12"
            return _pkcs12(unit_code if path.is_file() else "00070")

        signer_backend_register(TEST_SIGNING_BACKEND, any_unit)
    settings.MOTCUA_SIGNING_BACKEND = TEST_SIGNING_BACKEND
    settings.MOTCUA_SIGNING_DIR = pki.directory / "signers"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [pki.ca_path]
    settings.MOTCUA_SIGNING_CRL_MIRRORS = {CRL_PREFIX: str(pki.crl_dir)}
