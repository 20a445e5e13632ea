"""Alibaba Cloud PolarDB (2017-08-01) accounts over alibabacloud_polardb20170801.

CreateAccount always carries AccountType (omitted, the API makes a Super account) and a
ClientToken (the caller's, stable across retries; else one per create_account call)."""

from __future__ import annotations

import uuid
from typing import Any

from alibabacloud_polardb20170801 import models

from provisioner.core.adapter import InstanceInfo
from provisioner.products.alibaba import AlibabaAdapter


def new_client(settings: Any, policy: Any) -> Any:
    """The official SDK client (descriptor.py: the registry's client factory)."""
    from alibabacloud_polardb20170801.client import Client

    from provisioner.products.alibaba import client_config
    return Client(client_config(settings, policy))


class PolarDBAdapter(AlibabaAdapter):
    product = "polardb"
    models = models
    ID = "DBClusterId"
    PAGE_SIZE = 100   # DescribeAccounts PageSize: 30, 50 or 100
    LIST_ACTION = "DescribeDBClusters"
    METHODS = {
        "DescribeDBClusters": "describe_dbclusters",
        "CreateAccount": "create_account", "DescribeAccounts": "describe_accounts",
        "DeleteAccount": "delete_account", "DescribeDatabases": "describe_databases",
        "ModifyAccountPassword": "modify_account_password",
        "ModifyAccountDescription": "modify_account_description",
        "GrantAccountPrivilege": "grant_account_privilege",
        "RevokeAccountPrivilege": "revoke_account_privilege",
        "DescribeDBClusterAttribute": "describe_dbcluster_attribute",
        "DescribeDBClusterEndpoints": "describe_dbcluster_endpoints",
    }

    def _describe(self, instance_id: str) -> InstanceInfo:
        a = self._call("DescribeDBClusterAttribute", {"DBClusterId": instance_id})
        status, lock = a.get("DBClusterStatus") or "", a.get("LockMode") or "Unlock"
        return InstanceInfo(id=instance_id, status=status, running=status == "Running",
                            locked=lock not in ("Unlock", ""), engine=a.get("DBType") or a.get("Engine") or "",
                            version=str(a.get("DBVersion") or ""),
                            region=a.get("RegionId") or self.settings.region,
                            endpoint=self._cluster_endpoint(instance_id) if status == "Running" else "")

    def _cluster_endpoint(self, instance_id: str) -> str:
        """host:port of the read-write cluster endpoint (DescribeDBClusterAttribute has none)."""
        items = self._call("DescribeDBClusterEndpoints", {"DBClusterId": instance_id}).get("Items") or []
        for item in sorted(items, key=lambda i: i.get("EndpointType") != "Cluster"):
            for address in item.get("AddressItems") or []:
                if address.get("ConnectionString"):
                    return _endpoint(address)
        return ""

    def _page(self, resp: dict[str, Any]) -> list[dict[str, Any]]:
        return resp.get("Accounts") or []

    def create_account(self, instance_id: str, account: dict[str, Any], password: str,
                       client_token: str | None = None) -> None:
        account_type = account.get("account_type") or "Normal"
        params = {"DBClusterId": instance_id, "AccountName": account["name"], "AccountPassword": password,
                  "AccountType": account_type, "ClientToken": client_token or uuid.uuid4().hex}
        if account.get("description"):
            params["AccountDescription"] = account["description"]
        privileges = dict(sorted((account.get("privileges") or {}).items()))
        if privileges and account_type == "Normal":   # only Normal accounts take DBName at create
            params["DBName"] = ",".join(privileges)
            params["AccountPrivilege"] = ",".join(privileges.values())
        self._create(instance_id, account, params, password,
                     granted=privileges if account_type == "Normal" else None)
        if privileges and account_type != "Normal":
            self._with_rollback(instance_id, account["name"], "", lambda: self._grant(instance_id, account["name"], privileges))

    def set_password(self, instance_id: str, name: str, host: str, password: str) -> None:
        self._call("ModifyAccountPassword", {"DBClusterId": instance_id, "AccountName": name,
                                             "NewAccountPassword": password}, secrets=(password,),
                   wait_for=instance_id)
        self._wait_available(instance_id, name, what=" (password change)")


def _endpoint(a: dict[str, Any]) -> str:
    host, port = a.get("ConnectionString") or "", a.get("Port") or ""
    return f"{host}:{port}" if host and port else host
