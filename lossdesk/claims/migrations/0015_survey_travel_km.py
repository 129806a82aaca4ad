import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0014_attachment_processing"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveyrecord",
            name="travel_km",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="本次查勘往返行驶的里程，用于远程查勘费。",
                max_digits=8,
                null=True,
                validators=[django.core.validators.MinValueValidator(0)],
                verbose_name="外勤里程（公里）",
            ),
        ),
    ]
