from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connections

SHARED_CACHE = "django.core.cache.backends.redis.RedisCache"


@register(Tags.database)
def check_postgresql_ctype(app_configs=None, databases=None, **kwargs):
    """Warn when a PostgreSQL database has a non-UTF-8 ctype: trigram and case-insensitive
    search then silently ignore Chinese characters (docs/deployment.md)."""
    warnings = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            (ctype,) = cursor.fetchone()
        if "UTF" not in ctype.upper().replace("-", ""):
            warnings.append(
                Warning(
                    f"Database '{alias}' has ctype {ctype!r}; Chinese search needs a UTF-8 ctype.",
                    hint="Recreate it with: createdb -E UTF8 -l C.UTF-8 -T template0 …",
                    id="lossdesk.W001",
                )
            )
    return warnings


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """Warn (`check --deploy`) when each process keeps its own cache: the API's throttles and
    the statistics' refresh window then count per process (decision 0029)."""
    if settings.CACHES["default"]["BACKEND"] == SHARED_CACHE:
        return []
    return [
        Warning(
            "No shared cache: API throttling and the statistics' refresh window count "
            "separately in each app process (N processes allow N times the rate).",
            hint="Set LOSSDESK_CACHE_URL=redis://host:6379/1 (docs/deployment.md).",
            id="lossdesk.W002",
        )
    ]
