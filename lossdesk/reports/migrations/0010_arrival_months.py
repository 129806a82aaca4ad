"""The arrival histogram by month (issue 16, decision 0024): a range's whole months are read
from it, its part months from the daily one. Filled here from the daily histogram (the same
dispatches, summed by month); afterwards kept by the roll-up refresh."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import DateField, Max, Min, Sum
from django.db.models.functions import Trunc

BATCH = 5_000


def fill(apps, schema_editor):
    ArrivalDay = apps.get_model("reports", "ArrivalDay")
    ArrivalMonth = apps.get_model("reports", "ArrivalMonth")
    grouped = (
        ArrivalDay.objects.order_by()
        .values(
            "branch_id",
            "client_id",
            "tenths",
            day_=Trunc("day", "month", output_field=DateField()),
        )
        .annotate(
            arrivals=Sum("arrivals"), shortest_us=Min("shortest_us"), longest_us=Max("longest_us")
        )
    )
    batch = []
    for values in grouped.iterator(chunk_size=BATCH):
        batch.append(ArrivalMonth(day=values.pop("day_"), **values))
        if len(batch) >= BATCH:
            ArrivalMonth.objects.bulk_create(batch)
            batch = []
    ArrivalMonth.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0005_alter_staff_managers'),
        ('reports', '0009_cancelled_case_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ArrivalMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='日期')),
                ('tenths', models.IntegerField(verbose_name='调度到达用时（0.1 分钟）')),
                ('arrivals', models.PositiveIntegerField(default=0, verbose_name='到达')),
                ('shortest_us', models.BigIntegerField(verbose_name='最短用时（微秒）')),
                ('longest_us', models.BigIntegerField(verbose_name='最长用时（微秒）')),
                ('branch', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.branch', verbose_name='承办机构')),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.client', verbose_name='委托方')),
            ],
            options={
                'verbose_name': '调度到达月分布',
                'verbose_name_plural': '调度到达月分布',
                'constraints': [models.UniqueConstraint(fields=('branch', 'day', 'client', 'tenths'), name='uniq_arrival_month')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
