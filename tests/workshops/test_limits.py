"""The sliding-window limiter on Django's cache, driven by a fake clock, on both kinds of cache it runs on."""
import bisect
import random
import secrets

import pytest
from django.core.cache import cache, caches
from django.test import override_settings

from workshops.limits import SlidingWindow, commands, joins


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True, params=["memory", "redis"])
def backend(request):
    """Every test on the in-memory cache (`make run`) and on Redis (workers), which counts in one Lua call."""
    if request.param == "memory":
        yield "memory"
        return
    location = request.getfixturevalue("redis_url")
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": location,
                                               "KEY_PREFIX": f"limits-test-{secrets.token_hex(4)}"}}):
        yield "redis"
        cache.clear()


def window(limit: int, seconds: float, clock: Clock, name: str = "test") -> SlidingWindow:
    return SlidingWindow(name, limit, seconds, clock=clock)


def test_allows_up_to_the_limit_then_refuses_with_the_seconds_to_wait():
    clock = Clock(1000.5)
    limiter = window(3, 10, clock)
    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now = 1003.0
    # The three hits of the second 1000-1001 leave the window when it ends at 1011.
    assert limiter.hit("a") == 8.0


def test_waiting_the_answered_seconds_is_enough():
    clock = Clock(1004.2)
    limiter = window(5, 10, clock)
    for _ in range(5):
        assert limiter.hit("a") == 0.0
    wait = limiter.hit("a")
    assert 10 <= wait <= 11
    clock.now += wait - 0.05
    assert limiter.hit("a") > 0
    clock.now += 0.06
    assert limiter.hit("a") == 0.0


def test_hits_leave_the_window_bucket_by_bucket():
    clock = Clock(1000.0)
    limiter = window(4, 10, clock)
    for t in (1000.0, 1000.5, 1003.0, 1006.0):
        clock.now = t
        assert limiter.hit("a") == 0.0
    clock.now = 1009.0
    assert limiter.hit("a") == 2.0  # the two hits of 1000-1001 are gone at 1011
    clock.now = 1011.0
    assert [limiter.hit("a") == 0.0 for _ in range(3)] == [True, True, False]


def test_no_window_ever_holds_more_than_the_limit():
    rng = random.Random(11)
    clock = Clock(1000.0)
    limiter = window(20, 10, clock)
    allowed = []
    for _ in range(3000):
        clock.now += rng.expovariate(8)  # about 8 a second, in bursts and lulls
        if limiter.hit("a") == 0.0:
            allowed.append(clock.now)
    assert max(bisect.bisect_right(allowed, t + 10) - i for i, t in enumerate(allowed)) <= 20
    assert len(allowed) > 20 * (allowed[-1] - allowed[0]) / 11  # and it lets the limit through, near enough


def test_a_burst_across_a_bucket_boundary_gets_no_more_than_the_limit():
    clock = Clock(1009.5)
    limiter = window(20, 10, clock)
    allowed = 0
    for step in range(30):  # 30 hits in one second, across the boundary at 1010
        clock.now = 1009.5 + step / 30
        allowed += limiter.hit("a") == 0.0
    assert allowed == 20


def test_refused_hits_do_not_count():
    clock = Clock(1000.0)
    limiter = window(1, 10, clock)
    assert limiter.hit("a") == 0.0
    for t in (1001, 1002, 1009):
        clock.now = t
        assert limiter.hit("a") > 0
    clock.now = 1011.0  # the hit of 1000-1001 has left the window
    assert limiter.hit("a") == 0.0


def test_retry_after_is_never_zero_while_refused():
    clock = Clock(1000.0)
    limiter = window(1, 10, clock)
    limiter.hit("a")
    clock.now = 1010.9999
    assert limiter.hit("a") == 0.01


def test_keys_and_limiters_are_counted_apart():
    clock = Clock(1000.0)
    first, second = window(1, 10, clock, "one"), window(1, 10, clock, "two")
    assert first.hit("a") == 0.0
    assert first.hit("b") == 0.0
    assert second.hit("a") == 0.0
    assert first.hit("a") > 0


def test_undo_takes_back_an_allowed_hit():
    clock = Clock(1000.0)
    limiter = window(1, 10, clock)
    assert limiter.hit("a") == 0.0
    limiter.undo("a")
    assert limiter.hit("a") == 0.0
    assert limiter.hit("a") > 0


def test_the_count_is_in_the_shared_cache_so_every_process_sees_it():
    # Two limiter objects stand for two worker processes: what one counted, the other sees.
    clock = Clock(1000.0)
    assert window(2, 10, clock).hit(7) == 0.0
    assert window(2, 10, clock).hit(7) == 0.0
    assert window(2, 10, clock).hit(7) > 0
    assert any(cache.get(f"limit:test:7:{bucket}") for bucket in range(990, 1011))


def test_uses_the_wall_clock_when_none_is_given():
    limiter = SlidingWindow("wall", 1, 60)
    assert limiter.hit("a") == 0.0
    assert 54 < limiter.hit("a") <= 66


@override_settings(INSPRAAK={"RATE_LIMIT_COMMANDS": 5, "RATE_LIMIT_WINDOW_S": 7,
                             "RATE_LIMIT_JOINS": 60, "RATE_LIMIT_JOINS_WINDOW_S": 600})
def test_the_limits_read_their_settings_when_called():
    assert (commands().limit, commands().window) == (5, 7)
    assert (joins().limit, joins().window) == (60, 600)


def test_a_hit_is_one_counter_that_the_cache_api_reads_and_takes_back(backend):
    """The Redis path (one Lua call) keeps its counters as Django's cache does: get() and decr() agree."""
    clock = Clock(1000.0)
    limiter = window(2, 10, clock, name=f"api-{backend}")
    assert limiter.hit("a") == 0.0 and limiter.hit("a") == 0.0
    assert limiter.hit("a") > 0  # refused, and taken back at once
    bucket = int(1000.0 // limiter.width)
    assert cache.get(f"limit:api-{backend}:a:{bucket}") == 2
    limiter.undo("a")
    assert cache.get(f"limit:api-{backend}:a:{bucket}") == 1
    assert type(caches["default"]).__name__ == {"memory": "LocMemCache", "redis": "RedisCache"}[backend]


@pytest.mark.parametrize("backend", ["redis"], indirect=True)  # the memory cache has no connections
def test_hits_from_many_sockets_share_one_redis_connection(backend):
    """Django keeps a cache backend per async context: the limiter must not open a connection per socket."""
    import asyncio

    import redis
    from asgiref.sync import sync_to_async
    from django.conf import settings

    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    limiter = window(10**6, 10, Clock(1000.0), name="contexts")

    async def sockets():
        # Each task is one socket's context, as each consumer is; their hits run in the database thread.
        await asyncio.gather(*(asyncio.create_task(sync_to_async(limiter.hit)(n)) for n in range(30)))

    asyncio.run(sockets())
    before = server.info("clients")["connected_clients"]
    asyncio.run(sockets())
    assert server.info("clients")["connected_clients"] - before <= 1
