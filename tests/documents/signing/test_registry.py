from __future__ import annotations

import os

import pytest

from motcua.core.errors import NotFound, ValidationError
from motcua.documents.signing import registry
from motcua.documents.signing.registry import passphrase_env_name, signer_for_unit


def test_the_registry_maps_a_unit_code_to_its_pkcs12_signer(signing_settings):
    signer = signer_for_unit("01.STP")
    assert signer.unit_code == "01.STP"
    assert signer.subject_common_name == "Sở Tư pháp Hà Nội (DEMO)"


def test_a_unit_without_a_key_has_no_signer(signing_settings):
    with pytest.raises(NotFound) as raised:
        signer_for_unit("00073")
    assert raised.value.code == "no_signer"
    assert raised.value.render() == "Đơn vị 00073 chưa có chứng thư ký số."


@pytest.mark.parametrize("code", ["../signers/00070", "", "00070/x"])
def test_a_unit_code_cannot_name_another_path(signing_settings, code):
    with pytest.raises(NotFound) as raised:
        signer_for_unit(code)
    assert raised.value.code == "no_signer"


def test_the_passphrase_comes_from_the_environment_first(signing_settings, monkeypatch):
    # given a wrong passphrase for this unit in the environment
    assert passphrase_env_name("01.STP") == "MOTCUA_SIGNING_PASSPHRASE_01_STP"
    monkeypatch.setenv("MOTCUA_SIGNING_PASSPHRASE_01_STP", "sai")
    # then the key is not opened
    with pytest.raises(ValidationError) as raised:
        signer_for_unit("01.STP")
    assert raised.value.code == "signer_unreadable"
    # and the other unit, which has no variable of its own, still opens with the demo one
    assert signer_for_unit("00070").unit_code == "00070"


def test_outside_demo_mode_there_is_no_default_passphrase(signing_settings, monkeypatch):
    signing_settings.MOTCUA_DEMO_MODE = False
    monkeypatch.delenv("MOTCUA_SIGNING_PASSPHRASE", raising=False)
    with pytest.raises(ValidationError) as raised:
        signer_for_unit("00070")
    assert raised.value.code == "signer_unreadable"
    monkeypatch.setenv("MOTCUA_SIGNING_PASSPHRASE", "motcua-demo")
    assert signer_for_unit("00070").unit_code == "00070"


def test_an_unknown_backend_is_refused(signing_settings):
    signing_settings.MOTCUA_SIGNING_BACKEND = "pkcs11"
    with pytest.raises(ValidationError) as raised:
        signer_for_unit("00070")
    assert raised.value.code == "signer_backend_unknown"


def test_a_registered_backend_is_used(signing_settings, hoankiem, monkeypatch):
    # given a backend registered under a new name (an HSM, a remote service...)
    monkeypatch.setattr(registry, "_BACKENDS", dict(registry._BACKENDS))
    asked = []

    def factory(unit_code):
        asked.append(unit_code)
        return hoankiem

    registry.signer_backend_register("fake-hsm", factory)
    signing_settings.MOTCUA_SIGNING_BACKEND = "fake-hsm"
    assert signer_for_unit("00070") is hoankiem
    assert asked == ["00070"]


def test_a_signer_is_read_once_per_file_version(signing_settings, pki, tmp_path):
    # given a copy of the ward's key in a directory of its own
    signing_settings.MOTCUA_SIGNING_DIR = tmp_path
    target = tmp_path / "00070.p12"
    target.write_bytes(pki.signers["00070"].read_bytes())
    first = signer_for_unit("00070")
    # then asking again reuses it
    assert signer_for_unit("00070") is first
    # and a replaced file (Sở Tư pháp's key under the ward's name) is read again
    target.write_bytes(pki.signers["01.STP"].read_bytes())
    os.utime(target, ns=(1, first_mtime := target.stat().st_mtime_ns + 1_000_000))
    again = signer_for_unit("00070")
    assert again is not first
    assert again.subject_common_name == "Sở Tư pháp Hà Nội (DEMO)"
    assert target.stat().st_mtime_ns == first_mtime
