"""A stored file: its bytes live in the `documents` storage (never under a public URL), its
facts here. Rows are written only by `motcua.documents.services`; a new version of a file is a
new row pointing at the one it replaces (`previous`), the old one is kept."""

from __future__ import annotations

import datetime as dt

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
    #: The dossier the document belongs to, when it does: a result's, a receipt's (whose
    #: `reference` is the receipt's number), a certified copy's related one.
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60, blank=True, db_index=True)
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


class DataStoreOrigin(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ đã nộp")
    RESULT = "result", _("Kết quả giải quyết")
    IMPORTED = "imported", _("Nạp từ hệ thống khác")


class DataStoreItem(models.Model):
    """An entry of a person's or an organisation's data store (kho quản lý dữ liệu điện tử,
    Decree 45/2020 Art. 16): a component or a result filed once, kept to be reused. The owner
    is a personal identification number (12 digits) or a tax code, not an account: the store
    belongs to the person, whichever account filed. The source dossier is its code (this app
    knows nothing of dossiers). Written only by `services.datastore_item_add`."""

    owner_key = models.CharField(
        _("chủ sở hữu (số định danh / mã số thuế)"), max_length=14, db_index=True
    )
    kind = models.CharField(
        _("loại giấy tờ"),
        max_length=100,
        help_text=_("Mã loại giấy tờ (documents.kinds) hoặc <mã thủ tục>/<mã thành phần>."),
    )
    title = models.CharField(_("tên giấy tờ"), max_length=500)
    issuer = models.CharField(_("cơ quan cấp"), max_length=300, blank=True)
    valid_from = models.DateField(_("có giá trị từ"), null=True, blank=True)
    valid_until = models.DateField(
        _("có giá trị đến"), null=True, blank=True, help_text=_("Trống: không thời hạn.")
    )
    source_dossier_code = models.CharField(_("hồ sơ nguồn"), max_length=40, blank=True)
    origin = models.CharField(
        _("nguồn"), max_length=20, choices=DataStoreOrigin.choices, default=DataStoreOrigin.RESULT
    )
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("tệp")
    )
    added_at = models.DateTimeField(_("thêm lúc"))

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu cá nhân, tổ chức")
        ordering = ["owner_key", "-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner_key", "file"], name="uniq_datastore_owner_file"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="datastore_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["owner_key", "kind"], name="datastore_owner_kind_idx")]

    def __str__(self) -> str:
        return self.title

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class NationalDemoRecord(models.Model):
    """A record the demo national-data connector answers with
    (`documents.nationaldata.contrib.demo`): what a national database would hold about a
    subject. Seeded by `load_demo`; never used by the other connectors."""

    database = models.CharField(_("cơ sở dữ liệu"), max_length=30)
    subject_key = models.CharField(_("số định danh / mã số thuế"), max_length=14)
    reference = models.CharField(_("mã bản ghi"), max_length=100)
    fields = models.JSONField(_("thông tin"), default=dict)

    class Meta:
        verbose_name = _("bản ghi dữ liệu quốc gia (trình diễn)")
        verbose_name_plural = _("bản ghi dữ liệu quốc gia (trình diễn)")
        constraints = [
            models.UniqueConstraint(
                fields=["database", "subject_key"], name="uniq_national_demo_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.database}:{self.reference}"


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
