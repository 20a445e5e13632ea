"""RDS actions on the wire (2014-08-15): parameters in, the service call, the response fields out.

Shapes follow alibabacloud_rds20140815.models (from_map keys): RDS wraps every list in an object
named after the element, e.g. Accounts.DBInstanceAccount[] and DatabasePrivileges.DatabasePrivilege[].
State and rules: services/rds.py.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import behaviour
from ..services import rds as svc
from ..services.alibaba import Shown
from ..store import Instance, Store
from . import alibaba_shapes as shapes
from .alibaba_accounts import account_changes
from .alibaba_params import csv, page, paging, required

Handler = Callable[[Store, dict[str, str]], dict[str, Any]]

# What each privilege means in MySQL grants, as RDS reports in AccountPrivilegeDetail.
_MYSQL_DETAIL = {
    "ReadWrite": "SELECT,INSERT,UPDATE,DELETE,CREATE,DROP,REFERENCES,INDEX,ALTER,CREATE TEMPORARY TABLES,"
                 "LOCK TABLES,EXECUTE,CREATE VIEW,SHOW VIEW,CREATE ROUTINE,ALTER ROUTINE,EVENT,TRIGGER",
    "ReadOnly": "SELECT,LOCK TABLES,SHOW VIEW",
    "DDLOnly": "CREATE,DROP,INDEX,ALTER,CREATE TEMPORARY TABLES,LOCK TABLES,CREATE VIEW,SHOW VIEW,"
               "CREATE ROUTINE,ALTER ROUTINE",
    "DMLOnly": "SELECT,INSERT,UPDATE,DELETE,CREATE TEMPORARY TABLES,LOCK TABLES,EXECUTE,SHOW VIEW,EVENT,TRIGGER",
}
_OTHER_DETAIL = {"ReadWrite": "db_datareader,db_datawriter", "ReadOnly": "db_datareader",
                 "DBOwner": "ALL PRIVILEGES"}


def _detail(inst: Instance, level: str) -> str:
    return (_MYSQL_DETAIL if inst.engine in ("MySQL", "MariaDB") else _OTHER_DETAIL).get(level, "")


def create_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
    instance_id, name, password = required(p, "DBInstanceId", "AccountName", "AccountPassword")
    svc.create_account(store, instance_id, name, password, p.get("AccountDescription") or "",
                       p.get("AccountType") or "Normal")
    return {}


def _account(inst: Instance, shown: Shown) -> dict[str, Any]:
    a = shown.account
    out = {
        "DBInstanceId": inst.id,
        "AccountName": a.name,
        "AccountStatus": shown.status,
        "AccountType": a.account_type,
        "AccountDescription": a.description,
        "PrivExceeded": "0",
        "PasswordExpireTime": "",
        "DatabasePrivileges": {"DatabasePrivilege": [
            {"DBName": db, "AccountPrivilege": svc.read_back(inst, level), "AccountPrivilegeDetail": _detail(inst, level)}
            for db, level in sorted(shown.privileges.items())]},
    }
    if inst.engine == "PostgreSQL":   # role attributes (DescribeAccounts model: BypassRLS, CreateDB, ...)
        out.update(BypassRLS="f", CreateDB="t" if a.account_type == "Super" else "f",
                   CreateRole="t" if a.account_type == "Super" else "f", Replication="f", ValidUntil="infinity")
    if inst.engine == "SQLServer":
        out["CheckPolicy"] = True
    return out


def describe_accounts(store: Store, p: dict[str, str]) -> dict[str, Any]:
    (instance_id,) = required(p, "DBInstanceId")
    number, size = paging(p, max_size=200)
    inst, accounts = svc.find_accounts(store, instance_id, p.get("AccountName") or "")
    sql_server = {"SystemAdminAccountStatus": "Disabled", "SystemAdminAccountFirstActivationTime": ""} \
        if inst.engine == "SQLServer" else {}
    return {
        "ResourceGroupId": inst.attrs.get("ResourceGroupId", "rg-local"),
        **sql_server,
        "Accounts": {"DBInstanceAccount": [_account(inst, a) for a in page(accounts, number, size)]},
        "PageNumber": number,
        "TotalRecordCount": len(accounts),
    }


def _attributes(inst: Instance) -> dict[str, Any]:
    """Fields both DescribeDBInstanceAttribute and DescribeDBInstances report; seed attrs win."""
    return {
        "DBInstanceId": inst.id,
        "DBInstanceDescription": inst.name,
        "DBInstanceStatus": inst.status,
        "Engine": inst.engine,
        "EngineVersion": inst.version,
        "RegionId": inst.region,
        "ZoneId": f"{inst.region}-i",
        "LockMode": inst.lock_mode,
        "LockReason": "" if inst.lock_mode == "Unlock" else inst.lock_mode,
        "Category": "HighAvailability",
        "DBInstanceType": "Primary",
        "DBInstanceNetType": "Intranet",
        "InstanceNetworkType": "VPC",
        "PayType": "Postpaid",
        "ConnectionMode": "Standard",
        "ReadOnlyDBInstanceIds": {"ReadOnlyDBInstanceId": []},
        **inst.attrs,
    }


def describe_db_instance_attribute(store: Store, p: dict[str, str]) -> dict[str, Any]:
    ids = csv(required(p, "DBInstanceId")[0])   # the API accepts a comma list
    return {"Items": {"DBInstanceAttribute": [
        {**shapes.RDS_ATTRIBUTE, **_attributes(inst), "AccountMaxQuantity": inst.account_quota, "DBMaxQuantity": 500,
         "CreationTime": inst.attrs.get("CreationTime", "2024-01-01T00:00:00Z")}
        for inst in svc.instances(store, ids)]}}


def describe_db_instances(store: Store, p: dict[str, str]) -> dict[str, Any]:
    (region,) = required(p, "RegionId")
    number, size = paging(p, max_size=100)
    found = svc.find_instances(store, region, set(csv(p.get("DBInstanceId"))), p.get("Engine") or "",
                               p.get("DBInstanceStatus") or "")
    shown = page(found, number, size)
    return {
        **shapes.RDS_LIST_TOP,
        "Items": {"DBInstance": [{**shapes.RDS_LISTED, **_attributes(i),
                                  "CreateTime": i.attrs.get("CreationTime", "2024-01-01T00:00:00Z"),
                                  "MutriORsignle": False} for i in shown]},
        "PageNumber": number,
        "PageRecordCount": len(shown),
        "TotalRecordCount": len(found),
    }


def describe_databases(store: Store, p: dict[str, str]) -> dict[str, Any]:
    """Databases.Database[] (alibabacloud_rds20140815 DescribeDatabasesResponseBody), with the
    accounts holding a privilege on each, as the real service lists them: as DescribeAccounts
    would show them now, with the engine's read-back of DBOwner (Terraform saw it here)."""
    (instance_id,) = required(p, "DBInstanceId")
    number, size = paging(p, max_size=100)
    inst, holders = svc.database_holders(store, instance_id)
    names = [db for db in inst.databases if not p.get("DBName") or db == p["DBName"]]
    shown = page(names, number, size)
    return {
        "Databases": {"Database": [{
            **shapes.RDS_DATABASE, "PageNumber": number, "PageSize": size, "TotalCount": len(names),
            "DBInstanceId": inst.id, "DBName": db, "DBStatus": "Running", "Engine": inst.engine,
            "CharacterSetName": "utf8mb4", "DBDescription": "",
            "Accounts": {"AccountPrivilegeInfo": [
                {"Account": a.name, "AccountPrivilege": svc.read_back(inst, privs[db]),
                 "AccountPrivilegeDetail": _detail(inst, privs[db])}
                for a, privs in holders if db in privs]},
        } for db in shown]},
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": len(names),
    }


def unlock_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
    instance_id, name = required(p, "DBInstanceId", "AccountName")
    svc.unlock_account(store, instance_id, name)
    return {}


ACTIONS: dict[str, Handler] = behaviour.wrap_actions(svc.PRODUCT, "DBInstanceId", {
    "CreateAccount": create_account,
    "DescribeAccounts": describe_accounts,
    **account_changes(svc.CHANGES, "DBInstanceId", "ResetAccountPassword", "AccountPassword"),
    "UnlockAccount": unlock_account,
    "DescribeDBInstanceAttribute": describe_db_instance_attribute,
    "DescribeDBInstances": describe_db_instances,
    "DescribeDatabases": describe_databases,
})
