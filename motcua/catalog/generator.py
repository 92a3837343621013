"""A synthetic catalog of any size, shaped like a real one (fields, components with accepted
forms, fees, internal processes with half-day steps), for load tests and benchmarks.

Codes are clearly local (`SYN.000123`, fields `SYN.LV01`): nobody can mistake them for
national procedure codes.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from .schema import FORMAT

DEPARTMENTS = (
    "01.STP",
    "01.STC",
    "01.SXD",
    "01.SNNMT",
    "01.SYT",
    "01.SVHTT",
    "01.SNV",
    "01.SGDDT",
    "01.CA",
    "01.SCT",
    "01.SKHCN",
)
FIELDS = (
    ("Hộ tịch", "Civil status"),
    ("Chứng thực", "Certification"),
    ("Đất đai", "Land"),
    ("Xây dựng", "Construction"),
    ("Thành lập và hoạt động doanh nghiệp", "Enterprises"),
    ("Đường bộ", "Road transport"),
    ("Dược phẩm", "Pharmacy"),
    ("Lữ hành", "Travel"),
    ("Giáo dục và đào tạo", "Education"),
    ("Bảo trợ xã hội", "Social protection"),
    ("Môi trường", "Environment"),
    ("Khoa học và công nghệ", "Science and technology"),
    ("Lưu thông hàng hóa trong nước", "Domestic trade"),
    ("Văn hóa", "Culture"),
    ("Nội vụ", "Home affairs"),
    ("Y tế dự phòng", "Preventive health"),
)
_VERBS = ("Cấp", "Cấp lại", "Điều chỉnh", "Gia hạn", "Đăng ký", "Xác nhận", "Thẩm định")
_OBJECTS = (
    "giấy phép hoạt động",
    "giấy chứng nhận đủ điều kiện",
    "chứng chỉ hành nghề",
    "giấy xác nhận",
    "văn bản chấp thuận",
    "giấy phép kinh doanh",
    "thẻ hành nghề",
)
_IDENTITY = {
    "name": "Giấy tờ tùy thân của người yêu cầu (khai thác từ CSDL quốc gia về dân cư)",
    "accepted_forms": ["national_data", "original_to_compare"],
    "national_database": "population",
}


def generate_catalog(*, count: int, seed: int = 1) -> dict[str, Any]:
    """A catalog document of `count` procedures, deterministic for a seed."""
    rng = random.Random(seed)
    fields = [
        {"code": f"SYN.LV{i + 1:02d}", "name": name, "name_en": name_en}
        for i, (name, name_en) in enumerate(FIELDS)
    ]
    return {
        "format": FORMAT,
        "meta": {"generator": "motcua generate_catalog", "seed": seed, "count": count},
        "fields": fields,
        "procedures": [_procedure(rng, n + 1, fields) for n in range(count)],
    }


def _procedure(rng: random.Random, n: int, fields: list[dict[str, str]]) -> dict[str, Any]:
    field = rng.choice(fields)
    commune = rng.random() < 0.3
    days = rng.choice((1, 2, 3, 5, 5, 7, 10, 10, 15, 20, 30))
    name = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} ({field['name'].lower()}) số {n}"
    return {
        "code": f"SYN.{n:06d}",
        "local_code": True,
        "name": name,
        "name_en": f"Synthetic procedure {n}",
        "field": field["code"],
        "level": "commune" if commune else "province",
        "competent_unit_kinds": ["ward", "commune", "special_zone"] if commune else ["department"],
        "competent_unit": None if commune else rng.choice(DEPARTMENTS),
        "version": {
            "number": 1,
            "valid_from": "2025-07-01",
            "valid_to": None,
            "status": "published",
            "online_level": rng.choice(("full", "partial", "partial")),
            "time_unit": "working_days",
            "counter_time": days,
            "online_time": None,
            "cutoff_time": None,
            "supplement_wait_days": 15,
            "result_kind": rng.choice(("paper", "electronic", "both")),
            "result_name": f"Kết quả thủ tục số {n}",
            "applicant": "Cá nhân, tổ chức",
            "agency": "UBND cấp xã" if commune else "Sở chuyên ngành",
            "method": "Trực tiếp, trực tuyến hoặc qua dịch vụ bưu chính công ích",
            "sequence": "Nộp hồ sơ; tiếp nhận, kiểm tra; thẩm định; phê duyệt; trả kết quả.",
            "requirements": "",
            "legal_basis": [f"Văn bản quy phạm pháp luật giả lập số {n % 97 + 1}"],
            "eform": {
                "fields": [
                    {
                        "name": "full_name",
                        "label": "Họ và tên",
                        "type": "text",
                        "required": True,
                        "prefill": "profile.full_name",
                    },
                    {
                        "name": "personal_id",
                        "label": "Số định danh cá nhân",
                        "type": "personal_id",
                        "required": True,
                        "prefill": "profile.personal_id",
                    },
                    {
                        "name": "address",
                        "label": "Địa chỉ",
                        "type": "text",
                        "required": False,
                        "prefill": "profile.address",
                    },
                ]
            },
            "note": "",
            "components": _components(rng),
            "fees": _fees(rng),
            "steps": _steps(rng, days),
        },
    }


def _components(rng: random.Random) -> list[dict[str, Any]]:
    items = [
        {
            "order": 1,
            "code": "TP01",
            "name": "Đơn đề nghị theo mẫu",
            "accepted_forms": ["declaration_form"],
            "copies": 1,
            "required": True,
            "national_database": "",
            "template_name": "Mẫu số 01",
            "note": "",
        },
        {
            "order": 2,
            "code": "TP02",
            "copies": 1,
            "required": True,
            "template_name": "",
            "note": "",
            **_IDENTITY,
        },
    ]
    for i in range(rng.randint(1, 5)):
        order = i + 3
        items.append(
            {
                "order": order,
                "code": f"TP{order:02d}",
                "name": rng.choice(
                    (
                        "Bản thuyết minh",
                        "Hợp đồng",
                        "Văn bằng chuyên môn",
                        "Giấy chứng nhận",
                        "Bản vẽ",
                    )
                )
                + f" (thành phần {order})",
                "accepted_forms": rng.choice(
                    (["copy", "original_to_compare"], ["original"], ["electronic_copy", "copy"])
                ),
                "copies": rng.choice((1, 1, 2)),
                "required": rng.random() < 0.8,
                "national_database": "",
                "template_name": "",
                "note": "",
            }
        )
    return items


def _fees(rng: random.Random) -> list[dict[str, Any]]:
    fees: list[dict[str, Any]] = []
    for i in range(rng.choice((0, 1, 1, 2))):
        fees.append(
            {
                "order": i + 1,
                "name": "Lệ phí" if i == 0 else "Phí thẩm định",
                "kind": "charge" if i == 0 else "fee",
                "amount_vnd": rng.choice((None, 0, 50000, 100000, 200000, 500000)),
                "timing": "before",
                "basis": "",
            }
        )
    return fees


def _steps(rng: random.Random, days: int) -> list[dict[str, Any]]:
    """receive 0 h -> assign 4 h -> review -> head of division 4 h -> leader 4 h -> return
    0 h, the review taking what is left (minus some slack) of the legal time."""
    total = Decimal(days * 8)
    review = max(total - 12 - Decimal(rng.choice((0, 0, 4, 8))), Decimal(0))
    if days == 1:
        return [
            {
                "order": 1,
                "name": "Tiếp nhận hồ sơ",
                "role": "officer",
                "unit_scope": "receiving",
                "unit": None,
                "allotment_hours": 0,
            },
            {
                "order": 2,
                "name": "Thẩm định",
                "role": "specialist",
                "unit_scope": "competent",
                "unit": None,
                "allotment_hours": 4,
            },
            {
                "order": 3,
                "name": "Lãnh đạo ký",
                "role": "leader",
                "unit_scope": "competent",
                "unit": None,
                "allotment_hours": 4,
            },
        ]
    steps: list[tuple[str, str, str, Decimal | int]] = [
        ("Tiếp nhận hồ sơ", "officer", "receiving", 0),
        ("Phân công thụ lý", "leader", "competent", 4),
        ("Thẩm định hồ sơ", "specialist", "competent", review),
        ("Lãnh đạo phòng xem xét", "leader", "competent", 4),
        ("Lãnh đạo đơn vị ký duyệt", "leader", "competent", 4),
        ("Trả kết quả", "officer", "receiving", 0),
    ]
    return [
        {
            "order": i + 1,
            "name": name,
            "role": role,
            "unit_scope": scope,
            "unit": None,
            "allotment_hours": int(hours) if hours == int(hours) else float(hours),
        }
        for i, (name, role, scope, hours) in enumerate(steps)
    ]
