"""Alibaba Cloud ApsaraDB RDS (2014-08-15) accounts over alibabacloud_rds20140815."""

from __future__ import annotations

from typing import Any

from alibabacloud_rds20140815 import models

from provisioner.core import errors
from provisioner.core.adapter import InstanceInfo, LiveAccount
from provisioner.products.alibaba import AlibabaAdapter, _holds, _live
from provisioner.products.rds import rules as rds_rules


def new_client(settings: Any, policy: Any) -> Any:
    """The official SDK client (descriptor.py: the registry's client factory)."""
    from alibabacloud_rds20140815.client import Client

    from provisioner.products.alibaba import client_config
    return Client(client_config(settings, policy))


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
            back = rds_rules.RDS_PRIVILEGE_READ_BACK.get(self.describe_instance(instance_id).engine, {})
            live.privileges = {db: back.get(level, level) for db, level in live.privileges.items()}
        return live

    def _unlock(self, instance_id: str, name: str) -> None:
        """A PostgreSQL account that owned databases can be left in Lock by DeleteAccount:
        unlock it, then delete again (terraform-provider-alicloud rds account Delete, PR #4040)."""
        self._call("UnlockAccount", {"DBInstanceId": instance_id, "AccountName": name}, wait_for=instance_id)
        self._wait_available(instance_id, name, what=" (unlock)")

    # A PostgreSQL database has one owner: a grant another account takes over never shows. After
    # this long without it (the account Available again), DescribeDatabases says who owns it.
    PG_OWNER_GRACE = 5.0

    def _grant(self, instance_id: str, name: str, grant: dict[str, str]) -> None:
        if self.describe_instance(instance_id).engine != "PostgreSQL":
            return super()._grant(instance_id, name, grant)
        self._call("GrantAccountPrivilege", {"DBInstanceId": instance_id, "AccountName": name,
                                             "DBName": ",".join(grant), "AccountPrivilege": ",".join(grant.values())},
                   wait_for=instance_id)
        clock, since = self.caller.clock, []

        def done(a: LiveAccount | None) -> bool:
            if a is None or a.status != "Available":
                return False
            if _holds(a.privileges, grant):
                return True
            since.append(clock.monotonic())
            if since[-1] - since[0] >= min(self.PG_OWNER_GRACE, self.policy.wait_timeout / 2):
                owners = self._owners(instance_id, set(grant))
                taken = {db: who for db, who in owners.items() if who != name}
                if taken:
                    raise errors.make_error(
                        "GrantAccountPrivilege", "OperationDenied.DBInstanceEngine",
                        f"RDS PostgreSQL database(s) {', '.join(f'{db} (owned by {who})' for db, who in sorted(taken.items()))} "
                        f"have one owner each, and another account holds them: declare DBOwner on a database for "
                        f"one account only", None, product=self.product, hint="a PostgreSQL database has one owner")
            return False
        live = self._settle(f"account {name} on {instance_id} (grant to show)", lambda: self._one(instance_id, name), done)
        assert live is not None   # settled means present (done)
        self._put(instance_id, live)

    def _owners(self, instance_id: str, dbs: set[str]) -> dict[str, str]:
        """Who holds DBOwner (read back as ALL) on each of `dbs` (DescribeDatabases)."""
        owners: dict[str, str] = {}
        for db in sorted(dbs):
            resp = self._call("DescribeDatabases", {"DBInstanceId": instance_id, "DBName": db})
            for d in (resp.get("Databases") or {}).get("Database") or []:
                for info in (d.get("Accounts") or {}).get("AccountPrivilegeInfo") or []:
                    if info.get("AccountPrivilege") in ("DBOwner", "ALL"):
                        owners[db] = info.get("Account") or ""
        return owners

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
