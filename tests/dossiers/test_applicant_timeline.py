"""The applicant's timeline (`dossiers.timeline.applicant_timeline`): plain wording, units
rather than officers, what was asked and why; the agency's own back-and-forth left out."""

from __future__ import annotations

from motcua.dossiers.selectors import dossier_events, dossier_steps
from motcua.dossiers.services import (
    dossier_apologize,
    dossier_request_supplement,
    dossier_return_step,
    dossier_supplement,
)
from motcua.dossiers.timeline import applicant_timeline

from .helpers import processing, vn


def _timeline(dossier):
    return applicant_timeline(
        dossier=dossier,
        events=dossier_events(dossier=dossier),
        steps=dossier_steps(dossier=dossier),
    )


def test_the_trail_in_plain_words_with_units_and_no_officer(world):
    dossier = processing(world)  # received MON 09:00, forwarded to the specialist at 10:00
    dossier = dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        items=[{"component": "TP1", "reason": "Thiếu chữ ký"}],
        now=vn(2026, 3, 2, 14),
    )
    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 3, 9))
    dossier = dossier_return_step(
        dossier=dossier, actor=world.specialist, reason="Làm lại phân công", now=vn(2026, 3, 3, 10)
    )
    dossier = dossier_apologize(
        dossier=dossier,
        actor=world.leader,
        reason="Cần xác minh thêm",
        new_appointment_at=vn(2026, 3, 12, 10),
        now=vn(2026, 3, 3, 11),
    )

    entries = _timeline(dossier)

    titles = [e.title for e in entries]
    assert titles == [
        "Bạn đã nộp hồ sơ tại bộ phận một cửa",
        "Hồ sơ đã được tiếp nhận",
        "Hồ sơ đang được xử lý",
        "Cơ quan yêu cầu bổ sung hồ sơ",
        "Bạn đã bổ sung hồ sơ",
        "Cơ quan xin lỗi vì chậm trả kết quả và hẹn lại",
    ]  # the step returned inside the agency is not shown
    filed, received, forwarded, asked, _supplemented, apology = entries
    assert filed.detail == "Nơi nhận: Phường Hoàn Kiếm."
    assert received.detail == "Tiếp nhận tại Phường Hoàn Kiếm. Hẹn trả kết quả ngày 09/03/2026."
    assert forwarded.detail == "Bước “Thẩm định hồ sơ” tại Phường Hoàn Kiếm."
    assert asked.items == [("Tờ khai", "Thiếu chữ ký")]
    assert asked.tone == "action"
    assert apology.detail == "Ngày hẹn mới: 12/03/2026. Lý do: Cần xác minh thêm"
    text = " ".join(f"{e.title} {e.detail}" for e in entries)
    for officer in (world.officer, world.specialist, world.leader):
        assert officer.display_name not in text
    assert "Làm lại phân công" not in text
