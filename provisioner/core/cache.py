"""Per-process single-flight TTL cache.

Pulumi refresh calls read() once per resource, four at a time, in one provider process. Keyed by
(settings, product, instance), N reads of accounts on one instance within `ttl` cost one fetch
(one Describe per page), and reads that arrive while a fetch is running wait for it instead of
starting their own (also with fresh=True). Writes through an adapter patch or drop the entry and bump its generation,
so a fetch that started before the write can never store its (stale) answer.
Values handed out are deep copies: callers may mutate them freely.

TTL 0 keeps no value between reads but still lets concurrent reads share one fetch in flight; a
negative TTL (PROVISIONER_CLOUD_LIST_TTL=-1) turns the cache off: every read makes its own fetch.
"""

from __future__ import annotations

import copy
import threading
from typing import Any, Callable, Hashable

from provisioner.core.retry.clock import CLOCK, Clock


class _Flight:
    def __init__(self, started: float, generation: int):
        self.started, self.generation = started, generation
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.waiters = 0   # callers that joined this fetch (observability, tests)


class _Entry:
    def __init__(self) -> None:
        self.value: Any = None
        self.fetched_at = float("-inf")
        self.generation = 0
        self.flight: _Flight | None = None


class SingleFlightCache:
    def __init__(self, clock: Clock = CLOCK):
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Hashable, _Entry] = {}

    def get(self, key: Hashable, fetch: Callable[[], Any], ttl: float, *, fresh: bool = False) -> Any:
        if ttl < 0:   # no cache at all: nothing stored, nothing shared
            return copy.deepcopy(fetch())
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
            now = self.clock.monotonic()
            if not fresh and entry.value is not None and now - entry.fetched_at < ttl:
                return copy.deepcopy(entry.value)
            # fresh skips the stored value but may join a fetch already in flight: it started
            # after the last write through this process (same generation), which is what matters.
            flight = entry.flight
            if flight is None or flight.generation != entry.generation:
                leader = True
                flight = entry.flight = _Flight(now, entry.generation)
            else:
                leader = False
                flight.waiters += 1
        if leader:
            try:
                flight.value = fetch()
            except BaseException as exc:  # handed to every waiter of this flight
                flight.error = exc
            with self._lock:
                if entry.flight is flight:
                    entry.flight = None
                if (flight.error is None and entry.generation == flight.generation
                        and flight.started >= entry.fetched_at):
                    # A copy of its own: patch() mutates the stored value in place, while callers
                    # of this flight deep-copy flight.value outside the lock.
                    entry.value, entry.fetched_at = copy.deepcopy(flight.value), flight.started
            flight.done.set()
        else:
            flight.done.wait()
        if flight.error is not None:
            raise flight.error
        return copy.deepcopy(flight.value)

    def patch(self, key: Hashable, fn: Callable[[Any], Any]) -> None:
        """Apply a write to the cached value (fn mutates it or returns a replacement)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return
            entry.generation += 1
            if entry.value is not None:
                replaced = fn(entry.value)
                if replaced is not None:
                    entry.value = replaced

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
            entry.generation += 1
            entry.value, entry.fetched_at = copy.deepcopy(value), self.clock.monotonic()

    def drop(self, key: Hashable) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.generation += 1
                entry.value, entry.fetched_at = None, float("-inf")

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = SingleFlightCache()   # process-wide: shared by every adapter of every product
