"""The rate-limit floor of a phase.

The documented limits are per (product, action): every LibraDB account action 20 req/s,
RDS CreateAccount 50 req/s. Each action's limit is independent of the others (the local cloud
keeps one sliding window per product:Action, as the real gateways do per API), so the
buckets drain in parallel and the phase can finish no sooner than its slowest bucket:

    floor = max over limited actions a of  calls(a) / limit(a)

`calls(a)` is either what the phase inherently needs (workload.inherent_calls: the floor that
any implementation faces) or what a run actually made (the floor that implementation set
itself). Actions with no documented limit do not enter the floor.

The provisioner's own client-side limiter (provisioner/core/retry/limiter.py) is stricter: it paces
every bucket at 90% of its limit (keeping 10% as burst) and applies a conservative 20 req/s to
actions with no documented limit. `policy_floor` is the same max over the calls a run made
under those client-side rates: the best a run can do without changing the policy.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Mapping

# The emulator's defaults (docs/localcloud.md "Faults"); run.py reads the live plan instead.
DOCUMENTED_LIMITS = {"libradb:*LibraDBClusterAccount*": 20.0, "rds:CreateAccount": 50.0}


def _norm(pattern: str) -> str:
    return pattern if ":" in pattern else f"*:{pattern}"


def limit_for(key: str, limits: Mapping[str, float]) -> float | None:
    """The emulator's lookup: an exact key beats a glob; among globs the first written wins."""
    norm = {_norm(p): v for p, v in limits.items()}
    if key in norm:
        return norm[key]
    for pattern, value in norm.items():
        if pattern != "*:*" and fnmatchcase(key, pattern):
            return value
    return norm.get("*:*")


def parse_limits(rate_limits: Mapping[str, object]) -> dict[str, float]:
    out = {}
    for pattern, spec in rate_limits.items():
        if isinstance(spec, dict):
            out[pattern] = float(spec["limit"]) / float(spec.get("window_s", 1.0))
        else:
            out[pattern] = float(spec)  # type: ignore[arg-type]
    return out


def floor(calls: Mapping[str, int], limits: Mapping[str, float] = DOCUMENTED_LIMITS) -> tuple[float, str | None]:
    """(seconds, the action that sets it)."""
    best, which = 0.0, None
    for key, n in calls.items():
        limit = limit_for(key, limits)
        if limit and n / limit > best:
            best, which = n / limit, key
    return best, which


def policy_floor(calls: Mapping[str, int]) -> tuple[float, str | None]:
    """Same, under the client-side token buckets of provisioner/core/retry/limiter.py (default limits)."""
    from provisioner.core.retry.limiter import RateLimiter
    limiter = RateLimiter()
    best, which = 0.0, None
    for key, n in calls.items():
        product, _, action = key.partition(":")
        limit = limiter.limit_for(product, action)
        burst = max(1.0, round(limit * 0.1))
        seconds = max(0.0, n - burst) / max(limit - burst, 0.5)
        if seconds > best:
            best, which = seconds, key
    return best, which


def ok_calls(counters: Mapping[str, object]) -> dict[str, int]:
    """Successful calls by product:Action from the local cloud's counters snapshot."""
    out = {}
    for key, outcomes in (counters.get("calls") or {}).items():  # type: ignore[union-attr]
        if ":" in key and key.split(":")[0] in ("libradb", "rds", "polardb"):
            out[key] = int(outcomes.get("OK", 0))
    return out


def all_calls(counters: Mapping[str, object]) -> dict[str, int]:
    return {k: int(v.get("total", 0)) for k, v in (counters.get("calls") or {}).items()}  # type: ignore[union-attr]


def throttled(counters: Mapping[str, object]) -> int:
    return int((counters.get("injected") or {}).get("rate_limit:throttle", 0))  # type: ignore[union-attr]
