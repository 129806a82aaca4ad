"""The histogram of dispatch → arrival times per day, branch and client that 中位调度到达 is
read from (issue 16, decision 0024). Empty until `manage.py rebuild_statistics --arrivals`
(or a whole rebuild) fills it: run that once after migrating."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0005_alter_staff_managers'),
        ('reports', '0006_dispatch_arrival_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ArrivalDay',
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
                'verbose_name': '调度到达日分布',
                'verbose_name_plural': '调度到达日分布',
                'constraints': [models.UniqueConstraint(fields=('branch', 'day', 'client', 'tenths'), name='uniq_arrival_day')],
            },
        ),
    ]
