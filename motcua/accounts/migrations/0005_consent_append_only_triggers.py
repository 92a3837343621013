"""The database refuses UPDATE and DELETE on the consent records (the proof of what a person agreed to, Law 91/2025), whoever asks; the models refuse too
(AppendOnlyModel). See motcua.core.append_only_sql.
"""

from django.db import migrations

from motcua.core.append_only_sql import trigger_steps

TABLES = ("accounts_consentrecord",)
FUNCTION = "accounts_append_only_refuse"
install, uninstall = trigger_steps(tables=TABLES, function=FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_consent_records"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
