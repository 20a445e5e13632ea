"""Single-flight TTL cache: N concurrent reads, one fetch; writes are never undone by a stale fetch."""

from __future__ import annotations

import threading
import time

from cloud_fakes import FakeClock
from provisioner.core.cache import SingleFlightCache


def test_concurrent_reads_share_one_fetch():
    cache = SingleFlightCache(FakeClock())
    entered, release = threading.Event(), threading.Event()
    fetches = []

    def fetch():
        fetches.append(1)
        entered.set()
        release.wait(10)
        return {"a": 1}
    results = []
    leader = threading.Thread(target=lambda: results.append(cache.get("k", fetch, ttl=5)))
    leader.start()
    assert entered.wait(10)
    followers = [threading.Thread(target=lambda: results.append(cache.get("k", fetch, ttl=5))) for _ in range(3)]
    for t in followers:
        t.start()
    release.set()
    for t in [leader, *followers]:
        t.join()
    assert len(fetches) == 1 and results == [{"a": 1}] * 4


def test_ttl_expiry_and_fresh():
    clock = FakeClock()
    cache = SingleFlightCache(clock)
    n = iter(range(100))
    assert cache.get("k", lambda: next(n), ttl=3) == 0
    clock.now = 2.9
    assert cache.get("k", lambda: next(n), ttl=3) == 0
    assert cache.get("k", lambda: next(n), ttl=3, fresh=True) == 1
    clock.now = 6.0
    assert cache.get("k", lambda: next(n), ttl=3) == 2


def test_values_are_copies():
    cache = SingleFlightCache(FakeClock())
    first = cache.get("k", lambda: {"a": [1]}, ttl=5)
    first["a"].append(2)
    assert cache.get("k", lambda: {"b": 0}, ttl=5) == {"a": [1]}


def test_a_write_during_a_fetch_keeps_the_stale_answer_out():
    cache = SingleFlightCache(FakeClock())
    entered, release = threading.Event(), threading.Event()

    def slow_fetch():
        entered.set()
        release.wait(10)
        return {"desc": "old"}
    t = threading.Thread(target=lambda: cache.get("k", slow_fetch, ttl=5))
    t.start()
    assert entered.wait(10)
    cache.drop("k")          # a write through the adapter while the list was being read
    release.set()
    t.join()
    assert cache.get("k", lambda: {"desc": "new"}, ttl=5) == {"desc": "new"}


def test_patch_applies_to_the_cached_value_and_put_replaces():
    cache = SingleFlightCache(FakeClock())
    cache.get("k", lambda: {"x": 1}, ttl=5)
    cache.patch("k", lambda v: v.update(x=2))
    assert cache.get("k", lambda: {"x": 0}, ttl=5) == {"x": 2}
    cache.put("k", {"x": 3})
    assert cache.get("k", lambda: {"x": 0}, ttl=5) == {"x": 3}


def test_errors_reach_every_waiter_and_are_not_cached():
    cache = SingleFlightCache(FakeClock())

    def boom():
        raise RuntimeError("down")
    for _ in range(2):
        try:
            cache.get("k", boom, ttl=5)
        except RuntimeError:
            pass
        else:
            raise AssertionError("expected the fetch error")
    assert cache.get("k", lambda: 7, ttl=5) == 7


def _read_joining_a_fetch_in_flight(cache, ttl, **joiner_options):
    """A slow fetch in flight, and a second read parked on it before it ends; returns both
    results and how many fetches ran."""
    entered, release = threading.Event(), threading.Event()
    fetches = []

    def slow():
        fetches.append(1)
        entered.set()
        release.wait(10)
        return len(fetches)
    out = []
    leader = threading.Thread(target=lambda: out.append(cache.get("k", slow, ttl=ttl)))
    leader.start()
    assert entered.wait(10)
    joiner = threading.Thread(target=lambda: out.append(cache.get("k", slow, ttl=ttl, **joiner_options)))
    joiner.start()
    flight = cache._entries["k"].flight
    deadline = time.monotonic() + 10
    while flight.waiters < 1 and time.monotonic() < deadline:   # until the joiner is parked on it
        time.sleep(0.001)
    release.set()
    leader.join()
    joiner.join()
    return out, len(fetches)


def test_fresh_joins_a_fetch_in_flight_but_never_one_from_before_a_write():
    cache = SingleFlightCache(FakeClock())
    assert _read_joining_a_fetch_in_flight(cache, 5, fresh=True) == ([1, 1], 1)
    cache.drop("k")   # after a write, fresh must fetch again
    assert cache.get("k", lambda: "new", ttl=5, fresh=True) == "new"


def _concurrent_gets(cache, ttl, n=4):
    """n reads of one key while the first fetch is still running; returns how many fetches ran."""
    fetches, lock = [], threading.Lock()
    all_in = threading.Barrier(n, timeout=10)

    def fetch():
        with lock:
            fetches.append(1)
        all_in.wait()   # passes only if n fetches run at the same time: nobody joined another
        return {"a": 1}
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", fetch, ttl=ttl))) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results == [{"a": 1}] * n
    return len(fetches)


def test_negative_ttl_is_no_cache_at_all():
    cache = SingleFlightCache(FakeClock())
    assert _concurrent_gets(cache, ttl=-1) == 4           # concurrent reads do not share a fetch
    n = iter(range(100))
    assert [cache.get("k", lambda: next(n), ttl=-1) for _ in range(3)] == [0, 1, 2]   # nothing stored
    cache.put("k", "stored")                                # writes leave nothing to read either
    assert cache.get("k", lambda: "fetched", ttl=-1) == "fetched"


def test_ttl_zero_stores_nothing_but_shares_a_fetch_in_flight():
    cache = SingleFlightCache(FakeClock())
    assert _read_joining_a_fetch_in_flight(cache, 0) == ([1, 1], 1)
    assert cache.get("k", lambda: "again", ttl=0) == "again"   # nothing kept between reads
