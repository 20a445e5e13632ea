"""ApsaraDB RDS 2014-08-15 account actions. Error codes: docs/localcloud-alibaba.md.

Response shapes follow alibabacloud_rds20140815.models (from_map keys): RDS wraps every list in
an object named after the element, e.g. Accounts.DBInstanceAccount[] and
DatabasePrivileges.DatabasePrivilege[].
"""

from __future__ import annotations

from typing import Any

from provisioner.products.rds import reserved_names
from provisioner.products.rds import rules as rds_rules
from provisioner.core import rules
from .. import behaviour
from ..store import Account, Instance, Store
from . import common as c
from . import shapes

PRODUCT = "rds"

ERRORS: c.Errors = {
    "instance_not_found": (404, "InvalidDBInstanceId.NotFound", "Specified instance does not exist or not support."),
    "locked": (404, "IncorrectDBInstanceLockMode", "Current DB instance lock mode does not support this operation."),
    "not_running": (403, "IncorrectDBInstanceState", "Current DB instance state does not support this operation."),
    "account_not_found": (404, "InvalidAccountName.NotFound", "Specified account does not exist."),
    "name_malformed": (400, "InvalidAccountName.Malformed", "Specified account name is not valid."),
    "name_reserved": (400, "InvalidAccountName.Forbid", "Specified account name is a keyword in RDS."),
    "name_duplicate": (400, "InvalidAccountName.Duplicate", "Specified account name already exists in this instance."),
    "password": (400, "InvalidAccountPassword.Format", "Specified account password is not valid."),
    "description": (400, "InvalidAccountDescription.Format", "Specified account description is not valid."),
    "privilege": (400, "InvalidAccountPrivilege.Malformed", "Specified account privilege is not valid."),
    "account_type": (400, "InvalidAccountType.Malformed", "Specified account type is not valid."),
    "sysadmin": (400, "InvalidEngineVersion.NotSupported", "Current db instance does not support sysadmin."),
    "type_conflict": (403, "IncorrectAccountType", "Current account type does not support this operation."),
    "quota": (403, "AccountLimitExceeded", "AccountQuotaExceeded: Exceeding the allowed amount of account"),
    "db_not_found": (404, "InvalidDBName.NotFound", "Specified DB name does not exist."),
    # PostgreSQL has no revoke (terraform-provider-alicloud db_account_privilege: "the PostgreSql
    # database does not support revoking"); the code is modelled on PolarDB's
    # OperationDenied.DBClusterEngine (the real RDS answer is not documented).
    "engine": (403, "OperationDenied.DBInstanceEngine", "The operation is not permitted due to engine of instance."),
    "account_locked": (403, "AccountActionForbidden", "The account action is forbidden in the current account status."),
}

# How DescribeAccounts reports a DBOwner grant back, per engine (terraform-provider-alicloud
# service_alicloud_rds.go WaitForAccountPrivilege: "postgresql response has a bug, DBOwner will
# be changed to ALL", "sqlserver ... DBOwner will be changed to DbOwner").
DBOWNER_READ_BACK = {"PostgreSQL": "ALL", "SQLServer": "DbOwner"}

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
_ONE_PRIVILEGED = rds_rules.RDS_ONE_PRIVILEGED_ENGINES


def _instance(store: Store, p: dict[str, str]) -> Instance:
    return c.instance(store, ERRORS, PRODUCT, c.required(p, "DBInstanceId")[0])


def _check_name(inst: Instance, name: str) -> None:
    if reserved_names.rds_reserved(name, inst.engine):
        raise c.fail(ERRORS, "name_reserved", name)
    storage = inst.attrs.get("DBInstanceStorageType") or shapes.RDS_ATTRIBUTE["DBInstanceStorageType"]
    c.check(ERRORS, "name_malformed", rds_rules.check_rds_name(name, inst.engine, inst.version, storage), "AccountName")


def create_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
    _, name, password = c.required(p, "DBInstanceId", "AccountName", "AccountPassword")
    with store.atomic():
        inst = _instance(store, p)
        _check_name(inst, name)
        c.check(ERRORS, "password", rules.check_alibaba_password(password), "AccountPassword")
        description = p.get("AccountDescription") or ""
        if description:
            c.check(ERRORS, "description", rds_rules.check_rds_description(description), "AccountDescription")
        kind = p.get("AccountType") or "Normal"
        if kind not in rds_rules.RDS_ACCOUNT_TYPES:
            raise c.fail(ERRORS, "account_type", f"AccountType must be one of {', '.join(rds_rules.RDS_ACCOUNT_TYPES)}")
        if kind == "Sysadmin" and inst.engine != "SQLServer":
            raise c.fail(ERRORS, "sysadmin", f"Sysadmin accounts exist only on SQLServer, not {inst.engine}")
        c.writable(ERRORS, inst)
        # The seed: PostgreSQL allows several privileged accounts; the other engines one.
        if kind != "Normal" and inst.engine != "PostgreSQL" and any(
                a.account_type == kind for a in store.list_accounts(PRODUCT, inst.id)):
            raise c.fail(ERRORS, "type_conflict", f"a {inst.engine} instance has at most one {kind} account")
        acct = Account(product=PRODUCT, instance_id=inst.id, name=name, account_type=kind, description=description)
        acct.set_password(password)
        c.before_create(store, acct)
        c.insert(store, ERRORS, acct)
        c.created(store, acct)
    return {}


def describe_accounts(store: Store, p: dict[str, str]) -> dict[str, Any]:
    inst = _instance(store, p)
    number, size = c.paging(p, max_size=200)
    accounts = [a for a in store.list_accounts(PRODUCT, inst.id)
                if not p.get("AccountName") or a.name == p["AccountName"]]
    sql_server = {"SystemAdminAccountStatus": "Disabled", "SystemAdminAccountFirstActivationTime": ""} \
        if inst.engine == "SQLServer" else {}
    return {
        "ResourceGroupId": inst.attrs.get("ResourceGroupId", "rg-local"),
        **sql_server,
        "Accounts": {"DBInstanceAccount": [_account(store, inst, a) for a in c.page(accounts, number, size)]},
        "PageNumber": number,
        "TotalRecordCount": len(accounts),
    }


def _account(store: Store, inst: Instance, a: Account) -> dict[str, Any]:
    detail = _MYSQL_DETAIL if inst.engine in ("MySQL", "MariaDB") else _OTHER_DETAIL
    status, privileges = c.shown(store, a)
    pg = inst.engine == "PostgreSQL"
    out = {
        "DBInstanceId": inst.id,
        "AccountName": a.name,
        "AccountStatus": status,
        "AccountType": a.account_type,
        "AccountDescription": a.description,
        "PrivExceeded": "0",
        "PasswordExpireTime": "",
        "DatabasePrivileges": {"DatabasePrivilege": [
            {"DBName": db, "AccountPrivilege": _read_back(inst, level), "AccountPrivilegeDetail": detail.get(level, "")}
            for db, level in sorted(privileges.items())]},
    }
    if pg:   # PostgreSQL role attributes (DescribeAccounts model: BypassRLS, CreateDB, ...)
        out.update(BypassRLS="f", CreateDB="t" if a.account_type == "Super" else "f",
                   CreateRole="t" if a.account_type == "Super" else "f", Replication="f", ValidUntil="infinity")
    if inst.engine == "SQLServer":
        out["CheckPolicy"] = True
    return out


def _detail(inst: Instance, level: str) -> str:
    return (_MYSQL_DETAIL if inst.engine in ("MySQL", "MariaDB") else _OTHER_DETAIL).get(level, "")


def _read_back(inst: Instance, level: str) -> str:
    return DBOWNER_READ_BACK.get(inst.engine, level) if level == "DBOwner" else level


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
    ids = c.csv(c.required(p, "DBInstanceId")[0])   # the API accepts a comma list
    items = []
    for instance_id in ids:
        inst = c.instance(store, ERRORS, PRODUCT, instance_id)
        items.append({**shapes.RDS_ATTRIBUTE, **_attributes(inst), "AccountMaxQuantity": inst.account_quota,
                      "DBMaxQuantity": 500, "CreationTime": inst.attrs.get("CreationTime", "2024-01-01T00:00:00Z")})
    return {"Items": {"DBInstanceAttribute": items}}


def describe_db_instances(store: Store, p: dict[str, str]) -> dict[str, Any]:
    (region,) = c.required(p, "RegionId")
    number, size = c.paging(p, max_size=100)
    wanted = set(c.csv(p.get("DBInstanceId")))
    found = [i for i in store.list_instances(PRODUCT) if i.region == region
             and (not wanted or i.id in wanted)
             and (not p.get("Engine") or i.engine == p["Engine"])
             and (not p.get("DBInstanceStatus") or i.status == p["DBInstanceStatus"])]
    shown = c.page(found, number, size)
    return {
        **shapes.RDS_LIST_TOP,
        "Items": {"DBInstance": [{**shapes.RDS_LISTED, **_attributes(i), "CreateTime": i.attrs.get("CreationTime", "2024-01-01T00:00:00Z"),
                                  "MutriORsignle": False} for i in shown]},
        "PageNumber": number,
        "PageRecordCount": len(shown),
        "TotalRecordCount": len(found),
    }


def describe_databases(store: Store, p: dict[str, str]) -> dict[str, Any]:
    """Databases.Database[] (alibabacloud_rds20140815 DescribeDatabasesResponseBody), with the
    accounts holding a privilege on each, as the real service lists them."""
    inst = _instance(store, p)
    number, size = c.paging(p, max_size=100)
    names = [db for db in inst.databases if not p.get("DBName") or db == p["DBName"]]
    # What each account holds as DescribeAccounts would show it now (grants show later), with the
    # engine's read-back of DBOwner (PostgreSQL ALL, SQL Server DbOwner: Terraform saw it here).
    holders = [(a, c.shown(store, a)[1]) for a in store.list_accounts(PRODUCT, inst.id)]
    shown = c.page(names, number, size)
    return {
        "Databases": {"Database": [{
            **shapes.RDS_DATABASE, "PageNumber": number, "PageSize": size, "TotalCount": len(names),
            "DBInstanceId": inst.id, "DBName": db, "DBStatus": "Running", "Engine": inst.engine,
            "CharacterSetName": "utf8mb4", "DBDescription": "",
            "Accounts": {"AccountPrivilegeInfo": [
                {"Account": a.name, "AccountPrivilege": _read_back(inst, privs[db]),
                 "AccountPrivilegeDetail": _detail(inst, privs[db])}
                for a, privs in holders if db in privs]},
        } for db in shown]},
        "PageNumber": number,
        "PageSize": size,
        "TotalCount": len(names),
    }


def _guard_privileges(inst: Instance, acct: Account) -> None:
    if acct.account_type != "Normal" and inst.engine in _ONE_PRIVILEGED:
        raise c.fail(ERRORS, "type_conflict", f"a {acct.account_type} account already has every privilege")


# --- PostgreSQL: one owner per database, no revoke, an owning account left in Lock on delete ------

def _refuse_revoke(inst: Instance, acct: Account) -> None:
    if inst.engine == "PostgreSQL":
        raise c.fail(ERRORS, "engine", "PostgreSQL instances do not support revoking a database privilege")


def _one_owner(store: Store, inst: Instance, acct: Account, granted: dict[str, str]) -> None:
    """A PostgreSQL database has one owner: granting DBOwner moves it from its previous owner."""
    if inst.engine != "PostgreSQL":
        return
    for other in store.list_accounts(PRODUCT, inst.id):
        lost = [db for db in granted if other.name != acct.name and other.privileges.get(db) == "DBOwner"]
        if lost:
            before = dict(other.privileges)
            for db in lost:
                other.privileges.pop(db)
            store.save_account(other)
            behaviour.of(store).account_changed(c.key(other), shown_privileges=before)


def _lock_owner_on_delete(store: Store, inst: Instance, acct: Account) -> bool:
    """Deleting a PostgreSQL account that owns databases leaves it in Lock (its databases go to
    the instance's privileged account); it can be deleted after UnlockAccount (Terraform's
    rds account Delete does exactly that, PR #4040)."""
    if inst.engine != "PostgreSQL":
        return False
    if acct.status == "Lock":
        raise c.fail(ERRORS, "account_locked", f"account {acct.name} is locked; unlock it first")
    if not any(level == "DBOwner" for level in acct.privileges.values()):
        return False
    before = dict(acct.privileges)
    acct.status, acct.privileges = "Lock", {}
    store.save_account(acct)
    behaviour.of(store).account_changed(c.key(acct), shown_privileges=before)
    return True


def unlock_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
    with store.atomic():
        inst, _ = CHANGES.change(store, p)
        acct = CHANGES._writable_account(store, inst, p)
        if acct.status == "Lock":
            acct.status = "Available"
            store.save_account(acct)
            behaviour.of(store).account_changed(c.key(acct))
    return {}


CHANGES = c.AccountApi(PRODUCT, "DBInstanceId", ERRORS, "AccountPassword", rds_rules.check_rds_description,
                       lambda inst, v: rds_rules.check_rds_privilege(v, inst.engine), _guard_privileges,
                       refuse_revoke=_refuse_revoke, after_grant=_one_owner, delete_instead=_lock_owner_on_delete)

ACTIONS = behaviour.wrap_actions(PRODUCT, "DBInstanceId", {
    "CreateAccount": create_account,
    "DescribeAccounts": describe_accounts,
    **CHANGES.handlers(password_action="ResetAccountPassword"),
    "UnlockAccount": unlock_account,
    "DescribeDBInstanceAttribute": describe_db_instance_attribute,
    "DescribeDBInstances": describe_db_instances,
    "DescribeDatabases": describe_databases,
})
