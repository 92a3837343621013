"""The catalog admin pages open, search, and publish through the service."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.catalog.admin import ComponentForm
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import, procedure_version_create_draft
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        username="quantri", password="x", email="qt@example.vn"
    )
    client.force_login(user)
    return client


def test_pages_open_and_search(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = ProcedureVersion.objects.get()
    for url in (
        reverse("admin:catalog_procedure_changelist") + "?q=nhan+cha+me",
        reverse("admin:catalog_procedure_change", args=[version.procedure_id]),
        reverse("admin:catalog_procedureversion_changelist") + "?status__exact=draft",
        reverse("admin:catalog_procedureversion_change", args=[version.pk]),
        reverse("admin:catalog_field_changelist"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    listing = admin_client.get(reverse("admin:catalog_procedure_changelist") + "?q=nhan+cha+me")
    assert b"1.001022" in listing.content


def test_publish_action(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = ProcedureVersion.objects.get()
    response = admin_client.post(
        reverse("admin:catalog_procedureversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    assert "đã công bố" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "published"


def test_publish_action_shows_the_problems(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = ProcedureVersion.objects.get()
    version.components.all().delete()
    response = admin_client.post(
        reverse("admin:catalog_procedureversion_changelist"),
        {"action": "publish", "_selected_action": [version.pk]},
        follow=True,
    )
    assert "Chưa có thành phần hồ sơ." in response.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"


def test_lists_are_edited_as_check_boxes_and_dates_show_day_first(admin_client, now):
    catalog_import(document=document(procedure_doc(status="published")), now=now)
    version = ProcedureVersion.objects.get()
    page = admin_client.get(
        reverse("admin:catalog_procedure_change", args=[version.procedure_id]),
        HTTP_ACCEPT_LANGUAGE="vi",
    ).content.decode()
    assert 'type="checkbox" name="competent_unit_kinds" value="ward"' in page
    assert version.valid_from.strftime("%d/%m/%Y") in page
    draft = procedure_version_create_draft(procedure=version.procedure, actor=None, now=now)
    version_page = admin_client.get(
        reverse("admin:catalog_procedureversion_change", args=[draft.pk])
    ).content.decode()
    assert 'type="checkbox" name="components-0-accepted_forms"' in version_page


def test_a_components_file_types_and_size_are_edited_on_a_draft(admin_client, now):
    catalog_import(document=document(procedure_doc(status="published")), now=now)
    version = ProcedureVersion.objects.get()
    draft = procedure_version_create_draft(procedure=version.procedure, actor=None, now=now)
    page = admin_client.get(
        reverse("admin:catalog_procedureversion_change", args=[draft.pk])
    ).content.decode()
    assert 'type="checkbox" name="components-0-allowed_types" value="application/pdf"' in page
    assert 'name="components-0-max_bytes" value="10485760"' in page

    component = draft.components.first()
    form = ComponentForm(
        data={
            "order": 1,
            "code": component.code,
            "name": component.name,
            "accepted_forms": ["original"],
            "copies": 1,
            "required": "on",
            "allowed_types": ["application/pdf"],
            "max_bytes": 2_000_000,
        },
        instance=component,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["allowed_types"] == ["application/pdf"]
    assert form.cleaned_data["max_bytes"] == 2_000_000
    refused = ComponentForm(data={**form.data, "allowed_types": ["text/html"]}, instance=component)
    assert not refused.is_valid()
    assert "allowed_types" in refused.errors
