"""No process left behind: `pulumi up` killed with SIGKILL (a CI runner's timeout, the OOM
killer) at several points, and within a few seconds no process of that run is alive — the
language host, the program it runs, the dynamic provider.

Every process of the run is recorded by pid (and start time) while it runs, by walking /proc down
from `pulumi`; the engine starts its plugins in process groups of their own, so killing `pulumi`
alone reaches none of them: each must notice by itself that its engine is gone
(scripts/engine/langhost/enginewatch.go, provisioner/core/watchdog.py).

The kill points: before any cloud call (the program has not declared anything yet); once the
dynamic-provider process runs but before any request for one of our resources (the program
declares only a resource of its own test provider, whose check waits: the provider process
has not loaded our provider, so only the watchdog that the .pth file starts at its interpreter
start ends it — provisioner/_provider_boot.py); in the preview of `pulumi up` (the provider has checked every account, live checks included, and
created nothing); during the creates (slowed by the local cloud's latency, killed once the
first account exists).
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from processes import alive_after, descendants

ACCOUNTS = {
    "analyst": {"kind": "libradb", "cluster_id": "libradb-local001", "name": "analyst",
                "privileges": {"databases": {"analytics": ["SELECT"]}}},
    "orders": {"kind": "rds", "instance_id": "rm-localmysql80", "name": "orders_app",
               "privileges": {"orders": "ReadWrite"}},
    "inventory": {"kind": "polardb", "cluster_id": "pc-localmysql01", "name": "inventory_app",
                  "privileges": {"inventory": "DMLOnly"}},
}
GONE_WITHIN = 5.0      # seconds: the host polls every 0.2 s, the provider's watchdog every 0.5 s
DEADLINE = 120.0       # for reaching the kill point
LANGUAGE_HOST, PROGRAM, PROVIDER = "pulumi-language-python ", "pulumi-language-python-exec", "pulumi.dynamic"


def open_when_read(fifo) -> int | None:
    """The FIFO's write end once the program waits on it, else None (nobody reads it yet)."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            return None
        raise


@pytest.mark.parametrize("point", ["before-any-cloud-call", "provider-before-any-request", "in-the-preview",
                                   "during-creates"])
def test_killed_up_leaves_no_process_behind(stack, tmp_path, point):
    admin = stack.cloud.admin
    stack.declare(ACCOUNTS)
    fifo = tmp_path / "hold"
    os.mkfifo(fifo)
    env = dict(stack.env, E2E_HOLD_FIFO=str(fifo))
    if point == "before-any-cloud-call":
        env["E2E_HOLD_AT"], args = "start", ["--skip-preview"]
    elif point == "provider-before-any-request":
        env["E2E_HOLD_AT"], args = "provider", ["--skip-preview"]
    elif point == "in-the-preview":
        env["E2E_HOLD_AT"], args = "preview", []
    else:
        admin.update_faults({"latency": {"*": {"base_ms": 150, "jitter_ms": 50}}})
        args = ["--skip-preview"]

    held_fds: list[int] = []

    def reached() -> bool:
        if point == "during-creates":
            declared = {spec["name"] for spec in ACCOUNTS.values()}
            return any(a["name"] in declared for a in admin.accounts())   # created, privileges not set yet
        held = open_when_read(fifo)
        if held is not None:
            held_fds.append(held)            # kept open: the program stays blocked reading
        return held is not None

    up = subprocess.Popen(["pulumi", "up", "--yes", "--non-interactive", *args], cwd=stack.dir, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    run = {}
    try:
        until = time.monotonic() + DEADLINE
        while up.poll() is None and time.monotonic() < until:
            run.update(descendants(up.pid))
            if reached():
                break
            time.sleep(0.02)
        assert up.poll() is None, f"the run ended before the kill point {point}:\n{up.stdout.read()}"
        assert time.monotonic() < until, f"kill point {point} not reached in {DEADLINE} s"
        run.update(descendants(up.pid))
        calls = admin.counters()["calls"]
        if point in ("before-any-cloud-call", "provider-before-any-request"):
            assert calls == {}, calls
        elif point == "in-the-preview":
            assert not any("Create" in action for action in calls), calls   # checked, nothing created
        os.kill(up.pid, signal.SIGKILL)
        up.wait()
        killed = time.monotonic()

        kinds = {kind for kind in (LANGUAGE_HOST, PROGRAM, PROVIDER)
                 if any(kind in p.cmdline + " " for p in run.values())}
        expected = {LANGUAGE_HOST, PROGRAM} | (set() if point == "before-any-cloud-call" else {PROVIDER})
        assert kinds == expected, [p.cmdline for p in run.values()]
        left = alive_after(run.values(), GONE_WITHIN)
        assert left == [], (f"alive {time.monotonic() - killed:.1f} s after the kill of `pulumi up` "
                            f"({point}): {[p.cmdline for p in left]}")
    finally:
        for fd in held_fds:
            os.close(fd)
        if up.poll() is None:
            up.kill()
        for proc in run.values():   # whatever outlived the test's deadline
            proc.kill()


def test_language_host_exits_once_its_engine_stops_answering(pulumi_bin):
    """The host's other watch (enginewatch.go): its parent here stays alive (this test), only the
    "engine" — a gRPC server that answers health checks, at the address the engine passes — goes."""
    import grpc

    checks = threading.Semaphore(0)

    def check(request: bytes, context) -> bytes:
        checks.release()
        return b"\x08\x01"   # HealthCheckResponse{status: SERVING}

    engine = grpc.server(ThreadPoolExecutor(2))
    engine.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)})])
    port = engine.add_insecure_port("127.0.0.1:0")
    engine.start()
    host = subprocess.Popen([os.path.join(pulumi_bin, "pulumi-language-python"), f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert host.stdout.readline().strip().isdigit()             # serving: it printed its port
        for _ in range(2):                                           # it checks, and stays while answered
            assert checks.acquire(timeout=10), "the language host does not check its engine's health"
        assert host.poll() is None
        engine.stop(None).wait()
        stopped = time.monotonic()
        assert host.wait(timeout=10) == 75, host.stderr.read()
        assert time.monotonic() - stopped < GONE_WITHIN
        assert "the engine is gone" in host.stderr.read()
    finally:
        if host.poll() is None:
            host.kill()
        engine.stop(None)
