"""Document kinds: a stable code for what a paper *is* (an identity card, a birth
certificate...), whatever procedure asked for it. A catalog component names the kind it
accepts (`catalog.Component.document_kind`); an item of the personal data store carries the
kind it was filed as, so a component filed once can be reused by another procedure that asks
for the same kind (docs/data-store.md, ADR "data store")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    IDENTITY_CARD = "identity_card", _("Thẻ căn cước / căn cước công dân")
    PASSPORT = "passport", _("Hộ chiếu")
    RESIDENCE = "residence", _("Giấy tờ chứng minh nơi cư trú")
    BIRTH_CERTIFICATE = "birth_certificate", _("Giấy khai sinh")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("Giấy chứng nhận kết hôn")
    MARITAL_STATUS = "marital_status", _("Giấy xác nhận tình trạng hôn nhân")
    DEATH_CERTIFICATE = "death_certificate", _("Giấy chứng tử / trích lục khai tử")
    LAND_USE_CERTIFICATE = "land_use_certificate", _("Giấy chứng nhận quyền sử dụng đất")
    BUSINESS_REGISTRATION = "business_registration", _("Giấy chứng nhận đăng ký doanh nghiệp")
    DRIVING_LICENCE = "driving_licence", _("Giấy phép lái xe")
    HEALTH_CERTIFICATE = "health_certificate", _("Giấy chứng nhận sức khỏe")
    CRIMINAL_RECORD = "criminal_record", _("Phiếu lý lịch tư pháp")
    DIPLOMA = "diploma", _("Văn bằng, chứng chỉ")


def component_kind(*, document_kind: str, procedure_code: str, component_code: str) -> str:
    """The kind a component's file is kept under in the data store: the catalog's document
    kind when it names one, else the component's own key `<procedure>/<component>` (reusable
    only by a later dossier of the same procedure)."""
    return document_kind or f"{procedure_code}/{component_code}"
