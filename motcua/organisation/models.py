from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A node of the unit tree: province -> departments / Service Center (-> branches) -> wards.

    `code` is the agency identification code used in dossier codes and URLs: the official
    administrative-division code for provinces ("01") and wards/communes ("00070"), a local
    code elsewhere ("01.STP", "01.TTHCC.CN05").
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("UBND tỉnh, thành phố")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")
        BRANCH = "branch", _("Chi nhánh Trung tâm")
        WARD = "ward", _("Phường")
        COMMUNE = "commune", _("Xã")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        COMMUNE = "commune", _("Cấp xã")

    COMMUNE_KINDS = (Kind.WARD, Kind.COMMUNE, Kind.SPECIAL_ZONE)

    code = models.CharField(_("mã đơn vị"), max_length=30, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    province_code = models.CharField(_("mã tỉnh"), max_length=2, db_index=True)
    division_code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=5,
        blank=True,
        help_text=_("Mã chính thức theo danh mục đơn vị hành chính (nếu có)."),
    )
    agency_code = models.CharField(
        _("mã định danh điện tử"),
        max_length=30,
        blank=True,
        help_text=_(
            "Mã định danh điện tử của cơ quan (Quyết định 20/2020/QĐ-TTg, vd H26.xx); khi có, "
            "mã này đứng đầu mã hồ sơ thay cho mã đơn vị."
        ),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["province_code", "code"]
        indexes = [models.Index(fields=["province_code", "level"])]

    def __str__(self) -> str:
        return self.name


class ServicePoint(models.Model):
    """A place that receives dossiers (điểm phục vụ hành chính công). Since July 2025 any
    service point of the province receives any procedure (without administrative boundaries)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="service_points", verbose_name=_("đơn vị")
    )
    code = models.CharField(_("mã điểm"), max_length=40, unique=True)
    name = models.CharField(_("tên điểm phục vụ"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("điểm phục vụ")
        verbose_name_plural = _("điểm phục vụ")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo")
    PROCEDURE_ADMIN = "procedure_admin", _("Quản trị thủ tục")
    SUPERVISOR = "supervisor", _("Giám sát")
    AUDITOR = "auditor", _("Kiểm tra, thanh tra")
    INTEGRATOR = "integrator", _("Hệ thống tích hợp")
    #: Handles people's requests about their personal data (Law 91/2025; docs/personal-data.md).
    PRIVACY_OFFICER = "privacy_officer", _("Cán bộ bảo vệ dữ liệu cá nhân")
    #: Reconciles the payment gateways' statements with motcua (docs/payments.md).
    ACCOUNTANT = "accountant", _("Kế toán")


class RoleAssignment(models.Model):
    """A staff member (or integrator account) holds a role in a unit.

    With `covers_subunits` the role reaches every unit below (a city supervisor)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("tài khoản"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    covers_subunits = models.BooleanField(_("gồm cả đơn vị trực thuộc"), default=False)
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("quầy / điểm phục vụ"),
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="uniq_role_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
