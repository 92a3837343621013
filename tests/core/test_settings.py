"""The settings default to production; DEBUG and the demo only when asked for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
SECRET = "s" * 50


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "MOTCUA_VAR_DIR": str(ROOT / "var"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("module", ["manage", "config.wsgi", "config.celery"])
def test_every_entry_point_defaults_to_the_production_settings(module):
    entry = "import manage; manage.main()" if module == "manage" else f"import {module}"
    result = _python(
        "import os, sys; sys.argv = ['manage.py', 'check']\n"
        f"try:\n    {entry}\nexcept Exception as exc:\n    print(type(exc).__name__, exc)\n"
        "print(os.environ['DJANGO_SETTINGS_MODULE'])"
    )
    lines = result.stdout.splitlines()
    assert lines[-1] == "config.settings.production", result.stderr
    if module != "config.celery":  # importing Celery's app loads no settings yet
        # without a secret the production settings refuse to start
        assert lines[0].startswith("ImproperlyConfigured Set DJANGO_SECRET_KEY"), result


def test_production_settings_have_debug_and_demo_mode_off():
    result = _python(
        "import django; from django.conf import settings; django.setup();"
        " print(settings.DEBUG, settings.MOTCUA_DEMO_MODE)",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.stdout.split() == ["False", "False"], result.stderr


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": SECRET,
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}
SHOW_PROVIDERS = (
    "import django; from django.conf import settings; django.setup();"
    " print(settings.MOTCUA_DEMO_IDP, sorted(settings.MOTCUA_IDENTITY_PROVIDERS),"
    " settings.MOTCUA_IDENTITY_PROVIDERS.get('oidc', {}).get('issuer'))"
)


def test_production_has_no_demo_identity_provider_even_in_demo_mode():
    result = _python(SHOW_PROVIDERS, MOTCUA_DEMO_MODE="1", **PRODUCTION)
    assert result.stdout.split() == ["False", "[]", "None"], result.stderr


def test_production_takes_a_real_provider_from_the_environment_with_its_secret():
    issuer = {"MOTCUA_OIDC_ISSUER": "https://vneid.example/"}
    refused = _python(SHOW_PROVIDERS, **issuer, **PRODUCTION)
    assert "Set MOTCUA_OIDC_CLIENT_SECRET" in refused.stderr
    result = _python(SHOW_PROVIDERS, **issuer, MOTCUA_OIDC_CLIENT_SECRET="s3cret", **PRODUCTION)
    assert result.stdout.split() == ["False", "['oidc']", "https://vneid.example"], result.stderr


SHOW_GATEWAYS = (
    "import django; from django.conf import settings; django.setup();"
    " print(settings.MOTCUA_DEMO_BANK, sorted(settings.MOTCUA_PAYMENT_GATEWAYS))"
)


def test_production_has_no_sandbox_bank_even_in_demo_mode():
    result = _python(SHOW_GATEWAYS, MOTCUA_DEMO_MODE="1", **PRODUCTION)
    assert result.stdout.split() == ["False", "[]"], result.stderr


def test_production_refuses_a_payment_gateway_without_its_own_secret():
    sandbox = {"MOTCUA_DEMO_BANK": "1"}
    refused = _python(SHOW_GATEWAYS, **sandbox, **PRODUCTION)
    assert "Set MOTCUA_SANDBOX_PAYMENT_SECRET" in refused.stderr  # not the public default
    result = _python(SHOW_GATEWAYS, **sandbox, MOTCUA_SANDBOX_PAYMENT_SECRET="k" * 32, **PRODUCTION)
    assert result.stdout.split() == ["True", "['sandbox']"], result.stderr

    bank = {"MOTCUA_VNPAY_TMN_CODE": "HANOI01"}
    refused = _python(SHOW_GATEWAYS, **bank, **PRODUCTION)
    assert "Set MOTCUA_VNPAY_HASH_SECRET" in refused.stderr  # an empty key signs for anyone
    result = _python(SHOW_GATEWAYS, **bank, MOTCUA_VNPAY_HASH_SECRET="h" * 32, **PRODUCTION)
    assert result.stdout.split() == ["False", "['vnpay']"], result.stderr


def test_local_settings_serve_the_demo_identity_provider():
    result = _python(SHOW_PROVIDERS, DJANGO_SETTINGS_MODULE="config.settings.local")
    assert result.stdout.split() == [
        "True",
        "['oidc']",
        "http://127.0.0.1:8000/demo-idp",
    ], result.stderr


def test_local_and_test_settings_turn_debug_and_demo_mode_on():
    result = _python(
        "import django; from django.conf import settings; django.setup();"
        " print(settings.DEBUG, settings.MOTCUA_DEMO_MODE)",
        DJANGO_SETTINGS_MODULE="config.settings.local",
    )
    assert result.stdout.split() == ["True", "True"], result.stderr
    assert settings.MOTCUA_DEMO_MODE is True  # this suite: config.settings.test


def _make_run(*args: str, public_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MOTCUA_PUBLIC_URL"}
    if public_url is not None:
        env["MOTCUA_PUBLIC_URL"] = public_url
    return subprocess.run(
        ["make", "-n", "-W", ".venv/.installed", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_asks_for_the_local_settings_and_prints_its_url():
    result = _make_run("HOST=0.0.0.0", "PORT=9000")
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert [c.split("manage.py ")[1] for c in commands] == [
        "migrate --noinput",
        "demo_pki",
        "load_demo",
        "runserver 0.0.0.0:9000",
    ]
    # every step knows where the demo is served: the signed documents' QR codes, the demo
    # VNeID's and the demo bank's returns, and the address load_demo prints
    prefix = "DJANGO_SETTINGS_MODULE=config.settings.local MOTCUA_PUBLIC_URL=http://0.0.0.0:9000 "
    assert all(c.startswith(prefix) for c in commands)
    assert "serving http://0.0.0.0:9000/" in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_keeps_a_public_url_set_in_the_environment():
    result = _make_run("PORT=9000", public_url="https://dichvucong.example.vn")
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert commands
    assert all(" MOTCUA_PUBLIC_URL=https://dichvucong.example.vn " in c for c in commands)
