"""Tencent Cloud LibraDB (cynosdb 2019-01-07) accounts over tencentcloud-sdk-python.

Identity is (name, host). Creates for one cluster that arrive together are coalesced into one
CreateLibraDBClusterAccounts call, deletes into one DeleteLibraDBClusterAccounts call (both APIs
take an array), and split again on a per-account error so every caller gets its own result. Privileges are not in the account list: they are
fetched per account, lazily, only when asked for.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from tencentcloud.cynosdb.v20190107 import models

from provisioner.core import errors
from provisioner.core.adapter import CloudApiError, InstanceInfo, LiveAccount
from provisioner.core.adapter_base import AccountMap, AdapterBase
from provisioner.core.batch import Coalescer, Item, send
from provisioner.core.retry.deadlines import current_deadline
from provisioner.products.libradb.rules import normalize_privileges

PAGE_SIZE = 100                 # DescribeLibraDBClusterAccounts Limit (the SDK documents (0,100])
COALESCER = Coalescer()         # process-wide: threads of one provider process share batches
_UNSUPPORTED = ("UnsupportedOperation", "InvalidAction", "UnknownAction", "ActionNotFound",
                "InvalidParameter.ActionNotFound", "ResourceNotFound.InterfaceNotFound")


def privileges_from_wire(resp: dict[str, Any]) -> dict[str, Any]:
    return normalize_privileges({
        "global": resp.get("GlobalPrivileges") or [],
        "databases": {d["Db"]: d.get("Privileges") or [] for d in resp.get("DatabasePrivileges") or []},
        "tables": {f'{t["Db"]}.{t["TableName"]}': t.get("Privileges") or []
                   for t in resp.get("TablePrivileges") or []},
    })


def privileges_to_wire(p: dict[str, Any]) -> dict[str, Any]:
    p = normalize_privileges(p)
    tables = []
    for key, privs in p["tables"].items():
        db, _, table = key.partition(".")
        tables.append({"Db": db, "TableName": table, "Privileges": privs})
    return {"GlobalPrivileges": p["global"],
            "DatabasePrivileges": [{"Db": db, "Privileges": v} for db, v in p["databases"].items()],
            "TablePrivileges": tables}


def _is_empty(p: dict[str, Any]) -> bool:
    return not (p["global"] or p["databases"] or p["tables"])


def new_client(settings: Any, policy: Any) -> Any:
    """The official SDK client (descriptor.py: the registry's client factory); retryer None is the
    SDK's NoopRetryer (core/retry is the one policy); English messages for users."""
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cynosdb.v20190107.cynosdb_client import CynosdbClient
    http = HttpProfile(endpoint=settings.endpoint, protocol=settings.protocol,
                       # requests accepts (connect, read); the SDK passes it through
                       reqTimeout=(policy.connect_timeout, policy.read_timeout))  # type: ignore[arg-type]
    profile = ClientProfile(httpProfile=http, retryer=None, language="en-US")
    return CynosdbClient(credential.Credential(settings.access_key_id, settings.access_key_secret),
                         settings.region, profile)


class LibraDBAdapter(AdapterBase):
    product = "libradb"
    _all_privileges_api: bool | None = None   # learnt once per process: does the API exist?

    def _wire(self, action: str, params: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        request = getattr(models, f"{action}Request")()
        request._deserialize(params)
        method = getattr(self.client, action)
        return lambda: json.loads(method(request).to_json_string())

    # --- instance -------------------------------------------------------------------------------

    def _describe(self, instance_id: str) -> InstanceInfo:
        offset = 0
        while True:
            resp = self._call("DescribeLibraDBClusters", {
                "Limit": 100, "Offset": offset,
                "Filters": [{"Names": ["ClusterId"], "Values": [instance_id], "ExactMatch": True,
                             "Name": "ClusterId"}]})
            clusters = resp.get("ClusterSet") or []
            for c in clusters:
                if c.get("ClusterId") == instance_id:
                    status = str(c.get("Status") or "")
                    vip, vport = c.get("Vip") or "", c.get("Vport")
                    return InstanceInfo(
                        id=instance_id, status=status, running=status.lower() == "running",
                        locked="lock" in status.lower(), engine="LibraDB",
                        version=str(c.get("DbVersion") or ""), region=c.get("Region") or self.settings.region,
                        endpoint=f"{vip}:{vport}" if vip and vport else vip)
            offset += len(clusters)
            if not clusters or offset >= int(resp.get("TotalCount") or 0):
                raise errors.make_error("DescribeLibraDBClusters", "ResourceNotFound.ClusterNotFoundError",
                                        f"cluster {instance_id} not found", resp.get("RequestId"))

    def list_instance_ids(self) -> list[str]:
        """Every cluster the credentials see in this region (read-only; for discovery)."""
        ids: list[str] = []
        offset = 0
        while True:
            resp = self._call("DescribeLibraDBClusters", {"Limit": 100, "Offset": offset})
            clusters = resp.get("ClusterSet") or []
            ids += [c["ClusterId"] for c in clusters if c.get("ClusterId")
                    and (c.get("Region") or self.settings.region) == self.settings.region]
            offset += len(clusters)
            if not clusters or offset >= int(resp.get("TotalCount") or 0):
                return ids

    # --- reads ----------------------------------------------------------------------------------

    def _fetch_accounts(self, instance_id: str) -> AccountMap:
        out: AccountMap = {}
        offset = 0
        while True:
            resp = self._call("DescribeLibraDBClusterAccounts",
                              {"ClusterId": instance_id, "Limit": PAGE_SIZE, "Offset": offset})
            page = resp.get("AccountSet") or []
            for a in page:
                out[(a["AccountName"], a.get("Host") or "%")] = LiveAccount(
                    name=a["AccountName"], host=a.get("Host") or "%", account_type="Normal",
                    description=a.get("Description") or "",
                    max_user_connections=a.get("MaxUserConnections"), privileges={})
            offset += len(page)
            total = int(resp.get("TotalCount") or 0)
            if not page or offset >= total:
                return out

    def get_account(self, instance_id: str, name: str, host: str = "%", *, fresh: bool = False,
                    privileges: bool = True) -> LiveAccount | None:
        acct = self._accounts(instance_id, fresh=fresh).get((name, host or "%"))
        if acct is not None and privileges:
            try:
                acct.privileges = self._privileges(instance_id, name, acct.host, fresh=fresh)
            except CloudApiError as err:
                if err.kind == errors.ACCOUNT_NOT_FOUND:  # deleted between the two calls
                    return None
                raise
        return acct

    def _privileges(self, instance_id: str, name: str, host: str, *, fresh: bool = False) -> dict[str, Any]:
        return self.cache.get(self._key(instance_id, "privileges", name, host),
                              lambda: self._fetch_privileges(instance_id, name, host),
                              self.policy.list_ttl, fresh=fresh)

    def _fetch_privileges(self, instance_id: str, name: str, host: str) -> dict[str, Any]:
        if LibraDBAdapter._all_privileges_api is not False:
            try:
                resp = self._call("DescribeLibraDBClusterAccountAllPrivileges",
                                  {"ClusterId": instance_id, "Account": {"AccountName": name, "Host": host}})
                LibraDBAdapter._all_privileges_api = True
                return privileges_from_wire(resp)
            except CloudApiError as err:
                if LibraDBAdapter._all_privileges_api or not err.code.startswith(_UNSUPPORTED):
                    raise
                LibraDBAdapter._all_privileges_api = False
        return self._fetch_privileges_by_type(instance_id, name, host)

    def _fetch_privileges_by_type(self, instance_id: str, name: str, host: str) -> dict[str, Any]:
        """Fallback when the all-privileges API is missing: only the global scope can be read
        without knowing the cluster's databases (Db "*" means global)."""
        resp = self._call("DescribeLibraDBClusterAccountPrivileges",
                          {"ClusterId": instance_id, "AccountName": name, "Host": host, "Db": "*", "Type": "global"})
        return normalize_privileges({"global": resp.get("Privileges") or []})

    # --- writes ---------------------------------------------------------------------------------

    def _coalesce(self, op: str, instance_id: str, payload: tuple[dict[str, Any], str | None],
                  run: Callable[[list[Item]], None]) -> Any:
        """Join this process's open batch of `op` ("create" | "delete") calls for the cluster, or
        open one. payload: (account {"name", "host", ...}, password or None)."""
        return COALESCER.submit((self.settings, instance_id, op), payload, run,
                                window=self.policy.batch_window, max_items=self.policy.batch_max,
                                deadline=current_deadline())

    def create_account(self, instance_id: str, account: dict[str, Any], password: str,
                       client_token: str | None = None) -> None:
        self._coalesce("create", instance_id, (dict(account), password),
                       lambda items: self._create_batch(instance_id, items))
        name, host = account["name"], account.get("host") or "%"
        # A new account is not visible for a moment (terraform-provider-tencentcloud polls the
        # create task and retries the read): wait until the list shows it before the next call.
        # Concurrent creators of one cluster share each fresh list read (cache.py).
        self._settle(f"new account {name}@{host} on {instance_id} to be visible",
                     lambda: self._accounts(instance_id, fresh=True).get((name, host)), lambda a: a is not None)
        privileges = normalize_privileges(account.get("privileges"))
        if not _is_empty(privileges):
            self._with_rollback(instance_id, name, host,
                                lambda: self._modify_privileges(instance_id, name, host, privileges))

    def _create_batch(self, instance_id: str, items: list[Item]) -> None:
        try:
            self._send_creates(instance_id, items)
        finally:
            self._forget(instance_id)

    def _send_creates(self, instance_id: str, items: list[Item]) -> None:
        send(items, lambda pending: self._call(
                 "CreateLibraDBClusterAccounts",
                 {"ClusterId": instance_id, "Accounts": [_new_account(it) for it in pending]},
                 secrets=tuple(it.payload[1] for it in pending), wait_for=instance_id),
             lambda pending, err: self._split_creates(instance_id, pending, err), errors=(CloudApiError,))

    def _split_creates(self, instance_id: str, pending: list[Item], err: CloudApiError) -> list[Item]:
        if err.kind == errors.EXISTS and err.after_transient:
            self._forget(instance_id)   # a list read before our create must not answer this
            live = self._accounts(instance_id, fresh=True)
            named = errors.account_named(err, {it.payload[0]["name"] for it in pending})
            hidden = [it for it in pending if it.payload[0]["name"] == named and _identity(it) not in live]
            if hidden:   # the cloud says it exists, the list does not show it yet: a new account
                ident = _identity(hidden[0])
                live = self._settle(f"account {ident[0]}@{ident[1]} on {instance_id} (reported as existing) "
                                    "to be visible", lambda: self._accounts(instance_id, fresh=True),
                                    lambda accounts: ident in accounts)
            for it in pending:
                acct = live.get(_identity(it))
                if acct is not None and _same(acct, it.payload[0]):
                    it.ok()
                elif acct is not None:
                    it.fail(err)   # exists but differs: not the one we created
            left = [it for it in pending if not it.resolved]
            if len(left) < len(pending):
                return left
        return self._split(pending, err, lambda it: self._send_creates(instance_id, [it]))

    def delete_account(self, instance_id: str, name: str, host: str = "%") -> bool:
        host = host or "%"
        deleted = self._coalesce("delete", instance_id, ({"name": name, "host": host}, None),
                                 lambda items: self._send_deletes(instance_id, items))
        self._remove(instance_id, name, host)
        self.cache.drop(self._key(instance_id, "privileges", name, host))
        return deleted

    def _send_deletes(self, instance_id: str, items: list[Item]) -> None:
        send(items, lambda pending: self._call(
                 "DeleteLibraDBClusterAccounts",
                 {"ClusterId": instance_id, "Accounts": _input_accounts(pending)}, wait_for=instance_id),
             lambda pending, err: self._split_deletes(instance_id, pending, err),
             result=True, errors=(CloudApiError,))

    def _split_deletes(self, instance_id: str, pending: list[Item], err: CloudApiError) -> list[Item]:
        """An account of the batch does not exist. The call is all-or-nothing, so either nothing
        was deleted, or an attempt whose response was lost deleted them all: a fresh list tells."""
        if err.kind != errors.ACCOUNT_NOT_FOUND:
            return self._split(pending, err, lambda it: self._send_deletes(instance_id, [it]))
        if len(pending) == 1:
            pending[0].ok(err.after_transient)   # gone after a lost response: our first attempt did it
            return []
        self._forget(instance_id)
        live = self._accounts(instance_id, fresh=True)
        present = [it for it in pending if _identity(it) in live]
        if len(present) == len(pending):   # the list disagrees with the error: each on its own
            for it in pending:
                self._send_deletes(instance_id, [it])
            return []
        ours = err.after_transient and not present   # all gone after a lost response: our doing
        for it in pending:
            if _identity(it) not in live:
                it.ok(ours)
        return present

    def _split(self, pending: list[Item], err: CloudApiError, alone: Callable[[Item], None]) -> list[Item]:
        """Resolve what the error says about which accounts (creates and deletes alike); return
        the ones to send again. `alone(item)` sends one item on its own."""
        if len(pending) == 1:
            pending[0].fail(err)
            return []
        if err.kind in (errors.NOT_FOUND, errors.NOT_READY, errors.THROTTLED, errors.TRANSIENT) \
                or err.code.startswith(("AuthFailure", "UnauthorizedOperation")):
            for it in pending:  # about the cluster or the call, not an account: same for all
                it.fail(err)
            return []
        index = errors.account_index(err)   # validation errors name the array position
        if index is not None and index < len(pending):
            offenders = [pending[index]]
        else:                                # "exists"/"not exist" errors name the account
            name = errors.account_named(err, {it.payload[0]["name"] for it in pending})
            offenders = [it for it in pending if it.payload[0]["name"] == name]
        if len(offenders) == 1:
            offenders[0].fail(err)
            return [it for it in pending if it is not offenders[0]]
        for it in pending:  # cannot tell who is at fault: one by one, each gets its own answer
            alone(it)
        return []

    def set_password(self, instance_id: str, name: str, host: str, password: str) -> None:
        self._call("ResetLibraDBClusterAccountPassword",
                   {"ClusterId": instance_id, "AccountName": name, "Host": host or "%",
                    "AccountPassword": password}, secrets=(password,), wait_for=instance_id)

    def set_description(self, instance_id: str, name: str, host: str, description: str) -> None:
        self._call("ModifyLibraDBClusterAccountDescription",
                   {"ClusterId": instance_id, "AccountName": name, "Host": host or "%",
                    "Description": description}, wait_for=instance_id)
        self._patch(instance_id, name, host or "%", description=description)

    def set_privileges(self, instance_id: str, name: str, host: str,
                       old: dict[str, Any], new: dict[str, Any]) -> None:
        """One call with the full desired set: the API replaces, so `old` is not needed."""
        self._modify_privileges(instance_id, name, host or "%", normalize_privileges(new))

    def _modify_privileges(self, instance_id: str, name: str, host: str, privileges: dict[str, Any]) -> None:
        self._call("ModifyLibraDBClusterAccountPrivilege",
                   {"ClusterId": instance_id, "Account": {"AccountName": name, "Host": host},
                    **privileges_to_wire(privileges)}, wait_for=instance_id)
        self.cache.put(self._key(instance_id, "privileges", name, host), privileges)

    def set_host(self, instance_id: str, name: str, old_host: str, new_host: str) -> None:
        try:
            self._call("ModifyLibraDBClusterAccountHost",
                       {"ClusterId": instance_id, "Account": {"AccountName": name, "Host": old_host},
                        "NewHost": new_host}, wait_for=instance_id)
        except CloudApiError as err:
            self._forget(instance_id)
            moved = (err.kind == errors.ACCOUNT_NOT_FOUND and err.after_transient
                     and self._accounts(instance_id, fresh=True).get((name, new_host)) is not None)
            if not moved:
                raise
        self._forget(instance_id)
        self.cache.drop(self._key(instance_id, "privileges", name, old_host))
        self.cache.drop(self._key(instance_id, "privileges", name, new_host))


def _identity(it: Item) -> tuple[str, str]:
    account = it.payload[0]
    return account["name"], account.get("host") or "%"


def _input_accounts(items: list[Item]) -> list[dict[str, str]]:
    """InputAccount for each item, every identity once."""
    return [{"AccountName": name, "Host": host} for name, host in dict.fromkeys(_identity(it) for it in items)]


def _new_account(it: Item) -> dict[str, Any]:
    account, password = it.payload
    out = {"AccountName": account["name"], "Host": account.get("host") or "%", "AccountPassword": password}
    if account.get("description"):
        out["Description"] = account["description"]
    if account.get("max_user_connections") is not None:
        out["MaxUserConnections"] = int(account["max_user_connections"])
    return out


def _same(live: LiveAccount, account: dict[str, Any]) -> bool:
    mu = account.get("max_user_connections")
    return (live.description == (account.get("description") or "")
            and (mu is None or live.max_user_connections == mu))
