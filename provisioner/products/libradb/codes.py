"""Tencent Cloud cynosdb 2019-01-07 (LibraDB analysis clusters): code -> kind.

Sources: the CreateLibraDBClusterAccounts error table (../shared/seeds/000, which also lists
"FailedOperation.OperationFailedError: Operation failed. Try again later"), Tencent's common
error codes, terraform-provider-tencentcloud common.go `retryableErrorCode`.
"""

from __future__ import annotations

from provisioner.core.codes import (
    ACCOUNT_NOT_FOUND,
    BUSY,
    EXISTS,
    FATAL,
    NOT_FOUND,
    NOT_READY,
    TENCENT_COMMON,
    TENCENT_PREFIXES,
    TRANSIENT,
    CodeTable,
)

TABLE = CodeTable("libradb", {
    **TENCENT_COMMON,
    "FailedOperation.DatabaseAccessError": TRANSIENT,      # "Please try again later"
    "FailedOperation.InstanceQueryError": TRANSIENT,
    "FailedOperation.OperationFailedError": BUSY,          # "Operation failed. Try again later."
    "FailedOperation.InstanceStatusError": NOT_READY,
    "InternalError.DbOperationFailed": TRANSIENT, "InternalError.GetSecurityGroupDetailFailed": TRANSIENT,
    "InternalError.GetSubnetFailed": TRANSIENT, "InternalError.ListInstancesError": TRANSIENT,
    "InternalError.OperateWanFail": TRANSIENT, "InternalError.QueryDatabaseFailed": TRANSIENT,
    "InternalError.SystemError": TRANSIENT,
    "InternalError.OperationNotSupport": FATAL,             # "Unsupported operation": retrying won't help
    "InvalidParameter.IsolateNotAllowed": FATAL,
    "InvalidParameterValue.AccountAlreadyExistError": EXISTS, "InvalidParameterValue.AccountExist": EXISTS,
    "InvalidParameterValue.AccountNotExistError": ACCOUNT_NOT_FOUND,
    "InvalidParameterValue.InstanceNotFound": NOT_FOUND,
    "InvalidParameterValue.DBTypeNotFound": FATAL, "InvalidParameterValue.FlowNotFound": FATAL,
    "InvalidParameterValue.IllegalInstanceName": FATAL, "InvalidParameterValue.IllegalPassword": FATAL,
    "InvalidParameterValue.InvalidPasswordValueError": FATAL, "InvalidParameterValue.InternalAccount": FATAL,
    "InvalidParameterValue.InvalidDBVersion": FATAL, "InvalidParameterValue.InvalidParameterValueError": FATAL,
    "InvalidParameterValue.InvalidSpec": FATAL, "InvalidParameterValue.ParamError": FATAL,
    "InvalidParameterValue.ParameterMismatchError": FATAL, "InvalidParameterValue.RegionZoneUnavailable": FATAL,
    "InvalidParameterValue.StoragePoolNotFound": FATAL, "InvalidParameterValue.SubnetNotFound": FATAL,
    "InvalidParameterValue.VpcNotFound": FATAL,
    "OperationDenied.CreateTaskAndFlowError": BUSY,        # "Task creation failed": a task slot is taken
    "OperationDenied.InstanceStatusDeniedError": NOT_READY,
    "OperationDenied.ServerlessInstanceStatusDenied": NOT_READY,
    "OperationDenied.ClusterStatusDeniedError": NOT_READY,
    "OperationDenied.InvalidRegionForRollbackNewCluster": FATAL, "OperationDenied.MissingParameterError": FATAL,
    "OperationDenied.NoAvaliableResouceError": FATAL, "OperationDenied.OperationDeniedError": FATAL,
    "OperationDenied.SecondaryCacheUnknownError": FATAL,
    "ResourceNotFound.ClusterNotFoundError": NOT_FOUND,
    "ResourceNotFound.ResourceNotFoundErr": NOT_FOUND,
    "ResourceUnavailable.InstanceLockFail": NOT_READY,      # "cannot be performed temporarily"
    "ResourceUnavailable.InstanceStatusAbnormal": NOT_READY,
}, TENCENT_PREFIXES,
    # cynosdb cluster Status values that never become "running" on their own (isolated and
    # offlined clusters wait for a user's renewal or are being destroyed).
    never_running=frozenset({"isolated", "isolating", "offlined", "offlining", "deleted", "deleting", "destroyed"}))
