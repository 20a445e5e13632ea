"""Rate limiter, backoff schedule, deadlines and the not-ready wait — on a fake clock, no sleeps."""

from __future__ import annotations

import threading

import pytest

from cloud_fakes import FakeClock, tc_error
from provisioner.core import errors
from provisioner.core.adapter import CloudApiError, InstanceInfo
from provisioner.core.retry import limiter as limiter_module
from provisioner.core.retry.caller import Caller
from provisioner.core.retry.counters import CallCounters
from provisioner.core.retry.deadlines import deadline_in
from provisioner.core.retry.limiter import DEFAULT_LIMITS, RateLimiter, TokenBucket, parse_limits
from provisioner.core.retry.policy import RetryPolicy, backoff_delay

POLICY = RetryPolicy(max_attempts=6, retry_deadline=10.0, base_delay=0.2, max_delay=2.0,
                     wait_timeout=30.0, wait_base=1.0, wait_max=4.0)


def caller(clock: FakeClock, policy: RetryPolicy = POLICY, rng=lambda: 1.0) -> Caller:
    return Caller("libradb", policy, limiter=RateLimiter({("*", "*"): 1e9}, clock=clock),
                  counters=CallCounters(), clock=clock, rng=rng)


def script(*outcomes):
    """fn for Caller.call: raise or return the outcomes in order."""
    it = iter(outcomes)

    def fn():
        o = next(it)
        if isinstance(o, BaseException):
            raise o
        return o
    return fn


# --- token bucket / rate limiter -------------------------------------------------------------

def test_token_bucket_spaces_calls_after_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(rate=18, burst=2, clock=clock)
    waits = [bucket.reserve() for _ in range(5)]
    assert waits == pytest.approx([0, 0, 1 / 18, 2 / 18, 3 / 18])
    clock.now = 10.0    # idle: refills up to the burst only
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0, 0, 1 / 18])


@pytest.mark.parametrize("product,action,limit", [
    ("libradb", "CreateLibraDBClusterAccounts", 20), ("libradb", "DescribeLibraDBClusterAccounts", 20),
    ("rds", "CreateAccount", 50), ("rds", "DescribeAccounts", 20), ("polardb", "CreateAccount", 20)])
def test_limiter_never_exceeds_the_documented_limit_in_any_one_second_window(product, action, limit):
    clock = FakeClock()
    limiter = RateLimiter(DEFAULT_LIMITS, clock=clock)
    starts = []
    for _ in range(200):
        limiter.acquire(product, action)
        starts.append(clock.now)
    worst = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
    assert worst <= limit
    assert worst >= limit - 1          # and it does not waste much of the allowance


def test_limiter_buckets_are_per_product_and_action():
    clock = FakeClock()
    limiter = RateLimiter(DEFAULT_LIMITS, clock=clock)
    assert limiter.bucket("rds", "CreateAccount") is limiter.bucket("rds", "CreateAccount")
    assert limiter.bucket("rds", "CreateAccount") is not limiter.bucket("rds", "DeleteAccount")
    assert limiter.bucket("rds", "DeleteAccount") is not limiter.bucket("polardb", "DeleteAccount")


def test_limiter_is_thread_safe_every_token_reserved_once():
    clock = FakeClock()   # frozen: every reservation after the burst must queue behind the others
    bucket = TokenBucket(rate=10, burst=1, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(25):
            w = bucket.reserve()
            with lock:
                waits.append(w)
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == pytest.approx([max(0, i) / 10 for i in range(200)])


def test_parse_limits():
    assert parse_limits("libradb:*=20, rds:CreateAccount=50,*=10") == {
        ("libradb", "*"): 20, ("rds", "CreateAccount"): 50, ("*", "*"): 10}


def test_the_process_limiter_is_built_on_first_use_from_the_environment(monkeypatch):
    monkeypatch.setattr(limiter_module, "_process_limiter", None)   # as in a fresh process
    monkeypatch.setenv("PROVISIONER_CLOUD_RATE_LIMITS", "polardb:*=50,*=10")
    start = threading.Barrier(8)
    built: list[RateLimiter] = []

    def first_use():
        start.wait()
        built.append(limiter_module.process_limiter())
    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shared = built[0]
    assert len(built) == 8 and all(b is shared for b in built)   # one limiter, however many first callers
    assert shared.limit_for("polardb", "CreateAccount") == 50
    assert shared.limit_for("rds", "CreateAccount") == 50        # a default the variable does not set
    assert shared.limit_for("rds", "DeleteAccount") == 10
    monkeypatch.setenv("PROVISIONER_CLOUD_RATE_LIMITS", "*=1")
    assert limiter_module.process_limiter() is shared            # read once, then kept
    assert Caller("rds", POLICY).limiter is shared                # what every Caller uses by default


def test_a_malformed_rate_limit_variable_names_itself():
    with pytest.raises(ValueError, match="PROVISIONER_CLOUD_RATE_LIMITS='rds:CreateAccount': expected"):
        limiter_module.limits_from_env({"PROVISIONER_CLOUD_RATE_LIMITS": "rds:CreateAccount"})


def test_importing_the_retry_modules_configures_nothing():
    import subprocess
    import sys
    code = ("import os; os.environ['PROVISIONER_CLOUD_RATE_LIMITS'] = 'not a limit'; "
            "from provisioner.core.retry import caller, limiter; assert limiter._process_limiter is None; "
            "os.environ['PROVISIONER_CLOUD_RATE_LIMITS'] = 'rds:*=5'; "
            "print(limiter.process_limiter().limit_for('rds', 'DeleteAccount'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "5.0"


def test_policy_from_env():
    p = RetryPolicy.from_env({"PROVISIONER_CLOUD_WAIT_TIMEOUT": "42", "PROVISIONER_LIBRADB_BATCH_MAX": "7",
                              "PROVISIONER_CLOUD_LIST_TTL": ""})
    assert (p.wait_timeout, p.batch_max, p.list_ttl) == (42.0, 7, RetryPolicy().list_ttl)


# --- backoff ------------------------------------------------------------------------------------

def test_backoff_is_full_jitter_exponential_and_capped():
    p = RetryPolicy(base_delay=0.2, max_delay=2.0)
    assert [backoff_delay(n, p, lambda: 1.0) for n in range(6)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    assert backoff_delay(3, p, lambda: 0.25) == pytest.approx(0.4)
    assert backoff_delay(3, p, lambda: 0.0) == 0.0


def test_throttling_is_retried_with_backoff_then_succeeds():
    clock = FakeClock()
    c = caller(clock)
    fn = script(tc_error("RequestLimitExceeded"), tc_error("RequestLimitExceeded"), {"RequestId": "ok"})
    assert c.call("CreateLibraDBClusterAccounts", fn) == {"RequestId": "ok"}
    assert clock.sleeps == pytest.approx([0.2, 0.4])
    assert c.counters.get("libradb:CreateLibraDBClusterAccounts") == 3
    assert c.counters.get("libradb:CreateLibraDBClusterAccounts:RequestLimitExceeded") == 2


def test_retries_stop_at_the_total_deadline():
    clock = FakeClock()
    c = caller(clock, RetryPolicy(max_attempts=100, retry_deadline=1.0, base_delay=0.2, max_delay=5.0))
    with pytest.raises(CloudApiError) as info:
        c.call("X", script(*[tc_error("InternalError")] * 100))
    assert clock.sleeps == pytest.approx([0.2, 0.4])     # the next pause (0.8) would pass 1.0 s
    assert info.value.kind == errors.TRANSIENT and info.value.attempts == 3 and info.value.retryable


def test_retries_stop_at_max_attempts():
    clock = FakeClock()
    c = caller(clock, RetryPolicy(max_attempts=3, retry_deadline=100, base_delay=0.01))
    with pytest.raises(CloudApiError) as info:
        c.call("X", script(*[tc_error("RequestLimitExceeded")] * 10))
    assert info.value.attempts == 3 and info.value.code == "RequestLimitExceeded"


def test_caller_deadline_caps_the_retries():
    clock = FakeClock()
    c = caller(clock, RetryPolicy(max_attempts=100, retry_deadline=100, base_delay=0.2, max_delay=5.0))
    with deadline_in(0.5, clock=clock), pytest.raises(CloudApiError) as info:
        c.call("X", script(*[tc_error("RequestLimitExceeded")] * 100))
    assert clock.now < 0.5 and info.value.attempts == 2


def test_fatal_errors_are_not_retried():
    clock = FakeClock()
    with pytest.raises(CloudApiError) as info:
        caller(clock).call("X", script(tc_error("InvalidParameterValue.IllegalPassword"), {}))
    assert info.value.attempts == 1 and clock.sleeps == [] and not info.value.retryable


def test_bugs_are_not_translated():
    with pytest.raises(KeyError):
        caller(FakeClock()).call("X", script(KeyError("bug")))


def test_after_transient_marks_a_possibly_processed_request():
    clock = FakeClock()
    with pytest.raises(CloudApiError) as info:
        caller(clock).call("X", script(tc_error("ClientNetworkError", "reset"),
                                       tc_error("InvalidParameterValue.AccountAlreadyExistError")))
    assert info.value.kind == errors.EXISTS and info.value.after_transient
    with pytest.raises(CloudApiError) as info:   # throttled requests were never processed
        caller(clock).call("X", script(tc_error("RequestLimitExceeded"),
                                       tc_error("InvalidParameterValue.AccountAlreadyExistError")))
    assert not info.value.after_transient


# --- waiting for the instance ------------------------------------------------------------------

def info(running: bool, locked: bool = False) -> InstanceInfo:
    return InstanceInfo("c-1", "running" if running else "creating", running, locked, "LibraDB", "1.0", "r")


def test_not_ready_waits_for_running_then_retries():
    clock = FakeClock()
    states = iter([info(False), info(True, locked=True), info(True)])
    described = []

    def describe():
        described.append(clock.now)
        return next(states)
    fn = script(tc_error("OperationDenied.InstanceStatusDeniedError"), {"RequestId": "r"})
    assert caller(clock).call("X", fn, describe=describe) == {"RequestId": "r"}
    assert len(described) == 3
    assert clock.sleeps == pytest.approx([1.0, 2.0])   # wait_base, doubled (rng 1.0 = no jitter cut)


def test_not_ready_gives_up_at_the_wait_timeout_with_a_clear_message():
    clock = FakeClock()
    with pytest.raises(CloudApiError) as err:
        caller(clock).call("X", script(tc_error("ResourceUnavailable.InstanceLockFail")),
                           describe=lambda: info(False))
    assert clock.now == pytest.approx(POLICY.wait_timeout)
    assert err.value.kind == errors.NOT_READY and "still not ready (status creating)" in str(err.value)


def test_not_ready_wait_honours_the_caller_deadline():
    clock = FakeClock()
    with deadline_in(5, clock=clock), pytest.raises(CloudApiError):
        caller(clock).call("X", script(tc_error("IncorrectDBInstanceState")), describe=lambda: info(False))
    assert clock.now == pytest.approx(5)


def test_not_ready_without_describe_is_backed_off_inside_the_wait():
    """A read (no instance to describe) refused while the instance is in transition is retried."""
    clock = FakeClock()
    fn = script(tc_error("OperationDenied.DBClusterStatus"), tc_error("OperationDenied.DBClusterStatus"),
                {"RequestId": "r"})
    assert caller(clock).call("X", fn) == {"RequestId": "r"}
    assert clock.sleeps == pytest.approx([0.4, 0.6])   # base + full-jitter backoff (rng 1.0)


def test_deadlines_nest_by_shrinking_unless_replaced():
    from provisioner.core.retry.deadlines import current_deadline, deadline_at
    clock = FakeClock()
    with deadline_in(10, clock=clock):
        with deadline_in(20, clock=clock):
            assert current_deadline() == 10
        with deadline_in(5, clock=clock):
            assert current_deadline() == 5
        with deadline_at(30, replace=True):
            assert current_deadline() == 30
        with deadline_at(None, replace=True):
            assert current_deadline() is None
        assert current_deadline() == 10
    assert current_deadline() is None


@pytest.mark.parametrize("product,status", [("libradb", "isolated"), ("rds", "Deleting"), ("rds", "Released"),
                                            ("rds", "Stopped"), ("polardb", "Deleting")])
def test_a_state_that_never_becomes_running_fails_at_once_naming_it(product, status):
    clock = FakeClock()
    c = Caller(product, POLICY, limiter=RateLimiter({("*", "*"): 1e9}, clock=clock), clock=clock, rng=lambda: 1.0)
    dead = InstanceInfo("i-1", status, False, False, "MySQL", "8.0", "r")
    with pytest.raises(CloudApiError) as err:
        c.call("X", script(tc_error("OperationDenied.InstanceStatusDeniedError")), describe=lambda: dead)
    assert clock.now == 0 and clock.sleeps == []
    assert f"is {status}, a state that never becomes Running" in str(err.value)


@pytest.mark.parametrize("code", ["OperationDenied.DBInstanceStatus", "ConcurrentTaskExceeded", "LockTimeout",
                                  "AccountActionForbidden", "InvalidDB.NotFound", "OperationDenied.OutofUsage",
                                  "InstanceConnectTimeoutFault", "OperationDenied.DBStatus"])
def test_busy_codes_are_retried_with_backoff_inside_the_wait_timeout(code):
    clock = FakeClock()
    c = Caller("rds", POLICY, limiter=RateLimiter({("*", "*"): 1e9}, clock=clock), clock=clock, rng=lambda: 1.0)
    fn = script(*[tc_error(code)] * 12, {"RequestId": "r"})   # more refusals than max_attempts allows
    assert c.call("DescribeAccounts", fn) == {"RequestId": "r"}   # no describe: a read
    assert len(clock.sleeps) == 12 and max(clock.sleeps) <= POLICY.max_delay


def test_busy_gives_up_at_the_wait_timeout_saying_so():
    clock = FakeClock()
    c = Caller("rds", POLICY, limiter=RateLimiter({("*", "*"): 1e9}, clock=clock), clock=clock, rng=lambda: 1.0)
    with pytest.raises(CloudApiError) as err:
        c.call("X", script(*[tc_error("ConcurrentTaskExceeded")] * 100000))
    assert clock.now == pytest.approx(POLICY.wait_timeout)
    assert err.value.kind == errors.BUSY and "still busy after waiting" in str(err.value)
