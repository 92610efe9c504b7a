"""Rate limits that hold across every server process: counters in Django's cache (Redis in production)."""
import logging
import math
import threading
import time
from typing import Callable

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

__all__ = ["SlidingWindow", "commands", "confirmations", "joins"]

# One hit on Redis in one round trip, atomic: count it in the last bucket (KEYS[#KEYS]), read the
# others, and take it back when the sum is over the limit (ARGV[2]). Values are plain integers,
# as Django's Redis cache stores them, so cache.get() and cache.decr() read the same counters.
HIT_LUA = """
local last = KEYS[#KEYS]
local n = redis.call('INCR', last)
redis.call('EXPIRE', last, ARGV[1])
local counts = {}
local total = n
if #KEYS > 1 then
  local earlier = redis.call('MGET', unpack(KEYS, 1, #KEYS - 1))
  for i = 1, #KEYS - 1 do
    counts[i] = tonumber(earlier[i]) or 0
    total = total + counts[i]
  end
end
counts[#KEYS] = n
if total > tonumber(ARGV[2]) then redis.call('DECR', last) end
return counts
"""
# Django keeps a cache backend per async context (asgiref's Local), so each socket and each request
# would get a connection pool, a client and the script of its own: one Redis connection per socket,
# and a connect on its first command. One client per Redis location serves the whole process.
_scripts: dict[tuple, object] = {}
_scripts_lock = threading.Lock()


def _hit_script(backend: RedisCache):
    """The registered HIT_LUA script on this process's client for the backend's Redis, made once."""
    where = tuple(backend._servers)
    script = _scripts.get(where)
    if script is None:
        with _scripts_lock:
            script = _scripts.get(where)
            if script is None:
                script = _scripts[where] = backend._cache.get_client(write=True).register_script(HIT_LUA)
    return script


log = logging.getLogger(__name__)
BUCKETS = 10


class SlidingWindow:
    """At most `limit` hits per key in any `window` seconds, counted in the shared cache.

    The window is split into BUCKETS fixed buckets, each a counter in the cache; a hit
    is allowed when the current bucket and the BUCKETS before it hold no more than the
    limit. That span covers every window of `window` seconds that ends now, so no such
    window ever holds more than the limit (the weighted two-bucket estimate lets up to
    twice the limit through with the wrong timing); it may hold a client back one
    bucket (a tenth of the window) longer than an exact log would. Each hit is one
    INCR, atomic in Redis, so hits arriving together on several workers each see a
    count of their own; a refused hit is taken back and does not count. The clock is
    the wall clock, which every process shares (a monotonic clock is per process).
    """

    def __init__(self, name: str, limit: int, window: float, *, clock: Callable[[], float] = time.time):
        self.name, self.limit, self.window, self.clock = name, limit, window, clock
        self.width = window / BUCKETS

    def _key(self, key, bucket: int) -> str:
        return f"limit:{self.name}:{key}:{bucket}"

    def hit(self, key) -> float:
        """Count a hit; return 0 when allowed, else the seconds to wait before the next one passes."""
        now = self.clock()
        current = int(now // self.width)
        keys = [self._key(key, bucket) for bucket in range(current - BUCKETS, current + 1)]
        try:
            counts = self._count(keys, ttl=math.ceil(self.window + self.width) + 1, limit=self.limit)
            if sum(counts) <= self.limit:
                return 0.0
        except Exception:
            # A lost cache must not stop the workshop: the limits wait until it is back.
            log.warning("rate limit %s not checked: the cache is unreachable", self.name, exc_info=True)
            return 0.0
        counts[-1] -= 1
        # The oldest buckets leave one by one: wait until enough have gone for one more hit.
        left = sum(counts)
        for gone, bucket_count in enumerate(counts, start=1):
            left -= bucket_count
            if left < self.limit:
                return max(round((current + gone) * self.width - now, 2), 0.01)
        return self.window  # not reached: with every bucket gone nothing is left

    @staticmethod
    def _count(keys: list[str], *, ttl: int, limit: int) -> list[int]:
        """Add one to the last bucket and return every bucket's count; over the limit, take it back."""
        backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy to it, of no backend's class
        if isinstance(backend, RedisCache):
            names = [backend.make_key(k) for k in keys]  # our keys are short ASCII: nothing to validate
            return list(_hit_script(backend)(keys=names, args=[ttl, limit]))
        cache.add(keys[-1], 0, timeout=ttl)
        count = cache.incr(keys[-1])
        earlier = cache.get_many(keys[:-1])
        counts = [earlier.get(k, 0) for k in keys[:-1]] + [count]
        if sum(counts) > limit:
            cache.decr(keys[-1])
        return counts

    def undo(self, key) -> None:
        """Take back an allowed hit whose action did not happen after all."""
        try:
            cache.decr(self._key(key, int(self.clock() // self.width)))
        except Exception:  # gone (a new bucket began) or unreachable: nothing to take back
            pass


def commands() -> SlidingWindow:
    """Commands per participant (INSPRAAK_RATE_LIMIT_COMMANDS per INSPRAAK_RATE_LIMIT_WINDOW_S)."""
    return SlidingWindow("commands", settings.INSPRAAK["RATE_LIMIT_COMMANDS"],
                         settings.INSPRAAK["RATE_LIMIT_WINDOW_S"])


def joins() -> SlidingWindow:
    """New participants per client address (INSPRAAK_RATE_LIMIT_JOINS per INSPRAAK_RATE_LIMIT_JOINS_WINDOW_S)."""
    return SlidingWindow("joins", settings.INSPRAAK["RATE_LIMIT_JOINS"],
                         settings.INSPRAAK["RATE_LIMIT_JOINS_WINDOW_S"])


def confirmations() -> SlidingWindow:
    """Confirmation mails per participant: 3 an hour (PROTOCOL 3.3), so an address cannot be flooded."""
    return SlidingWindow("confirmations", 3, 3600)
