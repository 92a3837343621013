from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import pem, x509
from django.core.management import CommandError, call_command

from motcua.demo.accounts import STAFFED_UNITS
from motcua.demo.pki import demo_pki_build
from motcua.documents.signing.contrib.pkcs12 import Pkcs12Signer
from motcua.documents.signing.registry import DEMO_PASSPHRASE


def _ca(path) -> x509.Certificate:
    _t, _h, der = pem.unarmor(path.read_bytes())
    return x509.Certificate.load(der)


def test_demo_pki_has_a_marked_ca_signers_for_the_demo_units_and_a_crl(pki):
    # given the PKI built from the shipped config
    ca = _ca(pki.ca_path)
    # then the CA says it is a demo
    assert ca.subject.native["common_name"] == "motcua DEMO CA — không dùng thật"
    assert ca.ca is True
    # and the ward of Hoàn Kiếm and Sở Tư pháp each have a PKCS#12 issued by it
    # every demo unit with staff signs (its results, from issue_result)
    assert sorted(pki.signers) == sorted(code for code, _slug in STAFFED_UNITS)
    for code, path in pki.signers.items():
        signer = Pkcs12Signer(unit_code=code, path=path, passphrase=DEMO_PASSPHRASE.encode())
        assert signer.certificate.subject.native["organizational_unit_name"] == code
        assert signer.certificate.issuer == ca.subject
        assert [p.url for p in signer.certificate.crl_distribution_points] == [
            "http://pki.motcua.invalid/motcua-demo/crls/root/latest.crl"
        ]
    # and the CRL lists exactly the revoked test certificate
    crl = asn1_crl.CertificateList.load(pki.crl_path.read_bytes())
    revoked = Pkcs12Signer(
        unit_code="x", path=pki.test["revoked"], passphrase=DEMO_PASSPHRASE.encode()
    )
    assert [e["user_certificate"].native for e in crl["tbs_cert_list"]["revoked_certificates"]] == [
        revoked.certificate.serial_number
    ]


def test_demo_pki_build_keeps_an_existing_pki(tmp_path):
    now = dt.datetime.now(tz=dt.UTC)
    first = demo_pki_build(directory=tmp_path, now=now)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    # when it runs again
    second = demo_pki_build(directory=tmp_path, now=now)
    # then nothing is written and every file is unchanged
    # keys (CA, units, 2 test), the CA, a PKCS#12 per unit and per test certificate, the CRL
    units = len(STAFFED_UNITS)
    assert len(first.created) == (1 + units + 2) + 1 + (units + 2) + 1
    assert second.created == []
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_demo_pki_build_rewrites_only_a_stale_crl(tmp_path):
    now = dt.datetime.now(tz=dt.UTC)
    demo_pki_build(directory=tmp_path, now=now)
    ca_before = (tmp_path / "ca.pem").read_bytes()
    # when the CRL's next update has passed
    later = demo_pki_build(directory=tmp_path, now=now + dt.timedelta(days=60))
    # then the CRL alone is rewritten, valid at the new time
    assert later.created == ["crl/motcua-demo/crls/root/latest.crl"]
    assert (tmp_path / "ca.pem").read_bytes() == ca_before
    crl = asn1_crl.CertificateList.load(later.crl_path.read_bytes())
    assert crl["tbs_cert_list"]["next_update"].native > now + dt.timedelta(days=60)


def test_demo_pki_command_writes_into_the_directory_and_is_idempotent(tmp_path):
    out = StringIO()
    call_command("demo_pki", directory=str(tmp_path), stdout=out)
    assert "27 tệp mới" in out.getvalue()  # see test_demo_pki_build_keeps_an_existing_pki
    assert "00070, 00167, 00235, 00454, 01.STC, 01.STP" in out.getvalue()
    out = StringIO()
    call_command("demo_pki", directory=str(tmp_path), stdout=out)
    assert "giữ nguyên" in out.getvalue()


def test_demo_pki_command_refuses_outside_demo_mode(settings, tmp_path):
    settings.MOTCUA_DEMO_MODE = False
    with pytest.raises(CommandError, match="MOTCUA_DEMO_MODE"):
        call_command("demo_pki", directory=str(tmp_path / "pki"))
    assert not (tmp_path / "pki").exists()
