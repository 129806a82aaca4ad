from django.conf import settings
from django.core.checks import Error, register

from lossdesk.audit.conf import MIN_RETENTION_DAYS


@register()
def retention_is_at_least_three_years(app_configs, **kwargs):
    days = settings.LOSSDESK_PII_ACCESS_LOG_DAYS
    if days >= MIN_RETENTION_DAYS:
        return []
    return [
        Error(
            f"LOSSDESK_PII_ACCESS_LOG_DAYS={days} 少于三年（{MIN_RETENTION_DAYS} 天）。",
            hint="个人信息访问记录至少保存三年。",
            id="audit.E001",
        )
    ]
