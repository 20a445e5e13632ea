"""Waiting while an instance is not Running or is locked, and the error that ends a wait.

A state that never becomes Running by itself (each product's codes.py: Deleting, Released,
isolated, ...) ends the wait at once. Every pause is logged on `wait_log` at DEBUG.
"""

from __future__ import annotations

import logging
import random
from typing import Callable

from provisioner.core import codes, errors
from provisioner.core.adapter import CloudApiError, InstanceInfo
from provisioner.core.retry.clock import CLOCK, Clock
from provisioner.core.retry.policy import RetryPolicy

# Every pause spent waiting (busy, not ready, a change settling), one line each ending in
# "pause_s=<seconds>": shown with PROVISIONER_LOG_LEVEL=DEBUG; PROVISIONER_WAIT_LOG=<file> writes
# only these (logs.py), which is how `make bench` measures the waiting per phase.
wait_log = logging.getLogger("provisioner.cloud.wait")


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


def not_ready_error(err: CloudApiError, info: InstanceInfo | None, waited: float,
                    product: str | None = None) -> CloudApiError:
    """The error a call fails with when waiting did not cure `err` (busy or not ready): the
    cloud's own message, the instance's last state and what to do; no longer retryable."""
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
