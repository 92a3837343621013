"""The demo "VNeID" people (motcua.idp_demo): the demo citizens' records as the National
Population Database would hold them, and two people who have no motcua account yet (their
first sign-in through VNeID creates it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.accounts.models import User
from motcua.idp_demo.services import demo_people_load

#: People the National Population Database knows and motcua does not (yet).
NEWCOMERS: tuple[dict[str, Any], ...] = (
    {
        "personal_id": "001195000777",
        "full_name": "Trần Thị Bích",
        "date_of_birth": dt.date(1995, 3, 8),
        "permanent_address": "5 Phố Huế, Phường Hai Bà Trưng, Hà Nội",
        "phone": "0987000777",
    },
    {
        "personal_id": "079088004321",
        "full_name": "Lê Hoàng Minh",
        "date_of_birth": dt.date(1988, 11, 20),
        "permanent_address": "48 Lý Tự Trọng, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "phone": "0903004321",
    },
)
#: How many of the generated demo citizens (`congdan.001`...) VNeID also knows.
CITIZENS = 10


def demo_identity_people_load() -> int:
    """Seed the demo provider's people (idempotent). Returns how many were created."""
    usernames = ["congdan", *(f"congdan.{n:03d}" for n in range(1, CITIZENS + 1))]
    users = User.objects.filter(username__in=usernames).exclude(personal_id="")
    people: list[dict[str, Any]] = [
        {
            "personal_id": user.personal_id,
            "full_name": user.full_name,
            "date_of_birth": user.date_of_birth,
            "permanent_address": user.address,
            "phone": user.phone,
            "email": user.email,
        }
        for user in users.order_by("username")
        if user.date_of_birth is not None
    ]
    return demo_people_load(people=[*people, *NEWCOMERS])
