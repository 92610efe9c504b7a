"""Per-participant command rate limit (per server process)."""
import time
from collections import deque

from django.conf import settings


class RateLimiter:
    """A sliding window: at most `limit` commands in any `window` seconds."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self.hits: dict[int, deque] = {}

    @classmethod
    def from_settings(cls) -> "RateLimiter":
        return cls(settings.INSPRAAK["RATE_LIMIT_COMMANDS"], settings.INSPRAAK["RATE_LIMIT_WINDOW_S"])

    def check(self, key: int, now: float | None = None) -> float:
        """Count a command; return 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        hits = self.hits.setdefault(key, deque())
        self._expire(hits, now)
        if len(hits) >= self.limit:
            return round(hits[0] + self.window - now, 2) or 0.01
        hits.append(now)
        return 0.0

    def forget(self, key: int, now: float | None = None) -> None:
        """Drop a key whose window holds no more commands (one with recent ones is kept)."""
        hits = self.hits.get(key)
        if hits is None:
            return
        self._expire(hits, time.monotonic() if now is None else now)
        if not hits:
            del self.hits[key]

    def _expire(self, hits: deque, now: float) -> None:
        while hits and hits[0] <= now - self.window:
            hits.popleft()
