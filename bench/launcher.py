"""Bench-only launcher of the Python dynamic-provider server (`pulumi.dynamic`).

Run by the bench's own `pulumi-resource-pulumi-python` shim (engine.py) as
`python -u bench/launcher.py ARGS...`, in place of `python -u -m pulumi.dynamic ARGS...`.
Nothing here is used outside the benchmark. Environment switch:

  PROVISIONER_PROVIDER_WORKERS=N     the gRPC server's thread pool gets N workers instead of the
                                     hard-coded 4 (pulumi/dynamic/__main__.py: ThreadPoolExecutor(max_workers=4));
                                     only the pool handed to grpc.server() is replaced, not
                                     the pools the adapters create themselves

Why not the product's own PROVISIONER_PROVIDER_WORKERS (provisioner/core/workers.py)? It
raises the running pool's limit when the first resource call configures the provider. In `up`
that is an early Check, so later calls get the extra threads; in `refresh` and `destroy` the
engine's whole first burst of Read/Delete calls is already queued behind the 4 threads by then,
and ThreadPoolExecutor only starts a thread on a submit that finds no idle permit, so the
provider stays at 4 concurrent calls (measured: 14 provider threads instead of 18-25, see
docs/benchmarks.md). Replacing the pool before the server starts has no such gap. The product
knob still runs in this process and finds the pool already at N (a no-op).
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
