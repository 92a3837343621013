"""A stored file: its bytes live in the `documents` storage (never under a public URL), its
facts here. Rows are written only by `motcua.documents.services`; a new version of a file is a
new row pointing at the one it replaces (`previous`), the old one is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


class StoredFile(models.Model):
    storage_name = models.CharField(_("tên lưu trữ"), max_length=200, unique=True, editable=False)
    name = models.CharField(_("tên tệp gốc"), max_length=200)
    content_type = models.CharField(_("loại nội dung"), max_length=50, choices=ContentType.choices)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    pages = models.PositiveIntegerField(_("số trang"))
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thay cho phiên bản"),
    )
    scanned = models.BooleanField(
        _("đã quét virus"), default=False, help_text=_("Đã được ClamAV kiểm tra khi lưu.")
    )
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
        verbose_name = _("tệp đã lưu")
        verbose_name_plural = _("tệp đã lưu")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="storedfile_not_empty"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="storedfile_version"),
        ]

    def __str__(self) -> str:
        return self.name


class IssuedDocumentKind(models.TextChoices):
    RESULT = "result", _("Kết quả giải quyết")
    RESULT_COPY = "result_copy", _("Bản điện tử của kết quả giấy")
    CERTIFIED_COPY = "certified_copy", _("Bản sao điện tử chứng thực từ bản chính")
    FORM = "form", _("Phiếu, biểu mẫu")
    RECEIPT = "receipt", _("Biên lai điện tử")


class IssuedDocument(models.Model):
    """A document a unit issued and signed, which anyone may verify at `/verify/<code>` without
    signing in: what it is, by which unit, when, for whom (masked). The signed bytes are
    `file`; an uploaded PDF is exactly this document when its SHA-256 equals `file.sha256`.
    Written only by `motcua.documents.services.document_issue`; never edited, only revoked."""

    Kind = IssuedDocumentKind

    code = models.CharField(_("mã kiểm tra"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("loại"), max_length=20, choices=IssuedDocumentKind.choices)
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp đã ký")
    )
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    reference = models.CharField(
        _("số hiệu"),
        max_length=100,
        blank=True,
        help_text=_("Mã hồ sơ, số chứng thực hoặc số biên lai: được hiển thị khi kiểm tra."),
    )
    subject_masked = models.CharField(
        _("người được cấp (đã che)"), max_length=200, blank=True, editable=False
    )
    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ký"),
    )
    issued_at = models.DateTimeField(_("ngày phát hành"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_reason = models.CharField(_("lý do thu hồi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("giấy tờ đã phát hành")
        verbose_name_plural = _("giấy tờ đã phát hành")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificationCounter(models.Model):
    """The last number of a unit's certification book (sổ chứng thực bản sao từ bản chính) in
    one year. Incremented by one upsert in the transaction that writes the book entry, so
    numbers are unique and a rolled-back certification gives its number back (gap-free)."""

    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    last = models.PositiveIntegerField(_("số cuối"), default=0)

    class Meta:
        verbose_name = _("bộ đếm sổ chứng thực")
        verbose_name_plural = _("bộ đếm sổ chứng thực")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="uniq_certification_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.last}"


class CertificationEntry(models.Model):
    """One line of a unit's certification book: an electronic copy certified from the original
    (Decree 23/2015/NĐ-CP as amended). Written only by
    `motcua.documents.certification.copy_certify`, together with the stamped, signed copy and
    its issued document; never edited."""

    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số thứ tự trong sổ"))
    book_number = models.CharField(_("số chứng thực"), max_length=40)
    certified_at = models.DateTimeField(_("ngày chứng thực"))
    requester_name = models.CharField(_("họ tên người yêu cầu"), max_length=200)
    requester_id_number = models.CharField(_("số giấy tờ tùy thân"), max_length=20)
    document_title = models.CharField(_("tên giấy tờ"), max_length=300)
    document_issuer = models.CharField(_("cơ quan cấp giấy tờ"), max_length=300)
    pages = models.PositiveIntegerField(_("số trang"))
    copies = models.PositiveSmallIntegerField(_("số bản sao"))
    fee_vnd = models.PositiveBigIntegerField(_("lệ phí (đồng)"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện chứng thực"),
    )
    signer_name = models.CharField(_("người ký chứng thực"), max_length=200)
    at_home = models.BooleanField(_("chứng thực tại nhà"), default=False)
    place_address = models.CharField(_("địa điểm chứng thực"), max_length=500, blank=True)
    place_reason = models.CharField(_("lý do chứng thực ngoài trụ sở"), max_length=500, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ liên quan"), max_length=40, blank=True)
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("bản sao đã ký")
    )
    issued = models.OneToOneField(
        IssuedDocument,
        on_delete=models.PROTECT,
        related_name="certification",
        verbose_name=_("giấy tờ đã phát hành"),
    )

    class Meta:
        verbose_name = _("sổ chứng thực bản sao từ bản chính")
        verbose_name_plural = _("sổ chứng thực bản sao từ bản chính")
        ordering = ["unit_id", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="uniq_certification_number"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="certification_number"),
            models.CheckConstraint(condition=models.Q(copies__gte=1), name="certification_copies"),
            models.CheckConstraint(
                condition=models.Q(at_home=False)
                | (~models.Q(place_address="") & ~models.Q(place_reason="")),
                name="certification_at_home_place",
            ),
        ]

    def __str__(self) -> str:
        return self.book_number
