"""One cloud call under the policy: the Caller.

- Client-side rate limiting per (product, action) (limiter.py), so the provider's concurrent
  calls never overrun the documented limits (and do not burn retries on throttling).
- Exponential backoff with full jitter on throttling and transient errors (policy.py), bounded by
  attempts and by a total deadline.
- Waiting while the instance is not Running or is locked: on those error codes, describe the
  instance with backoff until it is ready, then retry the call (bounded by `wait_timeout`); a
  state that never becomes Running (codes/: Deleting, Released, isolated, ...) fails at once
  (waiting.py).
- Waiting while the instance or the account is busy with another task ("busy" codes, and
  not-ready codes of calls with no instance to describe, e.g. reads): back off and retry until
  `wait_timeout`. Every wait is logged at DEBUG and its time counted ("<product>:wait_ms").
- The caller's deadline (deadlines.py), when one is set, caps everything.
What an error code means is data (each product's codes.py), read through provisioner.core.errors.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Callable

from provisioner.core import errors
from provisioner.core.adapter import CloudApiError, InstanceInfo
from provisioner.core.retry.clock import CLOCK, Clock
from provisioner.core.retry.counters import COUNTERS, CallCounters
from provisioner.core.retry.deadlines import current_deadline
from provisioner.core.retry.limiter import RateLimiter, process_limiter
from provisioner.core.retry.policy import RetryPolicy, backoff_delay
from provisioner.core.retry.waiting import not_ready_error, wait_log, wait_until_ready

log = logging.getLogger("provisioner.cloud")


class Caller:
    """Runs one cloud call under the policy. `fn` does one wire attempt and returns the response
    as a dict; `describe` (optional) reports the instance so not-ready errors can be waited out."""

    def __init__(self, product: str, policy: RetryPolicy, *, limiter: RateLimiter | None = None,
                 counters: CallCounters | None = None, clock: Clock | None = None,
                 rng: Callable[[], float] = random.random):
        self.product, self.policy = product, policy
        self.limiter = limiter or process_limiter()
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
            result: Any = None   # fn()'s answer; stays None when it raised (then err is set)
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
                        raise not_ready_error(err, None, p.wait_timeout)
                    self._pause(action, err, pause, start)
                not_ready_rounds += 1
                t_wait = clock.monotonic()
                info = wait_until_ready(describe, wait_until, p, clock, self.rng, product=self.product)
                self.counters.add(f"{self.product}:wait_ms", int((clock.monotonic() - t_wait) * 1000))
                if not (info.running and not info.locked):
                    raise not_ready_error(err, info, p.wait_timeout, product=self.product)
                continue

            if err.kind in errors.WAITED and stop is not None and stop(err):
                raise err

            if err.kind in errors.WAITED:
                # Busy (or not ready with no instance to describe, e.g. a read): the same call
                # will pass once the other task is done. Back off inside the wait timeout.
                pause = min(backoff_delay(busy_rounds, p, self.rng) + p.base_delay, p.max_delay,
                            wait_until - clock.monotonic())
                if pause <= 0:
                    raise not_ready_error(err, None, p.wait_timeout)
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
