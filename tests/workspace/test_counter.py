"""/workspace/counter/: counter reception without administrative boundaries — find the
applicant, pick the procedure, the completeness checklist with files, then receive (form 01),
guide (form 02) or refuse (form 03); and the form downloads of a dossier."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from motcua.catalog.text import fold
from motcua.core.models import DataAccessLog
from motcua.documents.models import StoredFile
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStatus,
    Suspension,
)
from motcua.dossiers.services import (
    ComponentProvision,
    certified_copy_allowed,
    dossier_receive_at_counter_with_files,
)
from motcua.dossiers.services.counter import component_paper_forms
from tests.documents.samples import image_bytes, pdf_bytes, stored_names
from tests.dossiers.factories import ComponentFactory, ProcedureFactory, standard_version
from tests.dossiers.helpers import MON, World, received

pytestmark = pytest.mark.django_db

NUMBER = "001090000001"  # Hà Nội, male, born 1990


def _client(user, *, csrf: bool = False) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _page(world: World, **extra: str) -> str:
    query = {"procedure": world.version.procedure.code, "number": NUMBER, **extra}
    return "/workspace/counter/dossier/?" + "&".join(f"{k}={v}" for k, v in query.items())


def _form(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "procedure": world.version.procedure.code,
        "number": NUMBER,
        "applicant_name": "Lê Văn Cường",
        "applicant_id_number": NUMBER,
        "applicant_phone": "0912345678",
        "applicant_address": "1 Tràng Tiền",
        "form__ho_ten": "Lê Văn Cường",
        "form__ngay_sinh": "1990-05-01",
        "how-TP1": "original",
        "checked-TP1": "1",
        "outcome": "receive",
    }
    data.update(extra)
    return data


def _pdf(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def test_receive_with_files_in_one_go_then_form_01(world: World) -> None:
    client = _client(world.officer)
    with freeze_time(MON):
        page = client.get(_page(world))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="applicant-name"' in html
        assert "autofocus" in html
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, **{"files-TP1": [_pdf()], "files-TP2": [_png("p1.png"), _png("p2.png")]}),
        )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/workspace/counter/done/{dossier.code}/"
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.receiving_unit == world.ward
    assert dossier.handling_unit == world.ward
    assert dossier.appointment_at is not None
    files = {f.component_code: f for f in DossierFile.objects.filter(dossier=dossier)}
    assert set(files) == {"TP1", "TP2"}
    assert files["TP2"].file.content_type == "application/pdf"  # two scans, one PDF
    assert files["TP2"].file.pages == 2
    actions = list(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True))
    assert actions == ["submit", "receive", "file_add", "file_add"]
    with freeze_time(MON):
        done = client.get(response["Location"]).content.decode()
        assert dossier.code in done
        assert f"/workspace/dossiers/{dossier.code}/forms/01.pdf" in done
        assert f"/workspace/dossiers/{dossier.code}/forms/01.pdf?size=a5" in done
        pdf = client.get(f"/workspace/dossiers/{dossier.code}/forms/01.pdf?size=a5")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_bad_file_leaves_nothing(world: World) -> None:
    client = _client(world.officer)
    bad = SimpleUploadedFile("tp2.pdf", b"this is not a pdf", content_type="application/pdf")
    with freeze_time(MON):
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, **{"files-TP1": [_pdf()], "files-TP2": [bad]}),
        )
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_names() == []  # the first file's bytes were removed again
    html = response.content.decode()
    assert "Chưa lưu" in html
    assert 'value="Lê Văn Cường"' in html  # what was typed is kept
    assert "Cần chọn lại tệp" in html  # files must be chosen again


def test_a_missing_required_component_lists_it_and_saves_nothing(world: World) -> None:
    client = _client(world.officer)
    with freeze_time(MON):
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, **{"checked-TP1": "", "note": "ghi chú giữ lại"}),
        )
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    html = response.content.decode()
    assert 'href="#component-TP1"' in html
    assert "Thiếu thành phần bắt buộc: Tờ khai." in html
    assert "ghi chú giữ lại" in html


def test_guidance_issues_form_02_in_status_5_without_appointment(world: World) -> None:
    client = _client(world.officer)
    with freeze_time(MON):
        response = client.post(
            "/workspace/counter/dossier/",
            _form(
                world,
                **{
                    "checked-TP1": "",
                    "guide-TP1": "Tờ khai chưa ký",
                    "outcome": "guide",
                    "files-TP2": [_pdf("tp2.pdf")],
                },
            ),
        )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert dossier.appointment_at is None
    assert dossier.received_at is None
    items = Suspension.objects.get(dossier=dossier).items
    assert [(i["component"], i["reason"]) for i in items] == [("TP1", "Tờ khai chưa ký")]
    assert DossierFile.objects.filter(dossier=dossier, component_code="TP2").exists()
    with freeze_time(MON):
        done = client.get(response["Location"]).content.decode()
        assert "/forms/02.pdf" in done
        assert "/forms/01.pdf" not in done
        assert client.get(f"/workspace/dossiers/{dossier.code}/forms/02.pdf").status_code == 200
        assert client.get(f"/workspace/dossiers/{dossier.code}/forms/01.pdf").status_code == 409


def test_refuse_issues_form_03_with_the_reason(world: World) -> None:
    client = _client(world.officer)
    with freeze_time(MON):
        empty = client.post("/workspace/counter/dossier/", _form(world, outcome="refuse"))
        assert empty.status_code == 400
        assert Dossier.objects.count() == 0
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, outcome="refuse", reason="Không thuộc đối tượng của thủ tục"),
        )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.NOT_RECEIVED
    event = DossierEvent.objects.get(dossier=dossier, action="refuse")
    assert event.reason == "Không thuộc đối tượng của thủ tục"
    with freeze_time(MON):
        pdf = _client(world.officer).get(f"/workspace/dossiers/{dossier.code}/forms/03.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_another_units_procedure_goes_to_the_competent_unit(world: World) -> None:
    procedure = ProcedureFactory(competent_unit=world.other_ward, competent_unit_kinds=[])
    version = standard_version(procedure=procedure)
    client = _client(world.officer)
    with freeze_time(MON):
        page = client.get(
            f"/workspace/counter/dossier/?procedure={procedure.code}&number={NUMBER}"
        ).content.decode()
        assert "Chuyển đơn vị có thẩm quyền" in page
        assert world.other_ward.name in page
        response = client.post(  # a unit slipped into the POST does not override the rule
            "/workspace/counter/dossier/",
            _form(world, procedure=version.procedure.code, handling_unit=str(world.branch.pk)),
        )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.receiving_unit == world.ward
    assert dossier.handling_unit == world.other_ward
    assert dossier.status == DossierStatus.RECEIVED


def test_csrf_is_enforced(world: World) -> None:
    client = _client(world.officer, csrf=True)
    with freeze_time(MON):
        forged = client.post("/workspace/counter/dossier/", _form(world))
        assert forged.status_code == 403
        page = client.get(_page(world)).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        ok = client.post(
            "/workspace/counter/dossier/", _form(world, csrfmiddlewaretoken=token.group(1))
        )
    assert forged.status_code == 403
    assert ok.status_code == 302
    assert Dossier.objects.count() == 1


def test_non_officers_are_refused(world: World) -> None:
    with freeze_time(MON):
        for user in (world.specialist, world.supervisor, world.stranger):
            client = _client(user)
            assert client.get("/workspace/counter/").status_code == 403
            assert client.post("/workspace/counter/dossier/", _form(world)).status_code == 403
        citizen = _client(world.citizen).get("/workspace/counter/")
        assert citizen.status_code == 403
    assert Dossier.objects.count() == 0
    assert not DataAccessLog.objects.filter(subject_type="counter_applicant").exists()


def test_find_the_applicant_and_the_procedure(world: World) -> None:
    world.citizen.personal_id = NUMBER
    world.citizen.phone = "0912345678"
    world.citizen.address = "12 Hàng Bài"
    world.citizen.save()
    earlier = received(world)
    procedure = world.version.procedure
    procedure.search_text = fold(f"{procedure.code} {procedure.name}")  # as the catalog keeps it
    procedure.save()
    client = _client(world.officer)
    name = procedure.name
    with freeze_time(MON):
        bad = client.get("/workspace/counter/?number=12345").content.decode()
        assert "error-summary" in bad
        page = client.get(f"/workspace/counter/?number={NUMBER}&q=thu+tuc+thu+nghiem")
        html = page.content.decode()
        by_phone = client.get("/workspace/counter/?number=0912+345+678").content.decode()
    assert page.status_code == 200
    assert "Nguyễn Văn An" in html
    assert "12 Hàng Bài" in html
    assert earlier.code in html  # the applicant's earlier dossier
    assert name in html  # accent-insensitive search
    assert f"procedure={world.version.procedure.code}" in html
    assert "Nguyễn Văn An" in by_phone
    logged = DataAccessLog.objects.filter(subject_type="counter_applicant", actor=world.officer)
    assert set(logged.values_list("subject_id", flat=True)) == {NUMBER, "0912345678"}
    with freeze_time(MON):
        prefilled = client.get(_page(world)).content.decode()
    assert 'value="Nguyễn Văn An"' in prefilled
    assert 'value="0912345678"' in prefilled


def test_certified_copy_only_where_the_catalog_asks(world: World) -> None:
    plain = ComponentFactory(version=world.version, code="TP3", accepted_forms=["copy"])
    certified = ComponentFactory(
        version=world.version, code="TP4", accepted_forms=["copy", "certified_copy"]
    )
    assert not certified_copy_allowed(plain)
    assert certified_copy_allowed(certified)
    assert "certified_copy" not in component_paper_forms(plain)
    assert "certified_copy" in component_paper_forms(certified)
    with pytest.raises(Exception) as refused:
        dossier_receive_at_counter_with_files(
            actor=world.officer,
            procedure_version=world.version,
            applicant_name="Lê Văn Cường",
            form_data={"ho_ten": "Lê Văn Cường", "ngay_sinh": "1990-05-01"},
            provisions=[
                ComponentProvision(code="TP1", checked=True),
                ComponentProvision(code="TP3", checked=True, paper_form="certified_copy"),
                ComponentProvision(code="TP4", checked=True),
            ],
            receiving_unit=world.ward,
            now=MON,
        )
    assert getattr(refused.value, "code", "") == "components_invalid"
    assert Dossier.objects.count() == 0


def test_query_counts_are_bounded(world: World) -> None:
    for n in range(8):
        ComponentFactory(version=world.version, code=f"X{n}", required=False)
    client = _client(world.officer)
    with freeze_time(MON):
        client.get(_page(world))  # warm the caches, as in a running server
        with CaptureQueriesContext(connection) as page:
            assert client.get(_page(world)).status_code == 200
        with CaptureQueriesContext(connection) as search:
            assert client.get(f"/workspace/counter/?number={NUMBER}&q=thu").status_code == 200
    assert len(page) <= 15, [q["sql"] for q in page]  # 12 measured, with 10 components
    assert len(search) <= 12, [q["sql"] for q in search]  # 10 measured


def test_form_download_is_access_checked_and_logged(world: World) -> None:
    dossier = received(world)
    with freeze_time(MON):
        other = _client(world.other_officer).get(f"/workspace/dossiers/{dossier.code}/forms/01.pdf")
        assert other.status_code == 404
        unknown = _client(world.officer).get(f"/workspace/dossiers/{dossier.code}/forms/09.pdf")
        assert unknown.status_code == 404
        mine = _client(world.officer).get(f"/workspace/dossiers/{dossier.code}/forms/01.pdf")
        assert mine.status_code == 200
        page = _client(world.officer).get(f"/workspace/dossiers/{dossier.code}/").content.decode()
    assert "Biểu mẫu" in page
    assert f"/workspace/dossiers/{dossier.code}/forms/06.pdf" in page
    assert DataAccessLog.objects.filter(
        actor=world.officer, subject_id=dossier.code, purpose="dossier_form"
    ).exists()
    assert not DataAccessLog.objects.filter(
        actor=world.other_officer, purpose="dossier_form"
    ).exists()


def test_national_data_and_a_data_store_item_replace_papers(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    from motcua.documents.models import DataStoreItem, NationalDemoRecord
    from motcua.documents.services import datastore_item_add, file_store
    from motcua.dossiers.models import ComponentSource, DossierComponentSource

    ComponentFactory(
        version=world.version,
        order=3,
        code="TP3",
        name="Căn cước",
        accepted_forms=["national_data", "original_to_compare"],
        national_database="population",
        document_kind="identity_card",
    )
    ComponentFactory(
        version=world.version,
        order=4,
        code="TP4",
        name="Giấy khai sinh",
        accepted_forms=["copy"],
        document_kind="birth_certificate",
    )
    settings.MOTCUA_NATIONAL_DATA = {}
    client = _client(world.officer)
    with freeze_time(MON):
        page = client.get(_page(world)).content.decode()
        assert 'value="national_data"' not in page  # no connector: the paper is filed
        settings.MOTCUA_NATIONAL_DATA = {"*": {"connector": "demo"}}
        NationalDemoRecord.objects.create(
            database="population", subject_key=NUMBER, reference="DC-1", fields={"ho_ten": "x"}
        )
        import io

        stored = file_store(
            actor=None, upload=io.BytesIO(pdf_bytes()), name="khai-sinh.pdf", now=MON
        )
        item: DataStoreItem = datastore_item_add(
            owner_key=NUMBER, kind="birth_certificate", title="Giấy khai sinh", file=stored, now=MON
        )
        page = client.get(_page(world)).content.decode()
        assert 'id="how-TP3-national"' in page
        assert f'value="reuse:{item.pk}"' in page  # the matching item of the data store
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, **{"how-TP3": "national_data", "how-TP4": f"reuse:{item.pk}"}),
        )
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.get()
    sources = dict(
        DossierComponentSource.objects.filter(dossier=dossier).values_list(
            "component_code", "source"
        )
    )
    assert sources == {"TP3": ComponentSource.NATIONAL_DATA, "TP4": ComponentSource.REUSED}


def test_nothing_held_nationally_saves_nothing_but_logs_the_read(world: World) -> None:
    ComponentFactory(
        version=world.version,
        order=3,
        code="TP3",
        name="Căn cước",
        accepted_forms=["national_data", "original_to_compare"],
        national_database="population",
    )
    client = _client(world.officer)
    with freeze_time(MON):
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, **{"how-TP3": "national_data", "files-TP1": [_pdf()]}),
        )
    assert response.status_code == 400
    assert Dossier.objects.count() == 0
    assert StoredFile.objects.count() == 0
    assert stored_names() == []
    assert DataAccessLog.objects.filter(
        subject_type="national_data", subject_id=f"population:{NUMBER}", actor=world.officer
    ).exists()


def test_an_officer_of_two_posts_receives_at_the_one_chosen(world: World) -> None:
    from tests.factories import RoleAssignmentFactory, ServicePointFactory

    point = ServicePointFactory(unit=world.branch, name="Quầy số 3")
    RoleAssignmentFactory(user=world.officer, unit=world.branch, service_point=point)
    client = _client(world.officer)
    with freeze_time(MON):
        page = client.get(_page(world)).content.decode()
        assert 'id="post"' in page
        assert "Quầy số 3" in page
        chosen = f"{world.branch.pk}:{point.pk}"
        branch_page = client.get(_page(world, post=chosen)).content.decode()
        # the procedure is settled by wards: at the branch the officer picks the ward
        assert 'id="handling-unit"' in branch_page
        assert world.ward.name in branch_page
        unpicked = client.post("/workspace/counter/dossier/", _form(world, post=chosen))
        assert unpicked.status_code == 400
        assert Dossier.objects.count() == 0
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, post=chosen, handling_unit=str(world.ward.pk)),
        )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.receiving_unit == world.branch
    assert dossier.service_point == point
    assert dossier.handling_unit == world.ward


def test_a_procedure_settled_in_the_session_says_so_at_the_counter(world: World) -> None:
    with freeze_time(MON):
        page = _client(world.officer).get(_page(world)).content.decode()
        assert 'id="settled-in-session"' not in page
        world.version.settled_in_session = True
        world.version.save()
        page = _client(world.officer).get(_page(world)).content.decode()
    assert '<strong class="tag tag--ok">Ngày không hẹn</strong>' in page
    assert "trả kết quả ngay trong buổi làm việc tiếp nhận" in page


def test_a_date_is_typed_day_month_year_whatever_the_browsers_language(world: World) -> None:
    # given a procedure whose form asks for a date of birth
    eform = world.version.eform
    eform["fields"][1]["type"] = "date"
    type(world.version).objects.filter(pk=world.version.pk).update(eform=eform)
    client = _client(world.officer)
    with freeze_time(MON):
        html = client.get(_page(world)).content.decode()
        # a text field that says the order, not the browser's own date picker
        assert 'type="date"' not in html
        assert 'id="form-ngay_sinh"' in html
        assert 'aria-describedby="form-ngay_sinh-hint"' in html
        assert "Ngày/tháng/năm, ví dụ 12/05/1990." in html
        response = client.post(
            "/workspace/counter/dossier/",
            _form(world, **{"form__ngay_sinh": "01/05/1990", "files-TP1": [_pdf()]}),
        )
    assert response.status_code == 302
    assert Dossier.objects.get().form_data["ngay_sinh"] == "1990-05-01"
