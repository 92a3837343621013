"""A feedback's files are the sender's (`part` `feedback`, all the rows so far) or its
answer's (`part` `answer`, attached by the staff member answering); positions count per
part."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_attachments"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="feedbackattachment",
            options={
                "ordering": ["feedback_id", "part", "position"],
                "verbose_name": "tệp đính kèm phản ánh",
                "verbose_name_plural": "tệp đính kèm phản ánh",
            },
        ),
        migrations.RemoveConstraint(
            model_name="feedbackattachment",
            name="feedback_attachment_position_once",
        ),
        migrations.AddField(
            model_name="feedbackattachment",
            name="part",
            field=models.CharField(
                choices=[("feedback", "Kèm phản ánh"), ("answer", "Kèm trả lời")],
                default="feedback",
                max_length=10,
                verbose_name="kèm theo",
            ),
        ),
        migrations.AddConstraint(
            model_name="feedbackattachment",
            constraint=models.UniqueConstraint(
                fields=("feedback", "part", "position"), name="feedback_attachment_position_once"
            ),
        ),
    ]
