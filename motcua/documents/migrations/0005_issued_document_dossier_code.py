"""An issued document names the dossier it belongs to (`dossier_code`) apart from its own
number (`reference`). The documents issued before are given theirs: a result's, a result
copy's, a form's and a receipt's reference was the dossier code; a certified copy's dossier
is its book entry's. (A receipt's reference becomes its number in payments 0009.)"""

from typing import Any

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

BY_REFERENCE = ("result", "result_copy", "form", "receipt")


def forwards(apps: Any, schema_editor: Any) -> None:
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    CertificationEntry = apps.get_model("documents", "CertificationEntry")
    IssuedDocument.objects.filter(kind__in=BY_REFERENCE).update(dossier_code=F("reference"))
    entries = CertificationEntry.objects.filter(issued_id=OuterRef("pk"))
    IssuedDocument.objects.filter(
        kind="certified_copy", certification__dossier_code__gt=""
    ).update(dossier_code=Subquery(entries.values("dossier_code")[:1]))


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_certification_book")]

    operations = [
        migrations.AddField(
            model_name="issueddocument",
            name="dossier_code",
            field=models.CharField(
                blank=True, db_index=True, max_length=60, verbose_name="mã hồ sơ"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
