from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_case_list_order_and_name_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="processing",
            field=models.CharField(
                choices=[("pending", "处理中"), ("ready", "已完成"), ("failed", "处理失败")],
                default="ready",
                max_length=10,
                verbose_name="图片处理",
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="processing_error",
            field=models.CharField(blank=True, max_length=200, verbose_name="处理失败原因"),
        ),
    ]
