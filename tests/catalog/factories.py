"""Small catalog documents for tests: one procedure in the import format, easy to bend."""

from __future__ import annotations

import copy
from typing import Any

from motcua.catalog.schema import FORMAT

FIELDS = [
    {"code": "HO_TICH", "name": "Hộ tịch", "name_en": "Civil status"},
    {"code": "CHUNG_THUC", "name": "Chứng thực", "name_en": "Certification"},
]


def procedure_doc(code: str = "1.001022", **overrides: Any) -> dict[str, Any]:
    """A commune-level, published procedure: 3 working days, 3 components, 1 fee, 5 steps
    taking 24 working hours."""
    proc: dict[str, Any] = {
        "code": code,
        "local_code": False,
        "name": "Thủ tục đăng ký nhận cha, mẹ, con",
        "name_en": "Registration of recognition of father, mother or child",
        "field": "HO_TICH",
        "level": "commune",
        "competent_unit_kinds": ["ward", "commune", "special_zone"],
        "competent_unit": None,
        "version": {
            "number": 1,
            "valid_from": "2025-07-01",
            "valid_to": None,
            "status": "published",
            "online_level": "partial",
            "time_unit": "working_days",
            "counter_time": 3,
            "online_time": None,
            "cutoff_time": None,
            "supplement_wait_days": 15,
            "supplement_restarts_clock": False,
            "settled_in_session": False,
            "result_kind": "both",
            "result_name": "Trích lục đăng ký nhận cha, mẹ, con",
            "applicant": "Cá nhân",
            "agency": "UBND cấp xã",
            "method": "Trực tiếp, trực tuyến",
            "sequence": "Nộp hồ sơ; tiếp nhận; giải quyết; trả kết quả.",
            "requirements": "",
            "legal_basis": ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"],
            "eform": {
                "fields": [
                    {
                        "name": "full_name",
                        "label": "Họ và tên",
                        "type": "text",
                        "required": True,
                        "prefill": "profile.full_name",
                    },
                ]
            },
            "note": "",
            "components": [
                {
                    "order": 1,
                    "code": "TP01",
                    "name": "Tờ khai theo mẫu",
                    "accepted_forms": ["declaration_form"],
                    "copies": 1,
                    "required": True,
                    "national_database": "",
                    "template_name": "Mẫu",
                    "note": "",
                },
                {
                    "order": 2,
                    "code": "TP02",
                    "name": "Chứng cứ quan hệ cha, mẹ, con",
                    "accepted_forms": ["original"],
                    "copies": 1,
                    "required": True,
                    "national_database": "",
                    "template_name": "",
                    "note": "",
                },
                {
                    "order": 3,
                    "code": "TP03",
                    "name": "Giấy tờ tùy thân",
                    "accepted_forms": ["national_data", "original_to_compare"],
                    "copies": 1,
                    "required": True,
                    "national_database": "population",
                    "template_name": "",
                    "note": "",
                },
            ],
            "fees": [
                {
                    "order": 1,
                    "name": "Lệ phí",
                    "kind": "charge",
                    "amount_vnd": 15000,
                    "timing": "before",
                    "basis": "",
                }
            ],
            "steps": [
                {
                    "order": 1,
                    "name": "Tiếp nhận",
                    "role": "officer",
                    "unit_scope": "receiving",
                    "unit": None,
                    "allotment_hours": 0,
                },
                {
                    "order": 2,
                    "name": "Phân công",
                    "role": "leader",
                    "unit_scope": "competent",
                    "unit": None,
                    "allotment_hours": 4,
                },
                {
                    "order": 3,
                    "name": "Thẩm định",
                    "role": "specialist",
                    "unit_scope": "competent",
                    "unit": None,
                    "allotment_hours": 12,
                },
                {
                    "order": 4,
                    "name": "Ký duyệt",
                    "role": "leader",
                    "unit_scope": "competent",
                    "unit": None,
                    "allotment_hours": 8,
                },
                {
                    "order": 5,
                    "name": "Trả kết quả",
                    "role": "officer",
                    "unit_scope": "receiving",
                    "unit": None,
                    "allotment_hours": 0,
                },
            ],
        },
    }
    for key, value in overrides.items():
        target = proc["version"] if key in proc["version"] else proc
        target[key] = value
    return proc


def document(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "fields": copy.deepcopy(FIELDS),
        "procedures": [copy.deepcopy(p) for p in procedures],
    }
