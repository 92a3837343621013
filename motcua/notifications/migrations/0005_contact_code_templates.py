"""The event "contact_code" (contact confirmation codes) and its shipped templates."""

from typing import Any

from django.db import migrations, models


def seed(apps: Any, schema_editor: Any) -> None:
    from motcua.notifications.defaults import DEFAULTS

    Template = apps.get_model("notifications", "NotificationTemplate")
    existing = set(Template.objects.values_list("event", "channel", "language"))
    Template.objects.bulk_create(
        Template(event=event, channel=channel, language=language, subject=d.subject, body=d.body)
        for (event, channel, language), d in DEFAULTS.items()
        if event == "contact_code" and (event, channel, language) not in existing
    )


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_preference_events_unread_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='event',
            field=models.CharField(choices=[('received', 'Tiếp nhận, hẹn trả kết quả'), ('supplement_requested', 'Yêu cầu bổ sung hồ sơ'), ('payment_requested', 'Yêu cầu nộp phí, lệ phí'), ('apology', 'Xin lỗi và hẹn lại ngày trả'), ('result_ready', 'Đã có kết quả'), ('returned', 'Đã trả kết quả'), ('refused', 'Từ chối tiếp nhận'), ('withdrawn', 'Rút hồ sơ'), ('sign_in_code', 'Mã đăng nhập'), ('contact_code', 'Mã xác nhận số điện thoại, thư điện tử')], max_length=30, verbose_name='sự kiện'),
        ),
        migrations.AlterField(
            model_name='notificationdelivery',
            name='event',
            field=models.CharField(choices=[('received', 'Tiếp nhận, hẹn trả kết quả'), ('supplement_requested', 'Yêu cầu bổ sung hồ sơ'), ('payment_requested', 'Yêu cầu nộp phí, lệ phí'), ('apology', 'Xin lỗi và hẹn lại ngày trả'), ('result_ready', 'Đã có kết quả'), ('returned', 'Đã trả kết quả'), ('refused', 'Từ chối tiếp nhận'), ('withdrawn', 'Rút hồ sơ'), ('sign_in_code', 'Mã đăng nhập'), ('contact_code', 'Mã xác nhận số điện thoại, thư điện tử')], max_length=30, verbose_name='sự kiện'),
        ),
        migrations.AlterField(
            model_name='notificationtemplate',
            name='event',
            field=models.CharField(choices=[('received', 'Tiếp nhận, hẹn trả kết quả'), ('supplement_requested', 'Yêu cầu bổ sung hồ sơ'), ('payment_requested', 'Yêu cầu nộp phí, lệ phí'), ('apology', 'Xin lỗi và hẹn lại ngày trả'), ('result_ready', 'Đã có kết quả'), ('returned', 'Đã trả kết quả'), ('refused', 'Từ chối tiếp nhận'), ('withdrawn', 'Rút hồ sơ'), ('sign_in_code', 'Mã đăng nhập'), ('contact_code', 'Mã xác nhận số điện thoại, thư điện tử')], max_length=30, verbose_name='sự kiện'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
