"""The realistic timing model of the local cloud: the real services are asynchronous.

What it plays (docs/real-cloud-behaviour.md has the evidence for each):
- RDS / PolarDB: after every account write the account is not Available for `account_settle`
  seconds (RDS AccountStatus "Unavailable", PolarDB "Creating"); writes to it meanwhile are
  refused with the service's busy code. A delete completes `delete_settle` seconds later: until
  then the account is listed (RDS "Unavailable", PolarDB "Deleting") and its name is taken (a
  create answers the duplicate code). Grants and revokes show in DescribeAccounts only after
  `privilege_lag` seconds. More than `max_account_tasks` account tasks in flight on one
  instance: ConcurrentTaskExceeded.
- LibraDB: a new account is invisible (Describe*, Modify*, Reset* answer AccountNotExistError)
  for `libradb_visibility` seconds after CreateLibraDBClusterAccounts.
- Forced busy windows (admin `busy`): an instance refuses writes, and optionally reads, with a
  chosen busy code (each code with the HTTP status and message the real service uses).
Engine facts that are not timing (PostgreSQL reporting DBOwner as ALL, one owner per database,
no revoke, an owning account left in Lock on delete) live in the RDS service.

Profiles: `realistic` (the default: 200 ms windows, `scale` multiplies every delay,
e.g. for benchmarks) and `instant` (no delays at all). Everything is lazy: no threads; due
transitions are applied when the next call for that product arrives. Timers live in memory;
a delete in flight is also marked in the store ("Deleting"), so after a restart it completes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable

from .errors import CloudError

Key = tuple[str, str, str, str]   # (product, instance_id, name, host)


@dataclass(frozen=True)
class Profile:
    # Short by default (the whole test suite runs on this profile); --behaviour-scale or the admin
    # interface lengthen them towards the real clouds' seconds.
    account_settle: float = 0.2      # s an RDS/PolarDB account is not Available after a write
    delete_settle: float = 0.2       # s a deleted RDS/PolarDB account stays listed, name taken
    privilege_lag: float = 0.2       # s before a grant/revoke shows in DescribeAccounts
    libradb_visibility: float = 0.2  # s a new LibraDB account is invisible
    max_account_tasks: int = 6       # RDS/PolarDB account tasks in flight per instance (0: no limit)


PROFILES = {
    "realistic": Profile(),
    "instant": Profile(account_settle=0, delete_settle=0, privilege_lag=0, libradb_visibility=0,
                       max_account_tasks=0),
}

# The refusals of a busy instance, per product: code -> (HTTP status, message). Tencent answers
# every error with HTTP 200 and Response.Error. Messages: the products' error centres (Alibaba
# RDS / PolarDB error codes; Tencent common error codes and seed 000).
BUSY_REFUSALS: dict[str, dict[str, tuple[int, str]]] = {
    "rds": {
        "OperationDenied.DBInstanceStatus": (403, "The operation is not permitted due to status of instance."),
        "OperationDenied.DBStatus": (403, "The operation is not permitted due to status of database."),
        "IncorrectDBInstanceState": (403, "Current DB instance state does not support this operation."),
        "ConcurrentTaskExceeded": (400, "Concurrent task exceeding the allowed amount."),
        "LockTimeout": (400, "Lock wait timeout exceeded, please try again later."),
        "InstanceConnectTimeoutFault": (400, "Instance connection timed out, please try again later."),
        "OperationDenied.OutofUsage": (403, "The operation is not permitted due to out of usage."),
        "AccountActionForbidden": (403, "The account action is forbidden in the current account status."),
        "InvalidDB.NotFound": (404, "Specified DB does not exist or DB status does not support."),
        "Rejected.Throttling": (400, "Request was denied due to request throttling, please try again later."),
    },
    "polardb": {
        "OperationDenied.DBClusterStatus": (403, "The operation is not permitted due to Cluster status."),
        "OperationDenied.DBStatus": (403, "The operation is not permitted due to status of database."),
        "OperationDenied.DBInstanceStatus": (403, "The operation is not permitted due to status of instance."),
        "IncorrectDBInstanceState": (403, "Current DB instance state does not support this operation."),
        "ConcurrentTaskExceeded": (400, "Concurrent task exceeding the allowed amount."),
        "LockTimeout": (400, "Lock wait timeout exceeded, please try again later."),
        "InstanceConnectTimeoutFault": (400, "Instance connection timed out, please try again later."),
        "OperationDenied.OutofUsage": (403, "The operation is not permitted due to out of usage."),
    },
    "libradb": {
        "ResourceInUse": (200, "The resource is in use by another operation."),
        "ResourceBusy": (200, "The resource is busy. Please try again later."),
        "ResourceUnavailable.InstanceLockFail": (200, "Failed to lock the instance, so the operation cannot be "
                                                      "performed temporarily."),
        "FailedOperation.OperationFailedError": (200, "Operation failed. Try again later. If the problem persists, "
                                                      "contact customer service."),
    },
}
DEFAULT_BUSY = {"rds": "OperationDenied.DBInstanceStatus", "polardb": "OperationDenied.DBClusterStatus",
                "libradb": "ResourceBusy"}
# What an account in the middle of a task answers to another write on it.
ACCOUNT_BUSY = {"rds": "OperationDenied.DBInstanceStatus", "polardb": "OperationDenied.DBClusterStatus"}
# AccountStatus while not Available: settling after a write, and while a delete completes.
SETTLING_STATUS = {"rds": "Unavailable", "polardb": "Creating"}
DELETING_STATUS = {"rds": "Unavailable", "polardb": "Deleting"}


def refusal(product: str, code: str, detail: str = "") -> CloudError:
    status, message = BUSY_REFUSALS[product][code]
    return CloudError(code, f"{message} ({detail})" if detail else message, status if status >= 400 else 400)


@dataclass
class _Pending:
    ready_at: float = 0.0                      # account Available again at
    gone_at: float | None = None               # delete completes at
    shown_privileges: Any = None               # what Describe shows until privileges_at
    privileges_at: float = 0.0
    visible_at: float = 0.0                    # LibraDB: visible from


@dataclass
class _Busy:
    until: float
    code: str
    reads: bool


@dataclass
class Behaviour:
    profile: str = "realistic"
    scale: float = 1.0
    clock: Callable[[], float] = time.monotonic
    knobs: Profile = field(init=False)
    _pending: dict[Key, _Pending] = field(default_factory=dict, init=False, repr=False)
    _busy: dict[tuple[str, str], _Busy] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown behaviour profile {self.profile!r}; expected one of {', '.join(PROFILES)}")
        if self.scale < 0:
            raise ValueError("behaviour scale must not be negative")
        self.knobs = PROFILES[self.profile]
        self._initial = (self.profile, self.scale)

    def restore(self) -> None:
        """Back to the profile and scale the cloud started with (admin changes undone)."""
        with self._lock:
            self.profile, self.scale = self._initial
            self.knobs = PROFILES[self.profile]

    # --- configuration (admin) -------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        with self._lock:
            now = self.clock()
            return {"profile": self.profile, "scale": self.scale, **asdict(self.knobs),
                    "busy": [{"product": p, "instance_id": i, "code": b.code, "reads": b.reads,
                              "remaining_s": round(b.until - now, 3)}
                             for (p, i), b in self._busy.items() if b.until > now]}

    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """{"profile", "scale", and any Profile field}: a profile resets the knobs first."""
        known = {f.name for f in fields(Profile)} | {"profile", "scale"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown behaviour settings: {', '.join(sorted(unknown))}")
        with self._lock:
            if "profile" in data:
                if data["profile"] not in PROFILES:
                    raise ValueError(f"unknown profile {data['profile']!r}; expected one of {', '.join(PROFILES)}")
                self.profile, self.knobs = data["profile"], PROFILES[data["profile"]]
            if "scale" in data:
                scale = float(data["scale"])
                if scale < 0:
                    raise ValueError("scale must not be negative")
                self.scale = scale
            changes = {k: v for k, v in data.items() if k not in ("profile", "scale")}
            for name, value in changes.items():
                if not isinstance(value, (int, float)) or value < 0:
                    raise ValueError(f"{name} must be a non-negative number")
            self.knobs = replace(self.knobs, **{k: (int(v) if k == "max_account_tasks" else float(v))
                                                for k, v in changes.items()})
        return self.config()

    def force_busy(self, product: str, instance_id: str, seconds: float, code: str | None = None,
                   reads: bool = False) -> dict[str, Any]:
        """The instance refuses writes (and reads, if asked) with `code` for `seconds`."""
        if product not in BUSY_REFUSALS:
            raise ValueError(f"unknown product {product!r}")
        code = code or DEFAULT_BUSY[product]
        if code not in BUSY_REFUSALS[product]:
            raise ValueError(f"{code!r} is not a busy code of {product}; one of {', '.join(BUSY_REFUSALS[product])}")
        with self._lock:
            self._busy[(product, instance_id)] = _Busy(self.clock() + float(seconds), code, bool(reads))
        return self.config()

    def clear(self) -> None:
        """Forget every timer and busy window (a reset)."""
        with self._lock:
            self._pending.clear()
            self._busy.clear()

    def delay(self, knob: str) -> float:
        return float(getattr(self.knobs, knob)) * self.scale

    # --- asked by the services --------------------------------------------------------------

    def check_busy(self, product: str, instance_id: str, *, write: bool) -> None:
        with self._lock:
            busy = self._busy.get((product, instance_id))
            if busy and busy.until > self.clock() and (write or busy.reads):
                raise refusal(product, busy.code, f"instance {instance_id} is busy with another task")

    def due_deletes(self, product: str) -> list[Key]:
        """Deletes whose time has come; the caller removes them from the store."""
        with self._lock:
            now = self.clock()
            done = [k for k, p in self._pending.items() if k[0] == product and p.gone_at is not None
                    and p.gone_at <= now]
            for k in done:
                del self._pending[k]
            self._expire(now)
            return done

    def _expire(self, now: float) -> None:
        for k in [k for k, p in self._pending.items() if p.gone_at is None and p.ready_at <= now
                  and p.privileges_at <= now and p.visible_at <= now]:
            del self._pending[k]

    def _get(self, key: Key) -> _Pending:
        return self._pending.setdefault(key, _Pending())

    # RDS / PolarDB accounts

    def account_status(self, key: Key, stored: str) -> str:
        """What DescribeAccounts reports: Lock and Deleting come from the store."""
        product = key[0]
        if stored == "Deleting":
            return DELETING_STATUS[product]
        if stored != "Available":
            return stored
        with self._lock:
            p = self._pending.get(key)
            return SETTLING_STATUS[product] if p and p.ready_at > self.clock() else "Available"

    def check_account_write(self, key: Key, stored: str) -> None:
        """Refuse a write to an account that is still settling or being deleted, or when the
        instance has too many account tasks in flight."""
        product = key[0]
        if self.account_status(key, stored) not in ("Available", "Lock"):
            raise refusal(product, ACCOUNT_BUSY[product], f"account {key[2]} is "
                          f"{self.account_status(key, stored)}: its last change is still in progress")
        limit = self.knobs.max_account_tasks
        if limit:
            with self._lock:
                now = self.clock()
                in_flight = sum(1 for k, p in self._pending.items() if k[:2] == key[:2] and k != key
                                and (p.ready_at > now or p.gone_at is not None))
            if in_flight >= limit:
                raise refusal(product, "ConcurrentTaskExceeded", f"{in_flight} account tasks in flight on {key[1]}")

    def account_changed(self, key: Key, shown_privileges: Any = None) -> None:
        """An account write was accepted: the account settles; with shown_privileges (the
        privileges before the change), Describe keeps showing those for privilege_lag."""
        with self._lock:
            now = self.clock()
            p = self._get(key)
            p.ready_at = max(p.ready_at, now + self.delay("account_settle"))
            if shown_privileges is not None and self.delay("privilege_lag") > 0:
                if p.privileges_at <= now:
                    p.shown_privileges = shown_privileges
                p.privileges_at = now + self.delay("privilege_lag")

    def shown_privileges(self, key: Key, actual: Any) -> Any:
        with self._lock:
            p = self._pending.get(key)
            return p.shown_privileges if p and p.privileges_at > self.clock() else actual

    def delete_later(self, key: Key) -> bool:
        """True: the delete completes later (the caller marks the row Deleting); False: now."""
        delay = self.delay("delete_settle")
        if delay <= 0:
            return False
        with self._lock:
            self._get(key).gone_at = self.clock() + delay
        return True

    def forget(self, key: Key) -> None:
        with self._lock:
            self._pending.pop(key, None)

    # LibraDB accounts

    def hide_new(self, key: Key) -> None:
        delay = self.delay("libradb_visibility")
        if delay > 0:
            with self._lock:
                self._get(key).visible_at = self.clock() + delay

    def visible(self, key: Key) -> bool:
        with self._lock:
            p = self._pending.get(key)
            return not (p and p.visible_at > self.clock())


INSTANT = Behaviour("instant")


def of(store: Any) -> Behaviour:
    """The behaviour a store's cloud plays; a bare Store (unit tests of handlers) is instant."""
    return getattr(store, "behaviour", None) or INSTANT


def settle(store: Any, product: str) -> None:
    """Apply what is due for this product: deletes whose time has come leave the store."""
    due = of(store).due_deletes(product)
    if due:
        with store.atomic():
            for product_, instance_id, name, host in due:
                acct = store.get_account(product_, instance_id, name, host)
                if acct is not None and acct.status == "Deleting":
                    store.delete_account(product_, instance_id, name, host)


def finish_interrupted_deletes(store: Any) -> None:
    """Rows still marked Deleting when the cloud starts lost their timer: complete them now."""
    with store.atomic():
        for acct in store.list_accounts():
            if acct.status == "Deleting":
                store.delete_account(acct.product, acct.instance_id, acct.name, acct.host)


def wrap_actions(product: str, id_param: str, actions: dict[str, Callable]) -> dict[str, Callable]:
    """Every action of a product: settle first, then a forced busy window refuses writes (and
    reads, if asked). Describe* actions are reads."""
    def wrap(action: str, handler: Callable) -> Callable:
        write = not action.startswith("Describe")

        def run(store: Any, params: dict[str, Any]) -> dict[str, Any]:
            settle(store, product)
            instance_id = params.get(id_param)
            if isinstance(instance_id, str) and instance_id:
                of(store).check_busy(product, instance_id, write=write)
            return handler(store, params)
        run.__name__ = getattr(handler, "__name__", action)
        run.__wrapped__ = handler   # type: ignore[attr-defined]
        return run
    return {action: wrap(action, handler) for action, handler in actions.items()}
