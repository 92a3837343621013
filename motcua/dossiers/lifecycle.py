"""The dossier lifecycle, declared once, as data (domain.md section 3).

`TRANSITIONS` says, for each action on an existing dossier: the statuses it may start from,
who may take it (in which unit, with which role, and in which of those statuses), whether a
reason is required, its label, the official form it issues and the fields it takes. The
services (`motcua.dossiers.services`) enforce exactly this table through
`services._base.begin`; `dossier_actions_for` (selectors) answers from it what an actor may do
now; docs/lifecycle.md's transition table is generated from it (`lifecycle_markdown`, a test
compares). Actions that create a dossier (`submit`, `receive_at_counter`, `guide_at_counter`)
and the system's own jobs are listed in `CREATIONS` and `SYSTEM_ACTIONS` for the docs only.

Nothing here touches the database except `actor_role_for`, which reads role assignments (and,
for `answer_consult`, the open consultation: `open_consultation`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.accounts.models import User
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_roles_in_unit

from .models import Dossier, DossierStatus, StepRun, StepRunKind

S = DossierStatus

APPLICANT_ROLE = "applicant"
SYSTEM_ROLE = "system"


class Who(enum.StrEnum):
    """Who may act, relative to the dossier."""

    RECEIVING_OFFICER = "receiving_officer"
    HANDLING_OFFICER = "handling_officer"
    HANDLING_SPECIALIST = "handling_specialist"
    HANDLING_LEADER = "handling_leader"
    RECEIVING_LEADER = "receiving_leader"
    #: The current step's role in the step's unit, or a leader of that unit.
    STEP_HOLDER = "step_holder"
    #: A leader or specialist of the unit whose opinion was asked (the open consultation).
    CONSULTED_UNIT = "consulted_unit"
    APPLICANT = "applicant"

    @property
    def label(self) -> Promise:
        return WHO_LABELS[self]


WHO_LABELS: dict[Who, Promise] = {
    Who.RECEIVING_OFFICER: _("công chức một cửa của đơn vị tiếp nhận"),
    Who.HANDLING_OFFICER: _("công chức một cửa của đơn vị giải quyết"),
    Who.HANDLING_SPECIALIST: _("chuyên viên của đơn vị giải quyết"),
    Who.HANDLING_LEADER: _("lãnh đạo của đơn vị giải quyết"),
    Who.RECEIVING_LEADER: _("lãnh đạo của đơn vị tiếp nhận"),
    Who.STEP_HOLDER: _("người được giao bước hiện tại (hoặc lãnh đạo đơn vị của bước)"),
    Who.CONSULTED_UNIT: _("lãnh đạo, chuyên viên của đơn vị được xin ý kiến"),
    Who.APPLICANT: _("người nộp hồ sơ"),
}


class FieldKind(enum.StrEnum):
    TEXT = "text"
    USER = "user"  # a user id, one of the choices
    UNIT = "unit"  # a unit code, one of the choices
    CHOICE = "choice"  # one of the choices
    DATETIME = "datetime"  # ISO 8601 with an offset
    MONEY = "money"  # a positive integer, VND
    ITEMS = "items"  # [{"component", "reason"}], component one of the choices or free text
    OBJECT = "object"  # a JSON object (e-form data)
    FILES = "files"  # component code -> file(s): one per requested component (multipart)


@dataclass(frozen=True)
class ActionField:
    name: str
    kind: FieldKind
    label: Promise
    required: bool = False
    #: For a CHOICE field other than the result's outcome: the allowed (value, label) pairs.
    options: tuple[tuple[str, Promise], ...] | None = None


#: How a result is returned (`return_result`'s `delivery`).
DELIVERY_COUNTER = "counter"
DELIVERY_POST = "post"
DELIVERY_ONLINE = "online"
DELIVERY_OPTIONS: tuple[tuple[str, Promise], ...] = (
    (DELIVERY_COUNTER, _("Trả trực tiếp tại bộ phận một cửa")),
    (DELIVERY_POST, _("Gửi qua dịch vụ bưu chính công ích")),
    (DELIVERY_ONLINE, _("Trả trực tuyến vào kho dữ liệu của người nộp")),
)


@dataclass(frozen=True)
class Allow:
    """`who` may take the action; only from `statuses` when given (else every source)."""

    who: Who
    statuses: frozenset[int] | None = None


@dataclass(frozen=True)
class Transition:
    action: str
    #: The verb for messages ("Bạn không có quyền %(doing)s hồ sơ này").
    doing: Promise
    sources: frozenset[int]
    allow: tuple[Allow, ...]
    label: Promise
    #: The status after it; None: it stays, or it depends (see `target_label`).
    target: int | None = None
    target_label: Promise | None = None
    reason_required: bool = False
    form: str | None = None
    fields: tuple[ActionField, ...] = ()
    #: The keyword the service takes the free text under ("note" or "reason").
    text_param: str = "note"
    guards: Promise | None = None
    #: The IllegalTransition code when started from these statuses (else
    #: "illegal_transition").
    illegal_codes: tuple[tuple[frozenset[int], str], ...] = ()

    def illegal_code(self, status: int) -> str:
        for statuses, code in self.illegal_codes:
            if status in statuses:
                return code
        return "illegal_transition"

    def allows(self, who: Who, status: int) -> bool:
        return any(
            a.who == who and (a.statuses is None or status in a.statuses) for a in self.allow
        )

    def who_for(self, status: int) -> tuple[Who, ...]:
        return tuple(a.who for a in self.allow if a.statuses is None or status in a.statuses)


REASON = ActionField("reason", FieldKind.TEXT, _("Lý do"), required=True)
NOTE = ActionField("reason", FieldKind.TEXT, _("Ghi chú"))

BEFORE_RECEPTION = frozenset({S.REGISTERED})
ACTIVE = frozenset({S.RECEIVED, S.PROCESSING})
WITHDRAWABLE = frozenset(
    {S.REGISTERED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.STOPPED}
)

_TABLE: tuple[Transition, ...] = (
    Transition(
        action="receive",
        doing=_("tiếp nhận"),
        sources=BEFORE_RECEPTION,
        allow=(Allow(Who.RECEIVING_OFFICER),),
        label=_("Tiếp nhận hồ sơ"),
        target=S.RECEIVED,
        form="01",
        fields=(NOTE,),
        guards=_("lần thứ hai: `already_received`"),
        illegal_codes=(
            (
                frozenset(
                    {
                        S.RECEIVED,
                        S.PROCESSING,
                        S.PAYMENT_REQUESTED,
                        S.STOPPED,
                        S.FINISHED,
                        S.RETURNED,
                    }
                ),
                "already_received",
            ),
        ),
    ),
    Transition(
        action="refuse",
        doing=_("từ chối tiếp nhận"),
        sources=BEFORE_RECEPTION,
        allow=(Allow(Who.RECEIVING_OFFICER),),
        label=_("Từ chối tiếp nhận"),
        target=S.NOT_RECEIVED,
        reason_required=True,
        form="03",
        fields=(REASON,),
        text_param="reason",
        guards=_(
            "chỉ trước khi tiếp nhận; sau khi đã cấp phiếu hẹn, hồ sơ không giải quyết được "
            "kết thúc bằng kết quả từ chối giải quyết (`issue_result`, outcome `refused`)"
        ),
    ),
    Transition(
        action="request_supplement",
        doing=_("yêu cầu bổ sung"),
        sources=frozenset({S.REGISTERED, S.RECEIVED, S.PROCESSING}),
        allow=(
            Allow(Who.RECEIVING_OFFICER),
            Allow(Who.HANDLING_OFFICER, frozenset({S.RECEIVED, S.PROCESSING})),
            Allow(Who.HANDLING_SPECIALIST, frozenset({S.RECEIVED, S.PROCESSING})),
        ),
        label=_("Yêu cầu bổ sung hồ sơ"),
        target=S.SUPPLEMENT_REQUESTED,
        form="02",
        fields=(
            ActionField("items", FieldKind.ITEMS, _("Giấy tờ, thông tin cần bổ sung"), True),
            NOTE,
        ),
        guards=_(
            "danh sách đầy đủ, mỗi mục có giấy tờ và lý do (`items_required`, `items_invalid`); "
            "sau khi tiếp nhận chỉ một lần (`supplement_once`)"
        ),
    ),
    Transition(
        action="supplement",
        doing=_("bổ sung hồ sơ"),
        sources=frozenset({S.SUPPLEMENT_REQUESTED}),
        allow=(
            Allow(Who.APPLICANT),
            Allow(Who.RECEIVING_OFFICER),
            Allow(Who.HANDLING_OFFICER),
        ),
        label=_("Bổ sung hồ sơ"),
        target_label=_("trạng thái trước khi yêu cầu (1, 2 hoặc 4); 2 khi được hướng dẫn tại quầy"),
        fields=(
            ActionField("form_data", FieldKind.OBJECT, _("Dữ liệu tờ khai bổ sung")),
            ActionField("files", FieldKind.FILES, _("Tệp của các thành phần được yêu cầu")),
            NOTE,
        ),
        guards=_(
            "không còn khi hồ sơ đã bị đóng (`closed`); tệp gửi kèm: đúng các thành phần được "
            "yêu cầu (`component_not_requested`, `components_missing`)"
        ),
    ),
    Transition(
        action="forward",
        doing=_("chuyển bước xử lý"),
        sources=ACTIVE,
        allow=(Allow(Who.STEP_HOLDER),),
        label=_("Chuyển bước xử lý"),
        target=S.PROCESSING,
        form="06",
        fields=(ActionField("to_user", FieldKind.USER, _("Người nhận")), NOTE),
        guards=_(
            "có bước tiếp theo không phải bước trả kết quả (`last_step`); người nhận có vai trò "
            "của bước đó (`invalid_assignee`)"
        ),
    ),
    Transition(
        action="return_step",
        doing=_("trả lại bước trước"),
        sources=frozenset({S.PROCESSING}),
        allow=(Allow(Who.STEP_HOLDER),),
        label=_("Trả lại bước xử lý trước"),
        target=S.PROCESSING,
        reason_required=True,
        form="06",
        fields=(REASON,),
        text_param="reason",
        guards=_(
            "có bước trước thuộc quá trình giải quyết, không phải bước tiếp nhận "
            "(`first_step`); bước hiện tại được đánh giá và ghi lý do trả lại trên phiếu "
            "kiểm soát, bước trước mở lại với đủ thời gian, giao cho người đã làm bước đó"
        ),
    ),
    Transition(
        action="consult",
        doing=_("xin ý kiến"),
        sources=frozenset({S.PROCESSING}),
        allow=(Allow(Who.STEP_HOLDER),),
        label=_("Xin ý kiến đơn vị khác"),
        reason_required=True,
        form="06",
        fields=(
            ActionField("to_unit", FieldKind.UNIT, _("Đơn vị được xin ý kiến"), True),
            ActionField("answer_by", FieldKind.DATETIME, _("Hạn trả lời"), True),
            ActionField("reason", FieldKind.TEXT, _("Nội dung xin ý kiến"), True),
        ),
        text_param="reason",
        guards=_(
            "người giữ bước vẫn giữ hồ sơ; mỗi lần một đơn vị (`consultation_open`); đơn vị "
            "khác đơn vị của bước (`same_unit`); hạn trả lời sau lúc xin (`answer_by_invalid`); "
            "khi đang chờ ý kiến không chuyển bước, trả lại hay ban hành kết quả "
            "(`consultation_open`)"
        ),
    ),
    Transition(
        action="answer_consult",
        doing=_("trả lời xin ý kiến"),
        sources=frozenset({S.PROCESSING}),
        allow=(Allow(Who.CONSULTED_UNIT),),
        label=_("Trả lời xin ý kiến"),
        reason_required=True,
        fields=(ActionField("reason", FieldKind.TEXT, _("Ý kiến của đơn vị"), True),),
        text_param="answer",
        guards=_(
            "có lượt xin ý kiến đang chờ (`no_consultation`); dòng của phiếu kiểm soát được "
            "đánh giá trước hạn / đúng hạn / quá hạn theo hạn trả lời"
        ),
    ),
    Transition(
        action="transfer",
        doing=_("chuyển hồ sơ"),
        sources=ACTIVE,
        allow=(
            Allow(Who.HANDLING_OFFICER),
            Allow(Who.HANDLING_LEADER),
            Allow(Who.RECEIVING_OFFICER),
            Allow(Who.RECEIVING_LEADER),
        ),
        label=_("Chuyển hồ sơ đến đơn vị khác"),
        reason_required=True,
        fields=(ActionField("to_unit", FieldKind.UNIT, _("Đơn vị nhận"), True), REASON),
        text_param="reason",
        guards=_("đơn vị nhận đang hoạt động và khác đơn vị hiện tại (`same_unit`)"),
    ),
    Transition(
        action="request_payment",
        doing=_("yêu cầu thực hiện nghĩa vụ tài chính"),
        sources=frozenset({S.PROCESSING}),
        allow=(Allow(Who.HANDLING_OFFICER), Allow(Who.RECEIVING_OFFICER)),
        # the same words as the status; an action in other languages ("dossier action")
        label=pgettext_lazy("dossier action", "Yêu cầu thực hiện nghĩa vụ tài chính"),
        target=S.PAYMENT_REQUESTED,
        fields=(
            ActionField("amount_vnd", FieldKind.MONEY, _("Số tiền (đồng)"), False),
            ActionField("fee_name", FieldKind.TEXT, _("Tên khoản thu"), False),
            NOTE,
        ),
        guards=_("số tiền là số nguyên dương (`invalid_amount`)"),
    ),
    Transition(
        action="confirm_payment",
        doing=_("xác nhận đã thực hiện nghĩa vụ tài chính"),
        sources=frozenset({S.PAYMENT_REQUESTED}),
        allow=(Allow(Who.HANDLING_OFFICER), Allow(Who.RECEIVING_OFFICER)),
        label=_("Xác nhận đã thực hiện nghĩa vụ tài chính"),
        target=S.PROCESSING,
        fields=(NOTE,),
        guards=_(
            "không còn khoản phí, lệ phí nào chưa nộp (`fees_unpaid`): khoản thu trong hệ thống "
            "chỉ được coi là đã nộp khi tiền đã về"
        ),
    ),
    Transition(
        action="stop",
        doing=_("dừng xử lý"),
        sources=frozenset({S.PROCESSING}),
        allow=(Allow(Who.HANDLING_SPECIALIST), Allow(Who.HANDLING_LEADER)),
        # the same words as the status; an action in other languages ("dossier action")
        label=pgettext_lazy("dossier action", "Dừng xử lý"),
        target=S.STOPPED,
        reason_required=True,
        fields=(REASON,),
        text_param="reason",
    ),
    Transition(
        action="resume",
        doing=_("tiếp tục xử lý"),
        sources=frozenset({S.STOPPED}),
        allow=(Allow(Who.HANDLING_SPECIALIST), Allow(Who.HANDLING_LEADER)),
        label=_("Tiếp tục xử lý"),
        target=S.PROCESSING,
        fields=(NOTE,),
        guards=_("không khi hồ sơ đã bị đóng (`closed`)"),
    ),
    Transition(
        action="apologize",
        doing=_("gửi thư xin lỗi và hẹn lại"),
        sources=ACTIVE,
        allow=(Allow(Who.HANDLING_LEADER), Allow(Who.HANDLING_OFFICER)),
        label=_("Xin lỗi và hẹn lại ngày trả kết quả"),
        reason_required=True,
        form="04",
        fields=(
            ActionField("new_appointment_at", FieldKind.DATETIME, _("Ngày hẹn mới"), True),
            REASON,
        ),
        text_param="reason",
        guards=_(
            "chỉ một lần (`apology_once`); trước ngày hẹn (`appointment_passed`) ít nhất 01 ngày "
            "làm việc (`apology_too_late`); ngày hẹn mới sau ngày hẹn (`new_date_not_later`)"
        ),
    ),
    Transition(
        action="withdraw",
        doing=_("rút hồ sơ"),
        sources=WITHDRAWABLE,
        allow=(Allow(Who.APPLICANT), Allow(Who.RECEIVING_OFFICER), Allow(Who.HANDLING_OFFICER)),
        # the same words as the status; an action in other languages ("dossier action")
        label=pgettext_lazy("dossier action", "Rút hồ sơ theo yêu cầu"),
        target=S.WITHDRAWN,
        reason_required=True,
        form="05",
        fields=(REASON,),
        text_param="reason",
        guards=_("chưa có kết quả (`result_issued`); hồ sơ chưa bị đóng (`closed`)"),
        illegal_codes=((frozenset({S.FINISHED, S.RETURNED}), "result_issued"),),
    ),
    Transition(
        action="issue_result",
        doing=_("ban hành kết quả"),
        sources=ACTIVE,
        # The holder of the last processing step (the leader who signs, in most processes),
        # or a leader of the handling unit.
        allow=(Allow(Who.STEP_HOLDER), Allow(Who.HANDLING_LEADER)),
        label=_("Ban hành kết quả"),
        target=S.FINISHED,
        fields=(
            ActionField("outcome", FieldKind.CHOICE, _("Kết quả giải quyết")),
            ActionField("reason", FieldKind.TEXT, _("Ghi chú (bắt buộc khi từ chối giải quyết)")),
        ),
        guards=_(
            "đã qua hết các bước xử lý (`steps_remaining`); từ chối giải quyết phải nêu lý do "
            "(`reason_required`)"
        ),
    ),
    Transition(
        action="return_result",
        doing=_("trả kết quả"),
        sources=frozenset({S.FINISHED}),
        allow=(Allow(Who.RECEIVING_OFFICER), Allow(Who.HANDLING_OFFICER)),
        label=_("Trả kết quả"),
        target=S.RETURNED,
        fields=(
            ActionField(
                "delivery", FieldKind.CHOICE, _("Hình thức trả kết quả"), options=DELIVERY_OPTIONS
            ),
            ActionField("collected_by", FieldKind.TEXT, _("Người nhận kết quả")),
            ActionField("collected_id_number", FieldKind.TEXT, _("Số định danh người nhận")),
            ActionField("tracking_number", FieldKind.TEXT, _("Số hiệu bưu gửi")),
            NOTE,
        ),
        guards=_(
            "tại quầy (mặc định): ghi người nhận (mặc định là người nộp) và số định danh; qua "
            "bưu chính: số hiệu bưu gửi bắt buộc (`tracking_number_required`); trực tuyến: "
            "kết quả điện tử được đưa vào kho dữ liệu của người nộp"
        ),
    ),
)

TRANSITIONS: dict[str, Transition] = {t.action: t for t in _TABLE}
ACTIONS: tuple[str, ...] = tuple(TRANSITIONS)


@dataclass(frozen=True)
class Creation:
    """A service that creates a dossier (documented with the table; not an action)."""

    action: str
    service: str
    target: int
    who: Promise
    label: Promise
    form: str | None = None
    guards: Promise | None = None


CREATIONS: tuple[Creation, ...] = (
    Creation(
        action="submit",
        service="dossier_submit",
        target=S.REGISTERED,
        who=_("công dân, tổ chức (đã đăng nhập), hệ thống tích hợp (thay mặt người nộp)"),
        label=_("Nộp hồ sơ trực tuyến"),
        guards=_(
            "chỉ kênh trực tuyến (`channel_not_allowed`); phiên bản đã công bố, còn hiệu lực, "
            "nhận hồ sơ trực tuyến; đứng tên chính mình (`applicant_mismatch`) hoặc thay mặt "
            "người ủy quyền đã ghi nhận (`representative_invalid`); tờ khai được kiểm tra, điền "
            "sẵn, thông tin định danh đã xác thực không sửa được (`form_invalid`)"
        ),
    ),
    Creation(
        action="receive_at_counter",
        service="dossier_receive_at_counter",
        target=S.RECEIVED,
        who=_("công chức một cửa của đơn vị tiếp nhận"),
        label=_("Tiếp nhận hồ sơ giấy tại quầy"),
        form="01",
        guards=_(
            "kênh trực tiếp hoặc bưu chính; như khi nộp, tờ khai được kiểm tra nhưng điền sẵn từ "
            "thông tin người nộp do cán bộ nhập, không khóa trường nào"
        ),
    ),
    Creation(
        action="guide_at_counter",
        service="dossier_guide_at_counter",
        target=S.SUPPLEMENT_REQUESTED,
        who=_("công chức một cửa của đơn vị tiếp nhận"),
        label=_("Hướng dẫn hoàn thiện hồ sơ tại quầy"),
        form="02",
        guards=_(
            "hồ sơ giấy chưa đầy đủ: không cấp phiếu hẹn, không tính thời hạn; khi người nộp "
            "quay lại bổ sung, hồ sơ được tiếp nhận (2) với dữ liệu đã nhập"
        ),
    ),
)

SYSTEM_ACTIONS: tuple[Creation, ...] = (
    Creation(
        action="close_unsupplemented",
        service="dossier_close_unsupplemented",
        target=S.NOT_RECEIVED,
        who=_("hệ thống (lệnh `close_unsupplemented`)"),
        label=_("Đóng hồ sơ không bổ sung đúng hạn"),
        guards=_(
            "quá `supplement_wait_days` ngày làm việc kể từ khi yêu cầu; 3 khi chưa tiếp nhận, 8 "
            "(đã đóng) khi đã tiếp nhận; được đánh giá tại ngày yêu cầu bổ sung"
        ),
    ),
    Creation(
        action="payment_settled",
        service="dossier_payment_settle",
        target=S.PROCESSING,
        who=_("hệ thống (khi tiền đã về: cổng thanh toán hoặc thu tại quầy)"),
        label=_("Đã nộp đủ phí, lệ phí: tiếp tục xử lý"),
        guards=_(
            "hồ sơ đang ở trạng thái 6 và không còn khoản thu nào chưa nộp; ngày hẹn lùi theo "
            "thời gian tạm dừng"
        ),
    ),
)

#: Every action name an event can carry, with its label (the trail in plain Vietnamese).
EVENT_LABELS: dict[str, Promise] = {
    **{t.action: t.label for t in _TABLE},
    **{c.action: c.label for c in CREATIONS},
    **{c.action: c.label for c in SYSTEM_ACTIONS},
    # Not a transition: a file added to the dossier (motcua.dossiers.services.files).
    "file_add": _("Thêm tệp vào hồ sơ"),
    # Not transitions either: a component provided without an upload (services.datastore).
    "component_reuse": _("Dùng lại giấy tờ từ kho dữ liệu"),
    "component_national_data": _("Khai thác dữ liệu quốc gia thay giấy tờ"),
    # The applicant's own records (services.reports, services.ratings).
    "certified_copy_report": _("Phản ánh bị yêu cầu bản sao chứng thực"),
    "rate": _("Đánh giá mức độ hài lòng"),
}

ROLE_LABELS: dict[str, Promise] = {
    **{str(value): label for value, label in Role.choices},
    APPLICANT_ROLE: _("Người nộp hồ sơ"),
    SYSTEM_ROLE: _("Hệ thống"),
}


def action_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action


def role_label(role: str) -> str:
    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role


# --- who the actor is, for one dossier ----------------------------------------------------

_ROLE_PRIORITY = (Role.LEADER, Role.SPECIALIST, Role.OFFICER)


def _units_roles(*, who: Who, dossier: Dossier, run: StepRun | None) -> tuple[Unit, set[str]]:
    if who == Who.RECEIVING_OFFICER:
        return dossier.receiving_unit, {Role.OFFICER}
    if who == Who.RECEIVING_LEADER:
        return dossier.receiving_unit, {Role.LEADER}
    if who == Who.HANDLING_OFFICER:
        return dossier.handling_unit, {Role.OFFICER}
    if who == Who.HANDLING_SPECIALIST:
        return dossier.handling_unit, {Role.SPECIALIST}
    if who == Who.HANDLING_LEADER:
        return dossier.handling_unit, {Role.LEADER}
    if who == Who.CONSULTED_UNIT:
        asked = open_consultation(dossier, run)
        if asked is None:
            return dossier.handling_unit, set()
        return asked.unit, {Role.LEADER, Role.SPECIALIST}
    assert who == Who.STEP_HOLDER
    if run is None:
        return dossier.handling_unit, {Role.LEADER}
    return run.unit, {Role.LEADER} | ({run.role} if run.role else set())


_UNREAD = object()


def open_consultation(dossier: Dossier, run: StepRun | None = None) -> StepRun | None:
    """The dossier's consultation waiting for an answer, if any (read once per instance: a
    service reads it again on the dossier it locked). `run` is the open row as
    `services._base.current_run` reads it: its `consulting` says when there is none, which
    saves the query."""
    known = getattr(dossier, "_open_consultation", _UNREAD)
    if known is _UNREAD and run is not None and getattr(run, "consulting", None) is False:
        known = None
        dossier._open_consultation = None  # type: ignore[attr-defined]
    if known is _UNREAD:
        known = (
            StepRun.objects.filter(
                dossier_id=dossier.pk, kind=StepRunKind.CONSULT, finished_at__isnull=True
            )
            .select_related("unit")
            .order_by("-order")
            .first()
        )
        dossier._open_consultation = known  # type: ignore[attr-defined]
    return known  # type: ignore[return-value]


class RoleCache:
    """The actor's roles per unit, read once per unit (one call of `dossier_actions_for`
    asks for the same units many times)."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self._by_unit: dict[int, frozenset[str]] = {}

    def roles_in(self, unit: Unit) -> frozenset[str]:
        if self.actor is None or not self.actor.is_authenticated or not self.actor.is_active:
            return frozenset()
        if unit.pk not in self._by_unit:
            self._by_unit[unit.pk] = frozenset(user_roles_in_unit(user=self.actor, unit=unit))
        return self._by_unit[unit.pk]


def is_applicant(*, actor: User | None, dossier: Dossier) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and dossier.applicant_id is not None
        and dossier.applicant_id == actor.pk
    )


def actor_role_for(
    *,
    transition: Transition,
    actor: User | None,
    dossier: Dossier,
    run: StepRun | None,
    roles: RoleCache | None = None,
) -> str | None:
    """The role under which `actor` may take `transition` on `dossier` in its current status
    (`run` is the open slip row), or None. Staff roles win over being the applicant."""
    cache = roles or RoleCache(actor)
    applicant = False
    for who in transition.who_for(dossier.status):
        if who == Who.APPLICANT:
            applicant = applicant or is_applicant(actor=actor, dossier=dossier)
            continue
        unit, wanted = _units_roles(who=who, dossier=dossier, run=run)
        if not wanted:
            continue
        held = cache.roles_in(unit) & wanted
        if held:
            return next(str(r) for r in (*_ROLE_PRIORITY, *sorted(held)) if r in held)
    return APPLICANT_ROLE if applicant else None


def may_act_somewhere(transition: Transition, status: int) -> bool:
    return status in transition.sources


# --- the docs ------------------------------------------------------------------------------


def _status_list(statuses: Iterable[int]) -> str:
    return ", ".join(str(s) for s in sorted(statuses))


def _who_text(transition: Transition) -> str:
    parts = []
    for allow in transition.allow:
        text = str(allow.who.label)
        if allow.statuses is not None:
            text += f" ({_status_list(allow.statuses)})"
        parts.append(text)
    return "; ".join(parts)


def _target_text(transition: Transition) -> str:
    if transition.target is not None:
        return str(transition.target)
    if transition.target_label is not None:
        return str(transition.target_label)
    return "="


def _fields_text(fields: Sequence[ActionField]) -> str:
    return ", ".join(f"`{f.name}`" + ("*" if f.required else "") for f in fields) or "—"


def lifecycle_markdown() -> str:
    """The transition table of docs/lifecycle.md, generated from `TRANSITIONS` (Vietnamese:
    the language of record). tests/dossiers/test_lifecycle_table.py checks the doc holds it."""
    from django.utils import translation

    rows: list[str] = [
        "| action | from -> to | who | reason | form | fields | guards |",
        "|---|---|---|---|---|---|---|",
    ]
    with translation.override("vi"):
        for c in CREATIONS:
            rows.append(
                f"| `{c.action}` ({c.label}) | — -> {c.target} | {c.who} | | "
                f"{c.form or ''} | | {c.guards or ''} |"
            )
        for t in _TABLE:
            rows.append(
                f"| `{t.action}` ({t.label}) | {_status_list(t.sources)} -> {_target_text(t)} | "
                f"{_who_text(t)} | {'yes' if t.reason_required else ''} | {t.form or ''} | "
                f"{_fields_text(t.fields)} | {t.guards or ''} |"
            )
        for c in SYSTEM_ACTIONS:
            rows.append(
                f"| `{c.action}` ({c.label}) | 5 -> 3 / 8 | {c.who} | | {c.form or ''} | | "
                f"{c.guards or ''} |"
            )
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str


@dataclass(frozen=True)
class FieldOption:
    name: str
    kind: str
    label: str
    required: bool
    choices: list[Choice] | None = None


@dataclass(frozen=True)
class ActionOption:
    """One thing the actor may do now (the answer of `dossier_actions_for`)."""

    action: str
    label: str
    role: str
    form: str | None
    reason_required: bool
    fields: list[FieldOption] = field(default_factory=list)


DOC_START = "<!-- lifecycle-table:start -->"
DOC_END = "<!-- lifecycle-table:end -->"


def lifecycle_doc_block(text: str) -> str:
    """What a document holds between the two markers."""
    if DOC_START not in text or DOC_END not in text:
        raise ValueError(f"the document has no {DOC_START} … {DOC_END} block")
    return text.split(DOC_START, 1)[1].split(DOC_END, 1)[0].strip("\n") + "\n"


def lifecycle_doc_replace(text: str) -> str:
    """The document with the generated table between the markers."""
    lifecycle_doc_block(text)  # both markers are there
    head, rest = text.split(DOC_START, 1)
    _, tail = rest.split(DOC_END, 1)
    return f"{head}{DOC_START}\n{lifecycle_markdown()}{DOC_END}{tail}"
