from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from motcua.organisation.models import ServicePoint, Unit
from motcua.organisation.services import unit_tree_load

pytestmark = pytest.mark.django_db


def test_hanoi_tree_has_126_wards_and_communes_and_30_branches() -> None:
    summary = unit_tree_load(province_code="01")
    hanoi = Unit.objects.filter(province_code="01")
    assert hanoi.filter(level=Unit.Level.COMMUNE).count() == 126
    assert hanoi.filter(kind=Unit.Kind.WARD).count() == 51
    assert hanoi.filter(kind=Unit.Kind.COMMUNE).count() == 75
    assert hanoi.filter(kind=Unit.Kind.BRANCH).count() == 30
    assert summary.created == hanoi.count()
    hoan_kiem = Unit.objects.get(code="00070")
    assert hoan_kiem.name == "UBND Phường Hoàn Kiếm"
    assert hoan_kiem.parent is not None
    assert hoan_kiem.parent.code == "01"
    branch = Unit.objects.get(code="01.TTHCC.CN05")
    assert branch.parent is not None
    assert branch.parent.code == "01.TTHCC"
    # every receiving unit (center, branches, wards) has a service point
    assert ServicePoint.objects.filter(unit__province_code="01").count() == 1 + 30 + 126


def test_reloading_is_idempotent() -> None:
    unit_tree_load(province_code="01")
    before = Unit.objects.count()
    summary = unit_tree_load(province_code="01")
    assert summary.created == 0
    assert summary.updated == 0
    assert Unit.objects.count() == before


def test_another_province_loads_with_one_command(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_units", "--province", "79")
    out = capsys.readouterr().out
    assert "Thành phố Hồ Chí Minh" in out
    assert Unit.objects.filter(province_code="79", level=Unit.Level.COMMUNE).count() == 168
    assert Unit.objects.filter(province_code="79", kind=Unit.Kind.BRANCH).count() == 0


def test_unknown_province_is_a_clear_error_and_saves_nothing() -> None:
    with pytest.raises(CommandError, match="Không có tỉnh, thành phố với mã 99"):
        call_command("load_units", "--province", "99")
    assert Unit.objects.count() == 0
