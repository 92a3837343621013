"""The personal-data sources of the apps below `privacy` (accounts, dossiers, documents) and
of `privacy` itself, registered in `PrivacyConfig.ready()` (`motcua.core.personal_data`).
`counter`, in the same layer, registers its own (`motcua.counter.personal_data`).

Each source answers for one account only. Texts are plain Vietnamese (the page, the PDF);
`data` is the JSON export's shape (docs/personal-data.md): codes, not labels, and ISO 8601
instants in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.models import ConsentPurpose, User
from motcua.accounts.selectors import consent_current, consent_history
from motcua.core.clock import format_vn_date, format_vn_moment, local
from motcua.core.personal_data import (
    PersonalDataEntry,
    PersonalDataSection,
    SubjectKey,
    personal_data_source_register,
)
from motcua.documents.models import CertificationEntry, DataStoreItem, IssuedDocument
from motcua.documents.selectors import datastore_owner_keys
from motcua.dossiers.models import CertifiedCopyReport, DossierFile, DossierStatus
from motcua.dossiers.personal_data import dossiers_of_person

from .models import DataSubjectRequest


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601: an instant in Asia/Ho_Chi_Minh with its offset, a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return local(value).isoformat()
    return value.isoformat()


def vn(value: dt.datetime | dt.date | None, *, time: bool = False) -> str:
    """dd/mm/yyyy (with HH:MM before it for an instant when `time`)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime) and time:
        return format_vn_moment(value)
    return format_vn_date(value)


def _limited(items: list[Any], limit: int | None) -> list[Any]:
    return items if limit is None else items[:limit]


# --- the account ---------------------------------------------------------------------------


def profile_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    kind = User.Kind(person.kind)
    rows: list[tuple[str, str]] = [
        (_("Loại tài khoản"), str(kind.label)),
        (_("Tên đăng nhập"), person.username),
        (_("Họ và tên"), person.full_name or "—"),
    ]
    if kind == User.Kind.ORGANISATION:
        rows.append((_("Mã số doanh nghiệp / mã số thuế"), person.organisation_id_number or "—"))
    else:
        rows.append((_("Số định danh cá nhân"), person.personal_id or "—"))
        rows.append((_("Ngày sinh"), vn(person.date_of_birth)))
    rows += [
        (_("Số điện thoại"), person.phone or "—"),
        (_("Thư điện tử"), person.email or "—"),
        (_("Địa chỉ"), person.address or "—"),
        (
            _("Danh tính đã xác thực"),
            _("Có, lúc %(at)s (%(source)s)")
            % {"at": vn(person.identity_verified_at, time=True), "source": person.identity_source}
            if person.identity_verified_at
            else _("Chưa"),
        ),
        (_("Tạo tài khoản lúc"), vn(person.date_joined, time=True)),
        (_("Đăng nhập gần nhất"), vn(person.last_login, time=True)),
    ]
    data = {
        "kind": person.kind,
        "username": person.username,
        "full_name": person.full_name,
        "personal_id": person.personal_id,
        "organisation_id_number": person.organisation_id_number,
        "date_of_birth": iso(person.date_of_birth),
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "language": person.language,
        "identity_verified_at": iso(person.identity_verified_at),
        "identity_source": person.identity_source,
        "date_joined": iso(person.date_joined),
        "last_login": iso(person.last_login),
    }
    return PersonalDataSection(
        key="profile",
        title=_("Thông tin tài khoản"),
        summary=_("Những gì bạn khai hoặc được xác thực khi tạo tài khoản."),
        entries=(PersonalDataEntry(title=person.display_name, rows=tuple(rows), data=data),),
        count=1,
        basis=_(
            "Dùng để đăng nhập, điền sẵn tờ khai và liên lạc về hồ sơ. Bạn tự sửa được tại "
            "trang tài khoản, trừ thông tin đã xác thực với Cơ sở dữ liệu quốc gia về dân cư."
        ),
    )


def profile_subjects(*, person: User) -> list[SubjectKey]:
    """Staff reading this page's summary (`person`), and the counter's look-up of the
    account by its verified number or its phone (`counter_applicant`), or a search by the
    number (`dossier_search`), or national data fetched about the number."""
    keys = [SubjectKey("person", frozenset({str(person.pk)}))]
    numbers = set(datastore_owner_keys(user=person))
    lookups = set(numbers)
    if person.phone:
        lookups.add(person.phone)
    if lookups:
        keys.append(SubjectKey("counter_applicant", frozenset(lookups)))
    if numbers:
        keys.append(SubjectKey("dossier_search", frozenset(numbers)))
        keys.extend(SubjectKey("national_data", suffix=f":{n}") for n in sorted(numbers))
    return keys


def _standing(current: dict[str, Any], purpose: str, pk: int) -> bool:
    """Whether record `pk` is the person's standing consent for `purpose`."""
    record = current.get(purpose)
    return record is not None and record.pk == pk


def consents_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    history = list(consent_history(person=person))
    current = {p.value: consent_current(person=person, purpose=p.value) for p in ConsentPurpose}
    entries = [
        PersonalDataEntry(
            title=str(ConsentPurpose(c.purpose).label),
            rows=(
                (_("Quyết định"), c.get_decision_display()),
                (_("Lúc"), vn(c.at, time=True)),
                (_("Phiên bản nội dung"), c.text_version),
                (_("Kênh"), c.channel),
            ),
            data={
                "purpose": c.purpose,
                "decision": c.decision,
                "text_version": c.text_version,
                "channel": c.channel,
                "at": iso(c.at),
                "standing": _standing(current, c.purpose, c.pk),
            },
        )
        for c in _limited(history, limit)
    ]
    given = sum(1 for record in current.values() if record is not None)
    return PersonalDataSection(
        key="consents",
        title=_("Các sự đồng ý của bạn"),
        summary=_("Bạn đang đồng ý %(given)s mục đích; %(count)s lần quyết định đã ghi.")
        % {"given": given, "count": len(history)},
        entries=tuple(entries),
        count=len(history),
        basis=_(
            "Mỗi lần đồng ý hoặc rút lại được giữ nguyên văn làm bằng chứng cho chính bạn. "
            "Rút lại không làm mất hiệu lực việc xử lý đã làm trước đó."
        ),
    )


def no_subjects(*, person: User) -> list[SubjectKey]:
    return []


# --- dossiers -------------------------------------------------------------------------------


def dossiers_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    dossiers = dossiers_of_person(person=person)
    total = dossiers.count()
    shown = list(dossiers[:limit] if limit is not None else dossiers)
    files: dict[int, list[DossierFile]] = {}
    for link in DossierFile.objects.filter(dossier__in=[d.pk for d in shown]).select_related(
        "file"
    ):
        files.setdefault(link.dossier_id, []).append(link)
    entries = []
    for dossier in shown:
        procedure = dossier.procedure_version.procedure
        status = DossierStatus(dossier.status)
        entries.append(
            PersonalDataEntry(
                title=f"{dossier.code} — {procedure.name}",
                rows=(
                    (_("Trạng thái"), str(status.label)),
                    (_("Nộp lúc"), vn(dossier.submitted_at, time=True)),
                    (_("Nơi tiếp nhận"), dossier.receiving_unit.name),
                    (_("Người nộp"), dossier.applicant_name),
                    (_("Số tệp đính kèm"), str(len(files.get(dossier.pk, [])))),
                ),
                data={
                    "code": dossier.code,
                    "procedure_code": procedure.code,
                    "procedure_name": procedure.name,
                    "status": int(dossier.status),
                    "channel": int(dossier.channel),
                    "receiving_unit": dossier.receiving_unit.code,
                    "applicant_name": dossier.applicant_name,
                    "applicant_id_number": dossier.applicant_id_number,
                    "applicant_phone": dossier.applicant_phone,
                    "applicant_email": dossier.applicant_email,
                    "applicant_address": dossier.applicant_address,
                    "representative": dossier.representative,
                    "form_data": dossier.form_data,
                    "submitted_at": iso(dossier.submitted_at),
                    "received_at": iso(dossier.received_at),
                    "appointment_at": iso(dossier.appointment_at),
                    "returned_at": iso(dossier.returned_at),
                    "closed_at": iso(dossier.closed_at),
                    "files": [
                        {
                            "name": link.file.name,
                            "kind": link.kind,
                            "component_code": link.component_code,
                            "content_type": link.file.content_type,
                            "size": link.file.size,
                            "sha256": link.file.sha256,
                            "added_at": iso(link.added_at),
                        }
                        for link in files.get(dossier.pk, [])
                    ],
                },
                url=reverse("portal:my_dossier", kwargs={"code": dossier.code}),
            )
        )
    return PersonalDataSection(
        key="dossiers",
        title=_("Hồ sơ thủ tục hành chính"),
        summary=_("%(count)s hồ sơ bạn đã nộp hoặc được nộp theo số định danh của bạn.")
        % {"count": total},
        entries=tuple(entries),
        count=total,
        basis=_(
            "Cơ quan nhà nước xử lý để giải quyết thủ tục bạn yêu cầu (không cần sự đồng ý). "
            "Hồ sơ và kết quả được lưu trữ theo thời hạn của pháp luật về lưu trữ: không xoá "
            "được trước khi hết thời hạn; bạn có thể yêu cầu hạn chế hoặc sửa thông tin sai."
        ),
    )


def dossiers_subjects(*, person: User) -> list[SubjectKey]:
    codes = list(dossiers_of_person(person=person).values_list("code", flat=True))
    if not codes:
        return []
    file_ids = DossierFile.objects.filter(dossier__code__in=codes).values_list("file_id", flat=True)
    return [
        SubjectKey("dossier", frozenset(codes)),
        SubjectKey("file", frozenset(str(i) for i in file_ids)),
    ]


# --- documents: the data store, issued documents ---------------------------------------------


def _store_items(person: User) -> Any:
    keys = datastore_owner_keys(user=person)
    if not keys:
        return DataStoreItem.objects.none()
    return (
        DataStoreItem.objects.filter(owner_key__in=keys)
        .select_related("file")
        .order_by("-added_at", "-id")
    )


def datastore_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    items = _store_items(person)
    total = items.count()
    shown = list(items[:limit] if limit is not None else items)
    entries = tuple(
        PersonalDataEntry(
            title=item.title,
            rows=(
                (_("Cơ quan cấp"), item.issuer or "—"),
                (_("Có giá trị"), f"{vn(item.valid_from)} – {vn(item.valid_until)}"),
                (_("Hồ sơ nguồn"), item.source_dossier_code or "—"),
                (_("Thêm lúc"), vn(item.added_at, time=True)),
            ),
            data={
                "id": item.pk,
                "kind": item.kind,
                "title": item.title,
                "issuer": item.issuer,
                "valid_from": iso(item.valid_from),
                "valid_until": iso(item.valid_until),
                "source_dossier_code": item.source_dossier_code,
                "origin": item.origin,
                "added_at": iso(item.added_at),
                "file": {
                    "name": item.file.name,
                    "content_type": item.file.content_type,
                    "size": item.file.size,
                    "sha256": item.file.sha256,
                },
            },
            url=reverse("portal:my_documents"),
        )
        for item in shown
    )
    verified = bool(datastore_owner_keys(user=person))
    return PersonalDataSection(
        key="data_store",
        title=_("Kho dữ liệu cá nhân"),
        summary=(
            _("%(count)s giấy tờ được giữ để bạn dùng lại, không phải nộp lại.") % {"count": total}
            if verified
            else _("Kho dữ liệu chỉ mở khi danh tính của bạn đã được xác thực (VNeID).")
        ),
        entries=entries,
        count=total,
        basis=_(
            "Giữ theo sự đồng ý lưu giấy tờ để dùng lại. Bạn có thể yêu cầu xoá giấy tờ "
            "trong kho; bản đã nộp kèm hồ sơ vẫn được lưu cùng hồ sơ."
        ),
    )


def datastore_subjects(*, person: User) -> list[SubjectKey]:
    items = list(_store_items(person).values_list("pk", "file_id"))
    if not items:
        return []
    return [
        SubjectKey("datastore_item", frozenset(str(pk) for pk, _file in items)),
        SubjectKey("file", frozenset(str(file) for _pk, file in items)),
    ]


def issued_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    codes = list(dossiers_of_person(person=person).values_list("code", flat=True))
    numbers = datastore_owner_keys(user=person)
    condition = Q(dossier_code__in=codes) if codes else Q(pk__in=[])
    if numbers:
        certified = CertificationEntry.objects.filter(
            requester_id_number__in=numbers, issued__isnull=False
        ).values_list("issued_id", flat=True)
        condition |= Q(pk__in=list(certified))
    documents = IssuedDocument.objects.filter(condition).select_related("unit", "file")
    documents = documents.order_by("-issued_at", "-id")
    total = documents.count()
    shown = list(documents[:limit] if limit is not None else documents)
    entries = tuple(
        PersonalDataEntry(
            title=doc.title,
            rows=(
                (_("Loại"), doc.get_kind_display()),
                (_("Số hiệu"), doc.reference or "—"),
                (_("Mã hồ sơ"), doc.dossier_code or "—"),
                (_("Đơn vị phát hành"), doc.unit.name),
                (_("Ngày phát hành"), vn(doc.issued_at)),
                (_("Mã kiểm tra"), doc.code),
                (_("Đã thu hồi"), vn(doc.revoked_at) if doc.revoked_at else _("Không")),
            ),
            data={
                "verify_code": doc.code,
                "kind": doc.kind,
                "title": doc.title,
                "reference": doc.reference,
                "dossier_code": doc.dossier_code,
                "unit": doc.unit.code,
                "issued_at": iso(doc.issued_at),
                "revoked_at": iso(doc.revoked_at),
                "sha256": doc.file.sha256,
            },
            url=reverse("portal:verify_document", kwargs={"code": doc.code}),
        )
        for doc in shown
    )
    return PersonalDataSection(
        key="issued",
        title=_("Giấy tờ đã phát hành cho bạn"),
        summary=_("%(count)s giấy tờ (kết quả, bản sao chứng thực, phiếu) ghi tên bạn.")
        % {"count": total},
        entries=entries,
        count=total,
        basis=_(
            "Giấy tờ có chữ ký của cơ quan phải giữ để bất kỳ ai kiểm tra được; trang kiểm "
            "tra công khai chỉ hiện tên đã che."
        ),
    )


def reports_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    reports = CertifiedCopyReport.objects.filter(reported_by=person).select_related(
        "dossier", "unit"
    )
    total = reports.count()
    shown = list(reports[:limit] if limit is not None else reports)
    entries = tuple(
        PersonalDataEntry(
            title=_("Phản ánh: bị yêu cầu bản sao chứng thực %(name)s")
            % {"name": r.component_name},
            rows=(
                (_("Hồ sơ"), r.dossier.code),
                (_("Đơn vị"), r.unit.name),
                (_("Lúc"), vn(r.reported_at, time=True)),
                (_("Nội dung"), r.note or "—"),
            ),
            data={
                "dossier_code": r.dossier.code,
                "unit": r.unit.code,
                "component_code": r.component_code,
                "component_name": r.component_name,
                "note": r.note,
                "reported_at": iso(r.reported_at),
            },
        )
        for r in shown
    )
    return PersonalDataSection(
        key="reports",
        title=_("Phản ánh của bạn"),
        summary=_("%(count)s phản ánh bạn đã gửi.") % {"count": total},
        entries=entries,
        count=total,
        basis=_("Dùng để giám sát việc giải quyết thủ tục; tên bạn không hiện trong thống kê."),
    )


def requests_collect(*, person: User, now: dt.datetime, limit: int | None) -> PersonalDataSection:
    requests = DataSubjectRequest.objects.filter(person=person).order_by("-received_at", "-id")
    total = requests.count()
    shown = list(requests[:limit] if limit is not None else requests)
    entries = tuple(
        PersonalDataEntry(
            title=f"#{r.pk} {r.get_kind_display()} — {r.get_scope_display()}",
            rows=(
                (_("Trạng thái"), r.get_status_display()),
                (_("Nhận lúc"), vn(r.received_at, time=True)),
                (_("Hạn trả lời"), vn(r.due_at)),
                (_("Trả lời"), r.answer or "—"),
            ),
            data={
                "id": r.pk,
                "kind": r.kind,
                "scope": r.scope,
                "scope_detail": r.scope_detail,
                "reason": r.reason,
                "status": r.status,
                "received_at": iso(r.received_at),
                "due_at": iso(r.due_at),
                "extended_at": iso(r.extended_at),
                "extension_reason": r.extension_reason,
                "answered_at": iso(r.answered_at),
                "outcome": r.outcome,
                "legal_basis": r.legal_basis,
                "answer": r.answer,
            },
            url=reverse("portal:my_data_request", kwargs={"pk": r.pk}),
        )
        for r in shown
    )
    return PersonalDataSection(
        key="requests",
        title=_("Yêu cầu của bạn về dữ liệu cá nhân"),
        summary=_("%(count)s yêu cầu hạn chế, xoá, sửa hoặc rút lại sự đồng ý.") % {"count": total},
        entries=entries,
        count=total,
        basis=_("Giữ để chứng minh yêu cầu của bạn đã được trả lời đúng hạn."),
    )


def register() -> None:
    for order, key, collect, subjects in (
        (10, "profile", profile_collect, profile_subjects),
        (20, "consents", consents_collect, no_subjects),
        (30, "dossiers", dossiers_collect, dossiers_subjects),
        (40, "data_store", datastore_collect, datastore_subjects),
        (50, "issued", issued_collect, no_subjects),
        (70, "reports", reports_collect, no_subjects),
        (90, "requests", requests_collect, no_subjects),
    ):
        personal_data_source_register(key=key, order=order, collect=collect, subjects=subjects)
