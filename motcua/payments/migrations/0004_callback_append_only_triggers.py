"""The database refuses UPDATE and DELETE on the log of gateway callbacks, whoever
asks; the models refuse too (AppendOnlyModel). Same shape as core's 0004_append_only_triggers,
with this app's own function.
"""

from django.db import migrations

TABLES = ("payments_paymentcallback",)
FUNCTION = "payments_callback_append_only_refuse"


def _statements(vendor, *, install):
    if vendor == "postgresql":
        if not install:
            return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in TABLES] + [
                f"DROP FUNCTION IF EXISTS {FUNCTION}()"
            ]
        return [
            f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$"""
        ] + [
            f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            for t in TABLES
        ]
    if vendor == "sqlite":
        if not install:
            return [f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in TABLES for op in ("update", "delete")]
        return [
            f"CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{op.upper()} on {t}: the table is append-only'); END"
            for t in TABLES
            for op in ("update", "delete")
        ]
    return []  # another database: the model guard only


def install(apps, schema_editor):
    """Idempotent: the triggers are dropped first when present."""
    vendor = schema_editor.connection.vendor
    for sql in [*_statements(vendor, install=False), *_statements(vendor, install=True)]:
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_payment_orders'),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
