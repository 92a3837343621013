"""English catalogues of the domain apps: complete, compiled, and used by services and the API."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.core.errors import ValidationError
from motcua.dossiers.models import DossierStatus
from motcua.organisation.models import Unit
from motcua.organisation.services import unit_tree_load
from tests.factories import CitizenFactory, ProvinceUnitFactory, UnitFactory

MOTCUA = Path(__file__).resolve().parents[2] / "motcua"
APPS = [
    "core",
    "accounts",
    "organisation",
    "deadlines",
    "documents",
    "counter",
    "catalog",
    "dossiers",
    "portal",
    "idp_demo",
    "demo",
    "api",
    "web",
    "workspace",
    "privacy",
    "feedback",
    "payments",
    "paygate_demo",
    "notifications",
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str = ""
    msgid: str = ""
    msgstr: str = ""
    #: A plural entry's msgid_plural and msgstr[1] (msgstr holds msgstr[0]).
    plural: str = ""
    msgstr_plural: str = ""


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (plurals with two forms, as English has; contexts)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current = None
            continue
        current = current or Entry()
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            target, _, text = line.partition(" ")
            target = {
                "msgid_plural": "plural",
                "msgstr[0]": "msgstr",
                "msgstr[1]": "msgstr_plural",
            }.get(target, target)
            setattr(current, target, ast.literal_eval(text))
        elif line.startswith('"'):
            setattr(current, target, getattr(current, target) + ast.literal_eval(line))
        else:
            raise AssertionError(f"{path}: unexpected line {line!r}")
    return entries


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_a_complete_compiled_english_catalogue(app: str) -> None:
    messages = MOTCUA / app / "locale" / "en" / "LC_MESSAGES"
    entries = read_po(messages / "django.po")
    header, *rest = entries

    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert rest, f"{app}: empty catalogue"
    assert [e.msgid for e in rest if "fuzzy" in e.flags] == []
    assert [e.msgid for e in rest if not e.msgstr.strip()] == []
    assert [
        e.msgid
        for e in rest
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ] == []
    # The committed .mo is the compiled .po (no gettext tools are needed at runtime).
    with (messages / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def translated(e: Entry) -> str:
        if e.plural:
            return compiled.ngettext(e.msgid, e.plural, 1)
        if e.msgctxt:
            return compiled.pgettext(e.msgctxt, e.msgid)
        return compiled.gettext(e.msgid)

    assert {(e.msgctxt, e.msgid): translated(e) for e in rest} == {
        (e.msgctxt, e.msgid): e.msgstr for e in rest
    }
    assert [e.msgid for e in rest if e.plural and not e.msgstr_plural.strip()] == []


@pytest.mark.django_db
def test_a_domain_error_renders_in_the_active_language() -> None:
    with pytest.raises(ValidationError) as raised:
        unit_tree_load(province_code="99")

    with override("en"):
        assert raised.value.render() == "There is no province or city with code 99."
    with override("vi"):
        assert raised.value.render() == "Không có tỉnh, thành phố với mã 99."


def test_choice_labels_follow_the_language() -> None:
    with override("en"):
        assert str(DossierStatus.SUPPLEMENT_REQUESTED.label) == "Supplement requested"
        assert str(Unit.Kind.COMMUNE.label) == "Commune"
    with override("vi"):
        assert str(DossierStatus.SUPPLEMENT_REQUESTED.label) == "Yêu cầu bổ sung"


@pytest.fixture
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(db: None) -> User:
    province = ProvinceUnitFactory()
    UnitFactory(code="00070", name="Phường Hoàn Kiếm", parent=province)
    field_ = Field.objects.create(code="HT", name="Hộ tịch", name_en="Civil status")
    procedure = Procedure.objects.create(
        code="1.001193",
        name="Đăng ký khai sinh",
        name_en="Birth registration",
        field=field_,
        level="commune",
        competent_unit_kinds=["ward", "commune"],
    )
    ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.PUBLISHED,
        valid_from=dt.date(2020, 1, 1),
        online_level="full",
        counter_time=Decimal(3),
        eform={
            "fields": [{"name": "ten_tre", "label": "Họ tên trẻ", "type": "text", "required": True}]
        },
        published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    user: User = CitizenFactory(username="an", full_name="Nguyễn Văn An")
    return user


@pytest.mark.usefixtures("_clean_cache")
def test_the_api_returns_a_dossier_service_error_in_the_request_language(citizen: User) -> None:
    _, token = api_token_create(user=citizen, name="test", now=timezone.now())
    body = json.dumps({"procedure": "1.001193", "receiving_unit": "00070", "form_data": {}})

    def submit(**headers: str) -> dict[str, object]:
        response = Client().post(
            "/api/v1/dossiers",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            **headers,
        )
        assert response.status_code == 400
        payload: dict[str, object] = response.json()
        return payload

    english = submit(HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = submit()

    assert english["code"] == vietnamese["code"] == "form_invalid"
    assert english["message"] == "The form is not valid: Họ tên trẻ."
    assert vietnamese["message"] == "Tờ khai chưa hợp lệ: Họ tên trẻ."
    assert english["errors"] == [
        {
            "field": "ten_tre",
            "code": "required",
            "message": "This field is required.",
            "location": "form_data",
        }
    ]


TRANSLATION_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}


def source_messages(app: str) -> dict[str, str]:
    """Every literal passed to a gettext function in the app's Python code: msgid -> where."""
    found: dict[str, str] = {}
    for path in sorted((MOTCUA / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in TRANSLATION_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(MOTCUA)}:{node.lineno}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_every_message_in_the_code_has_an_english_translation(app: str) -> None:
    """A Vietnamese message added without its English line fails here (run makemessages in
    the app's folder, translate, compilemessages)."""
    po = MOTCUA / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
    translated = {entry.msgid for entry in read_po(po) if entry.msgstr} if po.exists() else set()
    missing = {msg: where for msg, where in source_messages(app).items() if msg not in translated}
    assert missing == {}
