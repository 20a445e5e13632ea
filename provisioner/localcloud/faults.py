"""Fault injection and call counters of the local cloud.

`Faults.decide(product, action)` is asked once per cloud API call (after routing and the
signature check, before the handler) and answers with a `Decision`: extra latency and at most
one fault. Precedence: scripted one-shot faults, then rate limits, then random error rates.
Everything random comes from one seeded `random.Random`, so a chaos run is reproducible.

Config (JSON; every key optional, omitted keys take the defaults below):

    {"seed": 0, "drop_mode": "reset",
     "rate_limits": {"libradb:*LibraDBClusterAccount*": 20, "rds:CreateAccount": 50},
     "latency": {"*": {"base_ms": 0, "jitter_ms": 0}},
     "errors": {"rds:CreateAccount": {"throttle": 0.1, "internal": 0.0, "http503": 0.0,
                                       "drop_before": 0.0, "drop_after": 0.05}},
     "scripted": [{"match": "rds:CreateAccount", "count": 2, "fault": "error",
                   "code": "Database.ConnectError", "message": "...", "status": 400}]}

"rate_limits" replaces the defaults as a whole: {} switches every limit off; a number means
requests per second, {"limit": N, "window_s": S} means N requests per S seconds.
"drop_mode": how a dropped connection looks to the client: "reset" (TCP RST before any
response byte) or "truncate" (response head with a Content-Length, then EOF); scripted entries
may override it.
Patterns are fnmatch globs over "product:Action" (products: libradb, rds, polardb); a
pattern without ":" matches that action in every product. An exact "product:Action" key wins
over globs; otherwise the first matching glob in the order written wins, "*" last.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Callable

# Documented limits of the real APIs: 20 req/s per LibraDB account API (seed page 000),
# 50 req/s for RDS CreateAccount (Alibaba flow-control docs).
DEFAULT_RATE_LIMITS: dict[str, Any] = {"libradb:*LibraDBClusterAccount*": 20, "rds:CreateAccount": 50}

# Fault kinds. throttle: the cloud's throttling error; internal: InternalError (Tencent: inside
# the 200 envelope; Alibaba: HTTP 500); http503: a bare HTTP 503 with an HTML body;
# drop_before / drop_after: the connection breaks mid-response, before / after the handler ran;
# error: a given code/message/status (scripted faults only).
RANDOM_KINDS = ("throttle", "internal", "http503", "drop_before", "drop_after")
SCRIPTED_KINDS = RANDOM_KINDS + ("error",)
DROP_MODES = ("reset", "truncate")
_TOP_KEYS = {"seed", "drop_mode", "rate_limits", "latency", "errors", "scripted"}


@dataclass
class Decision:
    delay_ms: float = 0.0
    fault: str | None = None      # one of SCRIPTED_KINDS, or None: process normally
    source: str | None = None     # "scripted" | "rate_limit" | "random"
    code: str | None = None       # for fault == "error"
    message: str | None = None    # for "error", and the throttling message of a rate limit
    status: int | None = None     # for "error" (Alibaba HTTP status)
    drop_mode: str = "reset"      # for drop_before / drop_after


def _norm_pattern(pattern: str) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"faults: pattern must be a non-empty string, got {pattern!r}")
    return pattern if ":" in pattern or pattern == "*" else f"*:{pattern}"


def _lookup(table: dict[str, Any], key: str) -> Any:
    """Exact key, else first matching glob in insertion order, "*" last."""
    if key in table:
        return table[key]
    hit = next((v for p, v in table.items() if p != "*" and fnmatchcase(key, p)), None)
    return hit if hit is not None else table.get("*")


def _number(value: Any, what: str, *, lo: float = 0.0, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < lo or (hi is not None and value > hi):
        bounds = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"faults: {what} must be a number {bounds}, got {value!r}")
    return float(value)


def normalize(config: dict[str, Any] | None) -> dict[str, Any]:
    """Validate a config and fill in defaults; raises ValueError with a readable message."""
    config = dict(config or {})
    unknown = set(config) - _TOP_KEYS
    if unknown:
        raise ValueError(f"faults: unknown keys {sorted(unknown)} (expected {sorted(_TOP_KEYS)})")
    out: dict[str, Any] = {"seed": config.get("seed", 0)}
    if not isinstance(out["seed"], (int, str)) or isinstance(out["seed"], bool):
        raise ValueError("faults: seed must be an int or a string")
    out["drop_mode"] = _drop_mode(config.get("drop_mode", "reset"))

    out["rate_limits"] = {}
    for pattern, spec in (config.get("rate_limits", DEFAULT_RATE_LIMITS) or {}).items():
        if spec is None:
            continue  # null entries are ignored
        if not isinstance(spec, dict):
            spec = {"limit": spec}
        limit = _number(spec.get("limit"), f"rate_limits[{pattern}].limit", lo=1)
        window = _number(spec.get("window_s", 1.0), f"rate_limits[{pattern}].window_s")
        if window <= 0:
            raise ValueError(f"faults: rate_limits[{pattern}].window_s must be > 0")
        out["rate_limits"][_norm_pattern(pattern)] = {"limit": int(limit), "window_s": window}

    out["latency"] = {}
    for pattern, spec in (config.get("latency") or {}).items():
        if not isinstance(spec, dict):
            spec = {"base_ms": spec}
        out["latency"][_norm_pattern(pattern)] = {
            "base_ms": _number(spec.get("base_ms", 0), f"latency[{pattern}].base_ms"),
            "jitter_ms": _number(spec.get("jitter_ms", 0), f"latency[{pattern}].jitter_ms")}

    out["errors"] = {}
    for pattern, rates in (config.get("errors") or {}).items():
        if not isinstance(rates, dict) or set(rates) - set(RANDOM_KINDS):
            raise ValueError(f"faults: errors[{pattern}] must map some of {RANDOM_KINDS} to probabilities")
        norm = {k: _number(rates.get(k, 0), f"errors[{pattern}].{k}", hi=1.0) for k in RANDOM_KINDS}
        if sum(norm.values()) > 1.0 + 1e-9:
            raise ValueError(f"faults: errors[{pattern}] probabilities add up to more than 1")
        out["errors"][_norm_pattern(pattern)] = norm

    out["scripted"] = [normalize_scripted(e) for e in config.get("scripted") or []]
    return out


def _drop_mode(mode: Any) -> str:
    if mode not in DROP_MODES:
        raise ValueError(f"faults: drop_mode must be one of {DROP_MODES}, got {mode!r}")
    return mode


def normalize_scripted(entry: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"faults: scripted entry must be an object, got {entry!r}")
    unknown = set(entry) - {"match", "count", "fault", "code", "message", "status", "drop_mode"}
    if unknown:
        raise ValueError(f"faults: scripted entry has unknown keys {sorted(unknown)}")
    fault = entry.get("fault", "error" if "code" in entry else None)
    if fault not in SCRIPTED_KINDS:
        raise ValueError(f"faults: scripted fault must be one of {SCRIPTED_KINDS}, got {fault!r}")
    if fault == "error" and not entry.get("code"):
        raise ValueError("faults: a scripted 'error' needs a code")
    count = entry.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"faults: scripted count must be a positive int, got {count!r}")
    status = int(entry.get("status", 400))
    if not 400 <= status <= 599:
        raise ValueError(f"faults: scripted status must be 4xx or 5xx, got {status}")
    return {"match": _norm_pattern(entry.get("match", "*")), "count": count, "fault": fault,
            "code": entry.get("code"), "message": entry.get("message"), "status": status,
            "drop_mode": None if entry.get("drop_mode") is None else _drop_mode(entry["drop_mode"])}


class Faults:
    """Thread-safe fault plan. `clock` is injectable so rate-limit tests need no sleeping."""

    def __init__(self, config: dict[str, Any] | None = None, *, clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._initial = normalize(config)
        self.configure(config)

    def configure(self, config: dict[str, Any] | None) -> None:
        """Replace the whole plan (omitted keys take the defaults); resets windows and the RNG."""
        norm = normalize(config)
        with self._lock:
            self._config = norm
            self._rng = random.Random(norm["seed"])
            self._windows: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def update(self, patch: dict[str, Any]) -> None:
        """Replace only the top-level keys given (e.g. just "errors")."""
        with self._lock:
            merged = {**copy.deepcopy(self._config), **patch}
        self.configure(merged)

    def restore(self) -> None:
        """Back to the plan given at start."""
        self.configure(self._initial)

    def script(self, entries: dict[str, Any] | list[dict[str, Any]]) -> None:
        """Append one-shot faults: "the next N calls matching X fail with Y"."""
        items = [normalize_scripted(e) for e in (entries if isinstance(entries, list) else [entries])]
        with self._lock:
            self._config["scripted"].extend(items)

    def clear_transient(self) -> None:
        """Forget rate-limit windows and pending scripted faults (used by the admin reset)."""
        with self._lock:
            self._windows.clear()
            self._config["scripted"] = []

    def config(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._config)

    def decide(self, product: str, action: str) -> Decision:
        key = f"{product}:{action}"
        with self._lock:
            decision = Decision(drop_mode=self._config["drop_mode"])
            latency = _lookup(self._config["latency"], key)
            if latency:
                decision.delay_ms = latency["base_ms"]
                if latency["jitter_ms"]:
                    decision.delay_ms += self._rng.uniform(0, latency["jitter_ms"])
            if self._take_scripted(key, decision) or self._rate_limited(product, action, key, decision):
                return decision
            rates = _lookup(self._config["errors"], key)
            if rates and any(rates.values()):
                draw, acc = self._rng.random(), 0.0
                for kind in RANDOM_KINDS:
                    acc += rates[kind]
                    if draw < acc:
                        decision.fault, decision.source = kind, "random"
                        break
            return decision

    def _take_scripted(self, key: str, decision: Decision) -> bool:
        scripted = self._config["scripted"]
        for i, entry in enumerate(scripted):
            if fnmatchcase(key, entry["match"]):
                entry["count"] -= 1
                if entry["count"] == 0:
                    del scripted[i]
                decision.fault, decision.source = entry["fault"], "scripted"
                decision.code, decision.message, decision.status = entry["code"], entry["message"], entry["status"]
                decision.drop_mode = entry["drop_mode"] or decision.drop_mode
                return True
        return False

    def _rate_limited(self, product: str, action: str, key: str, decision: Decision) -> bool:
        """Sliding-window log per (product, action): exact, no burst at window edges.
        Rejected calls do not enter the window (as with the real APIs, retrying does not
        extend the ban)."""
        spec = _lookup(self._config["rate_limits"], key)
        if not spec:
            return False
        now = self._clock()
        window = self._windows[(product, action)]
        while window and window[0] <= now - spec["window_s"]:
            window.popleft()
        if len(window) < spec["limit"]:
            window.append(now)
            return False
        decision.fault, decision.source = "throttle", "rate_limit"
        decision.message = (f"Your current request times equals to `{len(window) + 1}` in "
                            f"{spec['window_s']:g} second(s), which exceeds the frequency limit "
                            f"`{spec['limit']}`. Please reduce the frequency of calls.")
        return True


class Counters:
    """Calls per "product:Action" and outcome (OK, an error code, DROP_BEFORE, DROP_AFTER,
    HTTP503), faults injected per source, and injected latency. Benchmarks read these."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self._injected: dict[str, int] = defaultdict(int)
            self._delayed = 0
            self._delay_ms = 0.0

    def record(self, product: str, action: str, outcome: str, decision: Decision | None = None) -> None:
        with self._lock:
            calls = self._calls[f"{product}:{action}"]
            calls["total"] += 1
            calls[outcome] += 1
            if decision is not None:
                if decision.fault:
                    self._injected[f"{decision.source}:{decision.fault}"] += 1
                if decision.delay_ms:
                    self._delayed += 1
                    self._delay_ms += decision.delay_ms

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"calls": {k: dict(v) for k, v in sorted(self._calls.items())},
                    "injected": dict(sorted(self._injected.items())),
                    "latency": {"delayed_calls": self._delayed, "total_ms": round(self._delay_ms, 3)}}
