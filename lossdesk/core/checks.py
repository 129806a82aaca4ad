from django.core.checks import Tags, Warning, register
from django.db import connections


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
