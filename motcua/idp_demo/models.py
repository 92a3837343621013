from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoPerson(models.Model):
    """A person as the National Population Database would know them (demo data only)."""

    class Sex(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    subject = models.CharField(_("mã định danh với nhà cung cấp (sub)"), max_length=64, unique=True)
    personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    date_of_birth = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    permanent_address = models.CharField(_("nơi thường trú"), max_length=300, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        verbose_name = _("công dân trình diễn")
        verbose_name_plural = _("công dân trình diễn")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return self.full_name

    def claims(self) -> dict[str, object]:
        """The OpenID Connect claims this provider shares (standard names where there are
        some; `personal_id` for the number)."""
        return {
            "sub": self.subject,
            "personal_id": self.personal_id,
            "name": self.full_name,
            "birthdate": self.date_of_birth.isoformat(),
            "gender": self.sex,
            "address": {"formatted": self.permanent_address, "country": "VN"},
            "phone_number": self.phone,
            "email": self.email,
        }
