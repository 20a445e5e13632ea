"""Coalesce calls that arrive together into one batch call, and split the batch on errors.

The first submitter for a key opens a batch and waits `window` seconds (or until `max_items`
have joined). If a batch of the same key is still running then (its call in flight, waiting for
the rate limiter, retrying), the open batch keeps collecting until that one has finished (or
until it is full): submitters that arrive while a call is out go together in the next call
instead of one call each, and a lone submitter waits no longer than before (the window). The
leader then runs the batch in its own thread, under the latest of its members' deadlines; the
others block until their own item is resolved. `run(items)` must resolve every item; any item it
leaves open gets its exception. `run` must not submit to its own key (it would wait for itself).

`send(items, call, split)` is the usual `run`: one call for every open item; on an error,
`split` resolves the items the error settles and returns the ones to send again, so every caller
gets its own result (LibraDB creates and deletes, provisioner/products/libradb/adapter.py).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Hashable, TypeVar

from provisioner.core.retry.deadlines import deadline_at


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


class _KeyState:
    def __init__(self) -> None:
        self.open: _Batch | None = None   # the batch collecting submitters
        self.running = 0                  # batches of this key being run now


class Coalescer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._keys: dict[Hashable, _KeyState] = {}

    def submit(self, key: Hashable, payload: Any, run: Callable[[list[Item]], None], *,
               window: float, max_items: int, deadline: float | None = None) -> Any:
        item = Item(payload, deadline)
        if window <= 0 or max_items <= 1:
            self._run(run, [item])
            return item.wait()
        with self._lock:
            state = self._keys.setdefault(key, _KeyState())
            batch = state.open
            leader = batch is None
            if batch is None:
                batch = state.open = _Batch()
            batch.items.append(item)
            if len(batch.items) >= max_items:
                state.open = None
                batch.closed = True
                self._changed.notify_all()
        if not leader:
            return item.wait()
        with self._lock:
            # The window, unless the batch fills up first; then, while another batch of this key
            # is out, keep collecting: those arriving meanwhile share the next call.
            self._changed.wait_for(lambda: batch.closed, timeout=window)
            self._changed.wait_for(lambda: batch.closed or state.running == 0)
            if state.open is batch:
                state.open = None
            batch.closed = True
            state.running += 1
            items = list(batch.items)
        try:
            self._run(run, items)
        finally:
            with self._lock:
                state.running -= 1
                if state.running == 0 and state.open is None and self._keys.get(key) is state:
                    del self._keys[key]
                self._changed.notify_all()
        return item.wait()

    def waiting(self, key: Hashable) -> int:
        """How many submitters wait in the open batch of `key` (observability, tests)."""
        with self._lock:
            state = self._keys.get(key)
            return len(state.open.items) if state is not None and state.open is not None else 0

    @staticmethod
    def _run(run: Callable[[list[Item]], None], items: list[Item]) -> None:
        deadlines = [it.deadline for it in items]
        latest = None if None in deadlines else max(deadlines)   # type: ignore[type-var]
        try:
            with deadline_at(latest, replace=True):   # the leader's thread works for everyone
                run(items)
        except BaseException as exc:  # never leave a follower blocked
            for it in items:
                it.fail(exc)
            if not isinstance(exc, Exception):
                raise
        for it in items:
            if not it.resolved:
                it.fail(RuntimeError("batch finished without a result for this item"))


E = TypeVar("E", bound=Exception)


def send(items: list[Item], call: Callable[[list[Item]], Any],
         split: Callable[[list[Item], E], list[Item]], *, result: Any = None,
         errors: tuple[type[E], ...] = (Exception,)) -> None:
    """Send the open items in one `call`; when it succeeds, every item sent gets `result`. When
    it raises one of `errors`, `split(sent, error)` resolves what the error settles and returns
    the items to send again: a shorter list each time (a batch that does not shrink fails)."""
    pending = [it for it in items if not it.resolved]
    while pending:
        try:
            call(pending)
        except errors as err:
            left = [it for it in split(pending, err) if not it.resolved]
            if len(left) >= len(pending):
                for it in left:
                    it.fail(err)
                return
            pending = left
            continue
        for it in pending:
            it.ok(result)
        return
