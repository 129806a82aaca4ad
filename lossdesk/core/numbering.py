from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lossdesk.core.models import NumberSequence


def next_number(prefix: str, width: int = 5) -> str:
    """`R2026112700042`-style number: prefix, local date, per-day counter.

    Must run inside the transaction that stores the numbered row."""
    assert transaction.get_connection().in_atomic_block, "next_number needs a transaction"
    day = timezone.localdate().strftime("%Y%m%d")
    key = f"{prefix}{day}"
    seq, _ = NumberSequence.objects.get_or_create(key=key)
    NumberSequence.objects.filter(pk=seq.pk).update(last_value=F("last_value") + 1)
    value = NumberSequence.objects.values_list("last_value", flat=True).get(pk=seq.pk)
    return f"{key}{value:0{width}d}"
