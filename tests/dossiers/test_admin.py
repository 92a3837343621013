"""The admin shows dossiers read-only with their history; events cannot be changed."""

from __future__ import annotations

from django.urls import reverse

from motcua.dossiers.models import DossierEvent

from .helpers import processing


def test_admin_lists_and_shows_a_dossier_read_only(world, client, admin_user):
    dossier = processing(world)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:dossiers_dossier_changelist"), {"q": dossier.code})
    page = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    events = client.get(reverse("admin:dossiers_dossierevent_changelist"))

    assert listing.status_code == page.status_code == events.status_code == 200
    assert dossier.code in listing.content.decode()
    assert "Thẩm định hồ sơ" in page.content.decode()
    assert client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    event = DossierEvent.objects.get(dossier=dossier, seq=1)
    response = client.post(
        reverse("admin:dossiers_dossierevent_change", args=[event.pk]), {"reason": "sửa"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.reason == ""


def test_opening_a_dossier_in_the_admin_logs_the_read_of_personal_data(world, client, admin_user):
    from motcua.core.models import DataAccessLog

    dossier = processing(world)
    client.force_login(admin_user)

    client.get(reverse("admin:dossiers_dossier_changelist"))
    assert not DataAccessLog.objects.exists()  # the list shows no more than names and codes
    client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))

    log = DataAccessLog.objects.get()
    assert (log.actor, log.subject_type, log.subject_id, log.channel) == (
        admin_user,
        "dossier",
        dossier.code,
        "admin",
    )
