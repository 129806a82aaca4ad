import gc

from django.apps import AppConfig

# Python's cyclic garbage collector runs a young-generation pass every 700 allocations by
# default; a Django request or service call allocates tens of thousands of short-lived
# objects (querysets, SQL compilers, model instances), so those passes cost 10–20 % of the
# CPU of report registration (decision 0010). Fewer passes, and the objects of start-up
# (modules, models, URL patterns) frozen out of every scan. Memory held by cycles is freed
# later, not leaked.
GC_THRESHOLDS = (10_000, 20, 20)


class CoreConfig(AppConfig):
    name = "lossdesk.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from lossdesk.core import checks  # noqa: F401  (registers the system checks)

        gc.set_threshold(*GC_THRESHOLDS)
        gc.freeze()
