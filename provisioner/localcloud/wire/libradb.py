"""LibraDB actions on the wire (cynosdb 2019-01-07): the gateway's parameter checks, then the
service call, then the response fields in the SDK models' shapes.

Parameter presence and types are checked here, before any state is read (the real gateway does
the same); field names and types follow tencentcloud.cynosdb.v20190107.models. State and rules:
services/libradb.py. Error codes per rule: docs/localcloud-libradb.md.
"""

from __future__ import annotations

from typing import Any, Callable

from provisioner.products.libradb import rules as libradb_rules

from .. import behaviour
from ..services import libradb as svc
from ..store import Account, Instance, Store

DEFAULT_MAX_USER_CONNECTIONS = libradb_rules.LIBRADB_MAX_USER_CONNECTIONS  # like TencentDB CreateAccounts
DEFAULT_PASSWORD_ROTATION = 0
DEFAULT_LIMIT, MAX_LIMIT = 20, 100

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]

# --- parameter access (the gateway's schema checks) -------------------------------------------

_TYPES = {str: "String", int: "Integer", list: "Array", dict: "Object", bool: "Boolean"}


def _allow(obj: dict, allowed: set[str], prefix: str = "") -> None:
    for key in obj:
        if key not in allowed:
            raise svc.error("UnknownParameter", f"The parameter `{prefix}{key}` is not recognized.")


def _get(obj: dict, key: str, typ: type, *, required: bool = False, prefix: str = "", default: Any = None) -> Any:
    name = prefix + key
    value = obj.get(key)
    if value is None:
        if required:
            raise svc.error("OperationDenied.MissingParameterError", f"Parameter missing, {name}.")
        return default
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        raise svc.error("InvalidParameter", f"The value type of parameter `{name}` is incorrect: expected {_TYPES[typ]}.")
    if typ is list and required and not value:
        raise svc.error("OperationDenied.MissingParameterError", f"Parameter missing, {name} must not be empty.")
    return value


def _str_list(obj: dict, key: str, prefix: str = "") -> list[str]:
    items = _get(obj, key, list, prefix=prefix, default=[])
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise svc.error("InvalidParameter",
                            f"The value type of parameter `{prefix}{key}.{i}` is incorrect: expected String.")
    return items


def _obj_list(obj: dict, key: str, allowed: set[str], *, required: bool = False) -> list[dict]:
    items = _get(obj, key, list, required=required, default=[])
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise svc.error("InvalidParameter", f"The value type of parameter `{key}.{i}` is incorrect: expected Object.")
        _allow(item, allowed, f"{key}.{i}.")
    return items


def _input_account(obj: dict, prefix: str) -> tuple[str, str]:
    """InputAccount {AccountName, Host (default '%')} -> identity."""
    _allow(obj, {"AccountName", "Host"}, prefix)
    return (_get(obj, "AccountName", str, required=True, prefix=prefix),
            _get(obj, "Host", str, prefix=prefix, default=svc.DEFAULT_HOST))


def _account_param(params: dict) -> tuple[str, str]:
    return _input_account(_get(params, "Account", dict, required=True), "Account.")


def _paging(params: dict) -> tuple[int, int]:
    limit = _get(params, "Limit", int, default=DEFAULT_LIMIT)
    offset = _get(params, "Offset", int, default=0)
    if not 1 <= limit <= MAX_LIMIT:
        raise svc.value_error("Limit", f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise svc.value_error("Offset", "must not be negative")
    return limit, offset


def _cluster_id(params: dict) -> str:
    return _get(params, "ClusterId", str, required=True)


def _host(params: dict) -> str:
    return _get(params, "Host", str, default=svc.DEFAULT_HOST)


# --- accounts ---------------------------------------------------------------------------------

_NEW_ACCOUNT = {"AccountName", "Host", "AccountPassword", "PasswordRotation", "Description", "MaxUserConnections"}


def _account_out(a: Account) -> dict[str, Any]:
    return {"AccountName": a.name, "Host": a.host, "Description": a.description,
            "CreateTime": a.created, "UpdateTime": a.updated,
            "MaxUserConnections": a.max_user_connections, "PasswordRotation": a.password_rotation}


def create_accounts(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Accounts", "EncryptMethod"})
    cluster_id = _cluster_id(params)
    accounts = []
    for i, item in enumerate(_obj_list(params, "Accounts", _NEW_ACCOUNT, required=True)):
        p = f"Accounts.{i}."
        accounts.append(svc.NewAccount(
            p, _get(item, "AccountName", str, required=True, prefix=p),
            _get(item, "Host", str, prefix=p, default=svc.DEFAULT_HOST),
            _get(item, "AccountPassword", str, required=True, prefix=p),
            _get(item, "Description", str, prefix=p, default=""),
            _get(item, "MaxUserConnections", int, prefix=p, default=DEFAULT_MAX_USER_CONNECTIONS),
            _get(item, "PasswordRotation", int, prefix=p, default=DEFAULT_PASSWORD_ROTATION)))
    svc.create_accounts(store, cluster_id, accounts, _get(params, "EncryptMethod", str, default=""))
    return {}


def describe_accounts(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountNames", "AccountRegular", "Hosts", "Limit", "Offset"})
    cluster_id = _cluster_id(params)
    names, hosts = set(_str_list(params, "AccountNames")), set(_str_list(params, "Hosts"))
    keyword = _get(params, "AccountRegular", str, default="")
    limit, offset = _paging(params)
    found = svc.find_accounts(store, cluster_id, names, hosts, keyword)
    return {"AccountSet": [_account_out(a) for a in found[offset:offset + limit]], "TotalCount": len(found)}


def delete_accounts(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Accounts"})
    cluster_id = _cluster_id(params)
    ids = [_input_account(item, f"Accounts.{i}.")
           for i, item in enumerate(_obj_list(params, "Accounts", {"AccountName", "Host"}, required=True))]
    svc.delete_accounts(store, cluster_id, ids)
    return {}


def reset_password(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountName", "AccountPassword", "EncryptMethod", "Host"})
    cluster_id = _cluster_id(params)
    name = _get(params, "AccountName", str, required=True)
    password = _get(params, "AccountPassword", str, required=True)
    svc.reset_password(store, cluster_id, name, _host(params), password,
                       _get(params, "EncryptMethod", str, default=""))
    return {}


def modify_description(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountName", "Description", "Host"})
    cluster_id = _cluster_id(params)
    name = _get(params, "AccountName", str, required=True)
    description = _get(params, "Description", str, required=True)
    svc.modify_description(store, cluster_id, name, _host(params), description)
    return {}


def modify_host(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Account", "NewHost"})
    cluster_id = _cluster_id(params)
    name, host = _account_param(params)
    svc.modify_host(store, cluster_id, name, host, _get(params, "NewHost", str, required=True))
    return {}


# --- privileges -------------------------------------------------------------------------------

def modify_privileges(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Account", "GlobalPrivileges", "DatabasePrivileges", "TablePrivileges"})
    cluster_id = _cluster_id(params)
    name, host = _account_param(params)
    global_privileges = _str_list(params, "GlobalPrivileges")
    database = []
    for i, item in enumerate(_obj_list(params, "DatabasePrivileges", {"Db", "Privileges"})):
        p = f"DatabasePrivileges.{i}."
        database.append(svc.Grant(p, _get(item, "Db", str, required=True, prefix=p), _str_list(item, "Privileges", p)))
    table = []
    for i, item in enumerate(_obj_list(params, "TablePrivileges", {"Db", "TableName", "Privileges"})):
        p = f"TablePrivileges.{i}."
        table.append(svc.Grant(p, _get(item, "Db", str, required=True, prefix=p), _str_list(item, "Privileges", p),
                               _get(item, "TableName", str, required=True, prefix=p)))
    svc.modify_privileges(store, cluster_id, name, host, global_privileges, database, table)
    return {}


def describe_privileges(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "AccountName", "Host", "Db", "Type", "TableName"})
    cluster_id = _cluster_id(params)
    name = _get(params, "AccountName", str, required=True)
    host = _get(params, "Host", str, required=True)
    db = _get(params, "Db", str, required=True)
    kind = _get(params, "Type", str, required=True)
    table = _get(params, "TableName", str)
    if db != "*" and kind not in ("*", "database", "table", "global"):
        raise svc.param_error("Type", "must be '*' (or 'database'), 'table' or 'global'")
    if db != "*" and kind == "table" and not table:
        raise svc.error("OperationDenied.MissingParameterError", "Parameter missing, TableName (required when Type is table).")
    return {"Privileges": svc.privileges_at(store, cluster_id, name, host, db, kind, table)}


def _grant(privileges: list[str], on: str, name: str, host: str) -> str:
    return f"GRANT {', '.join(privileges)} ON {on} TO '{name}'@'{host}'"


def describe_all_privileges(store: Store, params: dict) -> dict:
    _allow(params, {"ClusterId", "Account"})
    cluster_id = _cluster_id(params)
    name, host = _account_param(params)
    p = svc.account_privileges(store, cluster_id, name, host, "Account.AccountName")
    statements = [_grant(p["global"], "*.*", name, host)] if p["global"] else []
    statements += [_grant(e["Privileges"], f"`{e['Db']}`.*", name, host) for e in p["database"]]
    statements += [_grant(e["Privileges"], f"`{e['Db']}`.`{e['TableName']}`", name, host) for e in p["table"]]
    return {"PrivilegeStatements": statements, "GlobalPrivileges": p["global"],
            "DatabasePrivileges": p["database"], "TablePrivileges": p["table"]}


# --- clusters ---------------------------------------------------------------------------------

_STATUS_DESC = {"running": "Running", "isolated": "Isolated", "creating": "Creating", "offlined": "Offline"}
_CLUSTER_FIELDS = {  # LibraDBClusterSet, with the defaults a seed may override through attrs
    "AppId": 1250000000, "CreateTime": svc.DEFAULT_CREATE_TIME, "CynosVersionTag": "", "InstanceNum": 1,
    "IsFreeze": "no", "PayMode": 0, "PeriodEndTime": "", "ProjectID": 0, "RenewFlag": 0, "Storage": 0,
    "SubnetId": "subnet-local", "Tasks": [], "Uin": "100000000001", "Vip": "127.0.0.1", "VpcId": "vpc-local",
    "Vport": 9030, "UpdateTime": "2024-01-01 00:00:00", "Zone": "", "MasterZone": None, "PhysicalZone": None,
    "CynosVersion": None, "NetAddrs": None,
}


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


def describe_clusters(store: Store, params: dict) -> dict:
    _allow(params, {"Limit", "Offset", "OrderBy", "OrderByType", "Filters"})
    limit, offset = _paging(params)
    order_by = _get(params, "OrderBy", str, default="ClusterId")
    order_type = _get(params, "OrderByType", str, default="asc").lower()
    if order_by not in svc.ORDER_BY:
        raise svc.value_error("OrderBy", f"must be one of {', '.join(svc.ORDER_BY)}")
    if order_type not in ("asc", "desc"):
        raise svc.value_error("OrderByType", "must be asc or desc")
    filters = []
    known = {n.lower() for n in svc.FILTER_NAMES}
    for i, f in enumerate(_obj_list(params, "Filters", {"Values", "Names", "ExactMatch", "Name", "Operator"})):
        p = f"Filters.{i}."
        names = _str_list(f, "Names", p) + ([_get(f, "Name", str, prefix=p)] if f.get("Name") is not None else [])
        values = _str_list(f, "Values", p)
        exact = _get(f, "ExactMatch", bool, prefix=p, default=False)
        if not names or any(n.lower() not in known for n in names):
            raise svc.value_error(p + "Names", "supported filter names are ClusterId, InstanceId and InstanceName")
        filters.append(svc.ClusterFilter(names, values, exact))
    clusters = svc.find_clusters(store, filters, order_by, descending=order_type == "desc")
    return {"ClusterSet": [_cluster_out(c) for c in clusters[offset:offset + limit]], "TotalCount": len(clusters)}


ACTIONS: dict[str, Handler] = behaviour.wrap_actions(svc.PRODUCT, "ClusterId", {
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
