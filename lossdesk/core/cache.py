"""The stand-in for the shared cache (LOSSDESK_CACHE_URL, decision 0029): while Redis is
unreachable, its callers keep their counts in this process's memory, as they do without
the setting, instead of failing the request."""

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

# What the shared cache raises when it cannot answer (refused, timed out, out of memory).
CacheUnreachable = RedisError

process_cache = LocMemCache("lossdesk-process", {})
