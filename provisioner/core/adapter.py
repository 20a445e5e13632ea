"""The interface every cloud adapter implements, and the live-state types it returns.

Privileges use one normalised form per cloud, the same form the specs use, so the diff
engine compares like with like:
- LibraDB: {"global": [sorted privs], "databases": {db: [sorted privs]}, "tables": {"db.table": [sorted privs]}}
- RDS / PolarDB: {db: "ReadWrite" | "ReadOnly" | ...}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Settings:
    """Where and as whom to call a cloud; resolved at call time, never stored in state."""
    access_key_id: str
    access_key_secret: str
    region: str
    endpoint: str | None = None      # "127.0.0.1:PORT" for the local cloud; None = the public endpoint
    protocol: str = "https"          # "http" for the local cloud


@dataclass(frozen=True)
class InstanceInfo:
    id: str
    status: str
    running: bool
    locked: bool
    engine: str
    version: str
    region: str
    endpoint: str = ""               # host:port applications connect to
    storage_type: str = ""           # RDS DBInstanceStorageType (local_ssd, cloud_essd, ...) when reported


@dataclass
class LiveAccount:
    name: str
    host: str                        # "%"/IPv4 for LibraDB; "" for RDS/PolarDB
    account_type: str = "Normal"
    description: str = ""
    max_user_connections: int | None = None
    privileges: dict[str, Any] = field(default_factory=dict)
    status: str = "Available"


class CloudApiError(Exception):
    """A cloud call that failed for good (after retries). The message is safe to show:
    it carries the cloud's code and request id and never a password."""

    # Set by the retry engine (errors.py, retry/caller.py): what kind of failure this is
    # ("throttled", "transient", "not_ready", "not_found", "account_not_found", "exists", "fatal"),
    # how many wire attempts were made, and whether an earlier attempt failed transiently
    # (the request may have been processed: a create that now says "exists" may be ours).
    kind: str = "fatal"
    attempts: int = 1
    after_transient: bool = False
    # The cloud's own (redacted) message without our hint (set by errors.make_error); None when
    # cloud_message is that already. Read it through errors.raw_message().
    raw_message: str | None = None

    def __init__(self, action: str, code: str, message: str, request_id: str | None,
                 *, retryable: bool = False, status: int | None = None):
        self.action, self.code, self.cloud_message = action, code, message
        self.request_id, self.retryable, self.status = request_id, retryable, status
        rid = request_id or "none"
        super().__init__(f"{action} failed: {code}: {message} (request id {rid})")


class AccountAdapter(Protocol):
    product: str   # "libradb" | "rds" | "polardb"

    def describe_instance(self, instance_id: str) -> InstanceInfo: ...
    def get_account(self, instance_id: str, name: str, host: str, *, fresh: bool = False,
                    privileges: bool = True) -> LiveAccount | None:
        """One account, served from a short-lived per-process cache of the instance's list
        (concurrent reads of one instance share one Describe). fresh=True skips the cache."""
        ...
    def accounts(self, instance_id: str) -> dict[tuple[str, str], LiveAccount]:
        """The instance's accounts from one cached list call, privileges only where it has them."""
        ...
    def list_databases(self, instance_id: str) -> frozenset[str] | None:
        """The instance's database names (cached like the account list); None when the API
        has no way to list them (LibraDB)."""
        ...
    def create_account(self, instance_id: str, account: dict[str, Any], password: str,
                       client_token: str | None = None) -> None: ...
    def delete_account(self, instance_id: str, name: str, host: str) -> bool:
        """False when the account was already gone (not an error)."""
        ...
    def set_password(self, instance_id: str, name: str, host: str, password: str) -> None: ...
    def set_description(self, instance_id: str, name: str, host: str, description: str) -> None: ...
    def set_privileges(self, instance_id: str, name: str, host: str,
                       old: dict[str, Any], new: dict[str, Any]) -> None: ...
