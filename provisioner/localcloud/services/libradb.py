"""LibraDB (Tencent Cloud cynosdb 2019-01-07, analysis clusters): account state and rules.

The wire layer (wire/libradb.py) has already checked parameter presence and types; this module
checks the world and the values, in the real service's order: cluster exists -> (writes only)
cluster running and unlocked -> values -> accounts. Writes run inside one `store.atomic()`, so
check-then-write rules see a stable world and a multi-account request is all-or-nothing. Rules
come from provisioner/products/libradb/rules.py; which code answers which rule: docs/localcloud-libradb.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provisioner.products.libradb import rules as libradb_rules

from .. import behaviour
from ..errors import CloudError
from ..store import Account, Instance, Store

PRODUCT = "libradb"
DEFAULT_HOST = "%"
TABLE_NAME_MAX = 64  # MySQL identifier limit
DEFAULT_CREATE_TIME = "2024-01-01 00:00:00"
FILTER_NAMES = ("ClusterId", "InstanceId", "InstanceName")
ORDER_BY = {"ClusterId": lambda i: i.id, "ClusterName": lambda i: i.name,
            "CreateTime": lambda i: i.attrs.get("CreateTime", DEFAULT_CREATE_TIME)}


def error(code: str, message: str) -> CloudError:
    return CloudError(code, message)


def param_error(field: str, why: str) -> CloudError:
    return error("InvalidParameterValue.ParamError", f"Incorrect parameter {field}: {why}.")


def value_error(field: str, why: str) -> CloudError:
    return error("InvalidParameterValue.InvalidParameterValueError", f"Invalid value of {field}: {why}.")


@dataclass(frozen=True)
class NewAccount:
    field: str                  # "Accounts.<i>.": where the account was in the request (for messages)
    name: str
    host: str
    password: str
    description: str
    max_user_connections: int
    password_rotation: int


@dataclass(frozen=True)
class Grant:
    field: str                  # "DatabasePrivileges.<i>." / "TablePrivileges.<i>."
    db: str
    privileges: list[str]
    table: str | None = None


@dataclass(frozen=True)
class ClusterFilter:
    names: list[str]
    values: list[str]
    exact: bool


# --- world checks -----------------------------------------------------------------------------

def cluster(store: Store, cluster_id: str, *, write: bool) -> Instance:
    inst = store.get_instance(PRODUCT, cluster_id)
    if inst is None:
        raise error("ResourceNotFound.ClusterNotFoundError", f"The cluster {cluster_id} does not exist.")
    if write and inst.status != "running":
        raise error("OperationDenied.InstanceStatusDeniedError",
                    f"Cluster {cluster_id} is {inst.status}: account operations need status running.")
    if write and inst.lock_mode != "Unlock":
        raise error("ResourceUnavailable.InstanceLockFail",
                    f"Cluster {cluster_id} is locked ({inst.lock_mode}): the operation cannot be performed now.")
    return inst


def _not_system(name: str, field: str) -> None:
    if name.lower() in libradb_rules.LIBRADB_RESERVED_NAMES:
        raise error("InvalidParameterValue.InternalAccount",
                    f"{field} '{name}' is a system account: the operation is not allowed for system accounts.")


def _existing(store: Store, cluster_id: str, name: str, host: str, field: str = "AccountName") -> Account:
    _not_system(name, field)
    acct = store.get_account(PRODUCT, cluster_id, name, host)
    # Just after CreateLibraDBClusterAccounts the account is not visible yet (behaviour.py).
    if acct is None or not behaviour.of(store).visible((PRODUCT, cluster_id, name, host)):
        raise error("InvalidParameterValue.AccountNotExistError",
                    f"The account '{name}'@'{host}' does not exist on cluster {cluster_id}.")
    return acct


def _check(why: str | None, field: str) -> None:
    if why:
        raise param_error(field, why)


def _plain_text_only(encrypt_method: str) -> None:
    # Real clusters accept encrypted passwords; we only model plain text, so refuse loudly.
    if encrypt_method:
        raise value_error("EncryptMethod", "the local cloud accepts only plain-text passwords (omit EncryptMethod)")


# --- accounts ---------------------------------------------------------------------------------

def create_accounts(store: Store, cluster_id: str, accounts: list[NewAccount], encrypt_method: str) -> None:
    with store.atomic():
        inst = cluster(store, cluster_id, write=True)
        _plain_text_only(encrypt_method)
        new: list[Account] = []
        seen: set[tuple[str, str]] = set()
        for a in accounts:
            p = a.field
            _not_system(a.name, p + "AccountName")
            _check(libradb_rules.check_libradb_name(a.name), p + "AccountName")
            _check(libradb_rules.check_libradb_host(a.host), p + "Host")
            why = libradb_rules.check_libradb_password(a.password)
            if why:  # never echo the password itself
                raise error("InvalidParameterValue.IllegalPassword", f"{p}AccountPassword {why}.")
            _check(libradb_rules.check_libradb_description(a.description), p + "Description")
            why = libradb_rules.check_libradb_max_user_connections(a.max_user_connections)
            if why:
                raise value_error(p + "MaxUserConnections", why)
            if a.password_rotation not in (0, 1):
                raise value_error(p + "PasswordRotation", "must be 0 (off) or 1 (on)")
            if (a.name, a.host) in seen:
                raise error("InvalidParameterValue.AccountExist",
                            f"The account '{a.name}'@'{a.host}' appears more than once in Accounts.")
            seen.add((a.name, a.host))
            acct = Account(PRODUCT, cluster_id, a.name, a.host, description=a.description,
                           max_user_connections=a.max_user_connections, password_rotation=a.password_rotation,
                           privileges={"global": [], "database": [], "table": []})
            acct.set_password(a.password)
            new.append(acct)
        for acct in new:
            if store.get_account(PRODUCT, cluster_id, acct.name, acct.host):
                raise error("InvalidParameterValue.AccountAlreadyExistError",
                            f"The account '{acct.name}'@'{acct.host}' already exists on cluster {cluster_id}.")
        used = store.count_accounts(PRODUCT, cluster_id)
        if used + len(new) > inst.account_quota:
            raise error("OperationDenied.OperationDeniedError",
                        f"Account quota exceeded on cluster {cluster_id}: {used} of {inst.account_quota} used, "
                        f"{len(new)} requested.")
        for acct in new:
            store.insert_account(acct)
            behaviour.of(store).hide_new((PRODUCT, cluster_id, acct.name, acct.host))


def find_accounts(store: Store, cluster_id: str, names: set[str], hosts: set[str], keyword: str) -> list[Account]:
    """The visible accounts matching every given filter (keyword: a case-insensitive substring)."""
    cluster(store, cluster_id, write=False)
    seen = behaviour.of(store)
    return [a for a in store.list_accounts(PRODUCT, cluster_id)
            if (not names or a.name in names) and (not hosts or a.host in hosts)
            and keyword.lower() in a.name.lower() and seen.visible((PRODUCT, cluster_id, a.name, a.host))]


def delete_accounts(store: Store, cluster_id: str, ids: list[tuple[str, str]]) -> None:
    with store.atomic():
        cluster(store, cluster_id, write=True)
        targets = set(ids)
        for name, host in sorted(targets):
            _existing(store, cluster_id, name, host)
        for name, host in targets:
            store.delete_account(PRODUCT, cluster_id, name, host)
            behaviour.of(store).forget((PRODUCT, cluster_id, name, host))


def reset_password(store: Store, cluster_id: str, name: str, host: str, password: str, encrypt_method: str) -> None:
    with store.atomic():
        cluster(store, cluster_id, write=True)
        _plain_text_only(encrypt_method)
        _not_system(name, "AccountName")
        why = libradb_rules.check_libradb_password(password)
        if why:
            raise error("InvalidParameterValue.InvalidPasswordValueError", f"AccountPassword {why}.")
        acct = _existing(store, cluster_id, name, host)
        acct.set_password(password)
        store.save_account(acct)


def modify_description(store: Store, cluster_id: str, name: str, host: str, description: str) -> None:
    with store.atomic():
        cluster(store, cluster_id, write=True)
        _check(libradb_rules.check_libradb_description(description), "Description")
        acct = _existing(store, cluster_id, name, host)
        acct.description = description
        store.save_account(acct)


def modify_host(store: Store, cluster_id: str, name: str, host: str, new_host: str) -> None:
    with store.atomic():
        cluster(store, cluster_id, write=True)
        _check(libradb_rules.check_libradb_host(new_host), "NewHost")
        acct = _existing(store, cluster_id, name, host, "Account.AccountName")
        if new_host == host:
            return  # already there: idempotent, so a retried call succeeds
        if store.get_account(PRODUCT, cluster_id, name, new_host):
            raise error("InvalidParameterValue.AccountAlreadyExistError",
                        f"The account '{name}'@'{new_host}' already exists on cluster {cluster_id}.")
        store.rename_host(acct, new_host)


# --- privileges -------------------------------------------------------------------------------

def _privileges_at(privileges: list[str], scope: str, field: str) -> set[str]:
    for privilege in privileges:
        _check(libradb_rules.check_libradb_privilege(privilege, scope=scope), field)
    return set(privileges)


def _check_db(inst: Instance, db: str, field: str) -> None:
    if db not in inst.databases:
        raise error("ResourceNotFound.ResourceNotFoundErr", f"{field}: database '{db}' does not exist on cluster {inst.id}.")


def modify_privileges(store: Store, cluster_id: str, name: str, host: str, global_privileges: list[str],
                      database: list[Grant], table: list[Grant]) -> None:
    """Replace, never merge: the request is the account's complete privilege set. Repeated
    entries for one Db (or Db.TableName) are united, like repeated GRANTs."""
    with store.atomic():
        inst = cluster(store, cluster_id, write=True)
        granted_global = _privileges_at(global_privileges, "global", "GlobalPrivileges")
        granted_db: dict[str, set[str]] = {}
        for g in database:
            _check_db(inst, g.db, g.field + "Db")
            granted_db.setdefault(g.db, set()).update(_privileges_at(g.privileges, "database", g.field + "Privileges"))
        granted_table: dict[tuple[str, str], set[str]] = {}
        for g in table:
            _check_db(inst, g.db, g.field + "Db")
            assert g.table is not None
            if not 1 <= len(g.table) <= TABLE_NAME_MAX:
                raise param_error(g.field + "TableName", f"must be 1 to {TABLE_NAME_MAX} characters long")
            granted_table.setdefault((g.db, g.table), set()).update(
                _privileges_at(g.privileges, "table", g.field + "Privileges"))
        acct = _existing(store, cluster_id, name, host, "Account.AccountName")
        acct.privileges = {
            "global": sorted(granted_global),
            "database": [{"Db": db, "Privileges": sorted(ps)} for db, ps in sorted(granted_db.items()) if ps],
            "table": [{"Db": db, "TableName": t, "Privileges": sorted(ps)}
                      for (db, t), ps in sorted(granted_table.items()) if ps],
        }
        store.save_account(acct)


def account_privileges(store: Store, cluster_id: str, name: str, host: str,
                       field: str = "AccountName") -> dict[str, Any]:
    """{"global": [...], "database": [{"Db", "Privileges"}], "table": [{"Db", "TableName", "Privileges"}]}."""
    cluster(store, cluster_id, write=False)
    p = _existing(store, cluster_id, name, host, field).privileges or {}
    return {"global": p.get("global", []), "database": p.get("database", []), "table": p.get("table", [])}


def privileges_at(store: Store, cluster_id: str, name: str, host: str, db: str, kind: str,
                  table: str | None) -> list[str]:
    """Db '*' -> global privileges (Type/TableName ignored, as cynosdb DescribeAccountPrivileges);
    Type '*' or 'database' -> privileges on Db.*; Type 'table' -> on Db.TableName; Type 'global'
    -> global. Only what was granted at exactly that level (no inheritance)."""
    privileges = account_privileges(store, cluster_id, name, host)
    if db == "*" or kind == "global":
        return list(privileges["global"])
    if kind == "table":
        return list(next((e["Privileges"] for e in privileges["table"]
                          if e["Db"] == db and e["TableName"] == table), []))
    return list(next((e["Privileges"] for e in privileges["database"] if e["Db"] == db), []))


# --- clusters ---------------------------------------------------------------------------------

def _matches(inst: Instance, f: ClusterFilter) -> bool:
    instances = inst.attrs.get("Instances", [])  # optional [{"InstanceId", "InstanceName"}]
    for name in f.names:
        key = name.lower()
        if key == "clusterid" and inst.id in f.values:
            return True
        if key == "instanceid" and any(i.get("InstanceId") in f.values for i in instances):
            return True
        if key == "instancename" and any(
                (i.get("InstanceName") in f.values) if f.exact else any(v in i.get("InstanceName", "") for v in f.values)
                for i in instances):
            return True
    return False


def find_clusters(store: Store, filters: list[ClusterFilter], order_by: str, descending: bool) -> list[Instance]:
    """Clusters matching every filter (a filter matches on any of its names), sorted."""
    found = [c for c in store.list_instances(PRODUCT) if all(_matches(c, f) for f in filters)]
    found.sort(key=ORDER_BY[order_by], reverse=descending)
    return found
