"""Problems found in a catalog: one row of the error report.

A problem says where (sheet, line, field), what (a stable `code`) and why, in Vietnamese
(`message`) and in English (`message_en`). The Vietnamese text is the gettext source string, so
the locale files can later translate it; the English text is kept beside it so the import report
is bilingual today.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError


class Problem(TypedDict):
    sheet: str
    line: int | None
    field: str
    code: str
    message: str
    message_en: str


# code -> (Vietnamese, English), with %-style named placeholders.
MESSAGES: dict[str, tuple[Any, str]] = {
    "malformed_file": (_("Không đọc được tệp: %(detail)s"), "Cannot read the file: %(detail)s"),
    "not_utf8": (
        _(
            "Tệp không phải UTF-8 (byte %(byte)s): lưu lại tệp với bảng mã UTF-8 (Excel: "
            '"CSV UTF-8").'
        ),
        'The file is not UTF-8 (byte %(byte)s): save it again as UTF-8 (Excel: "CSV UTF-8").',
    ),
    "file_too_large": (
        _("Tệp quá lớn: %(size)s (tối đa %(max)s)."),
        "The file is too large: %(size)s (at most %(max)s).",
    ),
    "too_many_members": (
        _("Tệp nén có %(count)s mục (tối đa %(max)s)."),
        "The archive holds %(count)s entries (at most %(max)s).",
    ),
    "compression_ratio": (
        _("Mục %(name)s trong tệp nén bị nén %(ratio)s lần (tối đa %(max)s): từ chối giải nén."),
        "Entry %(name)s of the archive is compressed %(ratio)s times (at most %(max)s): "
        "not unpacked.",
    ),
    "cell_too_large": (
        _("Ô có %(size)s ký tự (tối đa %(max)s)."),
        "The cell holds %(size)s characters (at most %(max)s).",
    ),
    "wrong_format": (
        _("Tệp không đúng định dạng %(expected)s (thấy: %(found)s)."),
        "The file is not in the %(expected)s format (found: %(found)s).",
    ),
    "missing_sheet": (
        _('Thiếu bảng tính/tệp "%(name)s" (cần đủ: %(expected)s).'),
        'Sheet/file "%(name)s" is missing (expected: %(expected)s).',
    ),
    "unknown_sheet": (
        _('Bảng tính/tệp "%(name)s" không thuộc định dạng (chỉ dùng: %(expected)s).'),
        'Sheet/file "%(name)s" is not part of the format (expected: %(expected)s).',
    ),
    "missing_column": (_('Thiếu cột "%(column)s".'), 'Column "%(column)s" is missing.'),
    "unknown_column": (
        _('Cột "%(column)s" không thuộc định dạng.'),
        'Column "%(column)s" is not part of the format.',
    ),
    "unknown_key": (
        _('Khoá "%(name)s" không thuộc định dạng.'),
        'Key "%(name)s" is not part of the format.',
    ),
    "required": (_("Bắt buộc phải có giá trị."), "A value is required."),
    "not_a_list": (_("Phải là một danh sách."), "Must be a list."),
    "not_an_object": (_("Phải là một đối tượng JSON."), "Must be a JSON object."),
    "bad_text": (_("Phải là chuỗi ký tự."), "Must be text."),
    "too_long": (_("Dài quá %(max)s ký tự."), "Longer than %(max)s characters."),
    "bad_number": (_('"%(value)s" không phải là số.'), '"%(value)s" is not a number.'),
    "bad_integer": (
        _('"%(value)s" không phải là số nguyên.'),
        '"%(value)s" is not a whole number.',
    ),
    "bad_bool": (
        _('"%(value)s" không phải là có/không (true/false).'),
        '"%(value)s" is not yes/no (true/false).',
    ),
    "bad_date": (
        _('"%(value)s" không phải là ngày (YYYY-MM-DD).'),
        '"%(value)s" is not a date (YYYY-MM-DD).',
    ),
    "bad_time": (_('"%(value)s" không phải là giờ (HH:MM).'), '"%(value)s" is not a time (HH:MM).'),
    "bad_json": (_("Không phải JSON hợp lệ: %(detail)s"), "Not valid JSON: %(detail)s"),
    "bad_choice": (
        _('"%(value)s" không thuộc các giá trị cho phép: %(choices)s.'),
        '"%(value)s" is not one of the allowed values: %(choices)s.',
    ),
    "negative": (_("Không được âm."), "Must not be negative."),
    "absurd_time": (
        _("Thời hạn %(value)s %(unit)s không hợp lý (tối đa %(max)s)."),
        "A time of %(value)s %(unit)s is not plausible (at most %(max)s).",
    ),
    "out_of_range": (
        _("Giá trị %(value)s ngoài khoảng cho phép (%(min)s–%(max)s)."),
        "Value %(value)s is outside the allowed range (%(min)s–%(max)s).",
    ),
    "immediate_time_not_zero": (
        _("Thủ tục giải quyết trong ngày phải có thời hạn 0."),
        "A same-day procedure must have a time of 0.",
    ),
    "time_zero": (
        _('Thời hạn giải quyết phải lớn hơn 0 (hoặc chọn đơn vị "trong ngày").'),
        'The processing time must be above 0 (or use the "immediate" time unit).',
    ),
    "calendar_days_whole": (
        _("Thời hạn tính theo ngày phải là số ngày nguyên (thấy: %(value)s)."),
        "A time in calendar days must be a whole number of days (found: %(value)s).",
    ),
    "cutoff_outside_office_hours": (
        _("Giờ chốt nhận %(value)s phải nằm trong giờ hành chính (07:00–17:00)."),
        "Cut-off time %(value)s must lie within office hours (07:00–17:00).",
    ),
    "validity_reversed": (
        _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
        "The end of validity must not precede its start.",
    ),
    "duplicate_code": (
        _("Mã thủ tục %(value)s bị trùng trong tệp."),
        "Procedure code %(value)s appears twice in the file.",
    ),
    "national_code_format": (
        _(
            "Mã %(value)s không đúng dạng mã quốc gia (vd 1.001234); mã địa phương phải đánh "
            "dấu local_code."
        ),
        "Code %(value)s is not a national procedure code (e.g. 1.001234); mark local codes "
        "with local_code.",
    ),
    "local_code_looks_national": (
        _("Mã %(value)s có dạng mã quốc gia nhưng được đánh dấu là mã địa phương."),
        "Code %(value)s looks like a national code but is marked local.",
    ),
    "unknown_procedure": (
        _("Không có thủ tục mã %(value)s trong bảng procedures."),
        "There is no procedure %(value)s in the procedures sheet.",
    ),
    "unknown_format_option": (
        _('Định dạng "%(value)s" không được hỗ trợ (dùng: json, xlsx, csv).'),
        'Format "%(value)s" is not supported (use json, xlsx or csv).',
    ),
    "unknown_field": (
        _("Lĩnh vực %(value)s không có trong danh mục lĩnh vực."),
        "Field %(value)s is not in the list of fields.",
    ),
    "unknown_life_event": (
        _("Sự kiện trong đời %(value)s không có trong danh mục."),
        "Life event %(value)s is not in the list of life events.",
    ),
    "field_name_conflict": (
        _("Lĩnh vực %(value)s có hai tên khác nhau trong tệp."),
        "Field %(value)s has two different names in the file.",
    ),
    "unknown_unit": (_("Không có đơn vị mã %(value)s."), "There is no unit with code %(value)s."),
    "ambiguous_unit": (
        _("Có nhiều đơn vị tên “%(value)s”: hãy ghi mã đơn vị."),
        'Several units are named "%(value)s": give the unit code.',
    ),
    "field_name_taken": (
        _("Tên lĩnh vực của %(value)s đã là tên của lĩnh vực %(other)s."),
        "The name of field %(value)s is already the name of field %(other)s.",
    ),
    "competent_unit_required": (
        _("Thủ tục cấp tỉnh phải có đơn vị giải quyết."),
        "A province-level procedure needs a competent unit.",
    ),
    "commune_unit_kinds": (
        _("Thủ tục cấp xã chỉ do phường, xã, đặc khu giải quyết (thấy: %(value)s)."),
        "A commune-level procedure is settled by wards, communes or special zones only "
        "(found: %(value)s).",
    ),
    "duplicate_component_code": (
        _("Mã thành phần hồ sơ %(value)s bị trùng."),
        "Dossier component code %(value)s appears twice.",
    ),
    "duplicate_order": (_("Thứ tự %(value)s bị trùng."), "Order %(value)s appears twice."),
    "national_database_required": (
        _("Giấy tờ khai thác từ dữ liệu quốc gia phải nêu cơ sở dữ liệu (national_database)."),
        "A component replaced by national data must name the national database.",
    ),
    "national_data_form_required": (
        _("Đã nêu cơ sở dữ liệu quốc gia thì hình thức chấp nhận phải có national_data."),
        "A component with a national database must accept the national_data form.",
    ),
    "certified_copy_without_electronic": (
        _(
            "Thành phần nhận bản sao chứng thực thì cũng phải nhận bản sao điện tử chứng thực "
            "từ bản chính (electronic_copy)."
        ),
        "A component accepting a certified copy must also accept an electronic copy certified "
        "from the original (electronic_copy).",
    ),
    "certified_copy_national_data": (
        _(
            "Không được yêu cầu bản sao chứng thực đối với giấy tờ đã khai thác được từ cơ sở dữ "
            "liệu quốc gia (Nghị quyết 66.7/2025/NQ-CP, Nghị định 280/2025/NĐ-CP)."
        ),
        "A certified copy may not be asked for a paper whose data is in a national database "
        "(Resolution 66.7/2025/NQ-CP, Decree 280/2025/NĐ-CP).",
    ),
    "eform_certified_copy": (
        _(
            "Biểu mẫu điện tử không được yêu cầu bản sao chứng thực: thành phần hồ sơ của thủ tục "
            "mới nói giấy tờ nào cần chứng thực (Nghị định 23/2015/NĐ-CP)."
        ),
        "An e-form may not ask for a certified copy: only the procedure's dossier components say "
        "which paper needs one (Decree 23/2015/NĐ-CP).",
    ),
    "certified_copy_declaration": (
        _("Tờ khai theo mẫu không thể là bản sao chứng thực."),
        "A declaration form cannot be a certified copy.",
    ),
    "exempt_with_amount": (
        _("Khoản miễn thu không được có mức thu khác 0."),
        "An exempt item cannot have a non-zero amount.",
    ),
    "invalid_exemption": (
        _("Miễn, giảm không hợp lệ: %(value)s."),
        "Invalid exemption or discount: %(value)s.",
    ),
    "role_not_for_steps": (
        _("Vai trò %(value)s không thực hiện bước xử lý (chỉ: officer, specialist, leader)."),
        "Role %(value)s does not perform process steps (only officer, specialist, leader).",
    ),
    "unit_required_for_named": (
        _("Bước thực hiện tại đơn vị cụ thể phải nêu mã đơn vị."),
        "A step at a named unit must give the unit code.",
    ),
    "unit_only_for_named": (
        _('Chỉ nêu mã đơn vị khi nơi thực hiện là "named".'),
        'Give a unit code only when the unit scope is "named".',
    ),
    "steps_exceed_legal_time": (
        _(
            "Tổng thời gian các bước (%(total)s giờ làm việc) vượt thời hạn giải quyết "
            "(%(limit)s giờ làm việc)."
        ),
        "The process steps take %(total)s working hours, more than the legal time "
        "(%(limit)s working hours).",
    ),
    "step_exceeds_legal_time": (
        _(
            "Bước %(order)s kết thúc ở giờ làm việc thứ %(end)s, quá thời hạn giải quyết "
            "(%(limit)s giờ làm việc)."
        ),
        "Step %(order)s ends at working hour %(end)s, after the legal time (%(limit)s working "
        "hours).",
    ),
    "incomplete_for_publish": (
        _("Chưa đủ để công bố: thiếu %(value)s."),
        "Not complete enough to publish: %(value)s is missing.",
    ),
    "components_required": (_("Chưa có thành phần hồ sơ."), "There are no dossier components."),
    "steps_required": (
        _("Chưa có quy trình nội bộ (các bước xử lý)."),
        "There is no internal process (process steps).",
    ),
    "eform_field_name": (
        _('Tên trường "%(value)s" không hợp lệ hoặc bị trùng (chỉ dùng a-z, 0-9, _).'),
        'Field name "%(value)s" is invalid or repeated (use a-z, 0-9, _ only).',
    ),
    "unknown_prefill": (
        _('Nguồn điền sẵn "%(value)s" không được hỗ trợ (dùng: %(choices)s).'),
        'Prefill source "%(value)s" is not supported (use: %(choices)s).',
    ),
    "eform_prefill_type": (
        _('Nguồn điền sẵn "%(value)s" không dùng được cho trường kiểu %(type)s.'),
        'Prefill source "%(value)s" cannot fill a field of type %(type)s.',
    ),
    "eform_option_not_for_type": (
        _('Tuỳ chọn "%(name)s" không áp dụng cho trường kiểu %(type)s.'),
        'Option "%(name)s" does not apply to a field of type %(type)s.',
    ),
    "eform_choices_required": (
        _("Trường lựa chọn cần có danh sách giá trị (choices)."),
        "A choice field needs its list of values (choices).",
    ),
    "eform_bad_choice_item": (
        _("Mỗi lựa chọn là một chuỗi hoặc một đối tượng {value, label}."),
        "Each choice is a string or a {value, label} object.",
    ),
    "eform_duplicate_choice": (
        _('Giá trị lựa chọn "%(value)s" bị trùng.'),
        'Choice value "%(value)s" is repeated.',
    ),
    "eform_range_reversed": (
        _("Giá trị tối đa (max) nhỏ hơn giá trị tối thiểu (min)."),
        "The maximum (max) is below the minimum (min).",
    ),
    "eform_unknown_date_field": (
        _('"%(value)s" không phải là một trường ngày của tờ khai.'),
        '"%(value)s" is not a date field of the form.',
    ),
    "status_not_importable": (
        _("Chỉ nhập được phiên bản dự thảo hoặc đã công bố."),
        "Only draft or published versions can be imported.",
    ),
    "valid_from_not_after_current": (
        _(
            "Phiên bản mới phải có hiệu lực sau ngày %(value)s (ngày bắt đầu hiệu lực của phiên "
            "bản đang công bố)."
        ),
        "The new version must take effect after %(value)s (when the published version took "
        "effect).",
    ),
    "not_a_draft": (
        _("Chỉ công bố được phiên bản dự thảo."),
        "Only a draft version can be published.",
    ),
    "draft_exists": (
        _("Thủ tục đã có phiên bản dự thảo số %(value)s."),
        "The procedure already has draft version %(value)s.",
    ),
    "no_version": (
        _("Thủ tục chưa có phiên bản nào để sao chép."),
        "The procedure has no version to copy.",
    ),
}


def problem(
    code: str, *, sheet: str = "", line: int | None = None, field: str = "", **params: Any
) -> Problem:
    vi, en = MESSAGES[code]
    params = {k: _display(v) for k, v in params.items()}
    return Problem(
        sheet=sheet,
        line=line,
        field=field,
        code=code,
        message=str(vi) % params if params else str(vi),
        message_en=en % params if params else en,
    )


_DISPLAY_CHARS = 60


def _display(value: Any) -> str:
    """A value quoted in a message: short (a huge number or cell is cut), never failing."""
    if isinstance(value, (list, tuple, set)):
        text = ", ".join(_display(v) for v in value)
    else:
        try:
            text = str(value)
        except ValueError:  # an int too long for Python to print
            text = "…"
    return text if len(text) <= _DISPLAY_CHARS else text[: _DISPLAY_CHARS - 1] + "…"


def format_problem(p: Problem) -> str:
    """One line of the printed report: `procedures:12 counter_time — message / English`."""
    where = p["sheet"] or "-"
    if p["line"] is not None:
        where += f":{p['line']}"
    if p["field"]:
        where += f" {p['field']}"
    return f"{where} — {p['message']} / {p['message_en']} [{p['code']}]"


class CatalogInvalid(ValidationError):
    """A catalog (file or version) has problems; `errors` lists every one of them."""

    code = "catalog_invalid"

    def __init__(self, problems: list[Problem], message: Any = None) -> None:
        super().__init__(
            message or _("Danh mục có %(count)s lỗi; không có gì được lưu."),
            errors=[dict(p) for p in problems],
            count=len(problems),
        )
        self.problems = problems
