"""LibraDB create and delete coalescing with a fake service: several threads, one call;
per-account errors split so each caller gets its own precise result; lost responses recognised."""

from __future__ import annotations

import threading

import pytest

from cloud_fakes import FakeLibraDBAdapter, FakeLibraDBService
from provisioner.core import errors
from provisioner.core.adapter import CloudApiError
from provisioner.core.batch import Coalescer
from provisioner.core.retry.policy import RetryPolicy

GOOD = "Passw0rd!x"


def policy(n: int) -> RetryPolicy:
    # A long window closed by batch_max: the batch goes out as soon as n callers have joined.
    return RetryPolicy(batch_window=10.0, batch_max=n, base_delay=0.0, max_delay=0.0)


def create_concurrently(adapter, requests):
    """requests: [(account dict, password)]; returns {name: None | CloudApiError}."""
    results: dict[str, object] = {}
    start = threading.Barrier(len(requests))

    def run(account, password):
        start.wait()
        try:
            adapter.create_account("c-1", account, password)
            results[account["name"]] = None
        except CloudApiError as err:
            results[account["name"]] = err
    threads = [threading.Thread(target=run, args=r) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_creates_go_out_in_one_call(request):
    svc = FakeLibraDBService()
    adapter = FakeLibraDBAdapter(svc, policy(4), tag=request.node.name)
    results = create_concurrently(adapter, [({"name": f"u{i}", "host": "%"}, GOOD) for i in range(4)])
    assert results == {f"u{i}": None for i in range(4)}
    assert svc.count("CreateLibraDBClusterAccounts") == 1
    assert len(svc.calls[0][1]["Accounts"]) == 4
    assert sorted(svc.accounts) == [(f"u{i}", "%") for i in range(4)]


def test_per_account_errors_are_split_out(request):
    svc = FakeLibraDBService()
    svc.accounts[("taken", "%")] = {"AccountName": "taken", "Host": "%", "Description": "", "privileges": {}}
    adapter = FakeLibraDBAdapter(svc, policy(4), tag=request.node.name)
    results = create_concurrently(adapter, [({"name": "ok1", "host": "%"}, GOOD), ({"name": "weak", "host": "%"}, "short"),
                                            ({"name": "taken", "host": "%"}, GOOD), ({"name": "ok2", "host": "%"}, GOOD)])
    assert results["ok1"] is None and results["ok2"] is None
    assert results["weak"].code == "InvalidParameterValue.IllegalPassword"
    assert results["taken"].code == "InvalidParameterValue.AccountAlreadyExistError"
    assert "'taken'" in str(results["taken"])
    assert svc.count("CreateLibraDBClusterAccounts") == 3    # full batch, minus weak, minus taken
    assert ("ok1", "%") in svc.accounts and ("weak", "%") not in svc.accounts


def test_unattributable_batch_error_falls_back_to_one_by_one(request):
    svc = FakeLibraDBService()
    svc.refuse_batches = True
    adapter = FakeLibraDBAdapter(svc, policy(3), tag=request.node.name)
    results = create_concurrently(adapter, [({"name": f"u{i}", "host": "%"}, GOOD) for i in range(3)])
    assert results == {"u0": None, "u1": None, "u2": None}
    assert svc.count("CreateLibraDBClusterAccounts") == 4


def test_cluster_level_error_fails_everyone_with_one_call(request):
    svc = FakeLibraDBService()
    svc.cluster_missing = True
    adapter = FakeLibraDBAdapter(svc, policy(3), tag=request.node.name)
    results = create_concurrently(adapter, [({"name": f"u{i}", "host": "%"}, GOOD) for i in range(3)])
    assert all(e.kind == errors.NOT_FOUND for e in results.values())
    assert svc.count("CreateLibraDBClusterAccounts") == 1


def test_lost_response_is_success_when_the_accounts_are_ours(request):
    svc = FakeLibraDBService()
    svc.lose_next_create_response = True
    adapter = FakeLibraDBAdapter(svc, policy(2), tag=request.node.name)
    results = create_concurrently(adapter, [({"name": "a", "host": "%", "description": "da"}, GOOD),
                                            ({"name": "b", "host": "%"}, GOOD)])
    assert results == {"a": None, "b": None}
    # processed + lost, retried -> "exists", then one Describe to confirm they are ours (and each
    # creator's check that its new account is visible, shared when they overlap)
    assert svc.count("CreateLibraDBClusterAccounts") == 2
    assert 1 <= svc.count("DescribeLibraDBClusterAccounts") <= 3


def test_exists_after_a_lost_response_is_still_an_error_when_the_account_differs(request):
    svc = FakeLibraDBService()
    svc.accounts[("a", "%")] = {"AccountName": "a", "Host": "%", "Description": "someone else's",
                                "privileges": {}}
    svc.lose_next_create_response = True   # would not fire: the create fails on "exists" first
    adapter = FakeLibraDBAdapter(svc, policy(1), tag=request.node.name)
    with pytest.raises(CloudApiError) as err:
        adapter.create_account("c-1", {"name": "a", "host": "%", "description": "mine"}, GOOD)
    assert err.value.kind == errors.EXISTS


def test_privileges_applied_after_create_and_rolled_back_on_failure(request):
    svc = FakeLibraDBService()
    adapter = FakeLibraDBAdapter(svc, policy(1), tag=request.node.name)
    adapter.create_account("c-1", {"name": "p", "host": "%", "privileges": {"global": ["PROCESS"]}}, GOOD)
    assert svc.accounts[("p", "%")]["privileges"]["GlobalPrivileges"] == ["PROCESS"]
    assert adapter.get_account("c-1", "p", "%").privileges["global"] == ["PROCESS"]

    def refuse(p):
        raise errors.make_error("ModifyLibraDBClusterAccountPrivilege", "InvalidParameterValue.ParamError", "no", "r")
    svc.ModifyLibraDBClusterAccountPrivilege = refuse
    with pytest.raises(CloudApiError):
        adapter.create_account("c-1", {"name": "q", "host": "%", "privileges": {"global": ["PROCESS"]}}, GOOD)
    assert ("q", "%") not in svc.accounts     # the failed create left nothing behind


# --- deletes ---------------------------------------------------------------------------------------

def add(svc, *names):
    for n in names:
        svc.accounts[(n, "%")] = {"AccountName": n, "Host": "%", "Description": "", "privileges": {}}


def delete_concurrently(adapter, names):
    """Returns {name: True | False | CloudApiError}."""
    results: dict[str, object] = {}
    start = threading.Barrier(len(names))

    def run(name):
        start.wait()
        try:
            results[name] = adapter.delete_account("c-1", name, "%")
        except CloudApiError as err:
            results[name] = err
    threads = [threading.Thread(target=run, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_deletes_go_out_in_one_call(request):
    svc = FakeLibraDBService()
    add(svc, "d0", "d1", "d2", "d3", "keep")
    adapter = FakeLibraDBAdapter(svc, policy(4), tag=request.node.name)
    assert adapter.get_account("c-1", "d0", "%", privileges=False) is not None   # the list is cached
    results = delete_concurrently(adapter, [f"d{i}" for i in range(4)])
    assert results == {f"d{i}": True for i in range(4)}
    assert svc.count("DeleteLibraDBClusterAccounts") == 1
    assert sorted(a["AccountName"] for a in svc.calls[-1][1]["Accounts"]) == ["d0", "d1", "d2", "d3"]
    assert list(svc.accounts) == [("keep", "%")]
    # the cached list was patched, not re-read
    assert set(adapter.accounts("c-1")) == {("keep", "%")}
    assert svc.count("DescribeLibraDBClusterAccounts") == 1


def test_an_account_already_gone_is_false_and_the_others_are_deleted(request):
    svc = FakeLibraDBService()
    add(svc, "a", "c")                    # "b" is already gone: the batch fails as a whole
    adapter = FakeLibraDBAdapter(svc, policy(3), tag=request.node.name)
    results = delete_concurrently(adapter, ["a", "b", "c"])
    assert results == {"a": True, "b": False, "c": True}
    assert svc.accounts == {}
    # the batch, one fresh list to see who is missing, the batch without "b"
    assert [a for a, _ in svc.calls] == ["DeleteLibraDBClusterAccounts", "DescribeLibraDBClusterAccounts",
                                         "DeleteLibraDBClusterAccounts"]
    assert sorted(x["AccountName"] for x in svc.calls[-1][1]["Accounts"]) == ["a", "c"]


def test_every_account_already_gone_is_false_for_each(request):
    svc = FakeLibraDBService()
    adapter = FakeLibraDBAdapter(svc, policy(2), tag=request.node.name)
    assert delete_concurrently(adapter, ["x", "y"]) == {"x": False, "y": False}
    assert svc.count("DeleteLibraDBClusterAccounts") == 1


def test_a_lost_delete_response_is_success_for_the_whole_batch(request):
    svc = FakeLibraDBService()
    add(svc, "a", "b", "c")
    svc.lose_next_delete_response = True   # applied, then the connection drops
    adapter = FakeLibraDBAdapter(svc, policy(3), tag=request.node.name)
    assert delete_concurrently(adapter, ["a", "b", "c"]) == {"a": True, "b": True, "c": True}
    # applied + lost, retried -> "not exist", then one Describe: all gone, so our first attempt did it
    assert svc.count("DeleteLibraDBClusterAccounts") == 2
    assert svc.count("DescribeLibraDBClusterAccounts") == 1


def test_a_lost_single_delete_response_is_success(request):
    svc = FakeLibraDBService()
    add(svc, "a")
    svc.lose_next_delete_response = True
    adapter = FakeLibraDBAdapter(svc, policy(1), tag=request.node.name)
    assert adapter.delete_account("c-1", "a", "%") is True
    assert adapter.delete_account("c-1", "a", "%") is False
    assert svc.count("DescribeLibraDBClusterAccounts") == 0   # the error says it all for one account


def test_delete_cluster_level_error_fails_everyone_with_one_call(request):
    svc = FakeLibraDBService()
    add(svc, "a", "b")
    svc.cluster_missing = True
    adapter = FakeLibraDBAdapter(svc, policy(2), tag=request.node.name)
    results = delete_concurrently(adapter, ["a", "b"])
    assert all(isinstance(e, CloudApiError) and e.kind == errors.NOT_FOUND for e in results.values())
    assert svc.count("DeleteLibraDBClusterAccounts") == 1


def test_unattributable_delete_error_falls_back_to_one_by_one(request):
    svc = FakeLibraDBService()
    add(svc, "a", "c")
    svc.refuse_batches = True
    adapter = FakeLibraDBAdapter(svc, policy(3), tag=request.node.name)
    assert delete_concurrently(adapter, ["a", "b", "c"]) == {"a": True, "b": False, "c": True}
    assert svc.count("DeleteLibraDBClusterAccounts") == 4


def test_creates_and_deletes_never_share_a_batch(request):
    svc = FakeLibraDBService()
    add(svc, "old")
    adapter = FakeLibraDBAdapter(svc, RetryPolicy(batch_window=0.2, batch_max=2, base_delay=0.0),
                                 tag=request.node.name)
    start = threading.Barrier(2)
    out = {}

    def create():
        start.wait()
        out["create"] = adapter.create_account("c-1", {"name": "new", "host": "%"}, GOOD)

    def delete():
        start.wait()
        out["delete"] = adapter.delete_account("c-1", "old", "%")
    threads = [threading.Thread(target=create), threading.Thread(target=delete)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert out == {"create": None, "delete": True}
    assert list(svc.accounts) == [("new", "%")]


def test_coalescer_resolves_everyone_even_if_run_raises():
    co = Coalescer()

    def run(items):
        raise RuntimeError("bug in run")
    with pytest.raises(RuntimeError):
        co.submit("k", 1, run, window=0, max_items=1)


def _until(condition, timeout=10.0):
    """Wait for a state change made by another thread (no fixed sleep): True when it happened."""
    done = threading.Event()
    end = threading.Event()
    timer = threading.Timer(timeout, end.set)
    timer.start()
    try:
        while not condition():
            if end.is_set():
                return False
            done.wait(0.001)
        return True
    finally:
        timer.cancel()


def test_coalescer_collects_behind_a_call_in_flight():
    """Submitters arriving while a batch of their key is out share the next call, however long
    after the window they come; a lone submitter is not held beyond the window."""
    co = Coalescer()
    started, release = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def run(items):
        batches.append([it.payload for it in items])
        if len(batches) == 1:
            started.set()
            assert release.wait(10)
        for it in items:
            it.ok(it.payload * 10)

    results: dict[int, int] = {}

    def submit(n):
        results[n] = co.submit("k", n, run, window=0.001, max_items=20)
    first = threading.Thread(target=submit, args=(0,))
    first.start()
    assert started.wait(10)            # the first call is out, alone
    others = [threading.Thread(target=submit, args=(n,)) for n in range(1, 6)]
    for t in others:
        t.start()
    assert _until(lambda: co.waiting("k") == 5)   # all five wait behind it, well past the window
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert batches[0] == [0] and sorted(batches[1]) == [1, 2, 3, 4, 5] and len(batches) == 2
    assert results == {n: n * 10 for n in range(6)}
    assert co.waiting("k") == 0 and not co._keys   # nothing left behind


def test_coalescer_full_batch_does_not_wait_for_the_call_in_flight():
    co = Coalescer()
    started, release = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def run(items):
        batches.append([it.payload for it in items])
        if len(batches) == 1:
            started.set()
            assert release.wait(10)
        for it in items:
            it.ok()
    first = threading.Thread(target=co.submit, args=("k", 0, run), kwargs={"window": 0.001, "max_items": 2})
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=co.submit, args=("k", n, run), kwargs={"window": 0.001, "max_items": 2})
              for n in (1, 2)]
    for t in others:
        t.start()
    for t in others:
        t.join(10)                     # full (max_items): sent while the first is still out
    assert sorted(batches[1]) == [1, 2]
    release.set()
    first.join(10)
    assert len(batches) == 2


class _GatedService(FakeLibraDBService):
    """The first create call on each cluster blocks until released (a call in flight)."""

    def __init__(self, clusters: int) -> None:
        super().__init__()
        self.first = {f"c-{i}": threading.Event() for i in range(clusters)}
        self.release = threading.Event()

    def handle(self, action, params):
        if action == "CreateLibraDBClusterAccounts":
            gate = self.first.get(params["ClusterId"])
            if gate is not None and not gate.is_set():
                gate.set()
                assert self.release.wait(20)
        return super().handle(action, params)


def test_creates_arriving_one_at_a_time_share_calls_per_cluster(request):
    """100 accounts on 10 clusters, arriving one by one (as the engine sends them): while each
    cluster's first call is out, the rest of that cluster's creates collect; at most 20 calls."""
    from provisioner.products.libradb.adapter import COALESCER
    svc = _GatedService(10)
    adapter = FakeLibraDBAdapter(svc, RetryPolicy(batch_window=0.001, batch_max=20, base_delay=0.0),
                                 tag=request.node.name)
    errors_: list[BaseException] = []

    def create(cluster, name):
        try:
            adapter.create_account(cluster, {"name": name, "host": "%"}, GOOD)
        except BaseException as exc:   # noqa: BLE001 - reported by the assertion below
            errors_.append(exc)
    threads = []
    for i in range(100):                               # interleaved over the clusters
        cluster = f"c-{i % 10}"
        t = threading.Thread(target=create, args=(cluster, f"u{i}"))
        t.start()
        threads.append(t)
        if i < 10:
            assert svc.first[cluster].wait(10)        # that cluster's first call is in flight
    key = lambda c: (adapter.settings, c, "create")   # noqa: E731
    assert _until(lambda: sum(COALESCER.waiting(key(f"c-{i}")) for i in range(10)) == 90)
    svc.release.set()
    for t in threads:
        t.join(30)
    assert not errors_
    assert len(svc.accounts) == 100
    calls = [p for a, p in svc.calls if a == "CreateLibraDBClusterAccounts"]
    assert len(calls) == 20                            # was 100: one per account
    assert sorted(len(p["Accounts"]) for p in calls) == [1] * 10 + [9] * 10
