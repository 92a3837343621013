"""A receipt's issued document is known by the receipt's number (`HK26-0000001`, its series
and seven digits) as its `reference`, as every issued document is by its own number; the
dossier it belongs to is its `dossier_code` (documents 0005). The receipts signed before
had the dossier code there."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    Receipt = apps.get_model("payments", "Receipt")
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    receipts = Receipt.objects.exclude(verify_code="").select_related("series")
    for receipt in receipts.iterator():
        IssuedDocument.objects.filter(code=receipt.verify_code, kind="receipt").update(
            reference=f"{receipt.series.series}-{receipt.number:07d}",
            dossier_code=receipt.dossier_code,
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    for document in IssuedDocument.objects.filter(kind="receipt").exclude(dossier_code=""):
        document.reference = document.dossier_code
        document.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0008_difference_note_code"),
        ("documents", "0005_issued_document_dossier_code"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
