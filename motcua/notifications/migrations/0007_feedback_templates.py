"""The feedback events (to the sender; the reminders to a unit's staff) and their shipped
templates."""

from django.db import migrations, models

from motcua.notifications.defaults import templates_seed_steps

EVENTS = ("feedback_received", "feedback_answered", "feedback_reminder")


seed, unseed = templates_seed_steps(*EVENTS)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0006_webhook_owners_and_log'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='event',
            field=models.CharField(choices=[('received', 'Tiếp nhận, hẹn trả kết quả'), ('supplement_requested', 'Yêu cầu bổ sung hồ sơ'), ('payment_requested', 'Yêu cầu nộp phí, lệ phí'), ('apology', 'Xin lỗi và hẹn lại ngày trả'), ('result_ready', 'Đã có kết quả'), ('returned', 'Đã trả kết quả'), ('refused', 'Từ chối tiếp nhận'), ('withdrawn', 'Rút hồ sơ'), ('sign_in_code', 'Mã đăng nhập'), ('contact_code', 'Mã xác nhận số điện thoại, thư điện tử'), ('feedback_received', 'Đã nhận phản ánh, kiến nghị'), ('feedback_answered', 'Đã có trả lời phản ánh, kiến nghị'), ('feedback_reminder', 'Nhắc đơn vị trả lời phản ánh (cán bộ)')], max_length=30, verbose_name='sự kiện'),
        ),
        migrations.AlterField(
            model_name='notificationdelivery',
            name='event',
            field=models.CharField(choices=[('received', 'Tiếp nhận, hẹn trả kết quả'), ('supplement_requested', 'Yêu cầu bổ sung hồ sơ'), ('payment_requested', 'Yêu cầu nộp phí, lệ phí'), ('apology', 'Xin lỗi và hẹn lại ngày trả'), ('result_ready', 'Đã có kết quả'), ('returned', 'Đã trả kết quả'), ('refused', 'Từ chối tiếp nhận'), ('withdrawn', 'Rút hồ sơ'), ('sign_in_code', 'Mã đăng nhập'), ('contact_code', 'Mã xác nhận số điện thoại, thư điện tử'), ('feedback_received', 'Đã nhận phản ánh, kiến nghị'), ('feedback_answered', 'Đã có trả lời phản ánh, kiến nghị'), ('feedback_reminder', 'Nhắc đơn vị trả lời phản ánh (cán bộ)')], max_length=30, verbose_name='sự kiện'),
        ),
        migrations.AlterField(
            model_name='notificationtemplate',
            name='event',
            field=models.CharField(choices=[('received', 'Tiếp nhận, hẹn trả kết quả'), ('supplement_requested', 'Yêu cầu bổ sung hồ sơ'), ('payment_requested', 'Yêu cầu nộp phí, lệ phí'), ('apology', 'Xin lỗi và hẹn lại ngày trả'), ('result_ready', 'Đã có kết quả'), ('returned', 'Đã trả kết quả'), ('refused', 'Từ chối tiếp nhận'), ('withdrawn', 'Rút hồ sơ'), ('sign_in_code', 'Mã đăng nhập'), ('contact_code', 'Mã xác nhận số điện thoại, thư điện tử'), ('feedback_received', 'Đã nhận phản ánh, kiến nghị'), ('feedback_answered', 'Đã có trả lời phản ánh, kiến nghị'), ('feedback_reminder', 'Nhắc đơn vị trả lời phản ánh (cán bộ)')], max_length=30, verbose_name='sự kiện'),
        ),
        migrations.RunPython(seed, unseed),
    ]
