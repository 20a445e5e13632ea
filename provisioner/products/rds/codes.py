"""Alibaba Cloud ApsaraDB RDS 2014-08-15: code -> kind.

Sources: the CreateAccount error table (../shared/seeds/003), the RDS error center, and what
terraform-provider-alicloud retries on account operations: errors.go `OperationDeniedDBStatus`
(LockTimeout, InstanceConnectTimeoutFault, ConcurrentTaskExceeded, OperationDenied.DBStatus,
Database.ConnectError, OperationDenied.DBInstanceStatus, OperationDenied.DBClusterStatus,
InternalError, OperationDenied.OutofUsage, IncorrectDBInstanceState) and `NeedRetry`;
resource_alicloud_rds_account.go Delete (AccountActionForbidden); service_alicloud_rds.go
GrantAccountPrivilege (InvalidDB.NotFound just after the database was created).
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

# Waited out: the instance or the account is in the middle of another task; retried inside the wait.
WAIT_CODES = {
    "OperationDenied.DBInstanceStatus": BUSY, "OperationDenied.DBStatus": BUSY, "ConcurrentTaskExceeded": BUSY,
    "LockTimeout": BUSY, "InstanceConnectTimeoutFault": BUSY, "OperationDenied.OutofUsage": BUSY,
    "AccountActionForbidden": BUSY, "InvalidDB.NotFound": BUSY, "Database.ConnectError": TRANSIENT,
    "IncorrectDBInstanceState": NOT_READY,
}

TABLE = CodeTable("rds", {
    **ALIBABA_COMMON, **WAIT_CODES,
    "InvalidDBInstanceId.NotFound": NOT_FOUND, "InvalidDBInstanceName.NotFound": NOT_FOUND,
    "IncorrectDBInstanceLockMode": NOT_READY, "IncorrectDBInstanceStatus": NOT_READY,
    "OperationDenied.DBInstanceLockMode": NOT_READY,
    "GeneralIns.Creating": NOT_READY, "GeneralIns.Maintaining": NOT_READY, "GeneralIns.Switching": NOT_READY,
    "InvalidAccountName.NotFound": ACCOUNT_NOT_FOUND,
    "InvalidAccountName.Duplicate": EXISTS,
    "InvalidAccountName.Malformed": FATAL, "InvalidAccountName.Forbid": FATAL,
    "InvalidAccountPassword.Format": FATAL, "InvalidAccountDescription.Format": FATAL,
    "InvalidAccountPrivilege.Malformed": FATAL, "InvalidAccountType.Malformed": FATAL,
    "InvalidEngineVersion.NotSupported": FATAL, "IncorrectAccountType": FATAL, "AccountLimitExceeded": FATAL,
    "InvalidDBName.NotFound": FATAL, "Account.AddError": FATAL, "InvalidDBDescription.Format": FATAL,
    "InvalidGeneralGroupNameOrGdnInstanceName": FATAL, "IncorrectDBInstanceType": FATAL,
    "OperationDenied.DBInstanceEngine": FATAL, "IncorrectAccountStatus": BUSY,
}, ALIBABA_PREFIXES,
    # DBInstanceStatus values that will not turn into Running on their own (DescribeDBInstances
    # "DBInstanceStatus" values; Stopped/Stopping: a stopped serverless or local-disk instance).
    never_running=frozenset({"deleting", "released", "stopped", "stopping"}))
