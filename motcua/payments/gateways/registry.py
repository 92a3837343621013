"""The payment gateways configured in this deployment (`MOTCUA_PAYMENT_GATEWAYS`).

    MOTCUA_PAYMENT_GATEWAYS = {
        "sandbox": {"secret": "..."},                       # the built-in demo bank
        "vnpay": {"tmn_code": "...", "hash_secret": "...", "pay_url": "https://..."},
    }

A name not configured is unknown (`gateway_unknown`); the counter (cash or transfer recorded
by an officer) is always there and needs no configuration.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from .base import Gateway
from .contrib.counter import CounterGateway
from .contrib.sandbox import SandboxGateway
from .contrib.vnpay import VNPayGateway

KINDS: dict[str, type[Gateway]] = {
    "sandbox": SandboxGateway,
    "vnpay": VNPayGateway,
    "counter": CounterGateway,
}


class UnknownGateway(LookupError):
    pass


@cache
def _gateway(name: str, config_key: tuple[tuple[str, str], ...]) -> Gateway:
    return KINDS[name](**dict(config_key))


def gateway_get(name: str) -> Gateway:
    configured = dict(getattr(settings, "MOTCUA_PAYMENT_GATEWAYS", {}) or {})
    if name == "counter":
        configured.setdefault("counter", {})
    if name not in configured or name not in KINDS:
        raise UnknownGateway(name)
    config = configured[name] or {}
    return _gateway(name, tuple(sorted((k, str(v)) for k, v in config.items())))


def gateways_online() -> list[Gateway]:
    """The gateways a payer can be redirected to, in the configured order."""
    configured = getattr(settings, "MOTCUA_PAYMENT_GATEWAYS", {}) or {}
    return [gateway_get(name) for name in configured if name in KINDS and name != "counter"]


def gateway_label(name: str) -> str:
    """What pages call the gateway `name`, in the active language (its name when no plugin
    has it: an old row of a gateway since removed)."""
    kind = KINDS.get(name)
    return str(kind.label) if kind is not None and kind.label else name


def gateway_statement_reader(name: str) -> Gateway:
    """The gateway `name` to read its statement file with: the configured one, or the plugin
    without configuration (a statement needs no merchant secret). UnknownGateway if no
    plugin has that name."""
    try:
        return gateway_get(name)
    except UnknownGateway:
        if name not in KINDS:
            raise
        return KINDS[name]()
