"""PolarDB 2017-08-01 account actions. Error codes: docs/localcloud-alibaba.md.

Response shapes follow alibabacloud_polardb20170801.models (from_map keys). Unlike RDS, lists
are mostly flat: DescribeAccounts.Accounts[] with DatabasePrivileges[], and
DescribeDBClusterAttribute.DBNodes[]; only DescribeDBClusters nests (Items.DBCluster[],
DBNodes.DBNode[]). DescribeAccounts has no total count: page until a short page.
"""

from __future__ import annotations

from typing import Any

from provisioner.products.polardb import rules as polardb_rules

from provisioner.core import rules
from .. import behaviour
from ..errors import CloudError
from ..store import Account, Instance, Store
from . import common as c
from . import shapes

PRODUCT = "polardb"

ERRORS: c.Errors = {
    "instance_not_found": (404, "InvalidDBClusterId.NotFound", "The DBClusterId provided does not exist in our records."),
    "locked": (403, "OperationDenied.LockMode", "The operation is not permitted due to lock of Cluster."),
    "not_running": (403, "OperationDenied.DBClusterStatus", "The operation is not permitted due to Cluster status."),
    "account_not_found": (404, "InvalidAccountName.NotFound", "The specified account does not exist."),
    "name_malformed": (400, "InvalidAccountName.Malformed", "The specified parameter AccountName is not valid."),
    "name_duplicate": (400, "InvalidAccountName.Duplicate", "The specified account name already exists."),
    "password": (400, "InvalidAccountPassword.Malformed", "The specified parameter AccountPassword is not valid."),
    "description": (400, "InvalidAccountDescription.Malformed", 'The specified parameter "AccountDescription" is not valid.'),
    "privilege": (400, "InvalidAccountPrivilege.Malformed", 'The specified parameter "AccountPrivilege" is not valid.'),
    "account_type": (400, "InvalidAccountType.Malformed", 'The specified parameter "AccountType" is not valid.'),
    "type_conflict": (403, "OperationDenied.AccountType", "The operation is not permitted due to type of account."),
    "engine": (403, "OperationDenied.DBClusterEngine", "The operation is not permitted due to engine of Cluster."),
    "quota": (403, "QuotaExceeded.AccountName", "The quota of account exceeds."),
    "db_not_found": (404, "InvalidDBName.NotFound", "The specified database does not exist."),
}


def _cluster(store: Store, p: dict[str, str]) -> Instance:
    return c.instance(store, ERRORS, PRODUCT, c.required(p, "DBClusterId")[0])


def _database_rules(inst: Instance, acct_type: str) -> None:
    """Per-database privileges exist only for Normal accounts of PolarDB for MySQL."""
    if inst.engine != "MySQL":
        raise c.fail(ERRORS, "engine", f"database privileges are managed this way only on MySQL, not {inst.engine}")
    if acct_type != "Normal":
        raise c.fail(ERRORS, "type_conflict", f"database privileges apply only to Normal accounts, not {acct_type}")


def create_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
    _, name, password = c.required(p, "DBClusterId", "AccountName", "AccountPassword")
    token = p.get("ClientToken")
    if token:
        c.check_client_token(token)
    with store.atomic():
        if token and (first := c.replay(store, PRODUCT, token, p)):
            return first
        inst = _cluster(store, p)
        c.check(ERRORS, "name_malformed", polardb_rules.check_polardb_name(name), "AccountName")
        c.check(ERRORS, "password", rules.check_alibaba_password(password), "AccountPassword")
        description = p.get("AccountDescription") or ""
        if description:
            c.check(ERRORS, "description", polardb_rules.check_polardb_description(description), "AccountDescription")
        # The documented trap: AccountType omitted means Super, not Normal.
        kind = p.get("AccountType") or "Super"
        if kind not in polardb_rules.POLARDB_ACCOUNT_TYPES:
            raise c.fail(ERRORS, "account_type", f"AccountType must be one of {', '.join(polardb_rules.POLARDB_ACCOUNT_TYPES)}")
        granted = _create_privileges(inst, kind, p)
        c.writable(ERRORS, inst)
        if kind == "Super" and inst.engine == "MySQL" and any(
                a.account_type == "Super" for a in store.list_accounts(PRODUCT, inst.id)):
            raise c.fail(ERRORS, "type_conflict", "a PolarDB for MySQL cluster has at most one Super account")
        acct = Account(product=PRODUCT, instance_id=inst.id, name=name, account_type=kind,
                       description=description, privileges=granted)
        acct.set_password(password)
        c.before_create(store, acct)
        c.insert(store, ERRORS, acct)
        c.created(store, acct)
        return c.remember(store, PRODUCT, token, p) if token else {}


def _create_privileges(inst: Instance, kind: str, p: dict[str, str]) -> dict[str, str]:
    """DBName + AccountPrivilege (ReadWrite when omitted, per the docs), or PrivForAllDB=1 with
    one AccountPrivilege for every current database (future databases are not modelled)."""
    for_all = p.get("PrivForAllDB") or "0"
    if for_all not in ("0", "1"):
        raise CloudError("InvalidPrivForAllDB.Malformed", 'The specified parameter "PrivForAllDB" is not valid '
                         "(0 or 1).", 400)
    if not p.get("DBName") and for_all == "0":
        return {}   # AccountPrivilege alone has no effect (documented)
    _database_rules(inst, kind)
    if for_all == "1":
        levels = c.csv(p.get("AccountPrivilege"))
        if len(levels) != 1:
            raise c.fail(ERRORS, "privilege", "PrivForAllDB=1 needs exactly one AccountPrivilege")
        return c.privileges(ERRORS, inst, ",".join(inst.databases), ",".join(levels * len(inst.databases)),
                            polardb_rules.check_polardb_privilege)
    return c.privileges(ERRORS, inst, p["DBName"], p.get("AccountPrivilege"), polardb_rules.check_polardb_privilege,
                        default="ReadWrite")


def describe_accounts(store: Store, p: dict[str, str]) -> dict[str, Any]:
    inst = _cluster(store, p)
    number, size = c.paging(p, max_size=100)
    accounts = [a for a in store.list_accounts(PRODUCT, inst.id)
                if not p.get("AccountName") or a.name == p["AccountName"]]
    shown = c.page(accounts, number, size)
    return {
        "Accounts": [_account(store, a) for a in shown],
        "PageNumber": number,
        "PageRecordCount": len(shown),
    }


def _account(store: Store, a: Account) -> dict[str, Any]:
    status, privileges = c.shown(store, a)
    return {
        "AccountName": a.name,
        "AccountStatus": status,
        "AccountType": a.account_type,
        "AccountDescription": a.description,
        "AccountLockState": "UnLock",
        "AccountPasswordValidTime": "",
        "AccountPasswordDescription": "",
        "PrivilegeExceeded": "0",
        "DatabasePrivileges": [{"DBName": db, "AccountPrivilege": level, "AccountPrivilegeDetail": ""}
                               for db, level in sorted(privileges.items())],
    }


def _node(inst: Instance) -> dict[str, Any]:
    return {**shapes.POLARDB_NODE, "DBNodeId": f"pi-{inst.id.removeprefix('pc-')}", "DBNodeRole": "Writer", "DBNodeStatus": "Running",
            "DBNodeClass": "polar.mysql.x4.medium", "ZoneId": f"{inst.region}-i", "RegionId": inst.region}


def _cluster_fields(inst: Instance) -> dict[str, Any]:
    """Fields both cluster describes report; seed attrs win."""
    return {
        "DBClusterId": inst.id,
        "DBClusterDescription": inst.name,
        "DBClusterStatus": inst.status,
        "DBType": inst.engine,
        "DBVersion": inst.version,
        "Engine": "POLARDB",
        "RegionId": inst.region,
        "LockMode": inst.lock_mode,
        "PayType": "Postpaid",
        "Category": "Normal",
        "DBClusterNetworkType": "VPC",
        "DeletionLock": 0,
        "Expired": "false",
        "StorageType": "psl5",
        **inst.attrs,
    }


def describe_db_cluster_attribute(store: Store, p: dict[str, str]) -> dict[str, Any]:
    inst = _cluster(store, p)
    return {**shapes.POLARDB_ATTRIBUTE, **_cluster_fields(inst), "DBNodes": [_node(inst)], "ZoneIds": f"{inst.region}-i",
            "CreationTime": inst.attrs.get("CreationTime", "2024-01-01T00:00:00Z")}


def describe_db_cluster_endpoints(store: Store, p: dict[str, str]) -> dict[str, Any]:
    """The cluster (read-write) endpoint; the address comes from the seed's attrs."""
    inst = _cluster(store, p)
    address = {"ConnectionString": inst.attrs.get("ConnectionString", f"{inst.id}.rwlb.rds.aliyuncs.com"),
               "Port": str(inst.attrs.get("Port", "3306")), "NetType": "Private", "IPAddress": "127.0.0.1",
               "VPCId": "vpc-local", "VSwitchId": "vsw-local", **shapes.POLARDB_ADDRESS}
    return {"Items": [{**shapes.POLARDB_ENDPOINT, "DBClusterId": inst.id, "DBEndpointId": f"pe-{inst.id}", "EndpointType": "Cluster",
                       "ReadWriteMode": "ReadWrite", "AutoAddNewNodes": "Enable", "Nodes": f"pi-{inst.id}",
                       "AddressItems": [address]}]}


def describe_db_clusters(store: Store, p: dict[str, str]) -> dict[str, Any]:
    (region,) = c.required(p, "RegionId")
    number, size = c.paging(p, max_size=100)
    wanted = set(c.csv(p.get("DBClusterIds")))
    found = [i for i in store.list_instances(PRODUCT) if i.region == region
             and (not wanted or i.id in wanted)
             and (not p.get("DBType") or i.engine == p["DBType"])
             and (not p.get("DBClusterStatus") or i.status == p["DBClusterStatus"])]
    shown = c.page(found, number, size)
    return {
        "Items": {"DBCluster": [{**shapes.POLARDB_LISTED, **_cluster_fields(i),
                                 "DBNodes": {"DBNode": [{**shapes.POLARDB_LISTED_NODE, **_node(i)}]}, "DBNodeNumber": 1,
                                 "ZoneId": f"{i.region}-i", "Tags": {"Tag": []},
                                 "CreateTime": i.attrs.get("CreationTime", "2024-01-01T00:00:00Z")} for i in shown]},
        "PageNumber": number,
        "PageRecordCount": len(shown),
        "TotalRecordCount": len(found),
    }


def describe_databases(store: Store, p: dict[str, str]) -> dict[str, Any]:
    """Databases.Database[] (alibabacloud_polardb20170801 DescribeDatabasesResponseBody)."""
    inst = _cluster(store, p)
    number, size = c.paging(p, max_size=100)
    names = [db for db in inst.databases if not p.get("DBName") or db == p["DBName"]]
    holders = store.list_accounts(PRODUCT, inst.id)
    shown = c.page(names, number, size)
    return {
        "Databases": {"Database": [{
            "DBName": db, "DBStatus": "Running", "Engine": inst.engine, "CharacterSetName": "utf8mb4",
            "DBDescription": "", "MasterID": "",
            "Accounts": {"Account": [
                {"AccountName": a.name, "AccountPrivilege": a.privileges[db], "AccountStatus": a.status,
                 "PrivilegeStatus": "Available"} for a in holders if db in a.privileges]},
        } for db in shown]},
        "PageNumber": number,
        "PageRecordCount": len(shown),
    }


CHANGES = c.AccountApi(PRODUCT, "DBClusterId", ERRORS, "NewAccountPassword", polardb_rules.check_polardb_description,
                       lambda inst, v: polardb_rules.check_polardb_privilege(v),
                       lambda inst, acct: _database_rules(inst, acct.account_type), guard_revoke=True)

ACTIONS = behaviour.wrap_actions(PRODUCT, "DBClusterId", {
    "CreateAccount": create_account,
    "DescribeAccounts": describe_accounts,
    **CHANGES.handlers(password_action="ModifyAccountPassword"),
    "DescribeDBClusterAttribute": describe_db_cluster_attribute,
    "DescribeDBClusterEndpoints": describe_db_cluster_endpoints,
    "DescribeDBClusters": describe_db_clusters,
    "DescribeDatabases": describe_databases,
})
