"""The provider's worker limit: a running gRPC server's pool really runs more calls at once."""

import threading
from concurrent import futures

import grpc

from provisioner.core import workers


def test_raising_the_pool_runs_calls_already_queued_at_once():
    pool = futures.ThreadPoolExecutor(max_workers=4)
    server = grpc.server(pool)
    try:
        started, release = threading.Barrier(9), threading.Event()

        def task():
            started.wait(timeout=5)   # all eight must be running at the same time to pass
            release.wait(timeout=5)

        jobs = [pool.submit(task) for _ in range(8)]   # four run, four wait in the queue
        assert workers.raise_server_pools(8) == 8
        started.wait(timeout=5)
        release.set()
        for job in jobs:
            job.result(timeout=5)
    finally:
        server.stop(None)
        pool.shutdown()


def test_not_applied_outside_the_provider_process_or_when_opted_out(monkeypatch):
    assert workers.lift_worker_limit({}) is None
    assert workers.lift_worker_limit({"PROVISIONER_PROVIDER_WORKERS": "16"}) is None   # pytest is not the provider
    raised = []
    monkeypatch.setattr(workers.watchdog, "in_provider_process", lambda: True)
    monkeypatch.setattr(workers, "raise_server_pools", lambda n: raised.append(n) or n)
    assert workers.lift_worker_limit({}) == workers.DEFAULT_WORKERS == 16        # the default
    assert workers.lift_worker_limit({"PROVISIONER_PROVIDER_WORKERS": "32"}) == 32
    assert workers.lift_worker_limit({"PROVISIONER_PROVIDER_WORKERS": "4"}) is None   # opt-out: the SDK's pool
    assert raised == [16, 32]
