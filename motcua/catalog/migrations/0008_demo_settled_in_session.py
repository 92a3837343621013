from django.db import migrations

#: The demo catalog's procedures settled within the session ("no appointment day", domain.md
#: section 9; motcua/catalog/data/demo_catalog.json): set on databases that loaded the demo
#: before, so that loading it again finds its published versions unchanged.
DEMO_SETTLED = {("HN.DEMO.012", 1)}


def mark_demo_settled(apps, schema_editor):
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    for code, number in DEMO_SETTLED:
        ProcedureVersion.objects.filter(procedure__code=code, number=number).update(
            settled_in_session=True
        )


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0007_search_indexes"),
    ]

    operations = [
        migrations.RunPython(mark_demo_settled, migrations.RunPython.noop),
    ]
