"""The procedure catalog (domain.md section 2).

A Procedure is the stable identity (code, name, field); everything the law can change lives
on a ProcedureVersion with a validity period and a draft/published state. A dossier points at
the exact version it was filed under, so later changes never rewrite history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.documents.kinds import DocumentKind
from motcua.organisation.models import Role, Unit

HOURS_PER_WORKING_DAY = Decimal(8)


class Field(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to (civil status, land, ...)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: The life events the catalog knows from the start (code, name, English name); the search
#: migration and `life_events_ensure` create them.
LIFE_EVENTS = (
    ("birth", "Sinh con", "Having a baby"),
    ("marriage", "Kết hôn", "Getting married"),
    ("house", "Xây, sửa nhà", "Building a house"),
    ("business", "Khởi nghiệp, kinh doanh", "Starting a business"),
    ("death", "Người thân qua đời", "A death in the family"),
)


class LifeEvent(models.Model):
    """Sự kiện trong đời (birth, marriage, building a house, ...): a way to browse the catalog
    by what is happening to a person rather than by field. Procedures link to any number."""

    code = models.CharField(_("mã sự kiện"), max_length=40, unique=True)
    name = models.CharField(_("tên sự kiện"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("sự kiện trong đời")
        verbose_name_plural = _("sự kiện trong đời")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    COMMUNE = "commune", _("Cấp xã")
    PROVINCE = "province", _("Cấp tỉnh")


class Procedure(models.Model):
    code = models.CharField(
        _("mã thủ tục"),
        max_length=40,
        unique=True,
        help_text=_("Mã thủ tục quốc gia (vd 1.001234) hoặc mã địa phương (vd HN.DEMO.001)."),
    )
    is_local_code = models.BooleanField(
        _("mã địa phương"),
        default=False,
        help_text=_("Chưa có mã quốc gia: mã do địa phương đặt, không phải mã của Bộ, ngành."),
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực")
    )
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=Level.choices)
    competent_unit_kinds = models.JSONField(
        _("loại đơn vị giải quyết"),
        default=list,
        blank=True,
        help_text=_('Danh sách loại đơn vị có thẩm quyền, vd ["ward", "commune"].'),
    )
    competent_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị giải quyết"),
        help_text=_("Cơ quan cấp tỉnh giải quyết (để trống với thủ tục cấp xã)."),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    search_text = models.TextField(
        _("chuỗi tìm kiếm"),
        blank=True,
        editable=False,
        help_text=_("Mã, tên tiếng Việt không dấu và tên tiếng Anh, chữ thường (tự điền)."),
    )
    life_events = models.ManyToManyField(
        LifeEvent, blank=True, related_name="procedures", verbose_name=_("sự kiện trong đời")
    )
    use_count = models.PositiveIntegerField(
        _("số hồ sơ 12 tháng qua"),
        default=0,
        editable=False,
        help_text=_("Số hồ sơ nộp theo thủ tục trong 12 tháng gần nhất (cập nhật định kỳ)."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Chỉ cung cấp thông tin")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    IMMEDIATE = "immediate", _("trong ngày")


class ResultKind(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")
    BOTH = "both", _("Bản giấy và bản điện tử")


class ProcedureVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        PUBLISHED = "published", _("Đã công bố")
        RETIRED = "retired", _("Hết hiệu lực")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="versions", verbose_name=_("thủ tục")
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    online_level = models.CharField(
        _("mức dịch vụ trực tuyến"),
        max_length=10,
        choices=OnlineLevel.choices,
        default=OnlineLevel.PARTIAL,
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=15, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    counter_time = models.DecimalField(
        _("thời hạn giải quyết (trực tiếp)"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Theo đơn vị thời hạn; 0,5 ngày = 4 giờ làm việc."),
    )
    online_time = models.DecimalField(
        _("thời hạn giải quyết (trực tuyến)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Để trống nếu giống thời hạn nộp trực tiếp."),
    )
    cutoff_time = models.TimeField(
        _("giờ chốt nhận trong ngày"),
        null=True,
        blank=True,
        help_text=_(
            "Vd 15:00 với chứng thực, hộ tịch: nhận sau giờ này tính từ ngày làm việc sau."
        ),
    )
    supplement_wait_days = models.PositiveSmallIntegerField(
        _("hạn bổ sung hồ sơ (ngày làm việc)"),
        default=15,
        help_text=_("Quá hạn này mà không bổ sung thì hồ sơ bị đóng."),
    )
    supplement_restarts_clock = models.BooleanField(
        _("bổ sung trong khi xử lý tính lại thời hạn từ đầu"),
        default=False,
        help_text=_(
            "Mặc định thời gian đã giải quyết được tính và thời hạn chỉ tạm dừng trong lúc chờ "
            "bổ sung; chọn khi luật chuyên ngành quy định tính lại từ đầu."
        ),
    )
    settled_in_session = models.BooleanField(
        _("giải quyết trong buổi (ngày không hẹn)"),
        default=False,
        help_text=_(
            "Trả kết quả ngay trong buổi làm việc tiếp nhận: giấy hẹn ghi giờ kết thúc buổi "
            "(sáng hoặc chiều) thay vì tính theo thời hạn giải quyết."
        ),
    )
    result_kind = models.CharField(
        _("hình thức kết quả"), max_length=10, choices=ResultKind.choices, default=ResultKind.BOTH
    )
    result_name = models.CharField(_("kết quả"), max_length=500, blank=True)
    applicant = models.TextField(_("đối tượng thực hiện"), blank=True)
    agency = models.TextField(_("cơ quan thực hiện"), blank=True)
    method = models.TextField(_("cách thức thực hiện"), blank=True)
    sequence = models.TextField(_("trình tự thực hiện"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    eform = models.JSONField(
        _("biểu mẫu điện tử"),
        default=dict,
        blank=True,
        help_text=_("Các trường, ràng buộc và nguồn điền sẵn (xem docs/catalog-format.md)."),
    )
    note = models.TextField(
        _("ghi chú"),
        blank=True,
        help_text=_("Ghi chú nội bộ của người quản trị: nguồn, điểm còn nghi vấn cần kiểm tra."),
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="uniq_procedure_version"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="version_validity_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(counter_time__gte=0), name="version_time_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    def legal_time(self, *, online: bool) -> Decimal:
        """The legal processing time for a channel, in `time_unit`."""
        if online and self.online_time is not None:
            return self.online_time
        return self.counter_time

    def legal_working_hours(self, *, online: bool) -> Decimal | None:
        """The legal time in working hours, or None where it is not counted in working time
        (calendar days, same-day)."""
        value = self.legal_time(online=online)
        if self.time_unit == TimeUnit.WORKING_DAYS:
            return value * HOURS_PER_WORKING_DAY
        if self.time_unit == TimeUnit.WORKING_HOURS:
            return value
        return None

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class AcceptedForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    ORIGINAL_TO_COMPARE = "original_to_compare", _("Bản chính để đối chiếu")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    ELECTRONIC_COPY = "electronic_copy", _("Bản sao điện tử (chứng thực từ bản chính)")
    NATIONAL_DATA = "national_data", _("Khai thác từ cơ sở dữ liệu quốc gia")
    DECLARATION_FORM = "declaration_form", _("Tờ khai theo mẫu")


class NationalDatabase(models.TextChoices):
    """Published national databases whose data replaces a component (Resolution 66.7/2025)."""

    POPULATION = "population", _("Cơ sở dữ liệu quốc gia về dân cư")
    CIVIL_STATUS = "civil_status", _("Cơ sở dữ liệu hộ tịch điện tử")
    SOCIAL_INSURANCE = "social_insurance", _("Cơ sở dữ liệu bảo hiểm")
    DRIVING_LICENCE = "driving_licence", _("Cơ sở dữ liệu giấy phép lái xe")
    BUSINESS_REGISTRATION = "business_registration", _("Cơ sở dữ liệu đăng ký doanh nghiệp")
    VEHICLE_REGISTRATION = "vehicle_registration", _("Cơ sở dữ liệu đăng ký xe")
    LAND = "land", _("Cơ sở dữ liệu đất đai")
    CRIMINAL_RECORD = "criminal_record", _("Cơ sở dữ liệu lý lịch tư pháp")
    HEALTH_CHECK = "health_check", _("Cơ sở dữ liệu khám sức khoẻ")


def certified_copy_conflicts(*, forms: list[str], national_database: str) -> list[str]:
    """Why a component's accepted forms may not include a certified copy (problem codes; none
    when they do not include one, or may). Decree 23/2015/NĐ-CP: where the procedure's legal
    text asks for a copy, nobody may demand a *certified* copy; where it asks for a certified
    copy, an electronic copy certified from the original is as good (so it must be accepted
    too); Resolution 66.7/2025/NQ-CP and Decree 280/2025/NĐ-CP: a paper whose data is in a
    national database is not asked for at all; a declaration is filled in, not copied."""
    if AcceptedForm.CERTIFIED_COPY not in forms:
        return []
    conflicts = []
    if AcceptedForm.ELECTRONIC_COPY not in forms:
        conflicts.append("certified_copy_without_electronic")
    if national_database or AcceptedForm.NATIONAL_DATA in forms:
        conflicts.append("certified_copy_national_data")
    if AcceptedForm.DECLARATION_FORM in forms:
        conflicts.append("certified_copy_declaration")
    return conflicts


#: What a component's file may be unless the catalog says otherwise (motcua.documents checks).
COMPONENT_FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")
COMPONENT_MAX_BYTES_DEFAULT = 10 * 1024 * 1024
#: No component may accept more (the API's upload limit is set above the largest in use).
COMPONENT_MAX_BYTES_LIMIT = 100 * 1024 * 1024


def component_allowed_types_default() -> list[str]:
    return list(COMPONENT_FILE_TYPES)


class Component(models.Model):
    """Thành phần hồ sơ."""

    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("phiên bản"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("mã thành phần"), max_length=40)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    accepted_forms = models.JSONField(
        _("hình thức chấp nhận"),
        default=list,
        help_text=_(
            "Một hoặc nhiều: original, original_to_compare, copy, certified_copy, "
            "electronic_copy, national_data, declaration_form."
        ),
    )
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    national_database = models.CharField(
        _("thay bằng dữ liệu quốc gia"),
        max_length=30,
        choices=NationalDatabase.choices,
        blank=True,
        help_text=_("Nếu có: không yêu cầu nộp, khai thác từ cơ sở dữ liệu quốc gia."),
    )
    document_kind = models.CharField(
        _("loại giấy tờ"),
        max_length=40,
        choices=DocumentKind.choices,
        blank=True,
        help_text=_(
            "Giấy tờ này là loại nào (căn cước, giấy khai sinh...): giấy tờ cùng loại đã có "
            "trong kho dữ liệu của người nộp được dùng lại, không phải nộp lại."
        ),
    )
    template_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    allowed_types = models.JSONField(
        _("loại tệp được nộp"),
        default=component_allowed_types_default,
        blank=True,
        help_text=_("Một hoặc nhiều: application/pdf, image/jpeg, image/png."),
    )
    max_bytes = models.PositiveIntegerField(
        _("dung lượng tối đa (byte)"),
        default=COMPONENT_MAX_BYTES_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(COMPONENT_MAX_BYTES_LIMIT)],
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_component_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def certified_copy_allowed(self) -> bool:
        """Whether a certified copy of this component may be asked for: only where the
        procedure's legal text requires one, which the catalog says by accepting the
        `certified_copy` form (import and admin refuse it where it contradicts the law,
        `certified_copy_conflicts`). Nobody may ask for one elsewhere (supplement requests,
        counter guidance: `certified_copy_not_required`)."""
        return AcceptedForm.CERTIFIED_COPY in (self.accepted_forms or [])


class FeeCounting(models.TextChoices):
    """How a fee's amount is counted: once per dossier, per copy or per page."""

    FIXED = "fixed", _("Theo hồ sơ")
    PER_COPY = "per_copy", _("Theo bản")
    PER_PAGE = "per_page", _("Theo trang")


class FeeApplicantKind(models.TextChoices):
    ANY = "any", _("Mọi đối tượng")
    CITIZEN = "citizen", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức")


class FeeExemptionCategory(models.TextChoices):
    """Who is exempt or pays less (domain.md section 5). `online` applies by itself to a
    dossier submitted online; the others are claimed by the applicant or the officer."""

    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    DISABILITY = "disability", _("Người khuyết tật")
    MERIT = "merit", _("Người có công với cách mạng")
    ONLINE = "online", _("Nộp hồ sơ trực tuyến")
    OTHER = "other", _("Trường hợp khác")


class Fee(models.Model):
    class Kind(models.TextChoices):
        FEE = "fee", _("Phí")
        CHARGE = "charge", _("Lệ phí")

    class Timing(models.TextChoices):
        BEFORE = "before", _("Thu trước")
        AFTER = "after", _("Thu sau")
        EXEMPT = "exempt", _("Miễn")

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="fees", verbose_name=_("phiên bản")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên phí, lệ phí"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.CHARGE)
    amount_vnd = models.PositiveBigIntegerField(
        _("mức thu (đồng)"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu mức thu thay đổi theo trường hợp."),
    )
    timing = models.CharField(
        _("thời điểm thu"), max_length=10, choices=Timing.choices, default=Timing.BEFORE
    )
    basis = models.TextField(_("căn cứ, ghi chú"), blank=True)
    counting = models.CharField(
        _("cách tính"), max_length=10, choices=FeeCounting.choices, default=FeeCounting.FIXED
    )
    applicant_kind = models.CharField(
        _("áp dụng cho"),
        max_length=14,
        choices=FeeApplicantKind.choices,
        default=FeeApplicantKind.ANY,
    )
    tier_from = models.PositiveIntegerField(
        _("mức thứ hai từ bản/trang thứ"),
        null=True,
        blank=True,
        help_text=_("Ví dụ 3: từ trang thứ ba tính theo mức thứ hai."),
    )
    tier_amount_vnd = models.PositiveBigIntegerField(_("mức thứ hai (đồng)"), null=True, blank=True)
    cap_vnd = models.PositiveBigIntegerField(_("mức thu tối đa (đồng)"), null=True, blank=True)
    #: The configured exemptions and discounts: a list of {"category", "percent" or
    #: "amount_vnd", "basis", "label"} (checked by `motcua.catalog.fees.fee_exemptions_clean`).
    exemptions = models.JSONField(
        _("miễn, giảm"),
        default=list,
        blank=True,
        help_text=_(
            'Danh sách JSON, ví dụ [{"category": "poor", "percent": 100, "basis": "..."}]; '
            "category: poor, near_poor, disability, merit, online, other; percent hoặc "
            "amount_vnd."
        ),
    )

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["version_id", "order"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """A step of the internal process (quy trình nội bộ) with its time allotment.

    `unit_scope` says where the step happens: at the receiving one-stop, in the competent
    unit, or at a named unit (a department that must give an opinion)."""

    class UnitScope(models.TextChoices):
        RECEIVING = "receiving", _("Bộ phận một cửa nơi tiếp nhận")
        COMPETENT = "competent", _("Đơn vị có thẩm quyền giải quyết")
        NAMED = "named", _("Đơn vị cụ thể")

    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("phiên bản"),
    )
    order = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, choices=Role.choices)
    unit_scope = models.CharField(
        _("nơi thực hiện"), max_length=10, choices=UnitScope.choices, default=UnitScope.COMPETENT
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    allotment_hours = models.DecimalField(
        _("thời gian (giờ làm việc)"),
        max_digits=6,
        decimal_places=2,
        help_text=_("1 ngày làm việc = 8 giờ; 0,5 ngày = 4 giờ."),
    )

    class Meta:
        verbose_name = _("bước quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="uniq_step_order"),
            models.CheckConstraint(
                condition=models.Q(allotment_hours__gte=0), name="step_allotment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
