"""When the money moved (`LedgerTransaction.paid_at`): the gateway's pay time for the payments
confirmed from now on; the existing movements are backfilled with the time they were recorded
(`at`, the confirmation), the only time known for them.

The ledger is append-only (0002's triggers refuse UPDATE): the backfill takes the triggers
off, fills the column and puts them back, in this migration's transaction. Making the column
NOT NULL rebuilds the table on SQLite, which drops its triggers: they are installed again
after it (tests/core/test_append_only.py checks the migrated schema)."""

from django.db import migrations, models

from motcua.core.append_only_sql import trigger_steps

TABLES = ("payments_ledgertransaction", "payments_ledgerentry")
FUNCTION = "payments_append_only_refuse"  # 0002's: the same triggers, put back as they were
install, uninstall = trigger_steps(tables=TABLES, function=FUNCTION)


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    uninstall(apps, schema_editor)
    schema_editor.execute(
        "UPDATE payments_ledgertransaction SET paid_at = at WHERE paid_at IS NULL", params=None
    )
    install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_reconciliation_runs"),
    ]

    operations = [
        # reversed last: going back leaves the triggers as 0006 had them, whatever the
        # reversed steps below rebuilt on SQLite
        migrations.RunPython(migrations.RunPython.noop, install, elidable=False),
        migrations.AddField(
            model_name="ledgertransaction",
            name="paid_at",
            field=models.DateTimeField(null=True, verbose_name="thời điểm trả tiền"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="ledgertransaction",
            name="paid_at",
            field=models.DateTimeField(
                db_index=True,
                help_text=(
                    "Giờ ngân hàng ghi nhận giao dịch (cổng thanh toán) hoặc giờ cán bộ ghi nhận."
                ),
                verbose_name="thời điểm trả tiền",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
