"""Opt-in: more than four concurrent calls in the dynamic-provider process.

`python -m pulumi.dynamic` serves the engine's gRPC calls on ThreadPoolExecutor(max_workers=4),
hard-coded, so at most four creates/reads/updates run at once however high `pulumi up --parallel`
is. With PROVISIONER_PROVIDER_WORKERS=N set, the provider raises that pool's limit to N the first
time it is configured: ThreadPoolExecutor starts threads on demand up to `_max_workers`, so a
larger value takes effect for the next calls. This works on a standard Pulumi install. It
touches a private attribute of the pool (found through grpc's server state), which is why it
is opt-in; measured gains are in docs/benchmarks.md.
"""

from __future__ import annotations

import gc
import logging
import os
from concurrent.futures import ThreadPoolExecutor

from provisioner.resources import watchdog

log = logging.getLogger("provisioner.resources")


def lift_worker_limit(environ: dict[str, str] | None = None) -> int | None:
    """Raise the provider server's worker limit; the new limit, or None when not applied."""
    wanted = (environ if environ is not None else os.environ).get("PROVISIONER_PROVIDER_WORKERS", "")
    if not wanted.strip() or not watchdog.in_provider_process():
        return None
    return raise_server_pools(int(wanted))


def raise_server_pools(workers: int) -> int | None:
    from grpc._server import _ServerState   # the server keeps its pool here

    raised = None
    for state in (o for o in gc.get_objects() if isinstance(o, _ServerState)):
        pool = getattr(state, "thread_pool", None)
        if isinstance(pool, ThreadPoolExecutor) and pool._max_workers < workers:
            with pool._shutdown_lock:
                pool._max_workers = workers
                # Calls already queued (the engine's first burst) would wait for the four busy
                # threads: start the extra threads now; each takes work from the queue.
                for _ in range(workers):
                    pool._adjust_thread_count()
            raised = workers
    if raised:
        log.info("provider worker threads raised to %d", raised)
    return raised
