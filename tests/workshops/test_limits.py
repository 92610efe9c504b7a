"""The per-participant sliding-window rate limiter."""
import pytest
from django.test import override_settings

from workshops.limits import RateLimiter


def test_allows_up_to_the_limit_within_the_window_then_refuses():
    limiter = RateLimiter(limit=3, window=10)
    assert [limiter.check(1, now=t) for t in (0, 1, 2)] == [0.0, 0.0, 0.0]
    assert limiter.check(1, now=3) == 7.0  # the oldest command (at 0) leaves the window at 10


def test_the_window_slides_one_command_at_a_time():
    limiter = RateLimiter(limit=2, window=10)
    limiter.check(1, now=0)
    limiter.check(1, now=5)
    assert limiter.check(1, now=9.99) == pytest.approx(0.01)
    assert limiter.check(1, now=10) == 0.0  # the command at 0 has left the window
    assert limiter.check(1, now=12) == pytest.approx(3.0)  # the one at 5 has not: a fixed window would allow
    assert limiter.check(1, now=15) == 0.0


def test_refused_commands_do_not_count():
    limiter = RateLimiter(limit=1, window=10)
    limiter.check(1, now=0)
    for t in (1, 2, 3, 9):
        assert limiter.check(1, now=t) > 0
    assert limiter.check(1, now=10) == 0.0


def test_retry_after_is_never_zero_while_refused():
    limiter = RateLimiter(limit=1, window=10)
    limiter.check(1, now=0)
    assert limiter.check(1, now=9.9999) == 0.01


def test_keys_are_limited_independently():
    limiter = RateLimiter(limit=1, window=10)
    assert limiter.check(1, now=0) == 0.0
    assert limiter.check(2, now=0) == 0.0
    assert limiter.check(1, now=1) > 0
    assert limiter.check(2, now=1) > 0


def test_uses_the_monotonic_clock_when_no_time_is_given():
    limiter = RateLimiter(limit=1, window=60)
    assert limiter.check(1) == 0.0
    assert 59 < limiter.check(1) <= 60


@override_settings(INSPRAAK={"RATE_LIMIT_COMMANDS": 5, "RATE_LIMIT_WINDOW_S": 7})
def test_from_settings_reads_limit_and_window_when_called():
    limiter = RateLimiter.from_settings()
    assert (limiter.limit, limiter.window) == (5, 7)


def test_forget_drops_a_key_whose_window_has_passed():
    limiter = RateLimiter(limit=2, window=10)
    limiter.check(1, now=0)
    limiter.forget(1, now=10)
    assert 1 not in limiter.hits


def test_forget_keeps_a_key_with_recent_commands():
    # Forgetting a participant who just reconnected must not hand them a fresh allowance.
    limiter = RateLimiter(limit=1, window=10)
    limiter.check(1, now=0)
    limiter.forget(1, now=5)
    assert limiter.check(1, now=6) == 4.0
