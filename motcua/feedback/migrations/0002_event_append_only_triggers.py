"""The database refuses UPDATE and DELETE on the feedback trail, whoever asks; the model
refuses too (AppendOnlyModel). See motcua.core.append_only_sql.
"""

from django.db import migrations

from motcua.core.append_only_sql import trigger_steps

TABLES = ("feedback_feedbackevent",)
FUNCTION = "feedback_event_append_only_refuse"
install, uninstall = trigger_steps(tables=TABLES, function=FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_feedback"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
