"""Counters of the wire calls, their errors and the time spent waiting, per process."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Callable


class CallCounters:
    """Wire calls per "product:Action" (every attempt), errors per "product:Action:Code" and the
    milliseconds spent waiting per "product:wait_ms". `wait_for` lets tests block until a call
    has happened instead of sleeping."""

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
