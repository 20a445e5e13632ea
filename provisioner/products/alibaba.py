"""What RDS (2014-08-15) and PolarDB (2017-08-01) share: tea-openapi clients, account identity
by name only (host ""), privileges inline in DescribeAccounts as {db: privilege}, and Grant /
Revoke with comma lists (DBName and AccountPrivilege paired, in the same order)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from darabonba.runtime import RuntimeOptions

from provisioner.core import errors
from provisioner.core.adapter import CloudApiError, LiveAccount
from provisioner.core.adapter_base import AccountMap, AdapterBase

log = logging.getLogger("provisioner.cloud")


def client_config(settings: Any, policy: Any) -> Any:
    """The tea-openapi client config both Alibaba products use; the SDK's own retry stays off:
    core/retry is the one policy."""
    from alibabacloud_tea_openapi.utils_models import Config
    return Config(access_key_id=settings.access_key_id, access_key_secret=settings.access_key_secret,
                  region_id=settings.region, endpoint=settings.endpoint, protocol=settings.protocol,
                  connect_timeout=int(policy.connect_timeout * 1000),
                  read_timeout=int(policy.read_timeout * 1000),
                  # None = one attempt; the SDK's retry is opaque to us. The SDK annotates the
                  # parameter RetryOptions with a None default and checks for None (Config.to_map).
                  retry_options=None)  # type: ignore[arg-type]


class AlibabaAdapter(AdapterBase):
    models: Any = None
    ID = ""                      # "DBInstanceId" | "DBClusterId"
    PAGE_SIZE = 100
    METHODS: dict[str, str] = {}  # action -> SDK method name (without _with_options)

    def _wire(self, action: str, params: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        request = getattr(self.models, f"{action}Request")().from_map(params)
        method = getattr(self.client, f"{self.METHODS[action]}_with_options")
        return lambda: method(request, RuntimeOptions()).body.to_map()

    def _host(self, host: str) -> str:
        return ""   # Alibaba accounts have no host; callers may pass "%" or ""

    LIST_ACTION = ""             # "DescribeDBInstances" | "DescribeDBClusters"

    def list_instance_ids(self) -> list[str]:
        """Every instance/cluster the credentials see in this region (read-only; for discovery):
        Items.DBInstance[] / Items.DBCluster[] of the list API, every page."""
        ids: list[str] = []
        page_number = 1
        while True:
            resp = self._call(self.LIST_ACTION, {"RegionId": self.settings.region, "PageNumber": page_number,
                                                 "PageSize": 100})
            items = next(iter((resp.get("Items") or {}).values()), None) or []
            ids += [i[self.ID] for i in items if i.get(self.ID)]
            total = resp.get("TotalRecordCount")
            if len(items) < 100 or (total is not None and len(ids) >= int(total)):
                return ids
            page_number += 1

    # --- reads ----------------------------------------------------------------------------------

    def _page(self, resp: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _live(self, instance_id: str, a: dict[str, Any]) -> LiveAccount:
        """One DescribeAccounts entry in the normalised form (RDS maps engine read-back quirks)."""
        return _live(a)

    def _fetch_accounts(self, instance_id: str) -> AccountMap:
        out: AccountMap = {}
        page_number = 1
        while True:
            resp = self._call("DescribeAccounts", {self.ID: instance_id, "PageNumber": page_number,
                                                   "PageSize": self.PAGE_SIZE})
            page = self._page(resp)
            before = len(out)
            for a in page:
                out[(a["AccountName"], "")] = self._live(instance_id, a)
            total = resp.get("TotalRecordCount")
            # Stop on a short page, on the reported total, or if the server ignored paging.
            if len(page) < self.PAGE_SIZE or len(out) == before or (total is not None and len(out) >= int(total)):
                return out
            page_number += 1

    def _fetch_databases(self, instance_id: str) -> frozenset[str]:
        """DescribeDatabases, every page: Databases.Database[].DBName (both APIs' response models)."""
        names: set[str] = set()
        page_number = 1
        while True:
            resp = self._call("DescribeDatabases", {self.ID: instance_id, "PageNumber": page_number,
                                                    "PageSize": 100})
            page = (resp.get("Databases") or {}).get("Database") or []
            before = len(names)
            names.update(d["DBName"] for d in page if d.get("DBName"))
            total = resp.get("TotalCount")
            if len(page) < 100 or len(names) == before or (total is not None and len(names) >= int(total)):
                return frozenset(names)
            page_number += 1

    def _one(self, instance_id: str, name: str) -> LiveAccount | None:
        """The account as the cloud reports it right now (DescribeAccounts for one name, no cache)."""
        resp = self._call("DescribeAccounts", {self.ID: instance_id, "AccountName": name})
        found = [a for a in self._page(resp) if a.get("AccountName") == name]
        return self._live(instance_id, found[0]) if found else None

    # --- waiting for an account change to settle -------------------------------------------------
    # The services apply account writes asynchronously (terraform-provider-alicloud waits for
    # AccountStatus Available after every write, until the account is gone after a delete, and
    # until a grant or revoke shows in DescribeAccounts): so do we, before the next write.

    def _wait_available(self, instance_id: str, name: str,
                        also: Callable[[LiveAccount], bool] = lambda live: True, what: str = "") -> LiveAccount:
        with self._or_forget(instance_id):   # never settled: what the cloud shows is unknown
            live = self._settle(f"account {name} on {instance_id}{what}", lambda: self._one(instance_id, name),
                                lambda a: a is not None and a.status == "Available" and also(a))
        assert live is not None   # settled means present (the predicate above)
        self._put(instance_id, live)
        return live

    # --- the cached account list after our own writes --------------------------------------------
    # A write whose outcome we know patches the instance's cached list (core/cache.py: under its
    # lock, and a list fetch that started before the write never stores its answer), so the
    # checks of the next resources on the instance do not list it again. What the entry becomes
    # is the settled account as DescribeAccounts reads it back (_live: the engine's read-back
    # normalised), first as expected from the request, then as the settle poll read it. A write
    # whose outcome is uncertain (an error, a lost response, a wait that never settled) drops the
    # list: the next read lists the instance again.

    @contextmanager
    def _or_forget(self, instance_id: str) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self._forget(instance_id)
            raise

    def _put(self, instance_id: str, live: LiveAccount) -> None:
        """A DBOwner grant can take the database from another account (RDS PostgreSQL keeps one
        owner per database), which a patch of this account would not show: re-read the list."""
        if "DBOwner" in live.privileges.values():
            self._forget(instance_id)
        else:
            super()._put(instance_id, live)

    def _expected(self, instance_id: str, account: dict[str, Any], granted: dict[str, str] | None) -> LiveAccount:
        """The DescribeAccounts entry of a new account once its create settles, read back as a
        list read would (self._live)."""
        return self._live(instance_id, {
            "AccountName": account["name"], "AccountType": account.get("account_type") or "Normal",
            "AccountDescription": account.get("description") or "", "AccountStatus": "Available",
            "DatabasePrivileges": [{"DBName": db, "AccountPrivilege": level}
                                   for db, level in sorted((granted or {}).items())]})

    def _with_rollback(self, instance_id: str, name: str, host: str, step: Callable[[], None]) -> None:
        with self._or_forget(instance_id):   # a failed grant, then maybe a failed rollback
            super()._with_rollback(instance_id, name, host, step)

    def _wait_gone(self, instance_id: str, name: str) -> LiveAccount | None:
        """None once the delete completed; the account if it was left in Lock (RDS PostgreSQL)."""
        return self._settle(f"delete of account {name} on {instance_id}", lambda: self._one(instance_id, name),
                            lambda a: a is None or a.status == "Lock")

    def _normalise(self, instance_id: str, privileges: dict[str, str]) -> dict[str, str]:
        return privileges

    # --- writes ---------------------------------------------------------------------------------

    def delete_account(self, instance_id: str, name: str, host: str = "") -> bool:
        with self._or_forget(instance_id):
            return self._delete(instance_id, name)

    def _delete(self, instance_id: str, name: str) -> bool:
        deleted, unlocked = False, False
        for _ in range(3):   # delete, and again after an unlock if the account was left in Lock
            try:
                # A delete refused because the account is locked (an earlier delete of ours, its
                # response lost, left it in Lock) is not waited out: unlock, then delete again.
                self._call("DeleteAccount", {self.ID: instance_id, "AccountName": name}, wait_for=instance_id,
                           stop=lambda err: err.code == "AccountActionForbidden" and self._locked(instance_id, name))
                deleted = True
            except CloudApiError as err:
                if err.code == "AccountActionForbidden" and self._locked(instance_id, name):
                    self._unlock(instance_id, name)
                    unlocked = True
                    continue
                if err.kind != errors.ACCOUNT_NOT_FOUND:
                    raise
                self._remove(instance_id, name, "")
                return deleted or err.after_transient   # gone after a lost response: our first attempt did it
            left = self._wait_gone(instance_id, name)
            if left is None:
                break
            self._unlock(instance_id, name)
            unlocked = True
        if unlocked:   # an owner left in Lock: its databases went to another account (PostgreSQL)
            self._forget(instance_id)
        else:
            self._remove(instance_id, name, "")
        return True

    def _locked(self, instance_id: str, name: str) -> bool:
        live = self._one(instance_id, name)
        return live is not None and live.status == "Lock"

    def _unlock(self, instance_id: str, name: str) -> None:
        raise NotImplementedError(f"{self.product} accounts are never left locked")

    def set_description(self, instance_id: str, name: str, host: str, description: str) -> None:
        with self._or_forget(instance_id):
            self._call("ModifyAccountDescription", {self.ID: instance_id, "AccountName": name,
                                                    "AccountDescription": description}, wait_for=instance_id)
        self._wait_available(instance_id, name, lambda a: a.description == description)

    def set_privileges(self, instance_id: str, name: str, host: str,
                       old: dict[str, Any], new: dict[str, Any]) -> None:
        """Revoke databases no longer wanted (one call), grant new or changed ones (one call);
        each waits until DescribeAccounts shows it."""
        old, new = old or {}, new or {}
        revoke = sorted(db for db in old if db not in new)
        grant = {db: p for db, p in sorted(new.items()) if old.get(db) != p}
        # Each step ends with the account as the settle poll read it back (_wait_available, _put):
        # what the cloud made of the grant, not what we asked for. A step that failed drops the list.
        with self._or_forget(instance_id):
            if revoke:
                self._revoke(instance_id, name, revoke)
            if grant:
                self._grant(instance_id, name, grant)

    def _revoke(self, instance_id: str, name: str, dbs: list[str]) -> None:
        self._call("RevokeAccountPrivilege", {self.ID: instance_id, "AccountName": name,
                                              "DBName": ",".join(dbs)}, wait_for=instance_id)
        self._wait_available(instance_id, name, lambda a: not set(dbs) & set(a.privileges),
                             " (revoke to show)")

    def _grant(self, instance_id: str, name: str, grant: dict[str, str]) -> None:
        self._call("GrantAccountPrivilege", {self.ID: instance_id, "AccountName": name,
                                             "DBName": ",".join(grant),
                                             "AccountPrivilege": ",".join(grant.values())},
                   wait_for=instance_id)
        self._wait_available(instance_id, name, lambda a: _holds(a.privileges, grant), " (grant to show)")

    def _create(self, instance_id: str, account: dict[str, Any], params: dict[str, Any],
                password: str, granted: dict[str, str] | None = None) -> None:
        """CreateAccount, then wait until the account is Available (with the privileges granted
        at create). An "exists" after a lost response is success if the account is ours; an
        "exists" for an account still being deleted (or created) waits for it to settle."""
        name = account["name"]
        answered = False   # the cloud answered our CreateAccount: the account is ours, as asked
        try:
            for attempt in (1, 2):
                try:
                    self._call("CreateAccount", params, secrets=(password,), wait_for=instance_id)
                    answered = True
                    break
                except CloudApiError as err:
                    if self._ours_after_retry(err, instance_id, name, "", lambda live: _same(live, account)):
                        break
                    if err.kind != errors.EXISTS or attempt == 2 or not self._name_freed(instance_id, name):
                        raise
        finally:
            if answered:
                self._put(instance_id, self._expected(instance_id, account, granted))
            else:   # failed, or "exists" after a lost response: re-read
                self._forget(instance_id)
        self._wait_available(instance_id, name, lambda a: _holds(a.privileges, granted or {}))

    def _name_freed(self, instance_id: str, name: str) -> bool:
        """The name is taken: if by an account in transition (a delete completing), wait until it
        settles. True when the name became free (create again), False when an account stays."""
        live = self._one(instance_id, name)
        if live is None:
            return True
        if live.status == "Available":
            return False
        log.debug("%s account %s on %s is %s: waiting for it to settle before creating", self.product,
                  name, instance_id, live.status)
        return self._settle(f"account name {name} on {instance_id} to be free or settled",
                            lambda: self._one(instance_id, name),
                            lambda a: a is None or a.status == "Available") is None


def _holds(live: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(live.get(db) == level for db, level in wanted.items())


def _live(a: dict[str, Any]) -> LiveAccount:
    privs = a.get("DatabasePrivileges") or {}
    if isinstance(privs, dict):   # RDS wraps the list: {"DatabasePrivilege": [...]}
        privs = privs.get("DatabasePrivilege") or []
    return LiveAccount(
        name=a["AccountName"], host="", account_type=a.get("AccountType") or "Normal",
        description=a.get("AccountDescription") or "",
        privileges={p["DBName"]: p.get("AccountPrivilege") or "" for p in privs if p.get("DBName")},
        status=a.get("AccountStatus") or "Available")


def _same(live: LiveAccount, account: dict[str, Any]) -> bool:
    return (live.account_type == (account.get("account_type") or "Normal")
            and live.description == (account.get("description") or ""))
