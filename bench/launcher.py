"""Bench-only launcher of the Python dynamic-provider server (`pulumi.dynamic`).

Run by the bench's own `pulumi-resource-pulumi-python` shim (engine.py) as
`python -u bench/launcher.py ARGS...`, in place of `python -u -m pulumi.dynamic ARGS...`.
Nothing here is used outside the benchmark. Environment switches:

  PROVISIONER_PROVIDER_WORKERS=N     the gRPC server's thread pool gets N workers instead of the
                                     hard-coded 4 (pulumi/dynamic/__main__.py: ThreadPoolExecutor(max_workers=4));
                                     only the pool handed to grpc.server() is replaced, not
                                     the pools the adapters create themselves
  PROVISIONER_BENCH_NO_SINGLE_FLIGHT=1
                                     naive baseline: a cache read with TTL <= 0 always does its
                                     own fetch (provisioner/cloud/cache.py otherwise lets
                                     concurrent reads join a fetch in flight even with TTL 0)
"""

from __future__ import annotations

import os
import runpy
import sys

# Our own directory must not shadow anything the provider imports.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]


def _patch_workers(workers: int) -> None:
    from concurrent import futures

    import grpc

    original = grpc.server

    def server(thread_pool=None, *args, **kwargs):
        if isinstance(thread_pool, futures.ThreadPoolExecutor):
            thread_pool.shutdown(wait=False)
            thread_pool = futures.ThreadPoolExecutor(max_workers=workers)
        return original(thread_pool, *args, **kwargs)

    grpc.server = server


def _patch_single_flight() -> None:
    import copy

    from provisioner.cloud import cache

    original = cache.SingleFlightCache.get

    def get(self, key, fetch, ttl, *, fresh=False):
        if ttl <= 0:
            return copy.deepcopy(fetch())
        return original(self, key, fetch, ttl, fresh=fresh)

    cache.SingleFlightCache.get = get


def main() -> None:
    workers = int(os.environ.get("PROVISIONER_PROVIDER_WORKERS") or 0)
    if workers > 0:
        _patch_workers(workers)
    if os.environ.get("PROVISIONER_BENCH_NO_SINGLE_FLIGHT") == "1":
        _patch_single_flight()
    sys.argv[0] = "pulumi.dynamic"
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
