"""The database refuses UPDATE and DELETE on the ledger (its movements and entries), whoever asks; the models refuse too
(AppendOnlyModel). See motcua.core.append_only_sql.
"""

from django.db import migrations

from motcua.core.append_only_sql import trigger_steps

TABLES = ("payments_ledgertransaction", "payments_ledgerentry",)
FUNCTION = "payments_append_only_refuse"
install, uninstall = trigger_steps(tables=TABLES, function=FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
