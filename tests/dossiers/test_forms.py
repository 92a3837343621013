"""The official forms 01–07 as PDFs: the text poppler extracts holds each form's fields, the
Vietnamese letters exact, in the embedded serif font only; form 01 on A5; the slip's rows
early / on time / late; the tracking book's rows for a period, as PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from motcua.dossiers.forms import (
    COLUMNS,
    XLSX_HEADER_ROW,
    FormNotIssued,
    form_pdf,
    form_pdf_signed,
    forms_issued,
    tracking_book_pdf,
    tracking_book_rows,
    tracking_book_xlsx,
)
from motcua.dossiers.forms.render import date_line, lookup_url
from motcua.dossiers.services import (
    dossier_apologize,
    dossier_guide_at_counter,
    dossier_issue_result,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return_result,
    dossier_supplement,
    dossier_withdraw,
)
from tests.pdftools import assert_only_our_font, page_size, run_tool, text_of

from .helpers import MON, at_leader_step, processing, received, submitted, vn

HEADER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def assert_header(text: str, code: str) -> None:
    for line in HEADER:
        assert line in text
    assert "UBND THÀNH PHỐ HÀ NỘI" in text  # the parent agency
    assert "PHƯỜNG HOÀN KIẾM" in text  # the unit
    assert f"Mã hồ sơ: {code}" in text


def test_form01_the_receipt_carries_its_fields(world):
    dossier = received(
        world,
        applicant_id_number="001090012345",
        applicant_phone="0912345678",
        applicant_email="an@example.vn",
        applicant_address="12 Hàng Bạc, Phường Hoàn Kiếm",
    )

    pdf = form_pdf(dossier=dossier, number="01", now=MON)

    text = text_of(pdf)
    assert_header(text, dossier.code)
    assert "Mẫu số 01" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Hà Nội, ngày 02 tháng 3 năm 2026" in text
    assert "Nguyễn Văn An" in text
    assert "001090012345" in text
    assert "12 Hàng Bạc, Phường Hoàn Kiếm" in text
    assert "0912345678" in text
    assert "an@example.vn" in text
    assert dossier.procedure_version.procedure.name in text
    assert "Tờ khai" in text
    assert "Giấy tờ chứng minh" in text
    assert "Số lượng hồ sơ: 01 (bộ)" in text
    assert "5 ngày làm việc" in text  # the legal time
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02/03/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 09/03/2026" in text
    assert "Đăng ký nhận kết quả tại: Phường Hoàn Kiếm" in text
    assert "Quyển số: 2026, Số thứ tự: 1" in text
    assert world.officer.display_name in text  # the receiver signs
    assert lookup_url(dossier.code) in text
    assert_only_our_font(pdf)
    assert page_size(pdf) == (595, 842)  # A4 portrait, in points


def test_form01_on_a5(world):
    dossier = received(world)

    pdf = form_pdf(dossier=dossier, number="01", now=MON, size="a5")

    assert page_size(pdf) == (420, 595)  # A5: 148 x 210 mm = 419.53 x 595.28 pt
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text_of(pdf)
    assert_only_our_font(pdf)


def test_only_form01_has_an_a5_size(world):
    dossier = processing(world)
    with pytest.raises(Exception) as err:
        form_pdf(dossier=dossier, number="06", now=MON, size="a5")
    assert getattr(err.value, "code", None) == "size_not_available"


def test_form01_keeps_the_appointment_it_gave(world):
    """A later pause moves the appointment; the receipt still says what it promised."""
    dossier = processing(world)
    dossier = dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        items=[{"component": "TP2", "reason": "Thiếu bản sao"}],
        now=vn(2026, 3, 3, 9),
    )
    text = text_of(form_pdf(dossier=dossier, number="01", now=MON))
    assert "09 giờ 00 phút, ngày 09/03/2026" in text


def test_form02_lists_everything_missing_with_reasons(world):
    dossier = submitted(world)
    dossier = dossier_request_supplement(
        dossier=dossier,
        actor=world.officer,
        items=[
            {"component": "TP1", "reason": "Tờ khai chưa ký"},
            {"component": "Giấy chứng nhận kết hôn", "reason": "Chưa nộp bản sao"},
        ],
        note="Bổ sung trong 15 ngày làm việc",
        now=vn(2026, 3, 2, 10, 30),
    )

    text = text_of(form_pdf(dossier=dossier, number="02", now=MON))

    assert_header(text, dossier.code)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Tờ khai chưa ký" in text
    assert "Giấy chứng nhận kết hôn" in text
    assert "Chưa nộp bản sao" in text
    assert "10 giờ 30 phút, ngày 02/03/2026" in text
    assert "Bổ sung trong 15 ngày làm việc" in text
    assert world.officer.display_name in text


def test_form03_the_refusal_gives_its_reasons(world):
    dossier = submitted(world)
    dossier = dossier_refuse(
        dossier=dossier,
        actor=world.officer,
        reason="Thủ tục không thuộc thẩm quyền của phường",
        now=vn(2026, 3, 2, 11),
    )

    pdf = form_pdf(dossier=dossier, number="03", now=MON)

    text = text_of(pdf)
    assert_header(text, dossier.code)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thủ tục không thuộc thẩm quyền của phường" in text
    assert "Nguyễn Văn An" in text
    assert_only_our_font(pdf)


def test_form04_the_apology_gives_the_new_date(world):
    dossier = processing(world)
    dossier = dossier_apologize(
        dossier=dossier,
        actor=world.leader,
        reason="Chờ kết quả xác minh của cơ quan công an",
        new_appointment_at=vn(2026, 3, 13, 16, 30),
        now=vn(2026, 3, 5, 10),
    )

    text = text_of(form_pdf(dossier=dossier, number="04", now=MON))

    assert_header(text, dossier.code)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Kính gửi: Ông/Bà Nguyễn Văn An" in text
    assert "Chờ kết quả xác minh của cơ quan công an" in text
    assert "09 giờ 00 phút, ngày 09/03/2026" in text  # the appointment missed
    assert "16 giờ 30 phút, ngày 13/03/2026" in text  # the new date
    assert "Hà Nội, ngày 05 tháng 3 năm 2026" in text
    assert world.leader.display_name in text


def test_form05_the_stop_notice_after_withdrawal(world):
    dossier = processing(world)
    dossier = dossier_withdraw(
        dossier=dossier, actor=world.citizen, reason="Không còn nhu cầu", now=vn(2026, 3, 4, 14)
    )

    text = text_of(form_pdf(dossier=dossier, number="05", now=MON))

    assert_header(text, dossier.code)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Không còn nhu cầu" in text
    assert "14 giờ 00 phút, ngày 04/03/2026" in text


def test_form06_one_row_per_hand_over_with_its_result(world):
    dossier = at_leader_step(world)  # review finished Tue 3 Mar 15:00 (due Wed 4 Mar 10:00)
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 5, 9))
    dossier = dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 9, 10))
    results = list(dossier.steps.order_by("order").values_list("name", "result"))

    text = text_of(form_pdf(dossier=dossier, number="06", now=MON))

    assert_header(text, dossier.code)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    for name, _ in results:
        assert name in text
    labels = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
    used = {r for _, r in results if r}
    assert {"early", "late"} <= used, results  # the review early, the leader and return late
    for result in used:
        assert labels[result] in text
    assert world.specialist.display_name in text
    assert world.leader.display_name in text
    assert "Nhận lúc: 10 giờ 00 phút, ngày 02/03/2026" in text


def test_a_form_not_issued_is_refused_with_a_code(world):
    dossier = processing(world)
    for number in ("02", "03", "04", "05"):
        with pytest.raises(FormNotIssued) as err:
            form_pdf(dossier=dossier, number=number, now=MON)
        assert err.value.code == "form_not_issued"
        assert err.value.status == 409
    assert forms_issued(dossier=dossier) == ["01", "06"]
    fresh = submitted(world)
    with pytest.raises(FormNotIssued):
        form_pdf(dossier=fresh, number="01", now=MON)
    assert forms_issued(dossier=fresh) == []


def test_vietnamese_letters_come_out_exact(world):
    name = "Nguyễn Thị Ỷ Lan Đặng Hưởng Ngữ"
    address = "Số 9 ngõ Tràng Tiền, ấp Ổ Gà, Quỳnh Lưu, Nghệ An — ủy quyền"
    dossier = received(world, applicant_name=name, applicant_address=address)

    pdf = form_pdf(dossier=dossier, number="01", now=MON)

    text = text_of(pdf)
    assert name in text
    assert address in text
    assert_only_our_font(pdf)


def test_date_line_follows_decree_30():
    assert date_line("Hà Nội", vn(2026, 2, 5, 10)) == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert date_line("Hà Nội", vn(2026, 11, 25, 10)) == "Hà Nội, ngày 25 tháng 11 năm 2026"


def test_a_signed_form_carries_a_signature(world, tmp_path):
    from motcua.demo.pki import demo_pki_build
    from motcua.documents.signing.contrib.pkcs12 import Pkcs12Signer
    from motcua.documents.signing.registry import DEMO_PASSPHRASE

    pki = demo_pki_build(directory=tmp_path, now=MON)
    signer = Pkcs12Signer(
        unit_code="00070", path=pki.signers["00070"], passphrase=DEMO_PASSPHRASE.encode()
    )
    dossier = received(world)

    signed = form_pdf_signed(dossier=dossier, number="01", now=MON, signer=signer)

    out = run_tool("pdfsig", signed)
    assert "Signature #1" in out
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text_of(signed)


# --- form 07 ---------------------------------------------------------------------------------


def _book_world(world):
    first = received(world, applicant_name="Lê Văn Một", now=vn(2026, 3, 2, 9))
    second = received(world, applicant_name="Phạm Thị Hai", now=vn(2026, 3, 3, 14))
    received(world, applicant_name="Ngoài Kỳ", now=vn(2026, 3, 10, 9))  # after the period
    received(world, receiving_unit=world.other_ward, actor=world.other_officer, now=MON)
    return first, second


def test_tracking_book_rows_for_a_period(world):
    first, second = _book_world(world)

    rows = tracking_book_rows(unit=world.ward, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3))

    assert [(r.number, r.code, r.applicant) for r in rows] == [
        (1, first.code, "Lê Văn Một"),
        (2, second.code, "Phạm Thị Hai"),
    ]


def test_tracking_book_pdf(world):
    first, second = _book_world(world)
    pdf = tracking_book_pdf(
        unit=world.ward, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3), now=vn(2026, 3, 4, 8)
    )

    text = text_of(pdf)
    for line in HEADER:
        assert line in text
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 02/03/2026 đến ngày 03/03/2026" in text
    assert first.code in text
    assert second.code in text
    assert "Lê Văn Một" in text
    assert "Phạm Thị Hai" in text
    assert "Ngoài Kỳ" not in text
    assert page_size(pdf) == (842, 595)  # A4 landscape
    assert_only_our_font(pdf)


def test_tracking_book_xlsx_reads_back(world):
    first, second = _book_world(world)
    data = tracking_book_xlsx(
        unit=world.ward, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3), now=vn(2026, 3, 4, 8)
    )

    sheet = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Phường Hoàn Kiếm"
    assert rows[1][0] == "SỔ THEO DÕI HỒ SƠ"
    assert list(rows[XLSX_HEADER_ROW - 1]) == list(COLUMNS)
    body = rows[XLSX_HEADER_ROW:]
    assert [(r[0], r[1], r[4]) for r in body] == [
        (1, first.code, "Lê Văn Một"),
        (2, second.code, "Phạm Thị Hai"),
    ]
    assert body[0][7] == "09:00 02/03/2026"
    assert body[0][8] == "09:00 09/03/2026"


def test_tracking_book_records_the_result_and_return(world):
    dossier = at_leader_step(world)
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 5, 9))
    dossier = dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 6, 10))

    (row,) = tracking_book_rows(
        unit=world.ward, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )

    cells = row.cells()
    assert cells[10] == "09:00 05/03/2026"
    assert cells[11] == "10:00 06/03/2026"


def test_counter_guidance_issues_02_and_the_return_issues_01(world):
    dossier = dossier_guide_at_counter(
        actor=world.officer,
        procedure_version=world.version,
        applicant=world.citizen,
        applicant_name="Nguyễn Văn An",
        receiving_unit=world.ward,
        form_data={"ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-01-01"},
        items=[{"component": "TP1", "reason": "Thiếu chữ ký của người yêu cầu"}],
        note="Hướng dẫn tại quầy",
        now=MON,
    )
    assert forms_issued(dossier=dossier) == ["02"]
    text = text_of(form_pdf(dossier=dossier, number="02", now=MON))
    assert "Thiếu chữ ký của người yêu cầu" in text
    assert "Tờ khai" in text  # the component's name, not its code

    dossier = dossier_supplement(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 9))

    assert forms_issued(dossier=dossier) == ["01", "02", "06"]
    text = text_of(form_pdf(dossier=dossier, number="01", now=MON))
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 04/03/2026" in text
    assert "Hà Nội, ngày 04 tháng 3 năm 2026" in text


def test_form01_names_the_principal_when_filed_by_a_representative(world):
    dossier = received(
        world,
        representative={
            "principal_kind": "person",
            "principal_name": "Trần Thị Bình",
            "principal_id_number": "001190054321",
            "relationship": "mẹ",
        },
    )

    text = text_of(form_pdf(dossier=dossier, number="01", now=MON))

    assert "Nộp thay cho (người ủy quyền): Trần Thị Bình, số định danh 001190054321" in text
    assert "quan hệ: mẹ" in text


def test_the_font_check_sees_a_fallback_font():
    """A letter Liberation Serif lacks falls back to another font: the check above would fail."""
    from motcua.dossiers.forms.render import pdf_from_html

    pdf = pdf_from_html("<p>Hồ sơ ☃ ⼀</p>")

    with pytest.raises(AssertionError):
        assert_only_our_font(pdf)


def _returned(world, **kw):
    dossier = at_leader_step(world)
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 5, 9))
    return dossier_return_result(
        dossier=dossier, actor=world.officer, now=vn(2026, 3, 6, 10, 15), **kw
    )


def test_the_receipt_of_return_carries_its_fields(world):
    dossier = _returned(
        world, collected_by="Trần Thị Bình", collected_id_number="001190054321", note="Ủy quyền"
    )
    assert forms_issued(dossier=dossier)[-1] == "return-receipt"

    pdf = form_pdf(dossier=dossier, number="return-receipt", now=MON)

    text = text_of(pdf)
    assert_header(text, dossier.code)
    assert "Mẫu số" not in text  # not one of the circular's numbered forms
    assert "BIÊN NHẬN TRẢ KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text
    assert "Hà Nội, ngày 06 tháng 3 năm 2026" in text
    assert "Nguyễn Văn An" in text  # the applicant
    assert dossier.procedure_version.procedure.name in text
    assert "Kết quả giải quyết: Kết quả giải quyết thủ tục hành chính" in text
    event = dossier.events.get(action="issue_result")
    code = event.after["verify_code"]
    assert f"Mã kiểm tra của kết quả: {code[:4]}-{code[4:]}" in text
    assert "Thời gian trả kết quả: 10 giờ 15 phút, ngày 06/03/2026" in text
    assert "Người nhận kết quả: Trần Thị Bình; số định danh: 001190054321" in text
    assert "Ghi chú: Ủy quyền" in text
    assert "NGƯỜI NHẬN KẾT QUẢ" in text
    assert "NGƯỜI TRẢ KẾT QUẢ" in text
    assert world.officer.display_name in text
    assert lookup_url(dossier.code) in text
    assert_only_our_font(pdf)
    assert page_size(pdf) == (595, 842)
    assert page_size(form_pdf(dossier=dossier, number="return-receipt", now=MON, size="a5")) == (
        420,
        595,
    )


def test_the_applicant_collecting_is_named_on_the_receipt(world):
    dossier = _returned(world)
    text = text_of(form_pdf(dossier=dossier, number="return-receipt", now=MON))
    assert "Người nhận kết quả: Nguyễn Văn An" in text
    assert "(người nộp hồ sơ)" in text


def test_no_receipt_of_return_before_it_or_by_post(world):
    dossier = at_leader_step(world)
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 5, 9))
    with pytest.raises(FormNotIssued) as refused:
        form_pdf(dossier=dossier, number="return-receipt", now=MON)
    assert refused.value.code == "form_not_issued"
    assert "return-receipt" not in forms_issued(dossier=dossier)
    dossier = dossier_return_result(
        dossier=dossier,
        actor=world.officer,
        now=vn(2026, 3, 6, 10),
        delivery="post",
        tracking_number="EB123456789VN",
    )
    assert "return-receipt" not in forms_issued(dossier=dossier)
    with pytest.raises(FormNotIssued):
        form_pdf(dossier=dossier, number="return-receipt", now=MON)
