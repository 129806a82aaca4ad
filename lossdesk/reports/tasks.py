"""Background work of the reports app (django.tasks; `manage.py db_worker` with the
database queue)."""

from django.core.cache import cache
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

# Set while a refresh is queued and not yet started: the commits meanwhile queue no other.
QUEUED = "reports:rollups-refresh-queued"
QUEUED_FOR = 600  # seconds: a queued refresh lost with its worker is queued again after it


@task
def refresh_statistics() -> int:
    """Bring the roll-ups up to date with every stale case (rollups.refresh), off the
    statistics' read: with a worker, a read finds them fresh instead of refreshing them
    itself (≈ 0.1 s per day, branch and client touched at 1M cases, decision 0028)."""
    from lossdesk.reports import rollups

    cache.delete(QUEUED)  # from now on a change needs another refresh
    return rollups.refresh()


def queue_refresh() -> None:
    """After a commit that made cases stale: one refresh queued for the worker, unless one
    is queued already. Without a worker (the inline backend) nothing is queued: the next
    read refreshes, as it did before, instead of every write."""
    if isinstance(refresh_statistics.get_backend(), ImmediateBackend):
        return
    if cache.add(QUEUED, True, timeout=QUEUED_FOR):
        refresh_statistics.enqueue()
