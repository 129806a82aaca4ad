"""Background work of the reports app (django.tasks; `manage.py db_worker` with the
database queue)."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from lossdesk.core.cache import CacheUnreachable, process_cache

logger = logging.getLogger(__name__)

# A change queues a refresh to run when its window ends; the changes in the window are
# covered by it and queue nothing more. Set in the cache for the window's length.
QUEUED = "reports:rollups-refresh-queued"
WINDOW = timedelta(seconds=5)


@task
def refresh_statistics() -> int:
    """Bring the roll-ups up to date with every stale case (rollups.refresh), off the
    statistics' read: with a worker, a read finds them fresh instead of refreshing them
    itself (≈ 0.1 s per day, branch and client touched at 1M cases, decision 0028)."""
    from lossdesk.reports import rollups

    return rollups.refresh()


def queue_refresh() -> None:
    """After a commit that made cases stale: a refresh queued for the worker to run at the
    end of the current window, unless one is queued for it already. The window is kept in
    the cache, so with a cache per process (no LOSSDESK_CACHE_URL) each process queues at
    most one refresh a window, as each does while the shared cache is unreachable (decision
    0029). Without a worker (the inline backend) nothing is queued: the next read
    refreshes, as it did before, instead of every write."""
    backend = refresh_statistics.get_backend()
    if isinstance(backend, ImmediateBackend):
        return
    try:
        first_in_window = cache.add(QUEUED, True, timeout=WINDOW.total_seconds())
    except CacheUnreachable as exc:
        logger.error(
            "Statistics refresh window kept in this process, the cache is unreachable: %s", exc
        )
        first_in_window = process_cache.add(QUEUED, True, timeout=WINDOW.total_seconds())
    if not first_in_window:
        return
    if backend.supports_defer:
        refresh_statistics.using(run_after=timezone.now() + WINDOW).enqueue()
    else:
        refresh_statistics.enqueue()
