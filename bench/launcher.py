"""Bench-only launcher of the Python dynamic-provider server (`pulumi.dynamic`).

Run by the bench's own `pulumi-resource-pulumi-python` shim (engine.py) as
`python -u bench/launcher.py ARGS...`, in place of `python -u -m pulumi.dynamic ARGS...`.
Nothing here is used outside the benchmark. Environment switch:

  PROVISIONER_PROVIDER_WORKERS=N     the gRPC server's thread pool gets N workers instead of the
                                     hard-coded 4 (pulumi/dynamic/__main__.py: ThreadPoolExecutor(max_workers=4));
                                     only the pool handed to grpc.server() is replaced, not
                                     the pools the adapters create themselves

Why the bench still has its own: the product's PROVISIONER_PROVIDER_WORKERS
(provisioner/core/workers.py, 16 by default) raises the running pool's limit when the first
resource call configures the provider. Before commit e86a050 it did not start the extra threads,
and ThreadPoolExecutor only starts one on a submit that finds no idle permit, so in `refresh`
and `destroy`, whose first burst of calls was already queued behind the four threads, the
provider stayed at four concurrent calls. Since then the knob starts the missing threads at
once, and a side measurement (docs/benchmarks.md, "The product's PROVISIONER_PROVIDER_WORKERS
now gives comparable results") found its wall times within the noise of this launcher's. The
bench has not been switched to it: the worker variants and the reference still run through this
launcher, which replaces the pool before the server starts and so starts threads on demand (the
product knob starts all N at once). The product knob still runs in this process and finds the
pool already at N (a no-op).
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


def main() -> None:
    workers = int(os.environ.get("PROVISIONER_PROVIDER_WORKERS") or 0)
    if workers > 0:
        _patch_workers(workers)
    sys.argv[0] = "pulumi.dynamic"
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
