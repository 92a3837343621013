"""Names in a reader's order (`core.addresses.name_sort_key`): numbers by their value, accents
and case aside, Đ among the D's. Plain string order put "Chi nhánh số 10" before "Chi nhánh
số 2", "Thủ tục chứng thực" before "Thủ tục cấp", and every Đ after Z."""

from __future__ import annotations

from motcua.core.addresses import name_sort_key


def test_numbers_by_value() -> None:
    names = ["Chi nhánh số 10", "Chi nhánh số 2", "Chi nhánh số 1", "Chi nhánh số 30"]
    assert sorted(names, key=name_sort_key) == [
        "Chi nhánh số 1",
        "Chi nhánh số 2",
        "Chi nhánh số 10",
        "Chi nhánh số 30",
    ]


def test_accents_and_case_aside() -> None:
    names = [
        "UBND Phường Yên Hòa",
        "UBND Phường Đống Đa",
        "UBND Phường Ba Đình",
        "ubnd phường Hoàn Kiếm",
    ]
    assert sorted(names, key=name_sort_key) == [
        "UBND Phường Ba Đình",
        "UBND Phường Đống Đa",
        "ubnd phường Hoàn Kiếm",
        "UBND Phường Yên Hòa",
    ]
    procedures = ["Thủ tục chứng thực hợp đồng", "Thủ tục đăng ký khai tử", "Thủ tục cấp bản sao"]
    assert sorted(procedures, key=name_sort_key) == [
        "Thủ tục cấp bản sao",
        "Thủ tục chứng thực hợp đồng",
        "Thủ tục đăng ký khai tử",
    ]
