"""Seed the shipped templates (the defaults of `motcua.notifications.defaults`)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from motcua.notifications.defaults import DEFAULTS

    Template = apps.get_model("notifications", "NotificationTemplate")
    existing = set(Template.objects.values_list("event", "channel", "language"))
    Template.objects.bulk_create(
        Template(event=event, channel=channel, language=language, subject=d.subject, body=d.body)
        for (event, channel, language), d in DEFAULTS.items()
        if (event, channel, language) not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
