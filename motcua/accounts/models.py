from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import local
from motcua.core.models import AppendOnlyModel, AppendOnlyQuerySet


class User(AbstractUser):
    """A person who signs in: a citizen, a representative of an organisation, or staff.

    Staff powers come from organisation.RoleAssignment rows, never from this model.
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
        STAFF = "staff", _("Cán bộ, công chức")
        INTEGRATOR = "integrator", _("Hệ thống tích hợp")

    kind = models.CharField(
        _("loại tài khoản"), max_length=20, choices=Kind.choices, default=Kind.CITIZEN
    )
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    personal_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("12 chữ số trên thẻ căn cước."),
    )
    organisation_id_number = models.CharField(
        _("mã số doanh nghiệp / mã số thuế"), max_length=14, blank=True
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    identity_verified_at = models.DateTimeField(
        _("xác thực danh tính lúc"),
        null=True,
        blank=True,
        help_text=_(
            "Khi danh tính (họ tên, số định danh, ngày sinh; với tổ chức: tên, mã số thuế) đã "
            "được đối chiếu với cơ sở dữ liệu quốc gia: tờ khai không sửa được các thông tin này."
        ),
    )
    identity_source = models.CharField(
        _("nguồn xác thực danh tính"),
        max_length=30,
        blank=True,
        help_text=_("Nơi đối chiếu danh tính, ví dụ vneid (đăng nhập bằng VNeID)."),
    )
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # The address as its parts (the profile page): the official codes of the two-level
    # units (`vietnam-provinces`) and the street line; `address` is their text, written out.
    address_province_code = models.CharField(_("mã tỉnh, thành phố"), max_length=2, blank=True)
    address_ward_code = models.CharField(_("mã phường, xã"), max_length=5, blank=True)
    address_street = models.CharField(_("số nhà, đường phố"), max_length=200, blank=True)
    language = models.CharField(
        _("ngôn ngữ"), max_length=5, default="vi", choices=[("vi", "Tiếng Việt"), ("en", "English")]
    )

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once, at creation.

    A token acts as its user: an integrator user's unit scope is its role assignments.
    """

    PREFIX_LEN = 8

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("tài khoản")
    )
    name = models.CharField(_("tên gợi nhớ"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=PREFIX_LEN, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng gần nhất"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return "mc_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(raw: str) -> str:
        return _hash_key(raw)


class ConsentPurpose(models.TextChoices):
    """What a person agrees to (Law 91/2025 on personal data protection, Decree 356/2025):
    each purpose is asked separately, in plain words, never pre-ticked."""

    ACCOUNT = "account", _("Tạo và sử dụng tài khoản dịch vụ công")
    DOSSIER_PROCESSING = (
        "dossier_processing",
        _("Xử lý dữ liệu cá nhân trong hồ sơ thủ tục hành chính"),
    )
    DATA_STORE = "data_store", _("Lưu giấy tờ vào kho dữ liệu cá nhân để dùng lại")


class ConsentDecision(models.TextChoices):
    GIVEN = "given", _("đồng ý")
    WITHDRAWN = "withdrawn", _("rút lại đồng ý")


class ConsentRecordQuerySet(AppendOnlyQuerySet["ConsentRecord"]):
    pass


class ConsentRecord(AppendOnlyModel):
    """One decision of a person on one purpose: given or withdrawn, with the exact wording
    they saw (`text_version`). Append-only: the proof of consent is never rewritten; the
    current decision is the latest row (`accounts.selectors.consent_current`)."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=40, choices=ConsentPurpose.choices)
    decision = models.CharField(_("quyết định"), max_length=12, choices=ConsentDecision.choices)
    text_version = models.CharField(_("phiên bản nội dung"), max_length=40)
    channel = models.CharField(_("kênh"), max_length=20, default="web")
    at = models.DateTimeField(_("thời điểm"))

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("đồng ý xử lý dữ liệu cá nhân")
        verbose_name_plural = _("đồng ý xử lý dữ liệu cá nhân")
        indexes = [models.Index(fields=["person", "purpose", "at"])]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.purpose}:{self.decision}"


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("số điện thoại")
    EMAIL = "email", _("thư điện tử")


class ContactConfirmation(models.Model):
    """A phone number or an e-mail address of an account that is to be confirmed by its
    owner (`accounts.contact.contact_confirmation_request`). Only a checked one-time code sets
    `confirmed_at`: `accounts.contact.contact_confirmation_verify` (a code sent to the contact)
    or the phone sign-up (`accounts.phone_signup`, the sign-up code texted to that phone)."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_confirmations")
    channel = models.CharField(_("kênh"), max_length=10, choices=ContactChannel.choices)
    value = models.CharField(_("địa chỉ liên hệ"), max_length=254)
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    sender = models.CharField(_("cách gửi"), max_length=100)
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    # The one-time code of a code-sending sender (`accounts.contact.CodeConfirmationSender`):
    # only its HMAC (docs/adr/0024-one-time-codes.md); empty once used or with no code.
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_sent_at = models.DateTimeField(_("gửi mã lúc"), null=True, blank=True)
    code_expires_at = models.DateTimeField(_("mã hết hạn lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)

    class Meta:
        verbose_name = _("xác nhận liên hệ")
        verbose_name_plural = _("xác nhận liên hệ")
        indexes = [models.Index(fields=["person", "channel", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.channel}"


class BusinessOrganisation(models.Model):
    """An organisation (enterprise, cooperative, association) known by its tax code, for
    which authorised people file dossiers (`accounts.organisations`)."""

    tax_code = models.CharField(_("mã số thuế"), max_length=14, unique=True)
    name = models.CharField(_("tên tổ chức"), max_length=300)
    address = models.CharField(_("địa chỉ trụ sở"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("người đăng ký")
    )
    registered_at = models.DateTimeField(_("đăng ký lúc"))
    source = models.CharField(
        _("nguồn đối chiếu"),
        max_length=40,
        help_text=_("Nơi đã đối chiếu mã số thuế và tên (cơ sở dữ liệu đăng ký doanh nghiệp)."),
    )

    class Meta:
        verbose_name = _("tổ chức, doanh nghiệp")
        verbose_name_plural = _("tổ chức, doanh nghiệp")

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class AuthorisationRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("người đại diện theo pháp luật")
    AUTHORISED = "authorised", _("người được uỷ quyền")


class OrganisationAuthorisation(models.Model):
    """A person who may act for an organisation, from `valid_from` until `valid_to` (open:
    until revoked). Revoking sets `revoked_at`; the row is kept (who could act when)."""

    organisation = models.ForeignKey(
        BusinessOrganisation, on_delete=models.PROTECT, related_name="authorisations"
    )
    person = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="organisation_authorisations"
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=AuthorisationRole.choices)
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_to = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("người cấp quyền")
    )
    granted_at = models.DateTimeField(_("cấp lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("người thu hồi"),
    )

    class Meta:
        verbose_name = _("người được quyền thay mặt tổ chức")
        verbose_name_plural = _("người được quyền thay mặt tổ chức")
        indexes = [models.Index(fields=["person", "organisation"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="authorisation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.person_id}:{self.role}"

    @property
    def last_day(self) -> dt.date | None:
        """The last day it is in force, in Việt Nam's time (`valid_to` is exclusive)."""
        if self.valid_to is None:
            return None
        return local(self.valid_to - dt.timedelta(microseconds=1)).date()

    def is_active_at(self, moment: dt.datetime) -> bool:
        """In force at `moment`: started, not ended, not revoked."""
        if self.revoked_at is not None and self.revoked_at <= moment:
            return False
        if self.valid_from > moment:
            return False
        return self.valid_to is None or moment < self.valid_to


class SignInCodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("đăng nhập")
    SIGN_UP = "sign_up", _("đăng ký tài khoản")
    PASSWORD_RESET = "reset", _("đặt lại mật khẩu")


class SignInCode(models.Model):
    """A one-time code texted to a phone number (docs/identity.md, "Mã đăng nhập qua tin
    nhắn"). Only an HMAC-SHA256 of the code (keyed with SECRET_KEY and the row's phone) is
    kept; a newer code for the same phone ends the older ones; `attempts` counts wrong codes
    (5 lock the code)."""

    phone = models.CharField(_("số điện thoại"), max_length=15, db_index=True)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("thay bằng mã mới lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    # Why it was sent: to sign in, to prove a phone before creating an account
    # (`accounts.phone_signup`) or to reset a forgotten password (`accounts.passwords`); the
    # account created with a sign-up code (used once).
    purpose = models.CharField(
        _("mục đích"), max_length=10, choices=SignInCodePurpose.choices, default="sign_in"
    )
    account = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mã đăng nhập qua tin nhắn")
        verbose_name_plural = _("mã đăng nhập qua tin nhắn")
        indexes = [models.Index(fields=["phone", "created_at"])]

    def __str__(self) -> str:
        return f"{self.pk}"
