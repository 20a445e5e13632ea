"""The caller's deadline: a monotonic time that caps every cloud call made in a block (this
thread's context), retries and waits included.

Nothing in the provider sets one for a single resource: Pulumi's custom_timeouts never reach a
dynamic provider (the knob is the wait timeout, RetryPolicy.wait_timeout). A LibraDB batch
(provisioner/core/batch.py) runs under the latest deadline of the callers it works for, and the
settle waits (adapter_base.py) stop at it too; deadline_in() is how a caller (or a test) sets one.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Iterator

from provisioner.core.retry.clock import CLOCK, Clock

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
