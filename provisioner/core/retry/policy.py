"""The knobs of every cloud call (RetryPolicy) and the backoff between attempts.

Read from the environment of the provider process (PROVISIONER_CLOUD_*, PROVISIONER_LIBRADB_BATCH_*,
RetryPolicy.ENV) when an adapter is made (provisioner/core/clients.py), never at import; the wait
timeout also follows the stack setting provisioner:waitTimeoutSeconds when its variable is unset.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class RetryPolicy:
    # Wire attempts per call for throttling/transient errors. Sized for a cloud that throttles or
    # fails a quarter of all calls (the e2e chaos test: 20% throttling, 5% 5xx, 2% dropped): a call
    # then fails for good with probability 0.27**12 ~ 2e-7 (at 8 it was 3e-5 per call: a few percent
    # of 1000-call runs failed). A cloud that stays down is still given up on at retry_deadline.
    max_attempts: int = 12
    retry_deadline: float = 60.0     # s: total budget for those retries
    base_delay: float = 0.2          # s: backoff = uniform(0, min(max_delay, base_delay * 2**n))
    max_delay: float = 8.0
    wait_timeout: float = 600.0      # s: how long to wait for an instance to become Running
    wait_base: float = 2.0           # s: first pause between describes while waiting
    wait_max: float = 30.0
    # s: first pause while waiting for an account change to settle (status Available again, a
    # delete gone, a grant visible); grows 1.5x per poll up to wait_max, bounded by wait_timeout.
    settle_base: float = 0.1
    connect_timeout: float = 5.0     # s: SDK HTTP timeouts
    read_timeout: float = 30.0
    # s: account-list and instance cache lifetime (cache.py). A provider process lives for one
    # Pulumi operation and every write through it patches or drops its entry, so the TTL only
    # bounds how long an out-of-band change made *during* the operation goes unseen; 3 s made a
    # 300-account refresh list every cluster twice (docs/benchmarks.md). 0 = keep nothing between
    # reads, but concurrent reads still share one fetch in flight; negative (-1) = no cache at
    # all: every read makes its own call.
    list_ttl: float = 60.0
    batch_window: float = 0.04       # s: LibraDB create/delete coalescing window (0 = off)
    batch_max: int = 20              # accounts per Create/DeleteLibraDBClusterAccounts call (1 = off)

    ENV = {  # field -> environment variable
        "max_attempts": "PROVISIONER_CLOUD_MAX_ATTEMPTS",
        "retry_deadline": "PROVISIONER_CLOUD_RETRY_DEADLINE",
        "base_delay": "PROVISIONER_CLOUD_BASE_DELAY",
        "max_delay": "PROVISIONER_CLOUD_MAX_DELAY",
        "wait_timeout": "PROVISIONER_CLOUD_WAIT_TIMEOUT",
        "wait_base": "PROVISIONER_CLOUD_WAIT_BASE",
        "wait_max": "PROVISIONER_CLOUD_WAIT_MAX",
        "settle_base": "PROVISIONER_CLOUD_SETTLE_BASE",
        "connect_timeout": "PROVISIONER_CLOUD_CONNECT_TIMEOUT",
        "read_timeout": "PROVISIONER_CLOUD_READ_TIMEOUT",
        "list_ttl": "PROVISIONER_CLOUD_LIST_TTL",
        "batch_window": "PROVISIONER_LIBRADB_BATCH_WINDOW",
        "batch_max": "PROVISIONER_LIBRADB_BATCH_MAX",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "RetryPolicy":
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(cls.ENV.get(f.name, ""), "")
            if raw.strip():
                values[f.name] = int(raw) if f.type in ("int", int) else float(raw)
        return cls(**values)


def backoff_delay(n: int, policy: RetryPolicy, rng: Callable[[], float] = random.random) -> float:
    """Full jitter: uniform(0, min(max_delay, base_delay * 2**n)) for the n-th retry (n from 0)."""
    return rng() * min(policy.max_delay, policy.base_delay * (2 ** n))
