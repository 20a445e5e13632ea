"""LibraDB (Tencent Cloud cynosdb 2019-01-07, analysis clusters) account actions.

Field names and types follow the official SDK models (tencentcloud.cynosdb.v20190107.models);
rules come from provisioner.core.rules. Which error code answers which rule, the defaults and the
Describe semantics are documented in docs/localcloud-libradb.md — keep the two in step.

Order of checks in every action, like the real service: parameter presence/types (no store
access) -> cluster exists -> (writes only) cluster running and unlocked -> values -> accounts.
Writes run inside one `store.atomic()` so check-then-write rules see a stable world and a
multi-account request is all-or-nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from provisioner.products.libradb import rules as libradb_rules
from provisioner.localcloud import behaviour
from provisioner.localcloud.errors import CloudError
from provisioner.localcloud.store import Account, Instance, Store

PRODUCT = "libradb"
DEFAULT_HOST = "%"
DEFAULT_MAX_USER_CONNECTIONS = libradb_rules.LIBRADB_MAX_USER_CONNECTIONS  # like TencentDB CreateAccounts
DEFAULT_PASSWORD_ROTATION = 0
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
TABLE_NAME_MAX = 64  # MySQL identifier limit

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]

# --- parameter access (the gateway's schema checks) -------------------------------------------

_TYPES = {str: "String", int: "Integer", list: "Array", dict: "Object", bool: "Boolean"}


def _err(code: str, message: str) -> CloudError:
    return CloudError(code, message)


def _param_error(field: str, why: str) -> CloudError:
    return _err("InvalidParameterValue.ParamError", f"Incorrect parameter {field}: {why}.")


def _value_error(field: str, why: str) -> CloudError:
    return _err("InvalidParameterValue.InvalidParameterValueError", f"Invalid value of {field}: {why}.")


def _allow(obj: dict, allowed: set[str], prefix: str = "") -> None:
    for key in obj:
        if key not in allowed:
            raise _err("UnknownParameter", f"The parameter `{prefix}{key}` is not recognized.")


def _get(obj: dict, key: str, typ: type, *, required: bool = False, prefix: str = "", default: Any = None) -> Any:
    name = prefix + key
    value = obj.get(key)
    if value is None:
        if required:
            raise _err("OperationDenied.MissingParameterError", f"Parameter missing, {name}.")
        return default
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        raise _err("InvalidParameter", f"The value type of parameter `{name}` is incorrect: expected {_TYPES[typ]}.")
    if typ is list and required and not value:
        raise _err("OperationDenied.MissingParameterError", f"Parameter missing, {name} must not be empty.")
    return value


def _str_list(obj: dict, key: str, prefix: str = "") -> list[str]:
    items = _get(obj, key, list, prefix=prefix, default=[])
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _err("InvalidParameter",
                       f"The value type of parameter `{prefix}{key}.{i}` is incorrect: expected String.")
    return items


def _obj_list(obj: dict, key: str, allowed: set[str], *, required: bool = False) -> list[dict]:
    items = _get(obj, key, list, required=required, default=[])
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _err("InvalidParameter", f"The value type of parameter `{key}.{i}` is incorrect: expected Object.")
        _allow(item, allowed, f"{key}.{i}.")
    return items


def _input_account(obj: dict, prefix: str) -> tuple[str, str]:
    """InputAccount {AccountName, Host (default '%')} -> identity."""
    _allow(obj, {"AccountName", "Host"}, prefix)
    return (_get(obj, "AccountName", str, required=True, prefix=prefix),
            _get(obj, "Host", str, prefix=prefix, default=DEFAULT_HOST))


def _account_param(params: dict) -> tuple[str, str]:
    account = _get(params, "Account", dict, required=True)
    return _input_account(account, "Account.")


def _paging(params: dict) -> tuple[int, int]:
    limit = _get(params, "Limit", int, default=DEFAULT_LIMIT)
    offset = _get(params, "Offset", int, default=0)
    if not 1 <= limit <= MAX_LIMIT:
        raise _value_error("Limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise _value_error("Offset", "must not be negative")
    return limit, offset


# --- world checks -----------------------------------------------------------------------------

def _cluster(store: Store, cluster_id: str, *, write: bool) -> Instance:
    inst = store.get_instance(PRODUCT, cluster_id)
    if inst is None:
        raise _err("ResourceNotFound.ClusterNotFoundError", f"The cluster {cluster_id} does not exist.")
    if write and inst.status != "running":
        raise _err("OperationDenied.InstanceStatusDeniedError",
                   f"Cluster {cluster_id} is {inst.status}: account operations need status running.")
    if write and inst.lock_mode != "Unlock":
        raise _err("ResourceUnavailable.InstanceLockFail",
                   f"Cluster {cluster_id} is locked ({inst.lock_mode}): the operation cannot be performed now.")
    return inst


def _not_system(name: str, field: str) -> None:
    if name.lower() in libradb_rules.LIBRADB_RESERVED_NAMES:
        raise _err("InvalidParameterValue.InternalAccount",
                   f"{field} '{name}' is a system account: the operation is not allowed for system accounts.")


def _existing(store: Store, cluster_id: str, name: str, host: str, field: str = "AccountName") -> Account:
    _not_system(name, field)
    acct = store.get_account(PRODUCT, cluster_id, name, host)
    # Just after CreateLibraDBClusterAccounts the account is not visible yet (behaviour.py).
    if acct is None or not behaviour.of(store).visible((PRODUCT, cluster_id, name, host)):
        raise _err("InvalidParameterValue.AccountNotExistError",
                   f"The account '{name}'@'{host}' does not exist on cluster {cluster_id}.")
    return acct


def _check_host(host: str, field: str) -> None:
    why = libradb_rules.check_libradb_host(host)
    if why:
        raise _param_error(field, why)


def _check_description(description: str, field: str) -> None:
    why = libradb_rules.check_libradb_description(description)
    if why:
        raise _param_error(field, why)


def _check_encrypt_method(params: dict) -> None:
    # Real clusters accept encrypted passwords; we only model plain text, so refuse loudly.
    method = _get(params, "EncryptMethod", str, default="")
    if method:
        raise _value_error("EncryptMethod", "the local cloud accepts only plain-text passwords (omit EncryptMethod)")


def _account_out(a: Account) -> dict[str, Any]:
    return {"AccountName": a.name, "Host": a.host, "Description": a.description,
            "CreateTime": a.created, "UpdateTime": a.updated,
            "MaxUserConnections": a.max_user_connections, "PasswordRotation": a.password_rotation}


# --- accounts ---------------------------------------------------------------------------------

_NEW_ACCOUNT = {"AccountName", "Host", "AccountPassword", "PasswordRotation", "Description", "MaxUserConnections"}


def create_accounts(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Accounts", "EncryptMethod"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    items = _obj_list(params, "Accounts", _NEW_ACCOUNT, required=True)
    specs = []
    for i, item in enumerate(items):
        p = f"Accounts.{i}."
        specs.append((p, _get(item, "AccountName", str, required=True, prefix=p),
                      _get(item, "Host", str, prefix=p, default=DEFAULT_HOST),
                      _get(item, "AccountPassword", str, required=True, prefix=p),
                      _get(item, "Description", str, prefix=p, default=""),
                      _get(item, "MaxUserConnections", int, prefix=p, default=DEFAULT_MAX_USER_CONNECTIONS),
                      _get(item, "PasswordRotation", int, prefix=p, default=DEFAULT_PASSWORD_ROTATION)))
    with store.atomic():
        inst = _cluster(store, cluster_id, write=True)
        _check_encrypt_method(params)
        new: list[Account] = []
        seen: set[tuple[str, str]] = set()
        for p, name, host, password, description, max_conn, rotation in specs:
            _not_system(name, p + "AccountName")
            why = libradb_rules.check_libradb_name(name)
            if why:
                raise _param_error(p + "AccountName", why)
            _check_host(host, p + "Host")
            why = libradb_rules.check_libradb_password(password)
            if why:  # never echo the password itself
                raise _err("InvalidParameterValue.IllegalPassword", f"{p}AccountPassword {why}.")
            _check_description(description, p + "Description")
            why = libradb_rules.check_libradb_max_user_connections(max_conn)
            if why:
                raise _value_error(p + "MaxUserConnections", why)
            if rotation not in (0, 1):
                raise _value_error(p + "PasswordRotation", "must be 0 (off) or 1 (on)")
            if (name, host) in seen:
                raise _err("InvalidParameterValue.AccountExist",
                           f"The account '{name}'@'{host}' appears more than once in Accounts.")
            seen.add((name, host))
            acct = Account(PRODUCT, cluster_id, name, host, description=description,
                           max_user_connections=max_conn, password_rotation=rotation,
                           privileges={"global": [], "database": [], "table": []})
            acct.set_password(password)
            new.append(acct)
        for acct in new:
            if store.get_account(PRODUCT, cluster_id, acct.name, acct.host):
                raise _err("InvalidParameterValue.AccountAlreadyExistError",
                           f"The account '{acct.name}'@'{acct.host}' already exists on cluster {cluster_id}.")
        used = store.count_accounts(PRODUCT, cluster_id)
        if used + len(new) > inst.account_quota:
            raise _err("OperationDenied.OperationDeniedError",
                       f"Account quota exceeded on cluster {cluster_id}: {used} of {inst.account_quota} used, "
                       f"{len(new)} requested.")
        for acct in new:
            store.insert_account(acct)
            behaviour.of(store).hide_new((PRODUCT, cluster_id, acct.name, acct.host))
    return {}


def describe_accounts(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountNames", "AccountRegular", "Hosts", "Limit", "Offset"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    names = set(_str_list(params, "AccountNames"))
    hosts = set(_str_list(params, "Hosts"))
    keyword = _get(params, "AccountRegular", str, default="").lower()
    limit, offset = _paging(params)
    _cluster(store, cluster_id, write=False)
    seen = behaviour.of(store)
    found = [a for a in store.list_accounts(PRODUCT, cluster_id)
             if (not names or a.name in names) and (not hosts or a.host in hosts)
             and keyword in a.name.lower() and seen.visible((PRODUCT, cluster_id, a.name, a.host))]
    return {"AccountSet": [_account_out(a) for a in found[offset:offset + limit]], "TotalCount": len(found)}


def delete_accounts(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Accounts"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    ids = [_input_account(item, f"Accounts.{i}.")
           for i, item in enumerate(_obj_list(params, "Accounts", {"AccountName", "Host"}, required=True))]
    with store.atomic():
        _cluster(store, cluster_id, write=True)
        targets = {(name, host) for name, host in ids}
        for name, host in sorted(targets):
            _existing(store, cluster_id, name, host)
        for name, host in targets:
            store.delete_account(PRODUCT, cluster_id, name, host)
            behaviour.of(store).forget((PRODUCT, cluster_id, name, host))
    return {}


def reset_password(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountName", "AccountPassword", "EncryptMethod", "Host"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    name = _get(params, "AccountName", str, required=True)
    password = _get(params, "AccountPassword", str, required=True)
    host = _get(params, "Host", str, default=DEFAULT_HOST)
    with store.atomic():
        _cluster(store, cluster_id, write=True)
        _check_encrypt_method(params)
        _not_system(name, "AccountName")
        why = libradb_rules.check_libradb_password(password)
        if why:
            raise _err("InvalidParameterValue.InvalidPasswordValueError", f"AccountPassword {why}.")
        acct = _existing(store, cluster_id, name, host)
        acct.set_password(password)
        store.save_account(acct)
    return {}


def modify_description(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountName", "Description", "Host"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    name = _get(params, "AccountName", str, required=True)
    description = _get(params, "Description", str, required=True)
    host = _get(params, "Host", str, default=DEFAULT_HOST)
    with store.atomic():
        _cluster(store, cluster_id, write=True)
        _check_description(description, "Description")
        acct = _existing(store, cluster_id, name, host)
        acct.description = description
        store.save_account(acct)
    return {}


def modify_host(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Account", "NewHost"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    name, host = _account_param(params)
    new_host = _get(params, "NewHost", str, required=True)
    with store.atomic():
        _cluster(store, cluster_id, write=True)
        _check_host(new_host, "NewHost")
        acct = _existing(store, cluster_id, name, host, "Account.AccountName")
        if new_host == host:
            return {}  # already there: idempotent, so a retried call succeeds
        if store.get_account(PRODUCT, cluster_id, name, new_host):
            raise _err("InvalidParameterValue.AccountAlreadyExistError",
                       f"The account '{name}'@'{new_host}' already exists on cluster {cluster_id}.")
        store.rename_host(acct, new_host)
    return {}


# --- privileges -------------------------------------------------------------------------------

def _check_privileges(privileges: list[str], scope: str, field: str) -> set[str]:
    for privilege in privileges:
        why = libradb_rules.check_libradb_privilege(privilege, scope=scope)
        if why:
            raise _param_error(field, why)
    return set(privileges)


def _check_db(inst: Instance, db: str, field: str) -> None:
    if db not in inst.databases:
        raise _err("ResourceNotFound.ResourceNotFoundErr",
                   f"{field}: database '{db}' does not exist on cluster {inst.id}.")


def modify_privileges(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Account", "GlobalPrivileges", "DatabasePrivileges", "TablePrivileges"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    name, host = _account_param(params)
    global_privileges = _str_list(params, "GlobalPrivileges")
    db_grants = [(f"DatabasePrivileges.{i}.", _get(item, "Db", str, required=True, prefix=f"DatabasePrivileges.{i}."),
                  _str_list(item, "Privileges", f"DatabasePrivileges.{i}."))
                 for i, item in enumerate(_obj_list(params, "DatabasePrivileges", {"Db", "Privileges"}))]
    table_grants = [(f"TablePrivileges.{i}.", _get(item, "Db", str, required=True, prefix=f"TablePrivileges.{i}."),
                     _get(item, "TableName", str, required=True, prefix=f"TablePrivileges.{i}."),
                     _str_list(item, "Privileges", f"TablePrivileges.{i}."))
                    for i, item in enumerate(_obj_list(params, "TablePrivileges", {"Db", "TableName", "Privileges"}))]
    with store.atomic():
        inst = _cluster(store, cluster_id, write=True)
        granted_global = _check_privileges(global_privileges, "global", "GlobalPrivileges")
        granted_db: dict[str, set[str]] = {}
        for p, db, privileges in db_grants:
            _check_db(inst, db, p + "Db")
            granted_db.setdefault(db, set()).update(_check_privileges(privileges, "database", p + "Privileges"))
        granted_table: dict[tuple[str, str], set[str]] = {}
        for p, db, table, privileges in table_grants:
            _check_db(inst, db, p + "Db")
            if not 1 <= len(table) <= TABLE_NAME_MAX:
                raise _param_error(p + "TableName", f"must be 1 to {TABLE_NAME_MAX} characters long")
            granted_table.setdefault((db, table), set()).update(
                _check_privileges(privileges, "table", p + "Privileges"))
        acct = _existing(store, cluster_id, name, host, "Account.AccountName")
        # Replace, never merge: the request is the account's complete privilege set. Repeated
        # entries for one Db (or Db.TableName) are united, like repeated GRANTs.
        acct.privileges = {
            "global": sorted(granted_global),
            "database": [{"Db": db, "Privileges": sorted(ps)} for db, ps in sorted(granted_db.items()) if ps],
            "table": [{"Db": db, "TableName": t, "Privileges": sorted(ps)}
                      for (db, t), ps in sorted(granted_table.items()) if ps],
        }
        store.save_account(acct)
    return {}


def _privileges(acct: Account) -> dict[str, Any]:
    p = acct.privileges or {}
    return {"global": p.get("global", []), "database": p.get("database", []), "table": p.get("table", [])}


def describe_privileges(store: Store, params: dict) -> dict:
    """Db '*' -> global privileges (Type/TableName ignored, as cynosdb DescribeAccountPrivileges);
    Type '*' or 'database' -> privileges on Db.*; Type 'table' -> on Db.TableName; Type 'global'
    -> global. Only what was granted at exactly that level (no inheritance)."""
    _allow(params, {"ClusterId", "AccountName", "Host", "Db", "Type", "TableName"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    name = _get(params, "AccountName", str, required=True)
    host = _get(params, "Host", str, required=True)
    db = _get(params, "Db", str, required=True)
    kind = _get(params, "Type", str, required=True)
    table = _get(params, "TableName", str)
    if db != "*" and kind not in ("*", "database", "table", "global"):
        raise _param_error("Type", "must be '*' (or 'database'), 'table' or 'global'")
    if db != "*" and kind == "table" and not table:
        raise _err("OperationDenied.MissingParameterError",
                   "Parameter missing, TableName (required when Type is table).")
    _cluster(store, cluster_id, write=False)
    privileges = _privileges(_existing(store, cluster_id, name, host))
    if db == "*" or kind == "global":
        found = privileges["global"]
    elif kind == "table":
        found = next((e["Privileges"] for e in privileges["table"] if e["Db"] == db and e["TableName"] == table), [])
    else:
        found = next((e["Privileges"] for e in privileges["database"] if e["Db"] == db), [])
    return {"Privileges": list(found)}


def _grant(privileges: list[str], on: str, name: str, host: str) -> str:
    return f"GRANT {', '.join(privileges)} ON {on} TO '{name}'@'{host}'"


def describe_all_privileges(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Account"})
    cluster_id = _get(params, "ClusterId", str, required=True)
    name, host = _account_param(params)
    _cluster(store, cluster_id, write=False)
    p = _privileges(_existing(store, cluster_id, name, host, "Account.AccountName"))
    statements = [_grant(p["global"], "*.*", name, host)] if p["global"] else []
    statements += [_grant(e["Privileges"], f"`{e['Db']}`.*", name, host) for e in p["database"]]
    statements += [_grant(e["Privileges"], f"`{e['Db']}`.`{e['TableName']}`", name, host) for e in p["table"]]
    return {"PrivilegeStatements": statements, "GlobalPrivileges": p["global"],
            "DatabasePrivileges": p["database"], "TablePrivileges": p["table"]}


# --- clusters ---------------------------------------------------------------------------------

_STATUS_DESC = {"running": "Running", "isolated": "Isolated", "creating": "Creating", "offlined": "Offline"}
_CLUSTER_FIELDS = {  # LibraDBClusterSet, with the defaults a seed may override through attrs
    "AppId": 1250000000, "CreateTime": "2024-01-01 00:00:00", "CynosVersionTag": "", "InstanceNum": 1,
    "IsFreeze": "no", "PayMode": 0, "PeriodEndTime": "", "ProjectID": 0, "RenewFlag": 0, "Storage": 0,
    "SubnetId": "subnet-local", "Tasks": [], "Uin": "100000000001", "Vip": "127.0.0.1", "VpcId": "vpc-local",
    "Vport": 9030, "UpdateTime": "2024-01-01 00:00:00", "Zone": "", "MasterZone": None, "PhysicalZone": None,
    "CynosVersion": None, "NetAddrs": None,
}
_FILTER_NAMES = {"clusterid", "instanceid", "instancename"}
_ORDER_BY = {"ClusterId": lambda i: i.id, "ClusterName": lambda i: i.name,
             "CreateTime": lambda i: i.attrs.get("CreateTime", _CLUSTER_FIELDS["CreateTime"])}


def _cluster_out(inst: Instance) -> dict[str, Any]:
    out = dict(_CLUSTER_FIELDS)
    out.update({k: v for k, v in inst.attrs.items() if k in _CLUSTER_FIELDS})
    out.update(ClusterId=inst.id, ClusterName=inst.name, Region=inst.region, Status=inst.status,
               StatusDesc=_STATUS_DESC.get(inst.status, inst.status), DbVersion=inst.version)
    out["CynosVersion"] = out["CynosVersion"] or inst.version
    out["MasterZone"] = out["MasterZone"] or out["Zone"]
    out["PhysicalZone"] = out["PhysicalZone"] or out["Zone"]
    if out["NetAddrs"] is None:
        out["NetAddrs"] = [{"Vip": out["Vip"], "Vport": out["Vport"], "NetType": "rw", "WanDomain": "",
                            "WanPort": 0, "WanIP": "", "WanStatus": "closed", "UniqVpcId": out["VpcId"],
                            "UniqSubnetId": out["SubnetId"], "Description": "", "InstanceGroupId": ""}]
    return out


def _filter_match(inst: Instance, names: list[str], values: list[str], exact: bool) -> bool:
    instances = inst.attrs.get("Instances", [])  # optional [{"InstanceId", "InstanceName"}]
    for name in names:
        key = name.lower()
        if key == "clusterid" and inst.id in values:
            return True
        if key == "instanceid" and any(i.get("InstanceId") in values for i in instances):
            return True
        if key == "instancename" and any(
                (i.get("InstanceName") in values) if exact else any(v in i.get("InstanceName", "") for v in values)
                for i in instances):
            return True
    return False


def describe_clusters(store: Store, params: dict) -> dict:
    _allow(params, {"Limit", "Offset", "OrderBy", "OrderByType", "Filters"})
    limit, offset = _paging(params)
    order_by = _get(params, "OrderBy", str, default="ClusterId")
    order_type = _get(params, "OrderByType", str, default="asc").lower()
    if order_by not in _ORDER_BY:
        raise _value_error("OrderBy", f"must be one of {', '.join(_ORDER_BY)}")
    if order_type not in ("asc", "desc"):
        raise _value_error("OrderByType", "must be asc or desc")
    filters = []
    for i, f in enumerate(_obj_list(params, "Filters", {"Values", "Names", "ExactMatch", "Name", "Operator"})):
        p = f"Filters.{i}."
        names = _str_list(f, "Names", p) + ([_get(f, "Name", str, prefix=p)] if f.get("Name") is not None else [])
        values = _str_list(f, "Values", p)
        exact = _get(f, "ExactMatch", bool, prefix=p, default=False)
        bad = [n for n in names if n.lower() not in _FILTER_NAMES]
        if not names or bad:
            raise _value_error(p + "Names", "supported filter names are ClusterId, InstanceId and InstanceName")
        filters.append((names, values, exact))
    clusters = [c for c in store.list_instances(PRODUCT) if all(_filter_match(c, *f) for f in filters)]
    clusters.sort(key=_ORDER_BY[order_by], reverse=order_type == "desc")
    return {"ClusterSet": [_cluster_out(c) for c in clusters[offset:offset + limit]], "TotalCount": len(clusters)}


ACTIONS: dict[str, Handler] = behaviour.wrap_actions(PRODUCT, "ClusterId", {
    "CreateLibraDBClusterAccounts": create_accounts,
    "DescribeLibraDBClusterAccounts": describe_accounts,
    "DeleteLibraDBClusterAccounts": delete_accounts,
    "ResetLibraDBClusterAccountPassword": reset_password,
    "ModifyLibraDBClusterAccountDescription": modify_description,
    "ModifyLibraDBClusterAccountHost": modify_host,
    "ModifyLibraDBClusterAccountPrivilege": modify_privileges,
    "DescribeLibraDBClusterAccountPrivileges": describe_privileges,
    "DescribeLibraDBClusterAccountAllPrivileges": describe_all_privileges,
    "DescribeLibraDBClusters": describe_clusters,
})
