"""Coalesce calls that arrive together into one batch call.

The first submitter for a key opens a batch and waits `window` seconds (or until `max_items`
have joined), then runs the batch in its own thread; the others block until their own item is
resolved. `run(items)` must resolve every item; any item it leaves open gets its exception.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Hashable


class Item:
    def __init__(self, payload: Any, deadline: float | None):
        self.payload, self.deadline = payload, deadline
        self.result: Any = None
        self.error: BaseException | None = None
        self._done = threading.Event()

    @property
    def resolved(self) -> bool:
        return self._done.is_set()

    def ok(self, result: Any = None) -> None:
        if not self.resolved:
            self.result = result
            self._done.set()

    def fail(self, error: BaseException) -> None:
        if not self.resolved:
            self.error = error
            self._done.set()

    def wait(self) -> Any:
        self._done.wait()
        if self.error is not None:
            raise self.error
        return self.result


class _Batch:
    def __init__(self) -> None:
        self.items: list[Item] = []
        self.closed = False
        self.full = threading.Condition()


class Coalescer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[Hashable, _Batch] = {}

    def submit(self, key: Hashable, payload: Any, run: Callable[[list[Item]], None], *,
               window: float, max_items: int, deadline: float | None = None) -> Any:
        item = Item(payload, deadline)
        if window <= 0 or max_items <= 1:
            self._run(run, [item])
            return item.wait()
        with self._lock:
            batch = self._open.get(key)
            leader = batch is None
            if leader:
                batch = self._open[key] = _Batch()
            batch.items.append(item)
            if len(batch.items) >= max_items:
                self._open.pop(key, None)
                batch.closed = True
        if not leader:
            if batch.closed:
                with batch.full:
                    batch.full.notify_all()
            return item.wait()
        with batch.full:  # wait out the window unless the batch fills up first
            batch.full.wait_for(lambda: batch.closed, timeout=window)
        with self._lock:
            if self._open.get(key) is batch:
                del self._open[key]
            batch.closed = True
            items = list(batch.items)
        self._run(run, items)
        return item.wait()

    @staticmethod
    def _run(run: Callable[[list[Item]], None], items: list[Item]) -> None:
        try:
            run(items)
        except BaseException as exc:  # never leave a follower blocked
            for it in items:
                it.fail(exc)
            if not isinstance(exc, Exception):
                raise
        for it in items:
            if not it.resolved:
                it.fail(RuntimeError("batch finished without a result for this item"))
