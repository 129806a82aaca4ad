from django.db import connection, transaction
from django.utils import timezone

from lossdesk.core.models import NumberSequence


def next_number(prefix: str, width: int = 5) -> str:
    """`R2026112700042`-style number: prefix, local date, per-day counter.

    Must run inside the transaction that stores the numbered row. The counter is bumped with
    one `UPDATE … RETURNING` (a row lock held to the end of the caller's transaction); the
    day's row is created on first use."""
    assert transaction.get_connection().in_atomic_block, "next_number needs a transaction"
    day = timezone.localdate().strftime("%Y%m%d")
    key = f"{prefix}{day}"
    value = _bump(key)
    if value is None:
        NumberSequence.objects.get_or_create(key=key)
        value = _bump(key)
    return f"{key}{value:0{width}d}"


def _bump(key: str) -> int | None:
    quote = connection.ops.quote_name
    table = quote(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {quote('last_value')} = {quote('last_value')} + 1 "
            f"WHERE {quote('key')} = %s RETURNING {quote('last_value')}",
            [key],
        )
        row = cursor.fetchone()
    return row[0] if row else None
