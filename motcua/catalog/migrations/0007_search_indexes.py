"""Search indexes (docs/search.md). PostgreSQL: the unaccent and pg_trgm extensions and two
GIN indexes on the folded `search_text` (trigrams, tsvector). SQLite: the FTS5 table, filled
from the active procedures. Each part is a no-op on the other database."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

from motcua.catalog.search import FTS_TABLE, PG_INDEXES, sqlite_index_create


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_INDEXES:
                cursor.execute(sql)
        elif connection.vendor == "sqlite":
            sqlite_index_create(cursor)
            Procedure = apps.get_model("catalog", "Procedure")
            rows = list(
                Procedure.objects.filter(is_active=True).values_list("pk", "search_text")
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (%s, %s)", rows
            )


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS catalog_procedure_search_trgm")
            cursor.execute("DROP INDEX IF EXISTS catalog_procedure_search_tsv")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_life_events_use_count")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
