"""The three adapters through the real SDKs against the local cloud: CRUD, paging, read caching,
LibraDB create and delete coalescing, throttling, waiting for a Running instance, lost responses."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from provisioner.core import errors
from provisioner.core.adapter import CloudApiError
from provisioner.core.retry.counters import COUNTERS
from provisioner.core.retry.deadlines import deadline_in
from provisioner.core.retry.policy import RetryPolicy

LIBRA, RDS, POLAR = "libradb-local001", "rm-localmysql80", "pc-localmysql01"
PW, PW2 = "Passw0rd!x", "N3w-Passw0rd"


def calls(cloud, key: str, outcome: str = "total") -> int:
    return cloud.counters.snapshot()["calls"].get(key, {}).get(outcome, 0)


# --- CRUD ----------------------------------------------------------------------------------------

def test_libradb_lifecycle(localcloud, adapter):
    a = adapter("libradb")
    info = a.describe_instance(LIBRA)
    assert info.running and info.endpoint == "127.0.0.1:9030"
    privs = {"global": ["PROCESS"], "databases": {"analytics": ["SELECT", "INSERT"]}, "tables": {"events.t1": ["SELECT"]}}
    a.create_account(LIBRA, {"name": "app", "host": "10.0.0.1", "description": "first",
                             "max_user_connections": 50, "privileges": privs}, PW)
    live = a.get_account(LIBRA, "app", "10.0.0.1")
    assert (live.description, live.max_user_connections) == ("first", 50)
    assert live.privileges == {"global": ["PROCESS"], "databases": {"analytics": ["INSERT", "SELECT"]},
                               "tables": {"events.t1": ["SELECT"]}}
    assert a.get_account(LIBRA, "app", "10.0.0.1", fresh=True).privileges == live.privileges

    a.set_password(LIBRA, "app", "10.0.0.1", PW2)
    assert localcloud.admin.verify_password("libradb", LIBRA, "app", PW2, host="10.0.0.1")
    a.set_description(LIBRA, "app", "10.0.0.1", "second")
    a.set_privileges(LIBRA, "app", "10.0.0.1", privs, {"databases": {"events": ["SELECT"]}})
    a.set_host(LIBRA, "app", "10.0.0.1", "%")
    live = a.get_account(LIBRA, "app", "%")
    assert live.description == "second"
    assert live.privileges == {"global": [], "databases": {"events": ["SELECT"]}, "tables": {}}
    assert a.get_account(LIBRA, "app", "10.0.0.1") is None
    assert a.delete_account(LIBRA, "app", "%") is True
    assert a.delete_account(LIBRA, "app", "%") is False
    assert a.get_account(LIBRA, "app", "%") is None


@pytest.mark.parametrize("product,instance", [("rds", RDS), ("polardb", POLAR)])
def test_alibaba_lifecycle(localcloud, adapter, product, instance):
    a = adapter(product)
    info = a.describe_instance(instance)
    assert info.running and not info.locked and info.engine == "MySQL"
    db1, db2 = ("orders", "payments") if product == "rds" else ("inventory", "inventory_archive")
    a.create_account(instance, {"name": "app", "description": "first", "account_type": "Normal",
                                "privileges": {db1: "ReadWrite"}}, PW)
    live = a.get_account(instance, "app", "")
    assert (live.account_type, live.description, live.privileges) == ("Normal", "first", {db1: "ReadWrite"})
    assert set(a.accounts(instance)) == {("app", "")}
    a.set_password(instance, "app", "", PW2)
    assert localcloud.admin.verify_password(product, instance, "app", PW2)
    a.set_description(instance, "app", "", "second")
    a.set_privileges(instance, "app", "", {db1: "ReadWrite"}, {db1: "ReadOnly", db2: "ReadWrite"})
    live = a.get_account(instance, "app", "")
    assert live.description == "second" and live.privileges == {db1: "ReadOnly", db2: "ReadWrite"}
    a.set_privileges(instance, "app", "", live.privileges, {db2: "ReadWrite"})
    assert a.get_account(instance, "app", "").privileges == {db2: "ReadWrite"}
    assert a.delete_account(instance, "app", "") is True
    assert a.delete_account(instance, "app", "") is False


def test_polardb_always_sends_account_type_and_client_token(localcloud, adapter):
    a = adapter("polardb")
    a.create_account(POLAR, {"name": "plain"}, PW, client_token="tok-1")
    assert a.get_account(POLAR, "plain", "").account_type == "Normal"   # the API default would be Super
    a.create_account(POLAR, {"name": "plain"}, PW, client_token="tok-1")  # a retried create: replayed, no error


def test_errors_are_translated(localcloud, adapter):
    with pytest.raises(CloudApiError) as err:
        adapter("rds").create_account("rm-nope", {"name": "app"}, PW)
    assert err.value.kind == errors.NOT_FOUND and err.value.request_id
    with pytest.raises(CloudApiError) as err:
        adapter("rds").create_account(RDS, {"name": "app"}, "weak")
    assert err.value.code == "InvalidAccountPassword.Format" and "weak" not in str(err.value)


# --- paging and read caching ---------------------------------------------------------------------

@pytest.mark.parametrize("product,instance", [("rds", RDS), ("polardb", POLAR), ("libradb", LIBRA)])
def test_list_fetches_every_page(localcloud, adapter, product, instance):
    for i in range(230):
        localcloud.store.insert_account(_account(product, instance, f"u{i:03d}"))
    a = adapter(product)
    accounts = a.accounts(instance)
    assert len(accounts) == 230
    action = "DescribeLibraDBClusterAccounts" if product == "libradb" else "DescribeAccounts"
    assert calls(localcloud, f"{product}:{action}") == {"rds": 2, "polardb": 3, "libradb": 3}[product]


def _account(product, instance, name):
    from provisioner.localcloud.store import Account
    return Account(product, instance, name, "%" if product == "libradb" else "")


@pytest.mark.parametrize("product,instance", [("rds", RDS), ("libradb", LIBRA)])
def test_concurrent_reads_cost_one_describe(localcloud, adapter, product, instance):
    for i in range(8):
        localcloud.store.insert_account(_account(product, instance, f"u{i}"))
    host = "%" if product == "libradb" else ""
    a = adapter(product, list_ttl=30)
    start = threading.Barrier(4)
    found = []

    def read(names):
        start.wait()
        for n in names:
            found.append(a.get_account(instance, n, host, privileges=False))
    threads = [threading.Thread(target=read, args=([f"u{i}", f"u{i + 4}"],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and all(found)
    action = "DescribeLibraDBClusterAccounts" if product == "libradb" else "DescribeAccounts"
    assert calls(localcloud, f"{product}:{action}") == 1
    a.set_description(instance, "u1", host, "changed")        # a write patches the cached list
    before = calls(localcloud, f"{product}:{action}")   # (Alibaba: the write's own wait reads the account)
    assert a.get_account(instance, "u1", host, privileges=False).description == "changed"
    assert calls(localcloud, f"{product}:{action}") == before
    assert a.get_account(instance, "u1", host, fresh=True, privileges=False).description == "changed"
    assert calls(localcloud, f"{product}:{action}") == before + 1


@pytest.mark.parametrize("product,instance", [("rds", RDS), ("libradb", LIBRA)])
def test_list_ttl_minus_one_is_one_describe_per_read(localcloud, adapter, product, instance):
    """PROVISIONER_CLOUD_LIST_TTL=-1: no cache at all, not even a fetch shared by concurrent reads."""
    for i in range(8):
        localcloud.store.insert_account(_account(product, instance, f"u{i}"))
    host = "%" if product == "libradb" else ""
    a = adapter(product, list_ttl=RetryPolicy.from_env({"PROVISIONER_CLOUD_LIST_TTL": "-1"}).list_ttl)
    start = threading.Barrier(4)
    found = []

    def read(names):
        start.wait()
        for n in names:
            found.append(a.get_account(instance, n, host, privileges=False))
    threads = [threading.Thread(target=read, args=([f"u{i}", f"u{i + 4}"],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and all(found)
    action = "DescribeLibraDBClusterAccounts" if product == "libradb" else "DescribeAccounts"
    assert calls(localcloud, f"{product}:{action}") == 8
    a.describe_instance(instance)
    a.describe_instance(instance)
    describe = "DescribeLibraDBClusters" if product == "libradb" else "DescribeDBInstanceAttribute"
    assert calls(localcloud, f"{product}:{describe}") == 2


# --- LibraDB create coalescing -------------------------------------------------------------------

def _create_concurrently(a, requests):
    results: dict[str, object] = {}
    start = threading.Barrier(len(requests))

    def run(account, password):
        start.wait()
        try:
            a.create_account(LIBRA, account, password)
            results[account["name"]] = None
        except CloudApiError as err:
            results[account["name"]] = err
    threads = [threading.Thread(target=run, args=r) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_libradb_concurrent_creates_are_one_call(localcloud, adapter):
    a = adapter("libradb", batch_window=10.0, batch_max=4)   # closes as soon as all four joined
    results = _create_concurrently(a, [({"name": f"b{i}", "host": "%"}, PW) for i in range(4)])
    assert results == {f"b{i}": None for i in range(4)}
    assert calls(localcloud, "libradb:CreateLibraDBClusterAccounts") == 1
    assert len(localcloud.admin.accounts("libradb", LIBRA)) == 4


def test_libradb_batch_errors_reach_only_their_account(localcloud, adapter):
    localcloud.admin.add_account("libradb", LIBRA, "taken", PW)
    a = adapter("libradb", batch_window=10.0, batch_max=4)
    results = _create_concurrently(a, [({"name": "ok1", "host": "%"}, PW), ({"name": "weak", "host": "%"}, "short"),
                                       ({"name": "taken", "host": "%"}, PW), ({"name": "ok2", "host": "%"}, PW)])
    assert results["ok1"] is None and results["ok2"] is None
    assert results["weak"].code == "InvalidParameterValue.IllegalPassword"
    assert results["taken"].code == "InvalidParameterValue.AccountAlreadyExistError"
    names = {x["name"] for x in localcloud.admin.accounts("libradb", LIBRA)}
    assert names == {"ok1", "ok2", "taken"}


# --- LibraDB delete coalescing -------------------------------------------------------------------

def _delete_concurrently(a, names):
    results: dict[str, object] = {}
    start = threading.Barrier(len(names))

    def run(name):
        start.wait()
        try:
            results[name] = a.delete_account(LIBRA, name, "%")
        except CloudApiError as err:
            results[name] = err
    threads = [threading.Thread(target=run, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_libradb_concurrent_deletes_are_one_call(localcloud, adapter):
    for i in range(5):
        localcloud.admin.add_account("libradb", LIBRA, f"d{i}", PW)
    a = adapter("libradb", batch_window=10.0, batch_max=4)   # closes as soon as all four joined
    assert _delete_concurrently(a, [f"d{i}" for i in range(4)]) == {f"d{i}": True for i in range(4)}
    assert calls(localcloud, "libradb:DeleteLibraDBClusterAccounts") == 1
    assert [x["name"] for x in localcloud.admin.accounts("libradb", LIBRA)] == ["d4"]


def test_libradb_batched_delete_of_an_account_already_gone(localcloud, adapter):
    for name in ("a", "c", "d"):
        localcloud.admin.add_account("libradb", LIBRA, name, PW)
    a = adapter("libradb", batch_window=10.0, batch_max=4)
    assert _delete_concurrently(a, ["a", "b", "c", "d"]) == {"a": True, "b": False, "c": True, "d": True}
    assert localcloud.admin.accounts("libradb", LIBRA) == []
    # all-or-nothing: the batch fails on "b", a fresh list shows who is missing, the rest goes again
    assert calls(localcloud, "libradb:DeleteLibraDBClusterAccounts") == 2
    assert calls(localcloud, "libradb:DeleteLibraDBClusterAccounts", "InvalidParameterValue.AccountNotExistError") == 1
    assert calls(localcloud, "libradb:DescribeLibraDBClusterAccounts") == 1


@pytest.mark.parametrize("mode", ["reset", "truncate"])
def test_libradb_batched_delete_with_its_response_lost_succeeds(localcloud, adapter, mode):
    for i in range(3):
        localcloud.admin.add_account("libradb", LIBRA, f"d{i}", PW)
    localcloud.admin.script({"match": "libradb:DeleteLibraDBClusterAccounts", "count": 1,
                             "fault": "drop_after", "drop_mode": mode})
    a = adapter("libradb", batch_window=10.0, batch_max=3)
    assert _delete_concurrently(a, ["d0", "d1", "d2"]) == {"d0": True, "d1": True, "d2": True}
    assert localcloud.admin.accounts("libradb", LIBRA) == []
    assert calls(localcloud, "libradb:DeleteLibraDBClusterAccounts", "DROP_AFTER") == 1


# --- throttling, waiting, lost responses -----------------------------------------------------------

def test_throttling_is_retried(localcloud, adapter):
    localcloud.admin.script({"match": "rds:CreateAccount", "count": 2, "fault": "throttle"},
                            {"match": "libradb:ModifyLibraDBClusterAccountDescription", "count": 2, "fault": "throttle"})
    adapter("rds").create_account(RDS, {"name": "app"}, PW)
    assert calls(localcloud, "rds:CreateAccount", "Throttling") == 2 and calls(localcloud, "rds:CreateAccount", "OK") == 1
    a = adapter("libradb")
    a.create_account(LIBRA, {"name": "app", "host": "%"}, PW)
    a.set_description(LIBRA, "app", "%", "after throttling")
    assert calls(localcloud, "libradb:ModifyLibraDBClusterAccountDescription", "RequestLimitExceeded") == 2


def test_transient_server_errors_are_retried(localcloud, adapter):
    localcloud.admin.script({"match": "polardb:DescribeAccounts", "count": 1, "fault": "http503"},
                            {"match": "polardb:DescribeAccounts", "count": 1, "fault": "internal"},
                            {"match": "libradb:DescribeLibraDBClusterAccounts", "count": 1, "fault": "drop_before"})
    assert adapter("polardb").accounts(POLAR) == {}
    assert adapter("libradb")._accounts(LIBRA) == {}
    assert calls(localcloud, "polardb:DescribeAccounts") == 3


@pytest.mark.parametrize("product,instance,describe,bad,good", [
    ("rds", RDS, "DescribeDBInstanceAttribute", {"status": "Creating"}, {"status": "Running"}),
    ("polardb", POLAR, "DescribeDBClusterAttribute", {"lock_mode": "ManualLock"}, {"lock_mode": "Unlock"}),
    ("libradb", LIBRA, "DescribeLibraDBClusters", {"status": "creating"}, {"status": "running"}),
])
def test_waits_while_the_instance_is_not_running(localcloud, adapter, product, instance, describe, bad, good):
    localcloud.admin.set_instance(product, instance, **bad)
    a = adapter(product)
    outcome: list[object] = []

    def create():
        try:
            a.create_account(instance, {"name": "waiter", "host": "%"}, PW)
            outcome.append("ok")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome.append(exc)
    t = threading.Thread(target=create)
    t.start()
    # Flip the instance back once the adapter has looked at it (an event, not a sleep).
    assert COUNTERS.wait_for(lambda c: c.get(f"{product}:{describe}", 0) >= 1, timeout=30)
    localcloud.admin.set_instance(product, instance, **good)
    t.join(60)
    assert outcome == ["ok"]
    assert len(localcloud.admin.accounts(product, instance)) == 1


def test_waiting_is_bounded_by_the_caller_deadline(localcloud, adapter):
    localcloud.admin.set_instance("rds", RDS, status="Creating")
    with deadline_in(0.3), pytest.raises(CloudApiError) as err:
        adapter("rds").create_account(RDS, {"name": "waiter"}, PW)
    assert err.value.kind == errors.NOT_READY and "still not ready (status Creating)" in str(err.value)


@pytest.mark.parametrize("product,instance,action", [
    ("rds", RDS, "CreateAccount"), ("polardb", POLAR, "CreateAccount"),
    ("libradb", LIBRA, "CreateLibraDBClusterAccounts")])
def test_lost_response_create_is_success(localcloud, adapter, product, instance, action):
    localcloud.admin.script({"match": f"{product}:{action}", "count": 1, "fault": "drop_after"})
    adapter(product).create_account(instance, {"name": "lost", "host": "%", "description": "mine"}, PW)
    assert calls(localcloud, f"{product}:{action}", "DROP_AFTER") == 1
    assert [x["name"] for x in localcloud.admin.accounts(product, instance)] == ["lost"]


def test_exists_after_a_dropped_request_is_not_mistaken_for_ours(localcloud, adapter):
    localcloud.admin.add_account("rds", RDS, "lost", PW, description="someone-else")
    localcloud.admin.script({"match": "rds:CreateAccount", "count": 1, "fault": "drop_before"})
    with pytest.raises(CloudApiError) as err:
        adapter("rds").create_account(RDS, {"name": "lost", "description": "mine"}, PW)
    assert err.value.kind == errors.EXISTS


def test_lost_response_delete_counts_as_deleted(localcloud, adapter):
    a = adapter("rds")
    a.create_account(RDS, {"name": "gone"}, PW)
    localcloud.admin.script({"match": "rds:DeleteAccount", "count": 1, "fault": "drop_after"})
    assert a.delete_account(RDS, "gone", "") is True


@pytest.mark.parametrize("product,instance", [("rds", RDS), ("libradb", LIBRA), ("polardb", POLAR)])
def test_passwords_stay_out_of_logs_even_at_debug(localcloud, adapter, caplog, product, instance):
    import logging
    caplog.set_level(logging.DEBUG)
    localcloud.admin.script({"match": f"{product}:*", "count": 1, "fault": "drop_after"})
    a = adapter(product)
    a.create_account(instance, {"name": "logged", "host": "%"}, PW)
    a.set_password(instance, "logged", "%", PW2)
    assert "cloud call" in caplog.text
    assert PW not in caplog.text and PW2 not in caplog.text and "Passw0rd" not in caplog.text


def test_client_side_rate_limit_keeps_the_cloud_from_throttling(localcloud, adapter):
    for i in range(45):
        localcloud.store.insert_account(_account("libradb", LIBRA, f"u{i:02d}"))
    a = adapter("libradb")
    names = [name for name, _host in a.accounts(LIBRA)]
    with ThreadPoolExecutor(max_workers=8) as pool:   # 1 list + 45 privilege reads, 8 at a time
        accounts = list(pool.map(lambda name: a.get_account(LIBRA, name, "%"), names))
    assert len(accounts) == 45 and all(account is not None for account in accounts)
    assert calls(localcloud, "libradb:DescribeLibraDBClusterAccountAllPrivileges", "OK") == 45
    assert calls(localcloud, "libradb:DescribeLibraDBClusterAccountAllPrivileges", "RequestLimitExceeded") == 0
