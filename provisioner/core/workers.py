"""More than four concurrent calls in the dynamic-provider process (16 by default).

`python -m pulumi.dynamic` serves the engine's gRPC calls on ThreadPoolExecutor(max_workers=4),
hard-coded, so at most four creates/reads/updates run at once however high `pulumi up --parallel`
is, and every call waits ~50-100 ms per cloud round trip. The provider raises that pool's limit
to PROVISIONER_PROVIDER_WORKERS (default DEFAULT_WORKERS) the first time it is configured and
starts the extra threads at once, so the calls already queued run too. This works on a standard
Pulumi install. It touches private attributes of grpc's server state and of the pool: when they
are not there (another grpc or SDK), nothing changes and the SDK's four workers serve as before.
PROVISIONER_PROVIDER_WORKERS=4 (or lower) keeps the SDK's pool as it is. The cloud rate limits
are kept by the client-side limiter (provisioner/core/retry/limiter.py), whatever the concurrency.
Measured in docs/benchmarks.md.
"""

from __future__ import annotations

import gc
import logging
import os
from concurrent.futures import ThreadPoolExecutor

from provisioner.core import watchdog

log = logging.getLogger("provisioner.resources")

DEFAULT_WORKERS = 16   # the engine's --parallel is 8 on 2 cores (4 x GOMAXPROCS); measured in docs/benchmarks.md
SDK_WORKERS = 4        # pulumi/dynamic/__main__.py


def lift_worker_limit(environ: dict[str, str] | None = None) -> int | None:
    """Raise the provider server's worker limit; the new limit, or None when not applied."""
    wanted = (environ if environ is not None else os.environ).get("PROVISIONER_PROVIDER_WORKERS", "").strip()
    workers = int(wanted) if wanted else DEFAULT_WORKERS
    if workers <= SDK_WORKERS or not watchdog.in_provider_process():
        return None
    try:
        return raise_server_pools(workers)
    except (ImportError, AttributeError) as exc:   # grpc's internals moved: keep the SDK's pool
        log.warning("provider worker threads left at the SDK's %d: %s", SDK_WORKERS, exc)
        return None


def raise_server_pools(workers: int) -> int | None:
    from grpc._server import _ServerState  # the server keeps its pool here

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
