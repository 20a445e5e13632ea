"""Fault injection: the plan (unit, with a fake clock) and its effect on the wire (fake services)."""

from __future__ import annotations

import threading

import httpx
import pytest

from provisioner.localcloud.admin_client import AdminRequestError
from provisioner.localcloud.faults import Counters, Faults


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _faults(config=None) -> tuple[Faults, Clock]:
    clock = Clock()
    return Faults(config, clock=clock), clock


def _throttled(faults: Faults, product: str, action: str, n: int) -> list[bool]:
    return [faults.decide(product, action).fault == "throttle" for _ in range(n)]


# --- the plan ----------------------------------------------------------------------------------

def test_default_rate_limits_are_the_documented_ones():
    faults, _ = _faults()
    for action in ("CreateLibraDBClusterAccounts", "DescribeLibraDBClusterAccounts",
                   "ModifyLibraDBClusterAccountPrivilege", "ResetLibraDBClusterAccountPassword"):
        assert _throttled(faults, "libradb", action, 21) == [False] * 20 + [True], action
    assert _throttled(faults, "rds", "CreateAccount", 51) == [False] * 50 + [True]
    # Not limited by default: other actions, other products.
    assert not any(_throttled(faults, "libradb", "DescribeLibraDBClusters", 100))
    assert not any(_throttled(faults, "rds", "DeleteAccount", 100))
    assert not any(_throttled(faults, "polardb", "CreateAccount", 100))


def test_sliding_window_is_exact():
    faults, clock = _faults({"rate_limits": {"rds:CreateAccount": 3}})
    for t in (0.0, 0.3, 0.6):
        clock.now = 1000 + t
        assert faults.decide("rds", "CreateAccount").fault is None
    clock.now = 1000.99
    decision = faults.decide("rds", "CreateAccount")
    assert (decision.fault, decision.source) == ("throttle", "rate_limit")
    clock.now = 1001.0      # the call at t=0 leaves the window, one slot frees up
    assert faults.decide("rds", "CreateAccount").fault is None
    assert faults.decide("rds", "CreateAccount").fault == "throttle"
    clock.now = 1001.6      # t=0.3 and t=0.6 left; rejected calls never entered the window
    assert _throttled(faults, "rds", "CreateAccount", 3) == [False, False, True]


def test_rate_limit_is_per_action_and_product():
    faults, _ = _faults({"rate_limits": {"CreateAccount": 2}})  # no ":" -> every product
    assert _throttled(faults, "rds", "CreateAccount", 3) == [False, False, True]
    assert _throttled(faults, "polardb", "CreateAccount", 3) == [False, False, True]
    assert not any(_throttled(faults, "rds", "DeleteAccount", 3))


def test_rate_limiter_is_thread_safe():
    faults, _ = _faults({"rate_limits": {"rds:CreateAccount": {"limit": 100, "window_s": 60}}})
    results: list[bool] = []
    lock = threading.Lock()

    def worker():
        got = _throttled(faults, "rds", "CreateAccount", 50)
        with lock:
            results.extend(got)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(False) == 100 and results.count(True) == 300


def test_scripted_faults_come_first_and_run_out():
    faults, _ = _faults({"rate_limits": {"rds:CreateAccount": 1}, "scripted": [
        {"match": "rds:CreateAccount", "count": 2, "code": "Database.ConnectError", "status": 400}]})
    first, second = faults.decide("rds", "CreateAccount"), faults.decide("rds", "CreateAccount")
    assert [(d.fault, d.source, d.code, d.status) for d in (first, second)] == [
        ("error", "scripted", "Database.ConnectError", 400)] * 2
    assert faults.decide("rds", "CreateAccount").fault is None       # scripted used up ...
    assert faults.decide("rds", "CreateAccount").fault == "throttle"  # ... then the rate limit
    assert faults.config()["scripted"] == []


def test_scripted_matching_and_drop_mode():
    faults, _ = _faults({"rate_limits": {}})
    faults.script([{"match": "libradb:*Account*", "fault": "drop_after", "drop_mode": "truncate"},
                   {"match": "DeleteAccount", "fault": "http503"}])
    assert faults.decide("rds", "CreateAccount").fault is None
    d = faults.decide("libradb", "DeleteLibraDBClusterAccounts")
    assert (d.fault, d.drop_mode) == ("drop_after", "truncate")
    assert faults.decide("polardb", "DeleteAccount").fault == "http503"
    assert faults.decide("polardb", "DeleteAccount").fault is None


def test_random_faults_are_reproducible_and_honour_rates():
    config = {"seed": 7, "rate_limits": {}, "errors": {"rds:*": {"throttle": 0.2, "drop_after": 0.1}}}
    runs = []
    for _ in range(2):
        faults, _ = _faults(config)
        runs.append([faults.decide("rds", "CreateAccount").fault for _ in range(2000)])
    assert runs[0] == runs[1]
    assert 300 < runs[0].count("throttle") < 500 and 120 < runs[0].count("drop_after") < 280
    assert runs[0].count(None) == 2000 - runs[0].count("throttle") - runs[0].count("drop_after")
    faults, _ = _faults(config)
    assert all(faults.decide("polardb", "CreateAccount").fault is None for _ in range(200))


def test_latency_with_jitter():
    faults, _ = _faults({"seed": 1, "latency": {"*": 5, "rds:CreateAccount": {"base_ms": 100, "jitter_ms": 50}}})
    delays = [faults.decide("rds", "CreateAccount").delay_ms for _ in range(200)]
    assert all(100 <= d <= 150 for d in delays) and len(set(delays)) > 100
    assert faults.decide("libradb", "DescribeLibraDBClusters").delay_ms == 5  # "*" is the fallback


@pytest.mark.parametrize("config", [
    {"nope": 1}, {"rate_limits": {"rds:CreateAccount": 0}}, {"rate_limits": {"x": {"limit": 1, "window_s": 0}}},
    {"errors": {"*": {"throttle": 1.5}}}, {"errors": {"*": {"throttle": 0.6, "internal": 0.6}}},
    {"errors": {"*": {"typo": 0.1}}}, {"scripted": [{"fault": "explode"}]}, {"scripted": [{"fault": "error"}]},
    {"scripted": [{"code": "X", "count": 0}]}, {"scripted": [{"code": "X", "status": 200}]},
    {"drop_mode": "smoke"}, {"latency": {"*": -1}},
])
def test_invalid_configs_are_rejected(config):
    with pytest.raises(ValueError):
        Faults(config)


def test_update_and_restore():
    faults, _ = _faults({"seed": 3, "latency": {"*": 1}})
    faults.update({"errors": {"*": {"internal": 1.0}}})
    assert faults.config()["latency"] == {"*": {"base_ms": 1.0, "jitter_ms": 0.0}}
    assert faults.decide("rds", "X").fault == "internal"
    faults.restore()
    assert faults.config()["errors"] == {} and faults.config()["seed"] == 3


def test_counters():
    counters = Counters()
    faults, _ = _faults({"rate_limits": {"rds:CreateAccount": 1}, "latency": {"*": 2}})
    for outcome in ("OK", "Throttling"):
        counters.record("rds", "CreateAccount", outcome, faults.decide("rds", "CreateAccount"))
    snap = counters.snapshot()
    assert snap["calls"] == {"rds:CreateAccount": {"total": 2, "OK": 1, "Throttling": 1}}
    assert snap["injected"] == {"rate_limit:throttle": 1}
    assert snap["latency"] == {"delayed_calls": 2, "total_ms": 4.0}
    counters.reset()
    assert counters.snapshot()["calls"] == {}


# --- on the wire -------------------------------------------------------------------------------

def test_rate_limit_envelopes(localcloud_factory, fake_registry, raw_client):
    cloud = localcloud_factory(registry=fake_registry, faults={"rate_limits": {
        "libradb:Echo": {"limit": 2, "window_s": 3600}, "rds:Echo": {"limit": 2, "window_s": 3600}}})
    raw = raw_client(cloud)
    assert [raw.tencent("Echo").json()["Response"].get("Error") for _ in range(2)] == [None, None]
    throttled = raw.tencent("Echo")
    assert throttled.status_code == 200 and throttled.headers["content-type"] == "application/json"
    error = throttled.json()["Response"]["Error"]
    assert error["Code"] == "RequestLimitExceeded" and "`2`" in error["Message"]

    assert [raw.rpc("Echo").status_code for _ in range(2)] == [200, 200]
    resp = raw.acs3("Echo")
    assert resp.status_code == 400
    assert resp.json()["Code"] == "Throttling"
    assert resp.json()["Message"] == "Request was denied due to request throttling."
    counts = cloud.admin.counters()
    assert counts["calls"]["rds:Echo"] == {"total": 3, "OK": 2, "Throttling": 1}
    assert counts["injected"] == {"rate_limit:throttle": 2}


def test_default_limits_on_the_wire(localcloud_factory, fake_registry, raw_client):
    """21 LibraDB account calls in the same instant: the 21st is throttled (frozen clock)."""
    cloud = localcloud_factory(registry=fake_registry, faults=Faults(clock=lambda: 0.0))
    raw = raw_client(cloud)
    codes = [raw.tencent("CreateLibraDBClusterAccounts", {"ClusterId": "libradb-local001", "Accounts": [
        {"AccountName": f"u{i}", "AccountPassword": "Pw123456!x"}]}).json()["Response"].get("Error", {}).get("Code")
             for i in range(21)]
    assert codes == [None] * 20 + ["RequestLimitExceeded"]
    assert len(cloud.store.list_accounts("libradb")) == 20


def test_scripted_error_via_admin(fakecloud, raw):
    fakecloud.admin.script({"match": "rds:CreateAccount", "count": 2, "code": "Database.ConnectError",
                            "message": "Database connect error.", "status": 503})
    params = {"DBInstanceId": "rm-localmysql80", "AccountPassword": "Pw123456!x"}
    first, second = raw.rpc("CreateAccount", AccountName="a1", **params), raw.rpc("CreateAccount", AccountName="a2", **params)
    assert [(r.status_code, r.json()["Code"]) for r in (first, second)] == [(503, "Database.ConnectError")] * 2
    assert raw.rpc("CreateAccount", AccountName="a3", **params).status_code == 200
    assert [a.name for a in fakecloud.store.list_accounts("rds")] == ["a3"]


@pytest.mark.parametrize("mode", ["reset", "truncate"])
def test_drop_after_processing_applies_the_change(fakecloud, raw, mode):
    fakecloud.admin.script({"match": "rds:CreateAccount", "fault": "drop_after", "drop_mode": mode},
                           {"match": "libradb:*", "fault": "drop_before", "drop_mode": mode})
    with pytest.raises(httpx.TransportError):
        raw.rpc("CreateAccount", DBInstanceId="rm-localmysql80", AccountName="lost", AccountPassword="Pw123456!x")
    with pytest.raises(httpx.TransportError):
        raw.tencent("CreateLibraDBClusterAccounts", {"ClusterId": "libradb-local001", "Accounts": [
            {"AccountName": "never", "AccountPassword": "Pw123456!x"}]})
    assert fakecloud.admin.verify_password("rds", "rm-localmysql80", "lost", "Pw123456!x")  # applied
    assert fakecloud.store.list_accounts("libradb") == []                                  # not applied
    # The retry sees the effect of the lost call, as with a real cloud.
    retry = raw.rpc("CreateAccount", DBInstanceId="rm-localmysql80", AccountName="lost", AccountPassword="Pw123456!x")
    assert retry.json()["Code"] == "InvalidAccountName.Duplicate"
    calls = fakecloud.admin.counters()["calls"]
    assert calls["rds:CreateAccount"] == {"total": 2, "DROP_AFTER": 1, "InvalidAccountName.Duplicate": 1}
    assert calls["libradb:CreateLibraDBClusterAccounts"] == {"total": 1, "DROP_BEFORE": 1}


def test_http_503_and_internal(fakecloud, raw):
    fakecloud.admin.script({"fault": "http503", "count": 2}, {"fault": "internal", "count": 2})
    for resp in (raw.tencent("Echo"), raw.rpc("Echo")):
        assert resp.status_code == 503 and resp.headers["content-type"] == "text/html"
        assert b"503 Service Temporarily Unavailable" in resp.content
    assert raw.tencent("Echo").json()["Response"]["Error"]["Code"] == "InternalError"   # HTTP 200
    resp = raw.rpc("Echo")
    assert resp.status_code == 500 and resp.json()["Code"] == "InternalError"


def test_latency_is_injected_and_counted(fakecloud, raw):
    fakecloud.admin.update_faults({"latency": {"*:Echo": {"base_ms": 2, "jitter_ms": 3}}})
    for _ in range(5):
        raw.rpc("Echo")
    raw.rpc("DescribeAccounts")
    latency = fakecloud.admin.counters()["latency"]
    assert latency["delayed_calls"] == 5 and 10 <= latency["total_ms"] <= 25


def test_random_faults_on_the_wire_are_reproducible(localcloud_factory, fake_registry, raw_client):
    plan = {"seed": 42, "rate_limits": {}, "errors": {"rds:Echo": {"throttle": 0.3, "internal": 0.2}}}
    outcomes = []
    for _ in range(2):
        raw = raw_client(localcloud_factory(registry=fake_registry, faults=plan))
        outcomes.append([raw.rpc("Echo").json().get("Code") for _ in range(40)])
    assert outcomes[0] == outcomes[1]
    assert {"Throttling", "InternalError", None} == set(outcomes[0])


def test_admin_fault_endpoints(fakecloud):
    admin = fakecloud.admin
    assert admin.faults()["rate_limits"] == {}
    assert admin.set_faults({"errors": {"*": {"throttle": 0.5}}})["rate_limits"]["rds:CreateAccount"]["limit"] == 50
    with pytest.raises(AdminRequestError) as err:
        admin.set_faults({"errors": {"*": {"throttle": 2}}})
    assert err.value.status == 400 and "errors" in err.value.message
    assert admin.restore_faults()["errors"] == {}
    admin.script({"fault": "internal"})
    admin.reset()   # also clears pending scripted faults and counters
    assert admin.faults()["scripted"] == [] and admin.counters()["calls"] == {}
