"""Alibaba Cloud PolarDB 2017-08-01: code -> kind.

Sources: the CreateAccount error table (../shared/seeds/004), the PolarDB error center, and
terraform-provider-alicloud resource_alicloud_polardb_account.go, which retries every account
write on IncorrectDBInstanceState, OperationDenied.OutofUsage, InstanceConnectTimeoutFault,
OperationDenied.DBInstanceStatus, ConcurrentTaskExceeded, OperationDenied.DBClusterStatus,
OperationDenied.DBStatus, Database.ConnectError, LockTimeout (and NeedRetry's throttling/5xx).
"""

from __future__ import annotations

from provisioner.core.codes import (
    ACCOUNT_NOT_FOUND,
    ALIBABA_COMMON,
    ALIBABA_PREFIXES,
    BUSY,
    EXISTS,
    FATAL,
    NOT_FOUND,
    NOT_READY,
    TRANSIENT,
    CodeTable,
)

TABLE = CodeTable("polardb", {
    **ALIBABA_COMMON,
    "OperationDenied.DBClusterStatus": NOT_READY, "OperationDenied.LockMode": NOT_READY,
    "OperationDenied.DBClusterLockMode": NOT_READY, "IncorrectDBClusterState": NOT_READY,
    "IncorrectDBClusterStatus": NOT_READY, "IncorrectDBClusterLockMode": NOT_READY,
    "InvalidDBClusterStatus": NOT_READY, "EngineMigration.ActionDisabled": NOT_READY,
    "IncorrectDBInstanceState": NOT_READY, "OperationDenied.DBInstanceStatus": BUSY,
    "OperationDenied.DBStatus": BUSY, "ConcurrentTaskExceeded": BUSY, "LockTimeout": BUSY,
    "InstanceConnectTimeoutFault": BUSY, "OperationDenied.OutofUsage": BUSY, "AccountActionForbidden": BUSY,
    "OperationDenied.AccountStatus": BUSY, "Database.ConnectError": TRANSIENT,
    "InvalidDB.NotFound": BUSY,   # as RDS: a database created a moment ago is not grantable yet
    "InvalidDBClusterId.NotFound": NOT_FOUND, "InvalidDBClusterId.NotFond": NOT_FOUND,
    "InvalidAccountName.NotFound": ACCOUNT_NOT_FOUND,
    "InvalidAccountName.Duplicate": EXISTS,
    "InvalidAccountName.Malformed": FATAL, "InvalidAccountPassword.Malformed": FATAL,
    "InvalidAccountDescription.Malformed": FATAL, "InvalidAccountPrivilege.Malformed": FATAL,
    "InvalidAccountType.Malformed": FATAL, "OperationDenied.AccountType": FATAL,
    "OperationDenied.DBClusterEngine": FATAL, "QuotaExceeded.AccountName": FATAL,
    "InvalidDBName.NotFound": FATAL, "InvalidPrivForAllDB.Malformed": FATAL,
}, ALIBABA_PREFIXES,
    never_running=frozenset({"deleting", "deleted", "released", "stopped", "stopping"}))
