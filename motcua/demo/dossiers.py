"""Demo dossiers: a few hundred, in every status, filed over the last weeks.

Each dossier is driven through the real services with simulated times (`now=` in the past),
so its events, process control slip and appointment are exactly what production would
record. A dossier whose next action would lie in the future simply stays where it is.
Issuing a result signs it (the demo PKI, `manage.py demo_pki`, has a key for every demo unit
with staff), so every dossier in status 9 or 10 has a signed result with a verification code.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from motcua.accounts.models import User
from motcua.catalog.eforms import choice_values, field_type
from motcua.catalog.models import OnlineLevel, ProcedureVersion
from motcua.core.clock import local
from motcua.core.errors import DomainError, IllegalTransition
from motcua.core.identifiers import personal_id_make
from motcua.deadlines.clock import WorkingClock, clock_for_unit
from motcua.dossiers import services as s
from motcua.dossiers.models import Channel, Dossier, DossierStatus, ResultOutcome
from motcua.organisation.models import Role, RoleAssignment, Unit

from .accounts import demo_citizens, staffed_units

# What each demo dossier is driven to (weights add up to 100).
TARGETS: tuple[tuple[str, int], ...] = (
    ("returned", 34),
    ("finished", 10),
    ("processing", 16),
    ("received", 5),
    ("registered", 5),
    ("supplement", 7),
    ("payment", 4),
    ("stopped", 3),
    ("refused", 3),
    ("guided", 1),
    ("withdrawn", 4),
    ("late", 8),
)
DAYS_BACK = 45


@dataclass
class DemoSummary:
    created: int = 0
    skipped_existing: bool = False
    failed: int = 0
    #: status code -> number of dossiers created in it
    by_status: dict[int, int] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.skipped_existing:
            return "đã có hồ sơ: giữ nguyên (xoá var/ để nạp lại)"
        statuses = ", ".join(
            f"{DossierStatus(code).label}: {n}" for code, n in sorted(self.by_status.items())
        )
        return f"{self.created} hồ sơ ({statuses}); {self.failed} bỏ qua"


class _Staff:
    def __init__(self) -> None:
        self._by: dict[tuple[int, str], User] = {}
        for assignment in RoleAssignment.objects.select_related("user").filter(
            role__in=[Role.OFFICER, Role.SPECIALIST, Role.LEADER]
        ):
            self._by.setdefault((assignment.unit_id, assignment.role), assignment.user)

    def get(self, unit: Unit, role: str) -> User | None:
        return self._by.get((unit.pk, role))

    def has_unit(self, unit: Unit) -> bool:
        return (unit.pk, Role.OFFICER) in self._by and (unit.pk, Role.LEADER) in self._by


class _Run:
    """One dossier's simulated life; `t` is its own clock, never beyond `now`."""

    def __init__(
        self, *, rng: random.Random, staff: _Staff, now: dt.datetime, clock: WorkingClock
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.now = now
        self.clock = clock
        self.t = now

    def later(self, hours: float) -> bool:
        """Advance by working hours; False when that would be in the future."""
        moment = self.clock.add_working_hours(self.t, Decimal(str(round(hours, 2))))
        if moment > self.now:
            return False
        self.t = moment
        return True

    def actor(self, unit: Unit, *roles: str) -> User:
        for role in roles:
            user = self.staff.get(unit, role)
            if user is not None:
                return user
        raise LookupError(f"no demo staff in {unit.code}")


def _versions(on: dt.date, staff: _Staff) -> tuple[list[ProcedureVersion], list[ProcedureVersion]]:
    versions = list(
        ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, valid_from__lte=on
        )
        .select_related("procedure", "procedure__competent_unit")
        .prefetch_related("steps")
    )
    commune = [v for v in versions if v.procedure.competent_unit_id is None]
    province = [
        v
        for v in versions
        if v.procedure.competent_unit is not None and staff.has_unit(v.procedure.competent_unit)
    ]
    return commune, province


CHILD_NAMES = ("Nguyễn Minh Khôi", "Trần Bảo Ngọc", "Lê Gia Huy", "Phạm An Nhiên", "Vũ Đức Anh")
ADULT_NAMES = ("Trần Thị Hoa", "Lê Văn Hùng", "Phạm Thị Lan", "Đỗ Văn Tuấn", "Ngô Thị Mai")


def _form_data(
    version: ProcedureVersion, *, rng: random.Random, today: dt.date, ward: str
) -> dict[str, object]:
    """Valid e-form data for the version: every field the applicant's profile does not fill
    (the server fills those), typed values, dates and numbers in range,
    identification numbers consistent with the dates of birth beside them."""
    data: dict[str, object] = {}
    fields = [f for f in (version.eform or {}).get("fields", []) if f.get("name")]
    birth_dates = {
        f["date_of_birth_field"]
        for f in fields
        if f.get("type") == "personal_id" and f.get("date_of_birth_field")
    }
    for spec in fields:
        name = str(spec["name"])
        from_profile = str(spec.get("prefill") or "").startswith("profile.")
        if from_profile or (not spec.get("required") and rng.random() < 0.3):
            continue
        kind = field_type(spec)
        if kind == "date":
            data[name] = _demo_date(
                spec, name=name, rng=rng, today=today, adult=name in birth_dates
            )
        elif kind == "personal_id":
            linked = spec.get("date_of_birth_field")
            born = str(data.get(str(linked), "")) if linked else ""
            year = int(born[:4]) if born else rng.randrange(1975, 2000)
            data[name] = personal_id_make(
                province_code="001",
                birth_year=year,
                sex=rng.choice(("male", "female")),
                serial=rng.randrange(1_000_000),
            )
        elif kind == "number":
            low = int(spec.get("min", 1) or 0)
            high = int(spec.get("max", low + 5))
            data[name] = rng.randint(low, min(high, low + 5)) if name != "capital" else 50_000_000
        elif kind == "choice":
            data[name] = rng.choice(choice_values(spec))
        elif kind == "checkbox":
            data[name] = True
        elif kind == "phone":
            data[name] = f"09{rng.randrange(10**8):08d}"
        elif kind == "email":
            data[name] = f"{name.replace('_', '.')}@example.vn"
        elif kind == "tax_code":
            data[name] = f"01{rng.randrange(10**8):08d}"
        elif kind == "address":
            data[name] = {
                "province": "01",
                "ward": ward,
                "street": f"Số {rng.randint(1, 120)}, ngõ {rng.randint(1, 60)}",
            }
        else:
            data[name] = _demo_text(name, kind=kind, rng=rng)
    return data


def _demo_date(
    spec: dict[str, object], *, name: str, rng: random.Random, today: dt.date, adult: bool
) -> str:
    if spec.get("min") == "today":
        return (today + dt.timedelta(days=rng.randint(60, 400))).isoformat()
    if adult:
        return dt.date(
            rng.randrange(1975, 2000), rng.randint(1, 12), rng.randint(1, 28)
        ).isoformat()
    return (today - dt.timedelta(days=rng.randint(3, 50))).isoformat()


def _demo_text(name: str, *, kind: str, rng: random.Random) -> str:
    if name.endswith("ethnicity"):
        return "Kinh"
    if name.endswith("nationality"):
        return "Việt Nam"
    if name == "tax_code":
        return f"01{rng.randrange(10**8):08d}"
    if name == "organisation_name":
        return "Công ty TNHH Thương mại Hồng Hà"
    if name.endswith("full_name"):
        return rng.choice(CHILD_NAMES if name.startswith("child") else ADULT_NAMES)
    if kind == "textarea":
        return "Đề nghị cơ quan có thẩm quyền xem xét, giải quyết theo quy định."
    return "Theo hồ sơ đính kèm"


def demo_dossiers_load(
    *,
    count: int,
    seed: int,
    now: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    summary = DemoSummary()
    if Dossier.objects.exists():
        summary.skipped_existing = True
        return summary
    rng = random.Random(seed)
    staff = _Staff()
    wards = [u for u in staffed_units() if u.level == Unit.Level.COMMUNE and staff.has_unit(u)]
    branches = [u for u in staffed_units() if u.kind == Unit.Kind.BRANCH and staff.has_unit(u)]
    start_day = (local(now) - dt.timedelta(days=DAYS_BACK)).date()
    commune_versions, province_versions = _versions(start_day, staff)
    citizens = demo_citizens(60, now=now - dt.timedelta(days=DAYS_BACK + 1))
    targets, weights = zip(*TARGETS, strict=True)
    for index in range(1, count + 1):
        target = rng.choices(targets, weights)[0]
        try:
            dossier = _one(
                rng=rng,
                staff=staff,
                now=now,
                target=target,
                wards=wards,
                branches=branches,
                commune_versions=commune_versions,
                province_versions=province_versions,
                citizen=rng.choice(citizens),
            )
        except (DomainError, LookupError):
            summary.failed += 1
        else:
            summary.created += 1
            summary.by_status[dossier.status] = summary.by_status.get(dossier.status, 0) + 1
        if progress is not None:
            progress(index, count)
    return summary


def _one(
    *,
    rng: random.Random,
    staff: _Staff,
    now: dt.datetime,
    target: str,
    wards: list[Unit],
    branches: list[Unit],
    commune_versions: list[ProcedureVersion],
    province_versions: list[ProcedureVersion],
    citizen: User,
) -> Dossier:
    province_level = bool(province_versions) and rng.random() < 0.3
    version = rng.choice(province_versions if province_level else commune_versions)
    if province_level:
        assert version.procedure.competent_unit is not None
        receiving = rng.choice([*branches, version.procedure.competent_unit])
    else:
        receiving = rng.choice(wards)
    clock = clock_for_unit(receiving)
    run = _Run(rng=rng, staff=staff, now=now, clock=clock)
    # Filed at a working moment in the last weeks; recent ones for the early statuses.
    back = 2 if target in {"registered", "received"} else DAYS_BACK
    run.t = clock.counting_start(now - dt.timedelta(days=rng.uniform(0.2, back)), channel="counter")
    run.t = clock.add_working_hours(run.t, Decimal(rng.randrange(0, 14)) / 2)
    if run.t > now:
        run.t = clock.counting_start(now - dt.timedelta(hours=30), channel="counter")
    online = version.online_level != OnlineLevel.NONE and (
        target == "registered" or rng.random() < 0.62
    )
    officer = run.actor(receiving, Role.OFFICER)
    ward = receiving.code if receiving.level == Unit.Level.COMMUNE else "00070"
    # A generator of its own, so the forms do not shift the dossiers' story.
    form_rng = random.Random(f"{citizen.username}/{run.t.isoformat()}")
    form = _form_data(version, rng=form_rng, today=local(run.t).date(), ward=ward)
    details: dict[str, Any] = {
        "applicant_id_number": citizen.personal_id,
        "applicant_phone": citizen.phone,
        "applicant_email": citizen.email,
        "applicant_address": citizen.address,
    }
    if online:
        dossier = s.dossier_submit(
            applicant=citizen,
            procedure_version=version,
            receiving_unit=receiving,
            form_data=form,
            now=run.t,
            channel=Channel.ONLINE,
            applicant_name=citizen.full_name,
            **details,
        )
        if target == "registered" or not run.later(rng.uniform(0.5, 6)):
            return dossier
        if target == "refused":
            return s.dossier_refuse(
                dossier=dossier,
                actor=officer,
                now=run.t,
                reason="Hồ sơ không thuộc thẩm quyền giải quyết.",
            )
        dossier = s.dossier_receive(dossier=dossier, actor=officer, now=run.t)
    elif target == "guided":
        # Incomplete paper dossier: form 02 at the counter, no receipt (status 5).
        return s.dossier_guide_at_counter(
            actor=officer,
            procedure_version=version,
            applicant=citizen,
            applicant_name=citizen.full_name,
            receiving_unit=receiving,
            form_data=form,
            now=run.t,
            items=[{"component": "Tờ khai", "reason": "Thiếu chữ ký của người yêu cầu."}],
            **details,
        )
    else:
        dossier = s.dossier_receive_at_counter(
            actor=officer,
            procedure_version=version,
            applicant=citizen,
            applicant_name=citizen.full_name,
            receiving_unit=receiving,
            form_data=form,
            now=run.t,
            channel=Channel.POST if rng.random() < 0.08 else Channel.COUNTER,
            **details,
        )
    if target == "received":
        return dossier
    if target == "supplement" or (target == "returned" and rng.random() < 0.1):
        if not run.later(rng.uniform(1, 8)):
            return dossier
        dossier = s.dossier_request_supplement(
            dossier=dossier,
            actor=officer,
            now=run.t,
            items=[{"component": "Tờ khai", "reason": "Thiếu chữ ký của người yêu cầu."}],
        )
        if target == "supplement" or not run.later(rng.uniform(4, 24)):
            return dossier
        dossier = s.dossier_supplement(
            dossier=dossier, actor=citizen, now=run.t, note="Đã bổ sung tờ khai có chữ ký."
        )
    steps_done = 0
    stop_after = rng.randrange(1, 3)
    while True:
        current = dossier.current_step
        allotment = float(current.step.allotment_hours) if current and current.step else 4.0
        # Most steps finish inside their allotment; "late" dossiers overrun.
        factor = rng.uniform(1.2, 2.2) if target == "late" else rng.uniform(0.2, 1.05)
        if not run.later(max(0.5, allotment * factor)):
            return dossier
        if target in {"payment", "stopped", "withdrawn", "processing"} and steps_done >= stop_after:
            break
        unit = current.unit if current is not None else dossier.handling_unit
        role = current.role if current is not None and current.role else Role.LEADER
        try:
            dossier = s.dossier_forward(
                dossier=dossier, actor=run.actor(unit, role, Role.LEADER), now=run.t
            )
        except IllegalTransition as exc:
            if exc.code != "last_step":
                raise
            break
        steps_done += 1
    handling = dossier.handling_unit
    if target == "payment":
        return s.dossier_request_payment(
            dossier=dossier,
            actor=officer,
            amount_vnd=50_000,
            now=run.t,
            note="Nộp lệ phí trước khi nhận kết quả.",
        )
    if target == "stopped":
        return s.dossier_stop(
            dossier=dossier,
            actor=run.actor(handling, Role.LEADER),
            now=run.t,
            reason="Chờ ý kiến của cơ quan có liên quan.",
        )
    if target == "withdrawn":
        return s.dossier_withdraw(
            dossier=dossier, actor=citizen, now=run.t, reason="Tôi không còn nhu cầu giải quyết."
        )
    if target == "processing":
        return dossier
    if (
        target == "late"
        and dossier.appointment_at is not None
        and clock.working_hours_between(run.t, dossier.appointment_at) >= s.APOLOGY_NOTICE_HOURS
    ):
        new_date = clock.add_working_hours(dossier.appointment_at, Decimal(16))
        dossier = s.dossier_apologize(
            dossier=dossier,
            actor=run.actor(handling, Role.LEADER),
            now=run.t,
            reason="Cần xác minh thêm thông tin với cơ quan khác.",
            new_appointment_at=new_date,
        )
    refused = target == "refused"  # received at the counter: a refusal to settle (9)
    dossier = s.dossier_issue_result(
        dossier=dossier,
        actor=run.actor(handling, Role.LEADER),
        now=run.t,
        outcome=ResultOutcome.REFUSED if refused else ResultOutcome.GRANTED,
        note="Người nộp không đủ điều kiện theo quy định." if refused else "",
    )
    if target in {"finished", "refused"} or not run.later(rng.uniform(1, 16)):
        return dossier
    return s.dossier_return_result(dossier=dossier, actor=officer, now=run.t)


def demo_verify_codes(*, count: int) -> list[str]:
    """Verification codes of a few demo results (the newest first), to print."""
    from motcua.documents.models import IssuedDocument

    return list(
        IssuedDocument.objects.filter(kind=IssuedDocument.Kind.RESULT)
        .order_by("-issued_at", "-id")
        .values_list("code", flat=True)[:count]
    )


#: The demo citizen's own dossiers (`congdan`, the portal's "My dossiers"): one in each
#: situation a person meets. "supplement_files" asks for a component's file.
CITIZEN_TARGETS = (
    "registered",
    "processing",
    "late",
    "payment",
    "withdrawn",
    "finished",
    "returned",
    "returned",
)


def demo_citizen_dossiers_load(*, now: dt.datetime, seed: int = 2026) -> DemoSummary:
    """Dossiers of the demo citizen `congdan` in the statuses a person meets (each driven
    through the real services at simulated times), plus one waiting for a supplement that
    asks for a component's file. Idempotent: nothing when congdan already has dossiers."""
    summary = DemoSummary()
    citizen = User.objects.filter(username="congdan").first()
    if citizen is None or Dossier.objects.filter(applicant=citizen).exists():
        summary.skipped_existing = True
        return summary
    rng = random.Random(seed)
    staff = _Staff()
    wards = [u for u in staffed_units() if u.level == Unit.Level.COMMUNE and staff.has_unit(u)]
    if not wards:
        return summary
    commune_versions, _province = _versions(
        (local(now) - dt.timedelta(days=DAYS_BACK)).date(), staff
    )
    online = [v for v in commune_versions if v.online_level != OnlineLevel.NONE]
    for target in CITIZEN_TARGETS:
        try:
            dossier = _one(
                rng=rng,
                staff=staff,
                now=now,
                target=target,
                wards=wards,
                branches=[],
                commune_versions=online or commune_versions,
                province_versions=[],
                citizen=citizen,
            )
        except (DomainError, LookupError):
            summary.failed += 1
            continue
        summary.created += 1
        summary.by_status[dossier.status] = summary.by_status.get(dossier.status, 0) + 1
    with_parts = [v for v in online if v.components.exists()]
    if with_parts:
        try:
            dossier = _supplement_asking_a_file(
                citizen=citizen, version=rng.choice(with_parts), ward=wards[0], staff=staff, now=now
            )
        except (DomainError, LookupError):
            summary.failed += 1
        else:
            summary.created += 1
            summary.by_status[dossier.status] = summary.by_status.get(dossier.status, 0) + 1
    return summary


def _supplement_asking_a_file(
    *, citizen: User, version: ProcedureVersion, ward: Unit, staff: _Staff, now: dt.datetime
) -> Dossier:
    clock = clock_for_unit(ward)
    start = clock.counting_start(now - dt.timedelta(days=3), channel="counter")
    officer = _Run(rng=random.Random(0), staff=staff, now=now, clock=clock).actor(
        ward, Role.OFFICER
    )
    form = _form_data(
        version,
        rng=random.Random(f"congdan/{start.isoformat()}"),
        today=local(start).date(),
        ward=ward.code,
    )
    dossier = s.dossier_submit(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=ward,
        form_data=form,
        now=start,
        channel=Channel.ONLINE,
        applicant_name=citizen.full_name,
        applicant_id_number=citizen.personal_id,
        applicant_phone=citizen.phone,
        applicant_email=citizen.email,
        applicant_address=citizen.address,
    )
    part = version.components.order_by("order").first()
    assert part is not None
    return s.dossier_request_supplement(
        dossier=dossier,
        actor=officer,
        now=clock.add_working_hours(start, Decimal(1)),
        items=[
            {"component": part.code, "reason": "Bản chụp bị mờ, không đọc được; nộp lại bản rõ."}
        ],
    )
