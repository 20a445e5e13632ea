"""Alibaba Cloud ApsaraDB RDS (2014-08-15) accounts over alibabacloud_rds20140815."""

from __future__ import annotations

from typing import Any

from alibabacloud_rds20140815 import models

from provisioner import rules

from . import errors
from .alibaba import AlibabaAdapter, _live
from .base import InstanceInfo, LiveAccount


class RdsAdapter(AlibabaAdapter):
    product = "rds"
    models = models
    ID = "DBInstanceId"
    PAGE_SIZE = 200   # DescribeAccounts PageSize: 30..200
    LIST_ACTION = "DescribeDBInstances"
    METHODS = {
        "DescribeDBInstances": "describe_dbinstances",
        "CreateAccount": "create_account", "DescribeAccounts": "describe_accounts",
        "DeleteAccount": "delete_account", "DescribeDatabases": "describe_databases",
        "ResetAccountPassword": "reset_account_password",
        "ModifyAccountDescription": "modify_account_description",
        "GrantAccountPrivilege": "grant_account_privilege",
        "RevokeAccountPrivilege": "revoke_account_privilege",
        "DescribeDBInstanceAttribute": "describe_dbinstance_attribute",
        "UnlockAccount": "unlock_account",
    }

    def _describe(self, instance_id: str) -> InstanceInfo:
        resp = self._call("DescribeDBInstanceAttribute", {"DBInstanceId": instance_id})
        items = (resp.get("Items") or {}).get("DBInstanceAttribute") or []
        if not items:
            raise errors.make_error("DescribeDBInstanceAttribute", "InvalidDBInstanceId.NotFound",
                                    f"instance {instance_id} not found", resp.get("RequestId"))
        a = items[0]
        status, lock = a.get("DBInstanceStatus") or "", a.get("LockMode") or "Unlock"
        host, port = a.get("ConnectionString") or "", a.get("Port") or ""
        return InstanceInfo(id=instance_id, status=status, running=status == "Running",
                            locked=lock not in ("Unlock", ""), engine=a.get("Engine") or "",
                            version=str(a.get("EngineVersion") or ""),
                            region=a.get("RegionId") or self.settings.region,
                            endpoint=f"{host}:{port}" if host and port else host,
                            storage_type=a.get("DBInstanceStorageType") or "")

    def _live(self, instance_id: str, a: dict[str, Any]) -> LiveAccount:
        """PostgreSQL reads a DBOwner grant back as ALL, SQL Server as DbOwner (rules.py):
        normalised, so `up` then `refresh` then `preview` shows no change."""
        live = _live(a)
        if live.privileges:
            back = rules.RDS_PRIVILEGE_READ_BACK.get(self.describe_instance(instance_id).engine, {})
            live.privileges = {db: back.get(level, level) for db, level in live.privileges.items()}
        return live

    def _unlock(self, instance_id: str, name: str) -> None:
        """A PostgreSQL account that owned databases can be left in Lock by DeleteAccount:
        unlock it, then delete again (terraform-provider-alicloud rds account Delete, PR #4040)."""
        self._call("UnlockAccount", {"DBInstanceId": instance_id, "AccountName": name}, wait_for=instance_id)
        self._wait_available(instance_id, name, what=" (unlock)")

    def _revoke(self, instance_id: str, name: str, dbs: list[str]) -> None:
        if self.describe_instance(instance_id).engine == "PostgreSQL":
            raise errors.make_error("RevokeAccountPrivilege", "OperationDenied.DBInstanceEngine",
                                    f"RDS PostgreSQL cannot revoke a database privilege ({', '.join(dbs)}): a "
                                    "database keeps its owner. Keep the privilege, grant the database to another "
                                    "account, or replace the account", None, product=self.product,
                                    hint="see the README on PostgreSQL privileges")
        super()._revoke(instance_id, name, dbs)

    def _page(self, resp: dict[str, Any]) -> list[dict[str, Any]]:
        return (resp.get("Accounts") or {}).get("DBInstanceAccount") or []

    def create_account(self, instance_id: str, account: dict[str, Any], password: str,
                       client_token: str | None = None) -> None:
        """CreateAccount, then one GrantAccountPrivilege for all databases (RDS has no
        ClientToken on CreateAccount: a lost response is recognised by comparing the account)."""
        params = {"DBInstanceId": instance_id, "AccountName": account["name"], "AccountPassword": password,
                  "AccountType": account.get("account_type") or "Normal"}
        if account.get("description"):
            params["AccountDescription"] = account["description"]
        self._create(instance_id, account, params, password)
        privileges = dict(sorted((account.get("privileges") or {}).items()))
        if privileges:
            self._with_rollback(instance_id, account["name"], "", lambda: self._grant(instance_id, account["name"], privileges))

    def set_password(self, instance_id: str, name: str, host: str, password: str) -> None:
        self._call("ResetAccountPassword", {"DBInstanceId": instance_id, "AccountName": name,
                                            "AccountPassword": password}, secrets=(password,),
                   wait_for=instance_id)
        self._wait_available(instance_id, name, what=" (password reset)")
