"""The one call policy shared by the three clouds.

- Client-side rate limiting per (product, action) with a process-wide token bucket, so the four
  provider threads never overrun the documented limits (and do not burn retries on throttling).
- Exponential backoff with full jitter on throttling and transient errors, bounded by attempts
  and by a total deadline.
- Waiting while the instance is not Running or is locked: on those error codes, describe the
  instance with backoff until it is ready, then retry the call (bounded by `wait_timeout`); a
  state that never becomes Running (codes/: Deleting, Released, isolated, ...) fails at once.
- Waiting while the instance or the account is busy with another task ("busy" codes, and
  not-ready codes of calls with no instance to describe, e.g. reads): back off and retry until
  `wait_timeout`. Every wait is logged at DEBUG and its time counted ("<product>:wait_ms").
- A caller deadline (e.g. a Pulumi custom timeout) set with `deadline_in()` caps everything.
The SDKs' own retryers are off (see factory.py): they are broken or opaque.
"""

from __future__ import annotations

import contextvars
import logging
import os
import random
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, Callable, Iterator, Mapping

from provisioner.core import codes, errors
from provisioner.core.adapter import CloudApiError, InstanceInfo

log = logging.getLogger("provisioner.cloud")
# Every pause spent waiting (busy, not ready, a change settling), one line each ending in
# "pause_s=<seconds>": shown with PROVISIONER_LOG_LEVEL=DEBUG; PROVISIONER_WAIT_LOG=<file> writes
# only these (logs.py), which is how `make bench` measures the waiting per phase.
wait_log = logging.getLogger("provisioner.cloud.wait")


class Clock:
    """Real time; tests inject a fake with the same two methods."""
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


CLOCK = Clock()


# --- policy knobs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    # Wire attempts per call for throttling/transient errors. Sized for a cloud that throttles or
    # fails a quarter of all calls (the e2e chaos test: 20% throttling, 5% 5xx, 2% dropped): a call
    # then fails for good with probability 0.27**12 ~ 2e-7 (at 8 it was 3e-5 per call: a few percent
    # of 1000-call runs failed). A cloud that stays down is still given up on at retry_deadline.
    max_attempts: int = 12
    retry_deadline: float = 60.0     # s: total budget for those retries
    base_delay: float = 0.2          # s: backoff = uniform(0, min(max_delay, base_delay * 2**n))
    max_delay: float = 8.0
    wait_timeout: float = 600.0      # s: how long to wait for an instance to become Running
    wait_base: float = 2.0           # s: first pause between describes while waiting
    wait_max: float = 30.0
    # s: first pause while waiting for an account change to settle (status Available again, a
    # delete gone, a grant visible); grows 1.5x per poll up to wait_max, bounded by wait_timeout.
    settle_base: float = 0.1
    connect_timeout: float = 5.0     # s: SDK HTTP timeouts
    read_timeout: float = 30.0
    # s: account-list and instance cache lifetime (cache.py). A provider process lives for one
    # Pulumi operation and every write through it patches or drops its entry, so the TTL only
    # bounds how long an out-of-band change made *during* the operation goes unseen; 3 s made a
    # 300-account refresh list every cluster twice (docs/benchmarks.md). 0 = keep nothing between
    # reads, but concurrent reads still share one fetch in flight; negative (-1) = no cache at
    # all: every read makes its own call.
    list_ttl: float = 60.0
    batch_window: float = 0.04       # s: LibraDB create/delete coalescing window (0 = off)
    batch_max: int = 20              # accounts per Create/DeleteLibraDBClusterAccounts call (1 = off)

    ENV = {  # field -> environment variable
        "max_attempts": "PROVISIONER_CLOUD_MAX_ATTEMPTS",
        "retry_deadline": "PROVISIONER_CLOUD_RETRY_DEADLINE",
        "base_delay": "PROVISIONER_CLOUD_BASE_DELAY",
        "max_delay": "PROVISIONER_CLOUD_MAX_DELAY",
        "wait_timeout": "PROVISIONER_CLOUD_WAIT_TIMEOUT",
        "wait_base": "PROVISIONER_CLOUD_WAIT_BASE",
        "wait_max": "PROVISIONER_CLOUD_WAIT_MAX",
        "settle_base": "PROVISIONER_CLOUD_SETTLE_BASE",
        "connect_timeout": "PROVISIONER_CLOUD_CONNECT_TIMEOUT",
        "read_timeout": "PROVISIONER_CLOUD_READ_TIMEOUT",
        "list_ttl": "PROVISIONER_CLOUD_LIST_TTL",
        "batch_window": "PROVISIONER_LIBRADB_BATCH_WINDOW",
        "batch_max": "PROVISIONER_LIBRADB_BATCH_MAX",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "RetryPolicy":
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(cls.ENV.get(f.name, ""), "")
            if raw.strip():
                values[f.name] = int(raw) if f.type in ("int", int) else float(raw)
        return cls(**values)


# --- caller deadline -----------------------------------------------------------------------------

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("cloud_deadline", default=None)


@contextmanager
def deadline_in(seconds: float | None, clock: Clock = CLOCK) -> Iterator[None]:
    """Cap every cloud call made in this block (this thread) to `seconds` from now."""
    with deadline_at(None if seconds is None else clock.monotonic() + seconds):
        yield


@contextmanager
def deadline_at(when: float | None, *, replace: bool = False) -> Iterator[None]:
    """Like deadline_in with an absolute monotonic time. Nested deadlines only ever shrink,
    unless replace=True (a batch run on behalf of several callers takes their latest)."""
    current = _DEADLINE.get()
    if not replace and (when is None or (current is not None and current <= when)):
        when = current
    token = _DEADLINE.set(when)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> float | None:
    return _DEADLINE.get()


# --- rate limiting -------------------------------------------------------------------------------

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


# Documented limits (requests/s). Key: (product, action); "*" matches any.
DEFAULT_LIMITS: dict[tuple[str, str], float] = {
    ("libradb", "*"): 20.0,          # every LibraDB account API: 20 req/s (seed 000)
    ("rds", "CreateAccount"): 50.0,  # RDS CreateAccount flow control
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


LIMITER = RateLimiter({**DEFAULT_LIMITS, **parse_limits(os.environ.get("PROVISIONER_CLOUD_RATE_LIMITS", ""))})


# --- counters --------------------------------------------------------------------------------------

class CallCounters:
    """Wire calls per "product:Action" (every attempt) and errors per "product:Action:Code".
    `wait_for` lets tests block until a call has happened instead of sleeping."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._cond = threading.Condition()

    def add(self, key: str, n: int = 1) -> None:
        with self._cond:
            self._counts[key] += n
            self._cond.notify_all()

    def get(self, key: str) -> int:
        with self._cond:
            return self._counts[key]

    def snapshot(self) -> dict[str, int]:
        with self._cond:
            return dict(self._counts)

    def reset(self) -> None:
        with self._cond:
            self._counts.clear()

    def wait_for(self, predicate: Callable[[dict[str, int]], bool], timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._counts), timeout)


COUNTERS = CallCounters()


# --- the engine ------------------------------------------------------------------------------------

def backoff_delay(n: int, policy: RetryPolicy, rng: Callable[[], float] = random.random) -> float:
    """Full jitter: uniform(0, min(max_delay, base_delay * 2**n)) for the n-th retry (n from 0)."""
    return rng() * min(policy.max_delay, policy.base_delay * (2 ** n))


class Caller:
    """Runs one cloud call under the policy. `fn` does one wire attempt and returns the response
    as a dict; `describe` (optional) reports the instance so not-ready errors can be waited out."""

    def __init__(self, product: str, policy: RetryPolicy, *, limiter: RateLimiter | None = None,
                 counters: CallCounters | None = None, clock: Clock | None = None,
                 rng: Callable[[], float] = random.random):
        self.product, self.policy = product, policy
        self.limiter = limiter or LIMITER
        self.counters = counters or COUNTERS
        self.clock = clock or (self.limiter.clock if limiter else CLOCK)
        self.rng = rng

    def call(self, action: str, fn: Callable[[], Any], *, secrets: tuple[str, ...] = (),
             describe: Callable[[], InstanceInfo] | None = None,
             stop: Callable[[CloudApiError], bool] | None = None) -> Any:
        """`stop(err)`: a busy/not-ready refusal that waiting will not cure (the caller acts on
        it instead, e.g. unlocks a locked account): raised at once."""
        p, clock = self.policy, self.clock
        start = clock.monotonic()
        retry_until, wait_until = start + p.retry_deadline, start + p.wait_timeout
        caller_deadline = current_deadline()
        if caller_deadline is not None:
            retry_until, wait_until = min(retry_until, caller_deadline), min(wait_until, caller_deadline)
        attempt = retries = not_ready_rounds = busy_rounds = 0
        after_transient = False
        while True:
            attempt += 1
            self.limiter.acquire(self.product, action)
            t0 = clock.monotonic()
            err: CloudApiError | None = None
            try:
                result = fn()
            except Exception as exc:  # noqa: BLE001 - translated or re-raised below
                err = errors.translate(action, exc, secrets, self.product)
                if err is None:
                    raise
            self.counters.add(f"{self.product}:{action}")
            ms = (clock.monotonic() - t0) * 1000
            if err is None:
                rid = result.get("RequestId") if isinstance(result, dict) else None
                log.debug("cloud call %s:%s ok request_id=%s attempt=%d ms=%.0f",
                          self.product, action, rid, attempt, ms)
                return result
            self.counters.add(f"{self.product}:{action}:{err.code}")
            log.debug("cloud call %s:%s failed code=%s kind=%s request_id=%s attempt=%d ms=%.0f",
                      self.product, action, err.code, err.kind, err.request_id, attempt, ms)
            err.attempts, err.after_transient = attempt, after_transient

            if err.kind == errors.NOT_READY and describe is not None:
                if not_ready_rounds:  # describe said ready but the call still refused: back off
                    pause = min(backoff_delay(not_ready_rounds, p, self.rng) + p.base_delay,
                                wait_until - clock.monotonic())
                    if pause <= 0:
                        raise _not_ready(err, None, p.wait_timeout)
                    self._pause(action, err, pause, start)
                not_ready_rounds += 1
                t_wait = clock.monotonic()
                info = wait_until_ready(describe, wait_until, p, clock, self.rng, product=self.product)
                self.counters.add(f"{self.product}:wait_ms", int((clock.monotonic() - t_wait) * 1000))
                if not (info.running and not info.locked):
                    raise _not_ready(err, info, p.wait_timeout, product=self.product)
                continue

            if err.kind in errors.WAITED and stop is not None and stop(err):
                raise err

            if err.kind in errors.WAITED:
                # Busy (or not ready with no instance to describe, e.g. a read): the same call
                # will pass once the other task is done. Back off inside the wait timeout.
                pause = min(backoff_delay(busy_rounds, p, self.rng) + p.base_delay, p.max_delay,
                            wait_until - clock.monotonic())
                if pause <= 0:
                    raise _not_ready(err, None, p.wait_timeout)
                busy_rounds += 1
                self._pause(action, err, pause, start)
                continue

            if err.kind in errors.RETRYABLE and retries < p.max_attempts - 1:
                delay = backoff_delay(retries, p, self.rng)
                if clock.monotonic() + delay < retry_until:
                    after_transient = after_transient or err.kind == errors.TRANSIENT
                    retries += 1
                    clock.sleep(delay)
                    continue
            raise err


    def _pause(self, action: str, err: CloudApiError, pause: float, start: float) -> None:
        wait_log.debug("cloud call %s:%s waiting: %s (%s), next try in %.2fs, waited %.1fs so far pause_s=%.3f",
                       self.product, action, err.code, err.kind, pause, self.clock.monotonic() - start, pause)
        self.counters.add(f"{self.product}:wait_ms", int(pause * 1000))
        self.clock.sleep(pause)


def wait_until_ready(describe: Callable[[], InstanceInfo], until: float, policy: RetryPolicy,
                     clock: Clock = CLOCK, rng: Callable[[], float] = random.random,
                     product: str | None = None) -> InstanceInfo:
    """Describe until Running and unlocked, or until `until`; returns the last description.
    A state that never becomes Running by itself (codes/) returns at once."""
    delay = policy.wait_base
    while True:
        info = describe()
        if info.running and not info.locked:
            return info
        if product and codes.never_running(product, info.status):
            return info
        remaining = until - clock.monotonic()
        if remaining <= 0:
            return info
        pause = min(delay * (0.5 + 0.5 * rng()), remaining)
        wait_log.debug("%s instance %s not ready (status=%s locked=%s); waiting pause_s=%.3f", product or "-",
                       info.id, info.status, info.locked, pause)
        clock.sleep(pause)
        delay = min(delay * 2, policy.wait_max)


def _not_ready(err: CloudApiError, info: InstanceInfo | None, waited: float,
               product: str | None = None) -> CloudApiError:
    state = f" (status {info.status}{', locked' if info.locked else ''})" if info else ""
    if info is not None and product and codes.never_running(product, info.status):
        text = (f"{errors.raw_message(err)}; instance {info.id} is {info.status}, a state that never becomes "
                f"Running by itself: not waiting for it. Check the instance (renew, start or restore it) "
                f"or the id, then re-run")
    elif err.kind == errors.BUSY:
        text = (f"{errors.raw_message(err)}; still busy after waiting (limit {waited:.0f}s or the caller's "
                f"timeout). {errors._HINTS[errors.BUSY]}")
    else:
        text = (f"{errors.raw_message(err)}; instance still not ready{state} after "
                f"waiting (limit {waited:.0f}s or the caller's timeout). {errors._HINTS[errors.NOT_READY]}")
    new = CloudApiError(err.action, err.code, text,
                        err.request_id, retryable=False, status=err.status)
    new.kind, new.attempts, new.after_transient = err.kind, err.attempts, err.after_transient
    new.raw_message = errors.raw_message(err)
    return new
