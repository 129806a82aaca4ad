"""The access log's retention: kept at least three years (等保 三级 安全审计; PIPL logs)."""

from datetime import timedelta

from django.conf import settings

MIN_RETENTION_DAYS = 3 * 365 + 1  # three years, whichever of them is a leap year


def retention() -> timedelta:
    return timedelta(days=settings.LOSSDESK_PII_ACCESS_LOG_DAYS)
