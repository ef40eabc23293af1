"""Token buckets per API token (burst + sustained) and per client IP for bad or missing tokens."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# plan -> ((burst requests, seconds), (sustained requests, seconds)). A free workspace's requests
# are all refused with 402, but its tokens still get (studio-sized) buckets and headers.
PLAN_LIMITS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "studio": ((30, 10), (600, 60)),
    "agency": ((60, 10), (1200, 60)),
    "free": ((30, 10), (600, 60)),
}
ANONYMOUS_LIMIT = (10, 60)


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now

    def seconds_until_one(self) -> float:
        return max(0.0, (1 - self.tokens) / self.per_second)

    def seconds_until_full(self) -> float:
        return max(0.0, (self.capacity - self.tokens) / self.per_second)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: dict[str, str]
    retry_after: int = 0


class RateLimiter:
    """All buckets of one sandbox. Thread-safe; ``clock`` is injectable for tests."""

    def __init__(self, enabled: bool = True, scale: float = 1.0, clock: Callable[[], float] = time.monotonic):
        if scale <= 0:
            raise ValueError("rate_limit_scale must be > 0")
        self.enabled = enabled
        self.scale = scale
        self.clock = clock
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def _size(self, requests: int) -> int:
        return max(1, round(requests * self.scale))

    def _bucket(self, key: tuple[str, str], requests: int, seconds: int, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            size = self._size(requests)
            bucket = self._buckets[key] = Bucket(size, size / seconds, size, now)
        bucket.refill(now)
        return bucket

    def check_token(self, token: str, plan: str) -> Decision:
        (burst_n, burst_s), (sustained_n, sustained_s) = PLAN_LIMITS.get(plan, PLAN_LIMITS["studio"])
        return self._check(
            [(("burst", token), burst_n, burst_s), (("sustained", token), sustained_n, sustained_s)]
        )

    def check_anonymous(self, client_ip: str) -> Decision:
        requests, seconds = ANONYMOUS_LIMIT
        return self._check([(("anonymous", client_ip), requests, seconds)])

    def _check(self, specs: list[tuple[tuple[str, str], int, int]]) -> Decision:
        """Take one token from every bucket, or none if any is empty. Headers describe the last
        (sustained) bucket; Retry-After comes from whichever bucket tripped ([decided])."""
        with self._lock:
            now = self.clock()
            buckets = [self._bucket(key, n, s, now) for key, n, s in specs]
            headline = buckets[-1]
            if not self.enabled:
                return Decision(True, self._headers(headline.capacity, headline.capacity, 0.0))
            empty = [b for b in buckets if b.tokens < 1]
            if empty:
                wait = max(b.seconds_until_one() for b in empty)
                retry = max(1, math.ceil(wait))
                headers = self._headers(headline.capacity, headline.tokens, headline.seconds_until_full())
                headers["Retry-After"] = str(retry)
                return Decision(False, headers, retry)
            for bucket in buckets:
                bucket.tokens -= 1
            return Decision(
                True, self._headers(headline.capacity, headline.tokens, headline.seconds_until_full())
            )

    @staticmethod
    def _headers(limit: float, remaining: float, seconds_to_full: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(int(limit)),
            "X-RateLimit-Remaining": str(max(0, math.floor(remaining))),
            "X-RateLimit-Reset": str(math.ceil(time.time() + seconds_to_full)),
        }
