"""PolarDB actions on the wire (2017-08-01): parameters in, the service call, the response fields out.

Shapes follow alibabacloud_polardb20170801.models (from_map keys). Unlike RDS, lists are mostly
flat: DescribeAccounts.Accounts[] with DatabasePrivileges[], and DescribeDBClusterAttribute.DBNodes[];
only DescribeDBClusters nests (Items.DBCluster[], DBNodes.DBNode[]). DescribeAccounts has no total
count: page until a short page. State and rules: services/polardb.py.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import behaviour
from ..errors import CloudError
from ..services import polardb as svc
from ..services.alibaba import Shown
from ..store import Instance, Store
from . import alibaba_shapes as shapes
from .alibaba_accounts import account_changes
from .alibaba_params import client_token, csv, page, paging, request_identity, required

Handler = Callable[[Store, dict[str, str]], dict[str, Any]]


def create_account(store: Store, p: dict[str, str]) -> dict[str, Any]:
    cluster_id, name, password = required(p, "DBClusterId", "AccountName", "AccountPassword")
    token = client_token(p)
    for_all = p.get("PrivForAllDB") or "0"
    if for_all not in ("0", "1"):
        raise CloudError("InvalidPrivForAllDB.Malformed", 'The specified parameter "PrivForAllDB" is not valid '
                         "(0 or 1).", 400)
    # The documented trap: AccountType omitted means Super, not Normal.
    return svc.create_account(store, cluster_id, name, password, p.get("AccountDescription") or "",
                              p.get("AccountType") or "Super", csv(p["DBName"]) if p.get("DBName") else None,
                              csv(p.get("AccountPrivilege")), for_all == "1", token,
                              request_identity(p) if token else "")


def _account(shown: Shown) -> dict[str, Any]:
    a = shown.account
    return {
        "AccountName": a.name,
        "AccountStatus": shown.status,
        "AccountType": a.account_type,
        "AccountDescription": a.description,
        "AccountLockState": "UnLock",
        "AccountPasswordValidTime": "",
        "AccountPasswordDescription": "",
        "PrivilegeExceeded": "0",
        "DatabasePrivileges": [{"DBName": db, "AccountPrivilege": level, "AccountPrivilegeDetail": ""}
                               for db, level in sorted(shown.privileges.items())],
    }


def describe_accounts(store: Store, p: dict[str, str]) -> dict[str, Any]:
    (cluster_id,) = required(p, "DBClusterId")
    number, size = paging(p, max_size=100)
    shown = page(svc.find_accounts(store, cluster_id, p.get("AccountName") or ""), number, size)
    return {"Accounts": [_account(a) for a in shown], "PageNumber": number, "PageRecordCount": len(shown)}


def _node(inst: Instance) -> dict[str, Any]:
    return {**shapes.POLARDB_NODE, "DBNodeId": f"pi-{inst.id.removeprefix('pc-')}", "DBNodeRole": "Writer",
            "DBNodeStatus": "Running", "DBNodeClass": "polar.mysql.x4.medium", "ZoneId": f"{inst.region}-i",
            "RegionId": inst.region}


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


def _cluster(store: Store, p: dict[str, str]) -> Instance:
    return svc.cluster(store, required(p, "DBClusterId")[0])


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
    return {"Items": [{**shapes.POLARDB_ENDPOINT, "DBClusterId": inst.id, "DBEndpointId": f"pe-{inst.id}",
                       "EndpointType": "Cluster", "ReadWriteMode": "ReadWrite", "AutoAddNewNodes": "Enable",
                       "Nodes": f"pi-{inst.id}", "AddressItems": [address]}]}


def describe_db_clusters(store: Store, p: dict[str, str]) -> dict[str, Any]:
    (region,) = required(p, "RegionId")
    number, size = paging(p, max_size=100)
    found = svc.find_clusters(store, region, set(csv(p.get("DBClusterIds"))), p.get("DBType") or "",
                              p.get("DBClusterStatus") or "")
    shown = page(found, number, size)
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
    (cluster_id,) = required(p, "DBClusterId")
    number, size = paging(p, max_size=100)
    inst, holders = svc.database_holders(store, cluster_id)
    names = [db for db in inst.databases if not p.get("DBName") or db == p["DBName"]]
    shown = page(names, number, size)
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


ACTIONS: dict[str, Handler] = behaviour.wrap_actions(svc.PRODUCT, "DBClusterId", {
    "CreateAccount": create_account,
    "DescribeAccounts": describe_accounts,
    **account_changes(svc.CHANGES, "DBClusterId", "ModifyAccountPassword", "NewAccountPassword"),
    "DescribeDBClusterAttribute": describe_db_cluster_attribute,
    "DescribeDBClusterEndpoints": describe_db_cluster_endpoints,
    "DescribeDBClusters": describe_db_clusters,
    "DescribeDatabases": describe_databases,
})
