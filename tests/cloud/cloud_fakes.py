"""Test doubles for the cloud layer: a fake clock, and an in-memory LibraDB service that
answers like the real one (same error codes and message shapes) through LibraDBAdapter."""

from __future__ import annotations

import copy
import threading
from typing import Any

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from provisioner.core.adapter import Settings
from provisioner.core.cache import SingleFlightCache
from provisioner.core.retry.caller import Caller
from provisioner.core.retry.counters import CallCounters
from provisioner.core.retry.limiter import RateLimiter
from provisioner.core.retry.policy import RetryPolicy
from provisioner.products.libradb import rules as libradb_rules
from provisioner.products.libradb.adapter import LibraDBAdapter


class FakeClock:
    """Time moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)


def tc_error(code: str, message: str = "boom", request_id: str = "req-1") -> TencentCloudSDKException:
    return TencentCloudSDKException(code, message, request_id)


class FakeLibraDBService:
    """Create/DeleteLibraDBClusterAccounts / Describe* / ModifyPrivilege with the emulator's semantics."""

    def __init__(self) -> None:
        self.accounts: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lose_next_create_response = False
        self.lose_next_delete_response = False
        self.refuse_batches = False     # answer any multi-account create/delete with an unattributable error
        self.cluster_missing = False
        self._lock = threading.Lock()

    def handle(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append((action, copy.deepcopy(params)))
            return getattr(self, action)(params) | {"RequestId": f"req-{len(self.calls)}"}

    def count(self, action: str) -> int:
        return sum(1 for a, _ in self.calls if a == action)

    def CreateLibraDBClusterAccounts(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.cluster_missing:
            raise tc_error("ResourceNotFound.ClusterNotFoundError", f"The cluster {p['ClusterId']} does not exist.")
        items = p["Accounts"]
        if self.refuse_batches and len(items) > 1:
            raise tc_error("OperationDenied.OperationDeniedError", "Account quota exceeded on cluster.")
        for i, a in enumerate(items):
            why = libradb_rules.check_libradb_password(a["AccountPassword"])
            if why:
                raise tc_error("InvalidParameterValue.IllegalPassword", f"Accounts.{i}.AccountPassword {why}.")
        for a in items:
            if (a["AccountName"], a["Host"]) in self.accounts:
                raise tc_error("InvalidParameterValue.AccountAlreadyExistError",
                               f"The account '{a['AccountName']}'@'{a['Host']}' already exists on cluster x.")
        for a in items:
            self.accounts[(a["AccountName"], a["Host"])] = {
                "AccountName": a["AccountName"], "Host": a["Host"], "Description": a.get("Description", ""),
                "MaxUserConnections": a.get("MaxUserConnections", 10240), "privileges": {}}
        if self.lose_next_create_response:
            self.lose_next_create_response = False
            raise tc_error("ClientNetworkError", "('Connection aborted.', RemoteDisconnected())", None)
        return {}

    def DescribeLibraDBClusterAccounts(self, p: dict[str, Any]) -> dict[str, Any]:
        rows = [{k: v for k, v in a.items() if k != "privileges"} for a in self.accounts.values()]
        page = rows[p["Offset"]:p["Offset"] + p["Limit"]]
        return {"AccountSet": page, "TotalCount": len(rows)}

    def ModifyLibraDBClusterAccountPrivilege(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (p["Account"]["AccountName"], p["Account"]["Host"])
        if key not in self.accounts:
            raise tc_error("InvalidParameterValue.AccountNotExistError", "The account does not exist.")
        self.accounts[key]["privileges"] = {k: p[k] for k in ("GlobalPrivileges", "DatabasePrivileges",
                                                              "TablePrivileges")}
        return {}

    def DescribeLibraDBClusterAccountAllPrivileges(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (p["Account"]["AccountName"], p["Account"]["Host"])
        return dict(self.accounts[key]["privileges"])

    def DeleteLibraDBClusterAccounts(self, p: dict[str, Any]) -> dict[str, Any]:
        """All-or-nothing, like the emulator: the first missing account (sorted) fails the call."""
        if self.cluster_missing:
            raise tc_error("ResourceNotFound.ClusterNotFoundError", f"The cluster {p['ClusterId']} does not exist.")
        if self.refuse_batches and len(p["Accounts"]) > 1:
            raise tc_error("FailedOperation.OperationFailedError", "Operation failed, please retry later.")
        targets = {(a["AccountName"], a["Host"]) for a in p["Accounts"]}
        for name, host in sorted(targets):
            if (name, host) not in self.accounts:
                raise tc_error("InvalidParameterValue.AccountNotExistError",
                               f"The account '{name}'@'{host}' does not exist on cluster {p['ClusterId']}.")
        for key in targets:
            del self.accounts[key]
        if self.lose_next_delete_response:
            self.lose_next_delete_response = False
            raise tc_error("ClientNetworkError", "('Connection aborted.', RemoteDisconnected())", None)
        return {}


class FakeLibraDBAdapter(LibraDBAdapter):
    """LibraDBAdapter whose wire calls go to a FakeLibraDBService instead of the SDK client."""

    def __init__(self, service: FakeLibraDBService, policy: RetryPolicy, *, tag: str = "t") -> None:
        limiter = RateLimiter({("*", "*"): 1e9})
        super().__init__(None, Settings("key", "secret", f"fake-{tag}"), policy,
                         caller=Caller("libradb", policy, limiter=limiter, counters=CallCounters()),
                         cache=SingleFlightCache())
        self.service = service

    def _wire(self, action: str, params: dict[str, Any]):
        return lambda: self.service.handle(action, copy.deepcopy(params))
