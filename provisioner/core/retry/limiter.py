"""Client-side rate limits: one token bucket per (product, action), at the documented limits.

The provider's concurrent calls never overrun the clouds' limits (and do not burn retries on
throttling). The limits are data: DEFAULT_LIMITS, overridden per key by the environment variable
PROVISIONER_CLOUD_RATE_LIMITS ("libradb:*=20,rds:CreateAccount=50,*=10": requests per second per
product:action, "*" matching any; README, configuration reference). The process-wide limiter
that every Caller shares is built on first use (process_limiter), never at import.
"""

from __future__ import annotations

import os
import threading
from typing import Mapping

from provisioner.core.retry.clock import CLOCK, Clock
from provisioner.products import REGISTRY

RATE_LIMITS_ENV = "PROVISIONER_CLOUD_RATE_LIMITS"


class TokenBucket:
    """Thread-safe; a caller reserves a token (the count may go negative) and sleeps outside the
    lock for its turn, so waiters are served in arrival order without busy loops."""

    def __init__(self, rate: float, burst: float, clock: Clock = CLOCK):
        self.rate, self.burst, self.clock = float(rate), float(burst), clock
        self._tokens, self._stamp = float(burst), clock.monotonic()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it."""
        with self._lock:
            now = self.clock.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> float:
        wait = self.reserve()
        if wait > 0:
            self.clock.sleep(wait)
        return wait


# Documented limits (requests/s), from each product's descriptor. Key: (product, action); "*" matches any.
DEFAULT_LIMITS: dict[tuple[str, str], float] = {
    **{(name, action): rate for name, p in REGISTRY.items() for action, rate in p.rate_limits.items()},
    ("*", "*"): 20.0,                # undocumented: stay conservative
}


def parse_limits(spec: str) -> dict[tuple[str, str], float]:
    """"libradb:*=20,rds:CreateAccount=50,*=10" -> {("libradb","*"): 20, ...}."""
    out: dict[tuple[str, str], float] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        key, _, value = item.partition("=")
        product, _, action = key.strip().partition(":")
        out[(product or "*", action or "*")] = float(value)
    return out


def limits_from_env(env: Mapping[str, str] | None = None) -> dict[tuple[str, str], float]:
    """DEFAULT_LIMITS with the keys PROVISIONER_CLOUD_RATE_LIMITS sets replaced."""
    env = os.environ if env is None else env
    raw = env.get(RATE_LIMITS_ENV, "")
    try:
        return {**DEFAULT_LIMITS, **parse_limits(raw)}
    except ValueError:
        raise ValueError(f"{RATE_LIMITS_ENV}={raw!r}: expected comma-separated product:action=requests-per-second "
                         f"entries, e.g. 'libradb:*=20,rds:CreateAccount=50,*=10'") from None


class RateLimiter:
    """One bucket per (product, action). Within any 1 s window at most `limit` calls start:
    the bucket refills at 90% of the limit and holds the other 10% (at least 1) as burst."""

    def __init__(self, limits: Mapping[tuple[str, str], float] | None = None, clock: Clock = CLOCK):
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self.clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def limit_for(self, product: str, action: str) -> float:
        for key in ((product, action), (product, "*"), ("*", action), ("*", "*")):
            if key in self.limits:
                return self.limits[key]
        return 20.0

    def bucket(self, product: str, action: str) -> TokenBucket:
        with self._lock:
            b = self._buckets.get((product, action))
            if b is None:
                limit = self.limit_for(product, action)
                burst = max(1.0, round(limit * 0.1))
                b = self._buckets[(product, action)] = TokenBucket(max(limit - burst, 0.5), burst, self.clock)
            return b

    def acquire(self, product: str, action: str) -> float:
        return self.bucket(product, action).acquire()


_process_limiter: RateLimiter | None = None
_process_lock = threading.Lock()


def process_limiter() -> RateLimiter:
    """The limiter this process's calls share (one set of buckets, whatever the thread or the
    adapter), built from limits_from_env() the first time it is asked for."""
    global _process_limiter
    limiter = _process_limiter
    if limiter is None:
        with _process_lock:
            if _process_limiter is None:
                _process_limiter = RateLimiter(limits_from_env())
            limiter = _process_limiter
    return limiter
