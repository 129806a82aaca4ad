# The test-only loss line's table. A migration (not syncdb) so that PostgreSQL creates it
# after the claims tables its foreign key points to.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("claims", "0005_text_maximum_lengths"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Valuation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=20, verbose_name="估损单号")),
                (
                    "total",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="估损金额"),
                ),
                (
                    "assessor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="估损人",
                    ),
                ),
                (
                    "loss_item",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="valuation",
                        to="claims.lossitem",
                        verbose_name="损失标的",
                    ),
                ),
            ],
        ),
    ]
