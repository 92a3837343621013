"""The dossier (hồ sơ) and its trail (domain.md section 3).

`Dossier` is the current state; every change to it goes through `motcua.dossiers.services`,
which locks the row, bumps `version` and appends a `DossierEvent` in the same transaction.
`StepRun` rows are the process control slip (form 06); `Suspension` rows are the pauses
(supplement, payment, stop) with their start and end, so any clock can be recomputed.
Nothing here writes in `save()` or signals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureVersion, ProcessStep, ResultKind
from motcua.core.clock import format_vn_date
from motcua.core.models import AppendOnlyModel, AppendOnlyQuerySet
from motcua.documents.models import DataStoreItem, StoredFile
from motcua.organisation.models import ServicePoint, Unit


class DossierStatus(models.IntegerChoices):
    """The National Public Service Portal's status codes (domain.md section 3): keep them."""

    REGISTERED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Đã tiếp nhận")
    NOT_RECEIVED = 3, _("Không tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung")
    PAYMENT_REQUESTED = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Rút hồ sơ theo yêu cầu")
    STOPPED = 8, _("Dừng xử lý")
    FINISHED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


IN_PROGRESS_STATUSES = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING})
PAUSED_STATUSES = frozenset(
    {DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED, DossierStatus.STOPPED}
)
FINISHED_STATUSES = frozenset(
    {DossierStatus.WITHDRAWN, DossierStatus.FINISHED, DossierStatus.RETURNED}
)
#: No further transition is possible from these.
TERMINAL_STATUSES = frozenset(
    {DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.RETURNED}
)


class Channel(models.IntegerChoices):
    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Qua dịch vụ bưu chính công ích")

    @property
    def clock_name(self) -> str:
        """The channel name the deadlines app expects."""
        return {1: "counter", 2: "online", 3: "post"}[int(self.value)]


class ResultOutcome(models.TextChoices):
    """What the result of processing says (domain.md section 3): the request granted, or a
    *refusal to settle* with its reasons (a result too: status 9 then 10, counted settled)."""

    GRANTED = "granted", _("Giải quyết")
    REFUSED = "refused", _("Từ chối giải quyết")


class StepResult(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


#: `DossierQuerySet.open()`: not closed and no result yet (the partial indexes' condition).
OPEN_STATUSES = sorted(IN_PROGRESS_STATUSES | PAUSED_STATUSES | {DossierStatus.REGISTERED})
OPEN_CONDITION = models.Q(closed_at__isnull=True, status__in=OPEN_STATUSES)


class DossierQuerySet(models.QuerySet["Dossier"]):
    def in_progress(self) -> DossierQuerySet:
        return self.filter(status__in=IN_PROGRESS_STATUSES)

    def paused(self) -> DossierQuerySet:
        return self.filter(status__in=PAUSED_STATUSES)

    def finished(self) -> DossierQuerySet:
        return self.filter(status__in=FINISHED_STATUSES)

    def open(self) -> DossierQuerySet:
        """Not closed and no result yet: registered, in progress or paused."""
        return self.filter(OPEN_CONDITION)

    def overdue(self, now: dt.datetime) -> DossierQuerySet:
        """In progress with the (possibly new) appointment already passed (see is_overdue)."""
        late_original = models.Q(new_appointment_at__isnull=True, appointment_at__lt=now)
        late_new = models.Q(new_appointment_at__isnull=False, new_appointment_at__lt=now)
        return self.in_progress().filter(late_original | late_new)

    def for_units(self, unit_ids: set[int]) -> DossierQuerySet:
        """Received at or handled by one of the units."""
        return self.filter(
            models.Q(receiving_unit_id__in=unit_ids) | models.Q(handling_unit_id__in=unit_ids)
        )

    def of_applicant(self, user_id: int) -> DossierQuerySet:
        return self.filter(applicant_id=user_id)


class Dossier(models.Model):
    """A dossier filed under one procedure version. Change it only through the services."""

    Status = DossierStatus
    Channel = Channel

    code = models.CharField(
        _("mã hồ sơ"),
        max_length=60,
        unique=True,
        editable=False,
        help_text=_("{mã đơn vị tiếp nhận}-{YYMMDD}-{NNNN}, số thứ tự theo ngày và đơn vị."),
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("phiên bản thủ tục"),
    )
    receiving_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("đơn vị tiếp nhận"),
    )
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("điểm phục vụ"),
    )
    handling_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
        verbose_name=_("đơn vị giải quyết"),
        help_text=_("Đơn vị có thẩm quyền, nơi hồ sơ đang được giải quyết."),
    )
    channel = models.PositiveSmallIntegerField(
        _("kênh nộp"), choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.PositiveSmallIntegerField(
        _("trạng thái"),
        choices=DossierStatus.choices,
        default=DossierStatus.REGISTERED,
        db_index=True,
    )

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("tài khoản người nộp"),
    )
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=200)
    applicant_id_number = models.CharField(
        _("số định danh / mã số doanh nghiệp"), max_length=20, blank=True, db_index=True
    )
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    representative = models.JSONField(
        _("người được ủy quyền / người ủy quyền"),
        default=dict,
        blank=True,
        help_text=_("Thông tin người ủy quyền khi nộp thay (họ tên, số định danh, địa chỉ)."),
    )
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    #: The fee exemption categories the applicant claimed (`motcua.catalog.fees.CLAIMABLE`).
    fee_claims = models.JSONField(_("đối tượng miễn, giảm phí"), default=list, blank=True)
    result_kind = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=10,
        choices=ResultKind.choices,
        default=ResultKind.BOTH,
    )

    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    clock_started_at = models.DateTimeField(
        _("bắt đầu tính thời hạn"),
        null=True,
        blank=True,
        help_text=_("Tính lại từ đầu khi hồ sơ được bổ sung đầy đủ."),
    )
    appointment_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    new_appointment_at = models.DateTimeField(
        _("hẹn lại (sau xin lỗi)"),
        null=True,
        blank=True,
        help_text=_("Chỉ được hẹn lại một lần (mẫu 04)."),
    )
    finished_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    reception_alert_at = models.DateTimeField(
        _("cảnh báo tiếp nhận lúc"),
        null=True,
        blank=True,
        help_text=_(
            "Hồ sơ trực tuyến: bộ phận một cửa được cảnh báo sau (mặc định) 2 giờ làm việc kể "
            "từ khi hồ sơ đến."
        ),
    )
    reception_due_at = models.DateTimeField(
        _("hạn tiếp nhận"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Hồ sơ trực tuyến: phải tiếp nhận hoặc yêu cầu bổ sung trong (mặc định) 8 giờ làm "
            "việc kể từ khi hồ sơ đến."
        ),
    )
    reception_alerted_at = models.DateTimeField(
        _("đã cảnh báo tiếp nhận lúc"), null=True, blank=True
    )
    result_outcome = models.CharField(
        _("kết quả giải quyết"),
        max_length=10,
        choices=ResultOutcome.choices,
        blank=True,
        help_text=_("Giải quyết hoặc từ chối giải quyết (có lý do); trống khi chưa có kết quả."),
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    version = models.PositiveIntegerField(_("phiên bản dữ liệu"), default=1)
    current_step = models.ForeignKey(
        "StepRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bước hiện tại"),
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__gte=1) & models.Q(status__lte=10),
                name="dossier_status_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__gte=1) & models.Q(channel__lte=3),
                name="dossier_channel_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="dossier_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        DossierStatus.REGISTERED,
                        DossierStatus.NOT_RECEIVED,
                        DossierStatus.SUPPLEMENT_REQUESTED,
                        DossierStatus.WITHDRAWN,
                    ]
                )
                | models.Q(received_at__isnull=False),
                name="dossier_received_has_received_at",
            ),
        ]
        indexes = [
            models.Index(fields=["receiving_unit", "status"], name="dossier_recv_status_idx"),
            models.Index(fields=["handling_unit", "status"], name="dossier_hand_status_idx"),
            # "My dossiers" (the portal): one applicant's, newest first, without a sort.
            models.Index(
                fields=["applicant", "-submitted_at", "-id"], name="dossier_applicant_new_idx"
            ),
            # The work queue and its filter lists read only open dossiers (docs/architecture.md,
            # "Performance"): a unit's few hundred among a city's million.
            models.Index(
                fields=["receiving_unit", "status"],
                name="dossier_recv_open_idx",
                condition=OPEN_CONDITION,
            ),
            models.Index(
                fields=["handling_unit", "status"],
                name="dossier_hand_open_idx",
                condition=OPEN_CONDITION,
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def channel_name(self) -> str:
        return Channel(self.channel).clock_name

    @property
    def is_paused(self) -> bool:
        return self.status in PAUSED_STATUSES

    @property
    def is_finished(self) -> bool:
        """A decision was made or the applicant withdrew: no more processing."""
        return self.status in FINISHED_STATUSES

    @property
    def effective_appointment_at(self) -> dt.datetime | None:
        """The date the applicant was last given: the new date after an apology, if later."""
        if self.new_appointment_at and (
            self.appointment_at is None or self.new_appointment_at > self.appointment_at
        ):
            return self.new_appointment_at
        return self.appointment_at

    def is_overdue(self, now: dt.datetime) -> bool:
        """In progress (received or processing) and the appointment has passed. Paused
        dossiers are not overdue: their clock is stopped and the appointment moves on resume."""
        due = self.effective_appointment_at
        return self.status in IN_PROGRESS_STATUSES and due is not None and now > due

    def reception_overdue(self, now: dt.datetime) -> bool:
        """An online dossier still waiting at the one-stop (status 1) past its reception due
        instant (8 working hours after arrival): neither accepted nor sent back for a
        supplement in time."""
        return (
            self.status == DossierStatus.REGISTERED
            and self.reception_due_at is not None
            and now > self.reception_due_at
        )


class DossierEventQuerySet(AppendOnlyQuerySet["DossierEvent"]):
    """Append-only: bulk update and delete are refused (`AppendOnlyViolation`)."""


class DossierEvent(AppendOnlyModel):
    """One change of a dossier: who, when, which service, what changed, why. Append-only;
    `seq` equals the dossier's `version` after the change."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", verbose_name=_("hồ sơ")
    )
    seq = models.PositiveIntegerField(_("số thứ tự"))
    action = models.CharField(_("thao tác"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_role = models.CharField(_("vai trò"), max_length=20, blank=True)
    at = models.DateTimeField(_("thời điểm"))
    status_before = models.PositiveSmallIntegerField(
        _("trạng thái trước"), choices=DossierStatus.choices, null=True, blank=True
    )
    status_after = models.PositiveSmallIntegerField(
        _("trạng thái sau"), choices=DossierStatus.choices
    )
    before = models.JSONField(_("giá trị trước"), default=dict, blank=True)
    after = models.JSONField(_("giá trị sau"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="uniq_dossier_event_seq"),
        ]

    def __str__(self) -> str:
        # No action name here: the admin shows its Vietnamese label beside it.
        return f"{self.dossier_id}#{self.seq}"


class DossierCodeCounter(models.Model):
    """The last number used in dossier codes for one receiving unit and one local day."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    day = models.DateField(_("ngày"))
    last = models.PositiveIntegerField(_("số cuối"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã hồ sơ")
        verbose_name_plural = _("bộ đếm mã hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="uniq_dossier_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"


class StepRunKind(models.TextChoices):
    STEP = "step", _("Bước xử lý")
    #: The holder asks another unit for its opinion (`consult`), keeping the dossier; the
    #: row is open until that unit answers (`answer_consult`).
    CONSULT = "consult", _("Xin ý kiến")


class StepRun(models.Model):
    """A row of the process control slip (form 06): one hand-over of the dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="steps", verbose_name=_("hồ sơ")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    step = models.ForeignKey(
        ProcessStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bước quy trình"),
    )
    name = models.CharField(_("tên bước"), max_length=300)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhận"),
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người giao"),
    )
    allotment_hours = models.DecimalField(
        _("thời gian (giờ làm việc)"), max_digits=6, decimal_places=2, default=0
    )
    started_at = models.DateTimeField(_("nhận lúc"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người hoàn thành"),
    )
    result = models.CharField(_("kết quả"), max_length=10, choices=StepResult.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    kind = models.CharField(
        _("loại"), max_length=10, choices=StepRunKind.choices, default=StepRunKind.STEP
    )
    outside = models.BooleanField(
        _("ở đơn vị khác"),
        default=False,
        editable=False,
        help_text=_(
            "Đơn vị của bước không phải đơn vị tiếp nhận hay đơn vị giải quyết hồ sơ (do các "
            "dịch vụ ghi: mở bước, xin ý kiến, chuyển hồ sơ)."
        ),
    )

    class Meta:
        verbose_name = _("phiếu kiểm soát (bước)")
        verbose_name_plural = _("phiếu kiểm soát quá trình giải quyết")
        ordering = ["dossier_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="uniq_step_run_order"),
        ]
        indexes = [
            # The access rule's "a step in one of my units" arm: only the rows in a unit that
            # is neither the receiving nor the handling unit (those see the dossier anyway).
            models.Index(
                fields=["unit", "dossier"],
                name="steprun_outside_unit_idx",
                condition=models.Q(outside=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class SuspensionKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung")
    PAYMENT = "payment", _("Thực hiện nghĩa vụ tài chính")
    STOP = "stop", _("Dừng xử lý")


class Suspension(models.Model):
    """A pause of the processing clock, with start and end."""

    Kind = SuspensionKind

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("hồ sơ")
    )
    kind = models.CharField(_("loại"), max_length=10, choices=SuspensionKind.choices)
    resume_status = models.PositiveSmallIntegerField(
        _("trạng thái khi tiếp tục"),
        choices=DossierStatus.choices,
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    items = models.JSONField(
        _("nội dung"),
        default=list,
        blank=True,
        help_text=_(
            "Bổ sung: danh sách đầy đủ giấy tờ còn thiếu và lý do; nghĩa vụ tài chính: số tiền."
        ),
    )
    working_hours = models.DecimalField(
        _("số giờ làm việc tạm dừng"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("tạm dừng")
        verbose_name_plural = _("tạm dừng")
        ordering = ["dossier_id", "started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="suspension_ordered",
            ),
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_suspension_per_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {format_vn_date(self.started_at)}"


class DossierFileKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    RESULT = "result", _("Kết quả giải quyết")
    RESULT_COPY = "result_copy", _("Bản điện tử của kết quả giấy")
    CERTIFIED_COPY = "certified_copy", _("Bản sao điện tử chứng thực")
    FORM = "form", _("Tờ khai")


class DossierFile(models.Model):
    """A stored file attached to a dossier: a component's file, the result, a certified copy
    or a filled form. Added through `motcua.dossiers.services.dossier_file_add`."""

    Kind = DossierFileKind

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="files", verbose_name=_("hồ sơ")
    )
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp")
    )
    kind = models.CharField(
        _("loại"), max_length=20, choices=DossierFileKind.choices, default=DossierFileKind.COMPONENT
    )
    component_code = models.CharField(_("mã thành phần"), max_length=40, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thêm"),
    )
    added_at = models.DateTimeField(_("thêm lúc"))

    class Meta:
        verbose_name = _("tệp của hồ sơ")
        verbose_name_plural = _("tệp của hồ sơ")
        ordering = ["dossier_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "file"], name="uniq_dossier_file"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.file_id}"


class ComponentSource(models.TextChoices):
    UPLOADED = "uploaded", _("Tải lên")
    REUSED = "reused", _("Dùng lại từ kho dữ liệu")
    NATIONAL_DATA = "national_data", _("Khai thác từ cơ sở dữ liệu quốc gia")


class DossierComponentSource(models.Model):
    """How a component of a dossier was provided: a file uploaded, an item of the
    applicant's data store reused (`datastore_item`, and the file it attached), or data
    fetched from a national database (the database, the record's reference, the fields, when:
    no file). Written in the transaction that provides the component
    (`services.files.dossier_file_add`, `services.datastore`). The quality index counts the
    dossiers with a reused or national-data component (Decision 766/QĐ-TTg)."""

    Source = ComponentSource

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="component_sources", verbose_name=_("hồ sơ")
    )
    component_code = models.CharField(_("mã thành phần"), max_length=40)
    source = models.CharField(_("nguồn"), max_length=20, choices=ComponentSource.choices)
    file = models.ForeignKey(
        DossierFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("tệp"),
    )
    datastore_item = models.ForeignKey(
        DataStoreItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("giấy tờ trong kho dữ liệu"),
    )
    national_database = models.CharField(_("cơ sở dữ liệu quốc gia"), max_length=30, blank=True)
    record_reference = models.CharField(_("mã bản ghi"), max_length=100, blank=True)
    record_data = models.JSONField(_("thông tin khai thác"), default=dict, blank=True)
    connector = models.CharField(_("bộ kết nối"), max_length=30, blank=True)
    fetched_at = models.DateTimeField(_("khai thác lúc"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    added_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("nguồn thành phần hồ sơ")
        verbose_name_plural = _("nguồn thành phần hồ sơ")
        ordering = ["dossier_id", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source="reused") | models.Q(datastore_item__isnull=False),
                name="component_source_reused_has_item",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="national_data")
                | (~models.Q(national_database="") & models.Q(fetched_at__isnull=False)),
                name="component_source_national_has_record",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "added_at"], name="component_source_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.component_code}: {self.source}"


class CertifiedCopyReport(models.Model):
    """The applicant says an officer asked them for a certified copy of a component
    (domain.md section 6: agencies may not demand certified copies the procedure does not
    require). `allowed` records whether the catalog allowed asking for one at the time; the
    unit is the dossier's handling unit then. Supervisors count them per unit and procedure
    (`dossiers.selectors.certified_copy_report_counts`). Written only by
    `dossiers.services.reports.certified_copy_report_file`."""

    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.PROTECT,
        related_name="certified_copy_reports",
        verbose_name=_("hồ sơ"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị giải quyết")
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("thủ tục")
    )
    component_code = models.CharField(_("mã thành phần hồ sơ"), max_length=40)
    component_name = models.CharField(_("tên giấy tờ"), max_length=500)
    allowed = models.BooleanField(
        _("thủ tục cho phép yêu cầu bản sao chứng thực"),
        help_text=_("Theo danh mục thủ tục lúc phản ánh."),
    )
    note = models.TextField(_("nội dung phản ánh"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người phản ánh"),
    )
    reported_at = models.DateTimeField(_("phản ánh lúc"))

    class Meta:
        verbose_name = _("phản ánh bị yêu cầu bản sao chứng thực")
        verbose_name_plural = _("phản ánh bị yêu cầu bản sao chứng thực")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "component_code"], name="uniq_certified_copy_report"
            ),
        ]
        indexes = [models.Index(fields=["unit", "reported_at"], name="ccreport_unit_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.component_code}"


class SatisfactionLevel(models.TextChoices):
    """The three answers of the satisfaction survey (Circular 01/2018/TT-VPCP; domain.md
    section 7), for the dossier as a whole and for each criterion."""

    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


#: The nine criteria of the survey (domain.md section 7: 9 criteria x 2 points = 18), in the
#: order of the law, each a column of `DossierRating` (blank: not answered).
RATING_CRITERIA: tuple[tuple[str, Promise], ...] = (
    ("settlement_time", _("Thời gian giải quyết so với quy định")),
    ("time_per_agency", _("Thời gian giải quyết tại từng cơ quan, đơn vị")),
    ("contacts", _("Số lần phải liên hệ với cơ quan để hoàn thiện hồ sơ")),
    ("agencies", _("Số cơ quan, đơn vị phải liên hệ")),
    ("one_stop", _("Việc tiếp nhận, trả kết quả qua bộ phận một cửa")),
    ("publicity", _("Việc công khai thủ tục hành chính")),
    ("staff_attitude", _("Thái độ, ứng xử của công chức")),
    ("feedback_response", _("Việc tiếp nhận, xử lý phản ánh, kiến nghị")),
    ("online_service", _("Chất lượng dịch vụ công trực tuyến")),
)
RATING_CRITERIA_CODES: tuple[str, ...] = tuple(code for code, _label in RATING_CRITERIA)
#: Dossiers that may be rated: settled, a result (granted or a refusal to settle) issued.
RATEABLE_STATUSES = frozenset({DossierStatus.FINISHED, DossierStatus.RETURNED})


def _criterion_field(label: Any) -> models.CharField[str, str]:
    return models.CharField(label, max_length=20, choices=SatisfactionLevel.choices, blank=True)


class DossierRating(models.Model):
    """The applicant's rating of how their dossier was settled (the satisfaction survey of
    Circular 01/2018/TT-VPCP; Decision 766/QĐ-TTg counts it): an overall level, each of the
    nine criteria (blank when not answered) and an optional comment. Once per dossier (a
    unique constraint); `unit` and `procedure_version` are the dossier's handling unit and
    version when rated, so counts per unit and period read this table alone. Written only by
    `dossiers.services.ratings.dossier_rate`, with its `rate` event."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.PROTECT, related_name="rating", verbose_name=_("hồ sơ")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị giải quyết")
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("thủ tục")
    )
    overall = models.CharField(
        _("mức độ hài lòng chung"), max_length=20, choices=SatisfactionLevel.choices
    )
    settlement_time = _criterion_field(_("Thời gian giải quyết so với quy định"))
    time_per_agency = _criterion_field(_("Thời gian giải quyết tại từng cơ quan, đơn vị"))
    contacts = _criterion_field(_("Số lần phải liên hệ với cơ quan để hoàn thiện hồ sơ"))
    agencies = _criterion_field(_("Số cơ quan, đơn vị phải liên hệ"))
    one_stop = _criterion_field(_("Việc tiếp nhận, trả kết quả qua bộ phận một cửa"))
    publicity = _criterion_field(_("Việc công khai thủ tục hành chính"))
    staff_attitude = _criterion_field(_("Thái độ, ứng xử của công chức"))
    feedback_response = _criterion_field(_("Việc tiếp nhận, xử lý phản ánh, kiến nghị"))
    online_service = _criterion_field(_("Chất lượng dịch vụ công trực tuyến"))
    comment = models.TextField(_("ý kiến khác"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đánh giá"),
    )
    rated_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overall__in=SatisfactionLevel.values),
                name="dossier_rating_overall_valid",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{code}__in": ["", *SatisfactionLevel.values]}),
                    name=f"dossier_rating_{code}_valid",
                )
                for code in RATING_CRITERIA_CODES
            ),
        ]
        indexes = [models.Index(fields=["unit", "rated_at"], name="dossier_rating_unit_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.overall}"

    def criteria(self) -> dict[str, str]:
        """The answered criteria, code -> level."""
        return {code: getattr(self, code) for code in RATING_CRITERIA_CODES if getattr(self, code)}


class DraftStatus(models.TextChoices):
    EDITING = "editing", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp")


class ResultDelivery(models.TextChoices):
    COUNTER = "counter", _("Nhận tại nơi nộp hồ sơ")
    POST = "post", _("Nhận qua dịch vụ bưu chính")
    ONLINE = "online", _("Nhận bản điện tử trực tuyến")


class ApplicationDraft(models.Model):
    """An online application being written (docs/apply-online.md): saved at every step of the
    portal's journey, so a lost connection or an expired session loses nothing. Becomes a
    dossier once, in `services.drafts.draft_submit` (then `dossier` is set and it is kept as
    the record of what was chosen: the result delivery, the component sources).

    `components` maps a component code to how it is provided: `{"source": "uploaded",
    "file": <StoredFile id>, "name": ...}`, `{"source": "reused", "item": <DataStoreItem id>}`
    or `{"source": "national_data"}`. Written only by `services.drafts`."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="application_drafts",
        verbose_name=_("người soạn"),
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("thủ tục")
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.EDITING
    )
    for_someone_else = models.BooleanField(_("nộp thay người khác"), null=True, blank=True)
    representative = models.JSONField(_("người ủy quyền"), default=dict, blank=True)
    receiving_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nơi nộp"),
    )
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    #: The fee exemption categories the applicant claimed (`motcua.catalog.fees.CLAIMABLE`).
    fee_claims = models.JSONField(_("đối tượng miễn, giảm phí"), default=list, blank=True)
    components = models.JSONField(_("thành phần hồ sơ"), default=dict, blank=True)
    result_delivery = models.CharField(
        _("nhận kết quả"), max_length=10, choices=ResultDelivery.choices, blank=True
    )
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=300, blank=True)
    steps_done = models.JSONField(_("các bước đã xong"), default=list, blank=True)
    step = models.CharField(_("bước đang làm"), max_length=60, blank=True)
    dossier = models.OneToOneField(
        Dossier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application_draft",
        verbose_name=_("hồ sơ đã nộp"),
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ đang soạn")
        verbose_name_plural = _("hồ sơ đang soạn")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status", "-updated_at"], name="draft_owner_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(dossier__isnull=False),
                name="draft_submitted_has_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.procedure_version_id} ({self.status})"
