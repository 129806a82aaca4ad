"""Business numbers such as `R20261127000042`: a prefix, the local date of issue, and a
firm-wide running counter per prefix (at least WIDTH digits, more once it outgrows them).

Issuing a number never makes two registrations wait for each other (decision 0010): on
PostgreSQL each prefix has a sequence, whose `nextval` takes no lock that lasts to the end
of the caller's transaction; on SQLite, which runs one writer at a time anyway, a counter
row per prefix. The counter is not reset daily and may have gaps (a rolled-back transaction
burns its number on PostgreSQL); numbers are unique, which is all they promise."""

from django.db import connection
from django.utils import timezone

from lossdesk.core.models import NumberSequence

# Every prefix in use. A new one needs a migration that creates its sequence (see
# core/migrations/0002_number_sequences.py); a test checks they all exist.
PREFIXES = {
    "R": "报案号",
    "C": "案件号",
    "DS": "定损单号",
    "WS": "物损定损单号",
    "RS": "人伤定损单号",
    "GB": "公估报告号",
    "XJ": "询价单号",
    "BJ": "报价单号",
}
WIDTH = 6


def next_number(prefix: str) -> str:
    return next_numbers(prefix)[0]


def next_numbers(*prefixes: str) -> list[str]:
    """One number per prefix, in one round trip on PostgreSQL (a report and its case)."""
    unknown = [p for p in prefixes if p not in PREFIXES]
    if unknown:
        raise ValueError(f"Unknown number prefix {unknown}: add it to core.numbering.PREFIXES")
    day = timezone.localdate().strftime("%Y%m%d")
    values = _next_values(prefixes)
    return [f"{p}{day}{value:0{WIDTH}d}" for p, value in zip(prefixes, values, strict=True)]


def sequence_name(prefix: str) -> str:
    return f"core_number_{prefix.lower()}"


def _next_values(prefixes) -> list[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            calls = ", ".join(["nextval(%s)"] * len(prefixes))
            cursor.execute(f"SELECT {calls}", [sequence_name(p) for p in prefixes])
            return list(cursor.fetchone())
        return [_bump_row(cursor, prefix) for prefix in prefixes]


def _bump_row(cursor, prefix: str) -> int:
    quote = connection.ops.quote_name
    table = quote(NumberSequence._meta.db_table)
    sql = (
        f"UPDATE {table} SET {quote('last_value')} = {quote('last_value')} + 1 "
        f"WHERE {quote('key')} = %s RETURNING {quote('last_value')}"
    )
    cursor.execute(sql, [prefix])
    row = cursor.fetchone()
    if row is None:  # the migration creates the rows; a flushed test database has none
        NumberSequence.objects.get_or_create(key=prefix)
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
    return row[0]
